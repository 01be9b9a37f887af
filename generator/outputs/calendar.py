"""Calendars (RFC 5545, written with the icalendar library): ``events.ics`` and one .ics per drive.

Where they go: ``events.ics`` at the site root is the subscription of every drive; each drive's
own file sits beside its page and is named after its address (``su-kien/<slug>/<slug>.ics``), so a
downloaded file has a readable name.

What a calendar client relies on, and where it comes from:
- UID: the event id (its file name) and the site's host, so it survives title and date edits.
- DTSTART/DTEND: local times with TZID and a VTIMEZONE made from the zoneinfo data.
- DTSTAMP: from the content (the drive's start), never the clock: two builds of the same content
  are byte-identical.
- SEQUENCE: clients only accept a changed copy of an event they already hold when its SEQUENCE
  went up. Builds are stateless, so the previous revision is read back from the ``events.ics`` of
  the last good build in the same output folder (``previous_revisions``, through carried.py): a drive whose published
  data changed gets the previous SEQUENCE + 1. Each event carries the hash of its published data
  (``X-OUTREACH-REVISION``) for that comparison. A build into an empty folder starts at 0.
"""
from __future__ import annotations

import functools
import hashlib
import html
from datetime import date, datetime, timedelta, timezone, tzinfo
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from generator.errors import N_
from generator.graph import EventView, Site
from generator.i18n import tool_messages
from generator.outputs.addresses import absolute, host, output_folder, site_url

if TYPE_CHECKING:
    import icalendar

SUBSCRIPTION = "events.ics"
REVISION = "X-OUTREACH-REVISION"
STATUS = {"scheduled": "CONFIRMED", "cancelled": "CANCELLED", "postponed": "TENTATIVE"}

Revisions = dict[str, tuple[int, str]]  # UID -> (SEQUENCE, revision hash)


# -- addresses ---------------------------------------------------------------------------------

def ics_path(site: Site, event: EventView) -> str:
    """'su-kien/<slug>/<slug>.ics': beside the event page, named after its last path segment."""
    folder = output_folder(site.config, event.url)
    name = folder.rstrip("/").rsplit("/", 1)[-1] or event.id
    return f"{folder}{name}.ics"


def ics_url(site: Site, event: EventView) -> str:
    return site_url(site.config, ics_path(site, event))


def subscription_path(site: Site) -> str:
    """'events.ics' at the home of each language: 'events.ics', 'en/events.ics'."""
    return output_folder(site.config, site.url("home")) + SUBSCRIPTION


def subscription_url(site: Site) -> str:
    return site_url(site.config, subscription_path(site))


def uid(site: Site, event: EventView) -> str:
    """The drive's id and the site's address; a second language's copy is another calendar entry."""
    base = site.config.base_path.rstrip("/")
    language = "" if site.config.is_default_language else f".{site.config.language}"
    return f"{event.id}{language}@{host(site.config)}{base}"


def google_calendar_url(site: Site, event: EventView) -> str:
    """Google Calendar's 'add event' form, filled in (times in UTC, as the form expects)."""
    def utc(moment: datetime) -> str:
        return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    query = urlencode({
        "action": "TEMPLATE",
        "text": event.title,
        "dates": f"{utc(event.start)}/{utc(event.end)}",
        "details": f"{event.summary}\n\n{absolute(site.config, event.url)}".strip(),
        "location": f"{event.venue.name}, {event.venue.address}",
        "ctz": site.config.timezone_name,
    })
    return "https://calendar.google.com/calendar/render?" + query


# -- plain text from rendered Markdown ---------------------------------------------------------

class _Text(HTMLParser):
    BLOCKS = {"p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
              "table", "tr", "br", "hr", "figure"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(fragment: str) -> str:
    """Rendered HTML -> plain text: paragraphs separated by a blank line, no tags, no entities."""
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    paragraphs, current = [], []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return html.unescape("\n\n".join(paragraphs))


# -- the calendars -----------------------------------------------------------------------------

def description(site: Site, event: EventView) -> str:
    _ = tool_messages(site.config.language).gettext
    parts = []
    if event.status == "cancelled":
        parts.append(_(N_("This drive is cancelled.")))
    elif event.status == "postponed":
        parts.append(_(N_("This drive is postponed: see its page for the new date.")))
    text = plain_text(event.html)
    if text:
        parts.append(text)
    if event.organizers:
        parts.append(_(N_("Organisers: {names}")).format(names=", ".join(event.organizers)))
    if event.registration:
        parts.append(_(N_("Register: {url}")).format(url=event.registration))
    if event.contact and (event.contact.name or event.contact.phone):
        who = ", ".join(x for x in (event.contact.name, event.contact.phone) if x)
        parts.append(_(N_("Contact: {who}")).format(who=who))
    parts.append(absolute(site.config, event.url))
    return "\n\n".join(parts)


def vevent(site: Site, event: EventView) -> icalendar.Event:
    """The event without SEQUENCE and revision: what a reader of the calendar sees."""
    config = site.config
    tz = config.timezone
    component = _ical().Event()
    component.add("uid", uid(site, event))
    component.add("dtstamp", event.start.astimezone(timezone.utc))
    component.add("dtstart", event.start.astimezone(tz))
    component.add("dtend", event.end.astimezone(tz))
    component.add("summary", event.title)
    component.add("location", f"{event.venue.name}, {event.venue.address}")
    component.add("description", description(site, event))
    component.add("url", absolute(config, event.url))
    component.add("status", STATUS.get(event.status, "CONFIRMED"))
    component.add("transp", "OPAQUE")
    return component


def revision(component: icalendar.Event) -> str:
    return hashlib.sha256(component.to_ical()).hexdigest()[:16]


@functools.lru_cache(maxsize=64)
def _vtimezone_lines(tzid: str, first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE as a calendar holding it writes it, made once per year range and set into each
    calendar (200 drives' calendars), not computed, parsed and written again for each.

    What ``Timezone.from_tzid`` makes, from the zone through ``_Bounded``: icalendar finds the
    transitions by stepping through the zone from FIRST to the first change of offset after LAST;
    a zone with none after LAST (Asia/Ho_Chi_Minh has had none since 1975) it steps through up to
    the year 9999, ~45,000 steps, 11-30 ms for each year range (18 ranges for 200 drives)."""
    ical = _ical()
    from icalendar.timezone import tzp
    zone = tzp.timezone(tzid)
    if zone is None:
        raise ValueError(f"unknown time zone {tzid}")
    first, last = date(first_year, 1, 1), date(last_year, 1, 1)
    made = ical.Timezone.from_tzinfo(_Bounded(zone, datetime(last_year, 1, 1) + _PAST_LAST), tzid, first, last)
    return ical.Timezone.from_ical(made.to_ical()).to_ical()  # (as the calendars had it when it was added to them)


_PAST_LAST = timedelta(days=366)  # more than icalendar's longest step (64 days): no change before LAST is stepped over


class _Bounded(tzinfo):
    """ZONE's offsets, names and DST up to END (a local time); past it, the end of time, as
    datetime's own end is for icalendar's search (OverflowError, where it stops). What that search
    records is the same: only periods that start before the range's last day are written, and
    every change before it is less than a step away from END."""

    def __init__(self, zone: tzinfo, end: datetime):
        self.zone, self.end = zone, end

    def _check(self, moment: datetime | None) -> None:
        if moment is not None and moment.replace(tzinfo=None) >= self.end:
            raise OverflowError("past the calendar's time range")

    def utcoffset(self, moment):
        self._check(moment)
        return self.zone.utcoffset(moment)

    def dst(self, moment):
        self._check(moment)
        return self.zone.dst(moment)

    def tzname(self, moment):
        self._check(moment)
        return self.zone.tzname(moment)


def _calendar(site: Site, events: list[tuple[EventView, icalendar.Event]], name: str,
              subscription: bool) -> bytes:
    config = site.config
    cal = _ical().Calendar()
    cal.add("prodid", f"-//Outreach//{config.title}//{config.language.upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", config.timezone_name)
    if subscription:
        cal.add("refresh-interval", _ical().vDuration.from_ical("PT12H"), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT12H")
    for _, component in events:
        cal.add_component(component)
    made = cal.to_ical()
    if not events:
        return made
    # the VTIMEZONE goes first among the components, as add_component would have put it
    first = min(e.start.astimezone(config.timezone) for e, _ in events)
    last = max(e.end.astimezone(config.timezone) for e, _ in events)
    at = made.index(b"BEGIN:VEVENT\r\n")
    return made[:at] + _vtimezone_lines(config.timezone_name, first.year, last.year + 2) + made[at:]


def calendars(site: Site, previous: Revisions | None = None) -> dict[str, bytes]:
    """events.ics and one file per drive; SEQUENCE continues from PREVIOUS (see the module notes)."""
    previous = previous or {}
    made = []
    for event in site.events:
        component = vevent(site, event)
        rev = revision(component)
        sequence, last_rev = previous.get(str(component["uid"]), (0, rev))
        component.add("sequence", sequence if last_rev == rev else sequence + 1)
        component.add(REVISION, rev)
        made.append((event, component))
    files = {subscription_path(site): _calendar(site, made, site.config.title, subscription=True)}
    for event, component in made:
        files[ics_path(site, event)] = _calendar(site, [(event, component)], event.title, subscription=False)
    return files


def generate(site: Site) -> dict[str, bytes]:
    return calendars(site)


def previous_revisions(previous: bytes | None) -> Revisions:
    """SEQUENCE and revision of every event in PREVIOUS, the last good build's events.ics (None:
    there is none, and every drive starts at SEQUENCE 0)."""
    if previous is None:
        return {}
    try:
        cal = _ical().Calendar.from_ical(previous)
    except Exception:  # noqa: BLE001 - a damaged file is only a lost history, never a reason to fail the build
        return {}
    found: Revisions = {}
    for component in cal.walk("VEVENT"):
        try:
            found[str(component["UID"])] = (int(component.get("SEQUENCE", 0)), str(component.get(REVISION, "")))
        except (KeyError, ValueError, TypeError):
            continue
    return found


def _ical():
    """icalendar, imported when a calendar is made, not at start-up (30 ms): most builds take the
    calendars from the cache (carried.py)."""
    import icalendar
    return icalendar
