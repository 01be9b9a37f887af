"""Splitting a list computed once into pages (never re-filtered per page)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from generator.urls import expand


@dataclass(frozen=True)
class Pager:
    items: tuple
    number: int  # 1-based
    count: int  # number of pages
    total: int  # number of items over all pages
    path: str  # site path of this page, without base path
    url: str
    first_url: str
    prev_url: str | None
    next_url: str | None
    page_urls: tuple[str, ...]


def paginate(items: Sequence, per_page: int, base: str, pattern: str, prefix: str) -> list[Pager]:
    """Pages of ITEMS: page 1 at BASE ('/tin-tuc/'), page n at BASE + PATTERN ('trang/{n}/')."""
    items = tuple(items)
    count = max(1, -(-len(items) // per_page))
    paths = [base] + [base + expand(pattern, n=n) for n in range(2, count + 1)]
    urls = tuple(prefix.rstrip("/") + p for p in paths)
    pagers = []
    for index in range(count):
        pagers.append(Pager(
            items=items[index * per_page:(index + 1) * per_page], number=index + 1, count=count,
            total=len(items), path=paths[index], url=urls[index], first_url=urls[0],
            prev_url=urls[index - 1] if index > 0 else None,
            next_url=urls[index + 1] if index + 1 < count else None, page_urls=urls,
        ))
    return pagers
