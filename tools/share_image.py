"""Draws the theme's default sharing image, templates/static/share.png (1200x630, what Facebook and
Zalo show for a page without a picture of its own). Standard library only; run once:

    python tools/share_image.py
"""
from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

WIDTH, HEIGHT = 1200, 630
BACKGROUND = (200, 16, 46)  # the theme's blood red
DROP = (255, 255, 255)
BAND = (160, 10, 34)
SAMPLES = 4  # per axis, for smooth edges


def in_drop(x: float, y: float) -> bool:
    """A blood drop: a circle with a point on top, the sides tangent to the circle."""
    cx, cy, r = 600.0, 370.0, 130.0
    tip = cy - 2.3 * r
    if (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
        return True
    d = cy - tip
    touch = tip + (d * d - r * r) / d  # where the sides meet the circle
    if y < tip or y > touch:
        return False
    half = math.asin(r / d)  # half the angle of the point
    return abs(x - cx) <= (y - tip) * math.tan(half)


def pixel(x: int, y: int) -> tuple[int, int, int]:
    base = BAND if y >= HEIGHT - 60 else BACKGROUND
    if not (420 <= x <= 780 and 0 <= y <= 520):
        return base
    hits = sum(in_drop(x + (i + 0.5) / SAMPLES, y + (j + 0.5) / SAMPLES)
               for i in range(SAMPLES) for j in range(SAMPLES))
    if hits == 0:
        return base
    a = hits / SAMPLES ** 2
    return tuple(round(b * (1 - a) + d * a) for b, d in zip(base, DROP))


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    rows = [bytes(c for x in range(WIDTH) for c in pixel(x, y)) for y in range(HEIGHT)]
    target = Path(__file__).resolve().parent.parent / "templates" / "static" / "share.png"
    target.write_bytes(png(WIDTH, HEIGHT, rows))
    print(f"wrote {target} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
