"""Addresses the machine-readable outputs share: absolute URLs, output paths, stable ids.

Feeds, calendars, the sitemap and the page metadata are read by programs that do not know the
page they came from, so every URL they carry is absolute, and every id is derived from what does
not change when a writer edits a title (the source file), never from the title or slug.
"""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote, urlsplit

from generator.config import SiteConfig


def absolute(config: SiteConfig, url: str) -> str:
    """'/hien-mau/tin-tuc/x/' -> 'https://example.org/hien-mau/tin-tuc/x/'; absolute URLs unchanged."""
    return config.absolute(url)


def output_folder(config: SiteConfig, url: str) -> str:
    """The output folder of a page URL: '/hien-mau/chu-de/x/' -> 'chu-de/x/' ('' for the home page)."""
    base = config.base_path
    path = url if url.endswith("/") else url.rsplit("/", 1)[0] + "/"
    return path[len(base):] if path.startswith(base) else path.lstrip("/")


def site_url(config: SiteConfig, rel: str) -> str:
    """An output path -> its URL with the base path: 'atom.xml' -> '/hien-mau/atom.xml'."""
    return config.base_path + rel.lstrip("/")


def host(config: SiteConfig) -> str:
    return (urlsplit(config.base_url).hostname or "localhost").lower()


def source_id(config: SiteConfig, source: str, when: datetime) -> str:
    """A tag: URI (RFC 4151) for a source file, stable when its title or body changes.

    'content/posts/2023-12-05-a.md' dated 2023-12-05 on https://example.org/hien-mau/ gives
    'tag:example.org,2023-12-05:/hien-mau/posts/2023-12-05-a.md'. Renaming the file, or moving the
    post to another day, makes it a new entry (that is what it has become for a reader).
    """
    rel = source[len("content/"):] if source.startswith("content/") else source
    specific = quote(config.base_path + rel, safe="/:@!$&'()*+,;=-._~")
    return f"tag:{host(config)},{when:%Y-%m-%d}:{specific}"


_ATTR_URL = re.compile(r'(\s(?:href|src|poster)=")(/[^/"][^"]*|/)"')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)"')


def absolute_html(config: SiteConfig, html: str) -> str:
    """Makes the site-rooted links of rendered Markdown absolute, for feed readers and mail."""
    origin = config.origin
    html = _ATTR_URL.sub(lambda m: f'{m.group(1)}{origin}{m.group(2)}"', html)

    def srcset(match: re.Match) -> str:
        parts = []
        for candidate in match.group(2).split(","):
            candidate = candidate.strip()
            if candidate.startswith("/") and not candidate.startswith("//"):
                candidate = origin + candidate
            parts.append(candidate)
        return f'{match.group(1)}{", ".join(parts)}"'

    return _SRCSET.sub(srcset, html)
