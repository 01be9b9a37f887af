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
    # The previous file is not in the key: what these inputs make from any previous events.ics is
    # a fixed point (each drive's revision matches, so its SEQUENCE stays), and a later build that
    # finds exactly those bytes in the output makes them again. So the first build after a cold one
    # reuses the calendars the cold one made, though it had no previous file.
    key = digest(fingerprint((site.config, site.events), {}), tree_digest([LOCALE_DIR]))
    found, made_from = store.get(key), digest(previous)
    if found is not None and (found[0] == made_from or previous == found[1].get(subscription_path(site))):
        return found[1]
    files = calendars(site, previous_revisions(previous))
    store.put(key, (made_from, files))
    return files
