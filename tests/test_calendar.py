"""iCalendar files, read back with the icalendar library; the add-to-calendar links of a drive page."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar

from conftest import NOW, copy_site, html, run_cli

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# event id -> its own .ics, beside its page
EVENTS = {
    "2022-06-14-dot-cu": "su-kien/dot-cu/dot-cu.ics",
    "2023-12-05-dot-mot": "su-kien/dot-mot/dot-mot.ics",
    "2027-01-09-dot-hai": "su-kien/dot-hai-sap-toi/dot-hai-sap-toi.ics",
    "2027-02-01-dot-huy": "su-kien/dot-bi-huy/dot-bi-huy.ics",
}


def read(path: Path) -> icalendar.Calendar:
    data = path.read_bytes()
    assert b"\r\n" in data and all(len(line) <= 75 for line in data.split(b"\r\n"))  # folded lines, CRLF
    return icalendar.Calendar.from_ical(data)


def events_of(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]).split("@")[0]: e for e in cal.walk("VEVENT")}


def test_every_calendar_parses_and_holds_its_events(full_build: Path):
    files = sorted(p.relative_to(full_build).as_posix() for p in full_build.rglob("*.ics"))
    assert files == sorted(["events.ics", *EVENTS.values()])
    subscription = read(full_build / "events.ics")
    assert set(events_of(subscription)) == set(EVENTS)
    for event_id, rel in EVENTS.items():
        cal = read(full_build / rel)
        assert list(events_of(cal)) == [event_id]
        assert events_of(cal)[event_id].to_ical() == events_of(subscription)[event_id].to_ical()
    for cal in [subscription] + [read(full_build / rel) for rel in EVENTS.values()]:
        assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
        assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]


def test_times_round_trip_in_the_site_timezone(full_build: Path):
    event = events_of(read(full_build / EVENTS["2027-01-09-dot-hai"]))["2027-01-09-dot-hai"]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime(2027, 1, 9, 7, 0, tzinfo=TZ) and end == datetime(2027, 1, 9, 11, 0, tzinfo=TZ)
    assert (start.hour, start.minute, start.utcoffset().total_seconds()) == (7, 0, 7 * 3600)
    assert event["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20270109T070000" in event.to_ical().decode()


def test_event_properties(full_build: Path):
    events = events_of(read(full_build / "events.ics"))
    upcoming = events["2027-01-09-dot-hai"]
    assert str(upcoming["UID"]) == "2027-01-09-dot-hai@example.org/hien-mau"
    assert str(upcoming["SUMMARY"]) == "Đợt hai sắp tới"
    assert str(upcoming["LOCATION"]) == "Nhà văn hoá, Số 3"
    assert str(upcoming["URL"]) == "https://example.org/hien-mau/su-kien/dot-hai-sap-toi/"
    assert str(upcoming["STATUS"]) == "CONFIRMED"
    description = str(upcoming["DESCRIPTION"])
    assert "Mời tham gia. Xem điều kiện." in description  # Markdown and HTML stripped
    assert "<" not in description and "](" not in description
    assert "https://example.org/dang-ky" in description
    # DTSTAMP comes from the content (the drive's start), never from the clock
    assert upcoming.decoded("DTSTAMP") == datetime(2027, 1, 9, 0, 0, tzinfo=ZoneInfo("UTC"))
    assert int(upcoming["SEQUENCE"]) == 0
    cancelled = events["2027-02-01-dot-huy"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["DESCRIPTION"]).startswith("Đợt hiến máu này đã bị huỷ.")


def test_sequence_goes_up_only_when_a_drive_changes(tmp_path: Path):
    site = copy_site("full", tmp_path)
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    first = (out / "events.ics").read_bytes()
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    assert (out / "events.ics").read_bytes() == first  # unchanged content, same bytes
    drive = site / "content/events/2027-01-09-dot-hai.yaml"
    drive.write_text(drive.read_text(encoding="utf-8").replace("start: 2027-01-09 07:00", "start: 2027-01-09 07:30"),
                     encoding="utf-8")
    for expected in (1, 1):  # the change bumps SEQUENCE once; a rebuild without changes keeps it
        assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
        events = events_of(read(out / "events.ics"))
        assert int(events["2027-01-09-dot-hai"]["SEQUENCE"]) == expected
        assert events["2027-01-09-dot-hai"].decoded("DTSTART") == datetime(2027, 1, 9, 7, 30, tzinfo=TZ)
        assert {int(e["SEQUENCE"]) for k, e in events.items() if k != "2027-01-09-dot-hai"} == {0}
        own = events_of(read(out / EVENTS["2027-01-09-dot-hai"]))["2027-01-09-dot-hai"]
        assert int(own["SEQUENCE"]) == expected


def test_drive_page_offers_the_calendar_links(full_build: Path):
    page = html(full_build / "su-kien/dot-hai-sap-toi/index.html")
    block = page.select_one(".add-to-calendar")
    links = [a["href"] for a in block.find_all("a")]
    ics = block.find("a", download=True)
    assert ics["href"] == "/hien-mau/su-kien/dot-hai-sap-toi/dot-hai-sap-toi.ics"
    assert (full_build / "su-kien/dot-hai-sap-toi/dot-hai-sap-toi.ics").is_file()
    google = next(link for link in links if link.startswith("https://calendar.google.com/calendar/render?"))
    query = parse_qs(urlsplit(google).query)
    assert query["action"] == ["TEMPLATE"] and query["text"] == ["Đợt hai sắp tới"]
    assert query["dates"] == ["20270109T000000Z/20270109T040000Z"]
    assert query["location"] == ["Nhà văn hoá, Số 3"]
    assert "webcal://example.org/hien-mau/events.ics" in links
    # past and cancelled drives have nothing to add to a calendar
    assert html(full_build / "su-kien/dot-bi-huy/index.html").select_one(".add-to-calendar") is None
    assert html(full_build / "su-kien/dot-cu/index.html").select_one(".add-to-calendar") is None


def test_cached_calendars_follow_the_previous_events_ics(tmp_path: Path):
    site = copy_site("full", tmp_path)
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    first = (out / "events.ics").read_bytes()
    assert b"SEQUENCE:0" in first
    (out / "events.ics").write_bytes(first.replace(b"SEQUENCE:0", b"SEQUENCE:4", 1))  # as an older build left it
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0  # same content: cache hits
    assert {int(e["SEQUENCE"]) for e in events_of(read(out / "events.ics")).values()} == {0, 4}


def test_the_build_after_a_cold_one_reuses_its_calendars(tmp_path: Path, monkeypatch):
    """A cold build had no previous events.ics; what it made is a fixed point (same revisions, same
    SEQUENCE), so the next build, finding those bytes, takes the cached calendars, and a build that
    finds other bytes makes them again."""
    from generator import build as build_module
    from generator import carried

    site = copy_site("full", tmp_path)
    out = tmp_path / "out"
    moment = datetime.fromisoformat(NOW)
    build_module.build(site, out, now=moment)
    first = (out / "events.ics").read_bytes()
    made = tmp_path / "made"  # a file: the calendars are made in a forked child (build.produce)
    made.write_text("", encoding="utf-8")
    real = carried.calendars

    def counted(*args):
        with made.open("a", encoding="utf-8") as log:
            log.write("1")
        return real(*args)

    monkeypatch.setattr(carried, "calendars", counted)
    post = site / "content/posts/2023-12-20-them-mot-tin.md"
    post.write_text("---\ntitle: Thêm một tin\ndate: 2023-12-20\n---\nNội dung.\n", encoding="utf-8")
    build_module.build(site, out, now=moment)
    assert made.read_text(encoding="utf-8") == "" and (out / "events.ics").read_bytes() == first
    (out / "events.ics").write_bytes(first.replace(b"SEQUENCE:0", b"SEQUENCE:2", 1))
    post.write_text("---\ntitle: Thêm một tin nữa\ndate: 2023-12-20\n---\nNội dung.\n", encoding="utf-8")
    build_module.build(site, out, now=moment)
    assert made.read_text(encoding="utf-8") == "1" and b"SEQUENCE:2" in (out / "events.ics").read_bytes()


def test_vtimezone_is_what_icalendar_makes_for_the_range():
    """The VTIMEZONE is made through a zone that ends a year past the range (calendar._Bounded),
    where icalendar would step through a zone with no change ahead (Vietnam's) to the year 9999:
    the same component, compared with icalendar's own for zones with and without daylight saving
    time, zones that gave it up (Brazil 2019, Turkey 2016, Iran 2022) and ranges across those years."""
    from datetime import date

    from generator.outputs import calendar

    zones = ["Asia/Ho_Chi_Minh", "Europe/Berlin", "America/New_York", "America/Sao_Paulo", "Europe/Istanbul",
             "Asia/Tehran", "Australia/Lord_Howe", "Africa/Casablanca", "Pacific/Fiji", "UTC"]
    # (2016, 2019) and (2019, 2021): Brazil's clocks changed on 4 November 2018, Fiji's on 20 December
    # 2020, less than one of icalendar's steps before the range's last day
    for zone in zones:
        for first, last in [(2015, 2017), (2016, 2019), (2018, 2021), (2019, 2021), (2021, 2023), (2022, 2023),
                            (2024, 2027), (2026, 2032)]:
            calendar._vtimezone_lines.cache_clear()
            made = calendar._vtimezone_lines(zone, first, last)
            theirs = icalendar.Timezone.from_tzid(zone, first_date=date(first, 1, 1), last_date=date(last, 1, 1))
            assert made == icalendar.Timezone.from_ical(theirs.to_ical()).to_ical(), (zone, first, last)
    assert b"TZOFFSETTO:+0700" in calendar._vtimezone_lines("Asia/Ho_Chi_Minh", 2026, 2028)
