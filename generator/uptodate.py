"""Whether an output folder already holds what a build would write there, so the build can stop.

A build is a function of its inputs (config.yaml, content/, the theme, the tool's catalogues, the
generator and its libraries, the command's options) and of the clock, which only decides which
posts are still in the future, which drives are upcoming and whether the needs notice is shown.
After a successful build, a record keeps, per output folder: a hash of the inputs' stats (as make
and git's index compare files), the moment built for and the next moment the clock alone changes
the site (Site.changes_at), and the stat of every file left in the output folder. A later build
whose inputs have the same stats, whose moment falls in that window, and whose output folder is
exactly as it was left, has nothing to do: it reports the record's summary and warnings.

Anything else builds: a changed, added or removed file, a file touched within two seconds of the
recorded build (its next change might not show in its stat: git's "racy" rule), an output file
edited or deleted by hand, ``--no-cache``, or an unreadable record. Like the other stores this is
an optimisation only; deleting it costs one full build.
"""
from __future__ import annotations

import os
import pickle
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from stat import S_ISDIR
from typing import Callable

from generator.cache import RACY_NS, code_version, digest, signature
from generator.errors import ContentError
from generator.i18n import LOCALE_DIR
from generator.theme import Theme

RECORDS = "builds.pickle"  # beside the cache's stores


@dataclass(frozen=True)
class Inputs:
    """The stat of every input of a build, taken before it reads them."""
    key: str
    newest: int  # the latest change among them, mtime or ctime (nanoseconds since the epoch)
    sure: bool = True  # False if a folder among them is a symbolic link (its files are not walked)
    # the stat signature (cache.signature) of each file under content/ (by its path), taken here: the
    # loader hashes a file whose signature the cache knows without a second stat of it (cache.file_digest)
    content: dict = field(default_factory=dict, compare=False, repr=False)
    taken_ns: int = field(default=0, compare=False)  # when the walk started (time.time_ns): inputs' age is told from it

    @classmethod
    def take(cls, site_dir: Path, *settings, walked: Callable[[], tuple] | None = None) -> "Inputs":
        """SETTINGS: what else the output depends on (options, base URL override). WALKED: the walk
        of SITE_DIR's inputs started earlier (``walk_apart``), else it is done now."""
        lines, newest, sure, content, taken_ns = walked() if walked is not None else walk_inputs(site_dir)
        return cls(digest(code_version(), repr(settings), lines), newest, sure, content, taken_ns)


def walk_inputs(site_dir: Path) -> tuple[str, int, bool, dict, int]:
    """(one line per input file, the latest change among them, whether no folder among them is a
    symbolic link, the signature of each file under content/ by its path, when the walk started)."""
    # one line of six fields per file, each ended by NUL (which no path holds), hashed at once:
    # as many parts to ``digest`` cost half of this at 10k files
    taken_ns = time.time_ns()
    lines: list[str] = []
    newest, links, content = 0, [], {}
    roots = [site_dir / "config.yaml", site_dir / "content", *Theme.for_site(site_dir).folders, LOCALE_DIR]
    for root in roots:
        folder = str(root)
        for rel, stat in walk(root, links):
            lines.append(f"{folder}\0{rel}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\0{stat.st_ino}\0")
            newest = max(newest, stat.st_mtime_ns, stat.st_ctime_ns)
            if root is roots[1]:
                content[f"{folder}/{rel}"] = signature(stat)
    return "".join(lines), newest, not links, content, taken_ns


def walk_apart(site_dir: Path) -> Callable[[], tuple]:
    """``walk_inputs(SITE_DIR)`` started in a forked child, for ``Inputs.take``: the command line
    starts it before it imports the rendering stack (~0.15 s), which the walk (~0.1 s at 10k files)
    no longer waits for or holds up. Where forking is unsafe, the walk is done when asked for."""
    from generator.parallel import in_child
    return in_child(walk_inputs, site_dir)


@dataclass(frozen=True)
class Record:
    inputs: str
    built_for: datetime
    changes_at: datetime | None
    outputs: dict  # path in the output folder -> (size, mtime_ns, inode)
    pages: int
    copied: int
    warnings: tuple[ContentError, ...]
    language: str


def walk(root: Path, links: list | None = None):
    """(path relative to ROOT, stat) of every file under ROOT (or of ROOT itself, if it is a file),
    in a stable order; folders that are symbolic links are not entered, but added to LINKS.

    One scandir per folder and plain string joins: at 13k files, os.walk with a relpath per folder
    spent six times as long as the stats themselves."""
    try:
        stat = os.stat(root)
    except OSError:
        return
    if not S_ISDIR(stat.st_mode):
        yield "", stat
        return
    pending = [("", str(root))]
    while pending:
        rel_folder, folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name, reverse=True)
        except OSError:
            continue  # gone, or unreadable, since its parent was listed
        for entry in entries:  # reversed: subfolders come off the stack in name order
            rel = rel_folder + entry.name
            try:
                if entry.is_dir():
                    if entry.is_symlink():
                        if links is not None:
                            links.append(rel)
                    else:
                        pending.append((rel + "/", entry.path))
                    continue
                yield rel, os.stat(entry.path)
            except OSError:
                continue  # gone since the folder was listed: not an input any more


def output_state(output_dir: Path) -> dict:
    return {rel: (stat.st_size, stat.st_mtime_ns, stat.st_ino) for rel, stat in walk(output_dir)}


class Records:
    """The records of one site's builds, one per output folder."""

    def __init__(self, cache_folder: Path | None):
        self.path = cache_folder / RECORDS if cache_folder else None

    def _load(self) -> dict:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            with self.path.open("rb") as fp:
                version, records = pickle.load(fp)
            return records if version == code_version() and isinstance(records, dict) else {}
        except Exception:  # noqa: BLE001 - damaged or foreign: only an optimisation is lost
            return {}

    def unchanged(self, output_dir: Path, inputs: Inputs, moment: datetime | None) -> Record | None:
        """The record of the last build into OUTPUT_DIR if it is still what a build would write."""
        if not inputs.sure or moment is None or moment.tzinfo is None:
            return None  # (a moment without a time zone is read in the site's: only a build knows it)
        record = self._load().get(str(output_dir))
        if not isinstance(record, Record) or record.inputs != inputs.key:
            return None
        if moment < record.built_for or (record.changes_at is not None and moment >= record.changes_at):
            return None
        return record if output_state(output_dir) == record.outputs else None

    def save(self, output_dir: Path, inputs: Inputs, started_ns: int, record: Record) -> None:
        """Keeps RECORD, unless an input changed so shortly before the build (STARTED_NS, from
        time.time_ns) that a later change could leave the same stat (cache.RACY_NS); then forgets
        the folder's old record."""
        if self.path is None:
            return
        records = self._load()
        records.pop(str(output_dir), None)
        if inputs.sure and min(started_ns, inputs.taken_ns or started_ns) - inputs.newest > RACY_NS:
            records[str(output_dir)] = record
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.path.parent)
            with os.fdopen(fd, "wb") as fp:
                pickle.dump((code_version(), records), fp, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only site folder must not fail a build that succeeded
