"""Theme assets with their content hash in the file name, so a CDN can cache them for a year.

``templates/static/style.css`` is published as ``static/style.3f2a9c1e5b.css``; a changed file
gets a new name, so a page never meets a stale stylesheet. Templates refer to assets by their
plain name through the ``asset()`` Jinja global (``{{ asset('style.css') }}``). Only CSS and
JavaScript are renamed: other theme files (icons, fonts) keep their names, since CSS may point
at them by relative URL.
"""
from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass
from pathlib import Path

import jinja2

from generator.theme import Theme

FINGERPRINTED = (".css", ".js", ".mjs")
HASH_LENGTH = 10


def fingerprint(rel: str, data: bytes) -> str:
    """'static/style.css' + bytes -> 'static/style.3f2a9c1e5b.css'."""
    stem, ext = posixpath.splitext(rel)
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:HASH_LENGTH]}{ext}"


@dataclass(frozen=True)
class Assets:
    files: dict  # output path ('static/style.3f2a9c1e5b.css') -> source file
    names: dict  # name inside static/ ('style.css') -> output path

    @classmethod
    def for_theme(cls, theme: Theme) -> "Assets":
        files: dict[str, Path] = {}
        names: dict[str, str] = {}
        for rel, path in theme.static_files().items():
            published = fingerprint(rel, path.read_bytes()) if rel.endswith(FINGERPRINTED) else rel
            files[published] = path
            names[rel[len("static/"):]] = published
        return cls(dict(sorted(files.items())), names)

    def url_function(self, base_path: str):
        """The ``asset(name)`` Jinja global: 'style.css' -> '/base/static/style.3f2a9c1e5b.css'."""
        prefix = base_path if base_path.endswith("/") else base_path + "/"

        def asset(name: str) -> str:
            published = self.names.get(name.lstrip("/"))
            if published is None:
                raise jinja2.UndefinedError(f"asset('{name}'): there is no file static/{name} in the theme")
            return prefix + published

        return asset
