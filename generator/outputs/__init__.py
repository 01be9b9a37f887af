"""Machine-readable outputs (feeds, calendars, sitemap, search...): functions from sites to files.

Every generator in ``GENERATORS`` takes the finished Site of one language and returns {output path:
bytes}; it runs once per language. Those in ``SITE_WIDE`` take the sites of every language at once
(the sitemap lists them all, with their alternates). They run after the HTML pages render; a path
two generators (or a page) both want is an error.
"""
from __future__ import annotations

from typing import Callable

from generator.graph import Site

Generator = Callable[[Site], dict[str, bytes]]
SiteWideGenerator = Callable[[tuple[Site, ...]], dict[str, bytes]]

GENERATORS: list[Generator] = []
SITE_WIDE: list[SiteWideGenerator] = []


def _register_bundled() -> None:
    # imported here: these modules import the package (for shared helpers) while it initialises
    from generator.outputs import calendar, feeds, sitemap
    GENERATORS.extend([feeds.generate, calendar.generate])
    SITE_WIDE.append(sitemap.generate)


def machine_outputs(sites: tuple[Site, ...], instead: dict[Generator, Generator] | None = None,
                    ) -> tuple[dict[str, tuple[str, bytes]], list[tuple[str, str, str]]]:
    """({path: (generator name, bytes)}, [(path, first generator, second generator)] for clashes).

    INSTEAD runs another function in place of a generator: a build into an output folder makes the
    calendars with their SEQUENCE carried on from it, through the cache (carried.py)."""
    files: dict[str, tuple[str, bytes]] = {}
    clashes: list[tuple[str, str, str]] = []
    instead = instead or {}
    runs = [(generate, instead.get(generate, generate)(site)) for site in sites for generate in GENERATORS]
    runs += [(generate, generate(sites)) for generate in SITE_WIDE]
    for generate, made in runs:
        for path, data in made.items():
            if path in files:
                clashes.append((path, files[path][0], generate.__module__))
                continue
            files[path] = (generate.__module__, data)
    return files, clashes

_register_bundled()
