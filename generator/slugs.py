"""Slugs for URLs: Vietnamese transliterated to ASCII ('Đắk Lắk' -> 'dak-lak')."""
from __future__ import annotations

import functools

from slugify import slugify as _slugify


@functools.lru_cache(maxsize=65536)  # tags and categories repeat across thousands of posts
def slugify(text: str) -> str:
    # text-unidecode (python-slugify's default) maps đ/Đ to d/D and drops tone marks.
    return _slugify(text, max_length=80, word_boundary=True, save_order=True)
