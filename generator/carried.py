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
from generator.outputs.calendar import calendars, previous_revisions, subscription_path


def calendars_for(site: Site, output_dir: Path | None, store: Store | None) -> dict[str, bytes]:
    """The calendars of SITE with SEQUENCE carried on from the events.ics OUTPUT_DIR holds now,
    taken from STORE when its inputs are unchanged. Without an OUTPUT_DIR (the dev server keeps its
    builds in memory), SEQUENCE starts at 0, as in ``calendar.generate``."""
    previous = None  # no file (or not one): SEQUENCE starts at 0
    if output_dir is not None:
        try:
            previous = (output_dir / subscription_path(site)).read_bytes()
        except OSError:
            pass
    if store is None:
        return calendars(site, previous_revisions(previous))
    key = digest(fingerprint((site.config, site.events), {}), previous, tree_digest([LOCALE_DIR]))
    found = store.get(key)
    if found is None:
        found = calendars(site, previous_revisions(previous))
        store.put(key, found)
    return found
