"""Helpers for the printable drive flyer (templates/flyer.html): the QR code and the eligibility basics.

The QR code is drawn by segno as inline SVG (no image file, sharp at any print size) and encodes
exactly the absolute address of the drive's page, so a phone held up to the pinned flyer opens it.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from generator.markdown import plain_text

if TYPE_CHECKING:
    import segno

QR_ERROR = "m"  # medium error correction: survives a crease or a smudge on a printed sheet


def qr_code(url: str) -> "segno.QRCode":
    import segno  # when a flyer is made: with its writers it cost 15 ms of every build's start-up
    return segno.make(url, error=QR_ERROR, micro=False)


def qr_svg(url: str, label: str = "") -> Markup:
    """The QR code of URL as an inline <svg role="img"> that scales with CSS (no fixed size)."""
    svg = qr_code(url).svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", lineclass="qr-line",
                                  dark="#000")
    name = escape(label or url)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{name}" ', 1))


_LIST = re.compile(r"<(ul|ol)\b[^>]*>(.*?)</\1>", re.DOTALL | re.IGNORECASE)
_ITEM = re.compile(r"<li\b[^>]*>(.*?)</li>", re.DOTALL | re.IGNORECASE)


def first_list(html: str, limit: int = 6) -> list[str]:
    """The items (plain text) of the first list in HTML: on the flyer, the eligibility page's basics."""
    match = _LIST.search(html or "")
    if not match:
        return []
    return [text for text in (plain_text(item) for item in _ITEM.findall(match.group(2))) if text][:limit]
