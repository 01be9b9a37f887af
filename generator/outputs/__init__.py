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


def machine_outputs(site: Site) -> dict[str, tuple[str, bytes]]:
    """{path: (generator name, bytes)} from every registered generator, in registration order."""
    files: dict[str, tuple[str, bytes]] = {}
    for generate in GENERATORS:
        for path, data in generate(site).items():
            files.setdefault(path, (generate.__module__, data))
    return files

_register_bundled()
