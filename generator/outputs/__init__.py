"""Machine-readable outputs (feeds, calendars, sitemap, search...): each a function Site -> files.

Every generator in ``GENERATORS`` takes the finished Site and returns {output path: bytes}. They
run after the HTML pages render; a path two generators (or a page) both want is an error.
"""
from __future__ import annotations

from typing import Callable

from generator.graph import Site

Generator = Callable[[Site], dict[str, bytes]]

GENERATORS: list[Generator] = []


def _register_bundled() -> None:
    # imported here: these modules import the package (for shared helpers) while it initialises
    from generator.outputs import calendar, feeds, sitemap
    GENERATORS.extend([feeds.generate, calendar.generate, sitemap.generate])


def machine_outputs(site: Site) -> tuple[dict[str, tuple[str, bytes]], list[tuple[str, str, str]]]:
    """({path: (generator name, bytes)}, [(path, first generator, second generator)] for clashes)."""
    files: dict[str, tuple[str, bytes]] = {}
    clashes: list[tuple[str, str, str]] = []
    for generate in GENERATORS:
        for path, data in generate(site).items():
            if path in files:
                clashes.append((path, files[path][0], generate.__module__))
                continue
            files[path] = (generate.__module__, data)
    return files, clashes

_register_bundled()
