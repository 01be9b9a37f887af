"""The urgent-needs banner (content/needs.yaml): shown while fresh, gone the day after valid_days."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import html, run_cli
from generator.graph import _needs_view
from generator.models import Needs

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NEEDS = Needs(source="content/needs.yaml", updated=date(2026, 11, 20), valid_days=14,
              message="Đang thiếu nhóm O", groups=(("O", "urgent"), ("A", "low"), ("B", "ok")))


@pytest.mark.parametrize("moment, shown", [
    (datetime(2026, 11, 20, 0, 0, tzinfo=TZ), True),  # the day it was written
    (datetime(2026, 12, 4, 23, 59, tzinfo=TZ), True),  # the last of its 14 days
    (datetime(2026, 12, 5, 0, 0, tzinfo=TZ), False),  # the day after: never cry wolf
    (datetime(2027, 6, 1, 12, 0, tzinfo=TZ), False),
])
def test_notice_is_valid_for_valid_days(moment, shown):
    view = _needs_view(NEEDS, moment)
    assert (view is not None) == shown
    if view:
        assert view.urgent == ("O",)


def test_boundary_is_in_the_site_timezone():
    # 2026-12-04 17:30 UTC is already 2026-12-05 00:30 in Hà Nội: the notice is stale there.
    moment = datetime(2026, 12, 4, 17, 30, tzinfo=ZoneInfo("UTC")).astimezone(TZ)
    assert _needs_view(NEEDS, moment) is None


def make_site(root: Path, needs: str) -> Path:
    site = root / "site"
    (site / "content" / "events").mkdir(parents=True)
    (site / "config.yaml").write_text(
        'title: "Nhu cầu"\nbase_url: https://example.org/\nlanguage: vi\ntimezone: Asia/Ho_Chi_Minh\n', encoding="utf-8")
    (site / "content" / "needs.yaml").write_text(needs, encoding="utf-8")
    (site / "content" / "events" / "2026-12-20-dot-moi.yaml").write_text(
        'title: "Đợt mới"\nstart: 2026-12-20 07:00\nend: 2026-12-20 11:00\n'
        'venue: {name: "Hội trường", address: "Số 1"}\n', encoding="utf-8")
    (site / "content" / "events" / "2025-01-10-dot-cu.yaml").write_text(
        'title: "Đợt cũ"\nstart: 2025-01-10 07:00\nend: 2025-01-10 11:00\n'
        'venue: {name: "Hội trường", address: "Số 1"}\n', encoding="utf-8")
    return site


NEEDS_YAML = """updated: 2026-11-20
message: "Ngân hàng máu đang thiếu nhóm O"
groups: {O: urgent, A: low, AB: ok}
"""


def build(site: Path, out: Path, now: str) -> Path:
    result = run_cli("build", "--site", site, "--output", out, "--now", now)
    assert result.code == 0, result.stderr
    return out


def test_banner_on_home_events_and_upcoming_drives_while_fresh(tmp_path):
    site = make_site(tmp_path, NEEDS_YAML)  # no valid_days: 14 by default
    out = build(site, tmp_path / "fresh", "2026-12-04T23:59:00+07:00")
    for page in ("index.html", "su-kien/index.html", "su-kien/dot-moi/index.html"):
        banner = html(out / page).select_one("section.needs")
        assert banner is not None, page
        # A named region: its heading is the text the section is labelled by.
        title = html(out / page).find(id=banner["aria-labelledby"])
        assert title.get_text(strip=True) == "Nhu cầu máu hiện nay"
        assert "is-urgent" in banner["class"]
        groups = [li.get_text(" ", strip=True) for li in banner.select(".groups li")]
        # Urgency is written out, not shown by colour alone.
        assert groups == ["Nhóm O : đang thiếu, cần gấp", "Nhóm A : sắp thiếu", "Nhóm AB : đủ dùng"]
        assert banner.find("time")["datetime"] == "2026-11-20"
    assert html(out / "su-kien/dot-cu/index.html").select_one("section.needs") is None  # past drive
    assert html(out / "index.html").select_one("section.needs a")["href"] == "/su-kien/"


def test_banner_gone_the_day_after_valid_days(tmp_path):
    site = make_site(tmp_path, NEEDS_YAML)
    out = build(site, tmp_path / "stale", "2026-12-05T00:00:00+07:00")
    for page in ("index.html", "su-kien/index.html", "su-kien/dot-moi/index.html"):
        assert html(out / page).select_one("section.needs") is None, page


def test_calm_notice_when_nothing_is_urgent(tmp_path):
    site = make_site(tmp_path, "updated: 2026-11-20\nvalid_days: 3\nmessage: \"Nguồn máu ổn định\"\n"
                               "groups: {O: ok, A: low}\n")
    out = build(site, tmp_path / "calm", "2026-11-23T08:00:00+07:00")
    banner = html(out / "index.html").select_one("section.needs")
    assert "is-urgent" not in banner["class"]
    assert html(out / "index.html").find(id="needs-title").get_text(strip=True) == "Tình hình nguồn máu"
    out = build(site, tmp_path / "calm-stale", "2026-11-24T08:00:00+07:00")
    assert html(out / "index.html").select_one("section.needs") is None
