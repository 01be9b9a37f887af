"""The printable flyer of each upcoming drive: A4, the drive's facts, and a QR code of its address."""
from __future__ import annotations

import re
from pathlib import Path

import segno

from conftest import html
from generator.flyer import first_list, qr_svg

FLYER = "su-kien/dot-hai-sap-toi/to-roi/index.html"
EVENT_URL = "https://example.org/hien-mau/su-kien/dot-hai-sap-toi/"


def test_flyers_only_for_upcoming_drives_that_are_not_cancelled(full_build: Path):
    flyers = sorted(p.relative_to(full_build).as_posix() for p in full_build.rglob("to-roi/index.html"))
    assert flyers == [FLYER]
    link = html(full_build / "su-kien/dot-hai-sap-toi/index.html").select_one(".more-links a")
    assert link["href"] == "/hien-mau/su-kien/dot-hai-sap-toi/to-roi/"
    assert html(full_build / "su-kien/dot-mot/index.html").select_one(".more-links") is None  # past


def test_flyer_has_the_drive_facts_and_eligibility_basics(full_build: Path):
    doc = html(full_build / FLYER)
    sheet = doc.select_one("article.sheet")
    text = sheet.get_text(" ", strip=True)
    assert "Đợt hai sắp tới" in sheet.find("h1").get_text()
    assert "Thứ Bảy, 09/01/2027" in text and "07:00–11:00" in text
    assert "Nhà văn hoá" in text and "Số 3" in text
    assert "Ai có thể hiến máu" not in text  # the fixture's eligibility page has no list to quote
    assert doc.find("link", rel="stylesheet", href=re.compile(r"/static/flyer\.[0-9a-f]{10}\.css$"))
    assert EVENT_URL in text  # printed under the code, for those who cannot scan


def test_qr_code_is_segno_drawing_of_the_absolute_event_address(full_build: Path):
    svg = html(full_build / FLYER).select_one(".sheet-qr svg")
    assert svg["role"] == "img" and EVENT_URL in svg["aria-label"]
    expected = segno.make(EVENT_URL, error="m").svg_inline(scale=1, border=4, omitsize=True)
    assert svg.find("path")["d"] == re.search(r' d="([^"]+)"', expected).group(1)
    assert str(qr_svg(EVENT_URL)).count("<svg") == 1


def test_first_list_reads_plain_items():
    page = "<p>x</p><ul><li>Tuổi từ <strong>18</strong> đến 60</li><li>Cân nặng &gt; 42 kg</li></ul><ol><li>no</li></ol>"
    assert first_list(page) == ["Tuổi từ 18 đến 60", "Cân nặng &gt; 42 kg"]
    assert first_list("<p>none</p>") == []
