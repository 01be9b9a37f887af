"""Slugs for URLs: Vietnamese transliterated to ASCII ('Đắk Lắk' -> 'dak-lak')."""
from __future__ import annotations

import functools
import inspect

from slugify import slugify as _slugify

# text-unidecode (python-slugify's default) maps đ/Đ to d/D and drops tone marks. Releases that
# can pick another transliterator try to import `unidecode` first on every call (a failed import
# searches the whole path: ~0.1 ms a title); naming text-unidecode skips that and keeps slugs the
# same even where `unidecode` happens to be installed.
_BACKEND = {"backend": "text-unidecode"} if "backend" in inspect.signature(_slugify).parameters else {}


@functools.lru_cache(maxsize=65536)  # tags and categories repeat across thousands of posts
def slugify(text: str) -> str:
    return _slugify(text, max_length=80, word_boundary=True, save_order=True, **_BACKEND)
