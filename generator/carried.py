"""The calendars of a build with SEQUENCE carried on from the output folder, through the cache.

Making them costs ~0.3 s at 200 drives (icalendar), every build. What they depend on is known
(outputs/calendar.py reads only ``site.config`` and ``site.events``, the previous ``events.ics``,
and the tool's translations for the description lines), so they are keyed by exactly that.
"""
from __future__ import annotations

from pathlib import Path

from generator.cache import Store, digest, fingerprint, tree_digest
from generator.graph import Site
from generator.i18n import LOCALE_DIR  # the .po files of tool messages (not covered by the code hash)
from generator.outputs.calendar import calendars, carried_calendars, subscription_path


def calendars_for(site: Site, output_dir: Path | None, store: Store | None) -> dict[str, bytes]:
    """carried_calendars(SITE, OUTPUT_DIR), taken from STORE when its inputs are unchanged. Without
    an OUTPUT_DIR (the dev server keeps its builds in memory), SEQUENCE starts at 0, as in
    ``calendar.generate``."""
    if store is None:
        return carried_calendars(site, output_dir) if output_dir is not None else calendars(site)
    previous = None  # no file (or not one): carried_calendars starts at SEQUENCE 0 then too
    if output_dir is not None:
        try:
            previous = (output_dir / subscription_path(site)).read_bytes()
        except OSError:
            pass
    key = digest(fingerprint((site.config, site.events), {}), previous, tree_digest([LOCALE_DIR]))
    found = store.get(key)
    if found is None:
        found = carried_calendars(site, output_dir) if previous is not None else calendars(site)
        store.put(key, found)
    return found
