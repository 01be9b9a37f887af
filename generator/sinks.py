"""Where a build's files go as they are made: the output folder (``write.Staging``), memory (the
dev server: ``InMemory``) or nowhere (``outreach check``: ``Nowhere``).

Every sink has the same members, which are all the build knows of it:

- ``put(rel, data, known=None, indexed=False)``: the file at REL (bytes, a file to copy, or a file
  the last build made, from ``previous``); KNOWN is the identity of its bytes if the caller has it
  (``identity``), INDEXED marks a page the search index reads;
- ``previous(rel, identity)``: what the last build made at REL, if it had this identity and is
  still at hand; the page cache keeps identities, not bytes, and asks the sink for them;
- ``rel in sink``: whether a file was put there already (two outputs for one path are an error);
- ``identities`` and ``indexed``: what was put, for the search index's cache key;
- ``in_memory``: whether it keeps what is put in memory, with no folder to find a page in again;
  the page cache then keeps the pages' bytes (the dev server's cache lives as long as it does);
- ``direct()``: a writer the page workers may write pages with themselves (``write.FolderWriter``),
  or None; each page so written is then told to the sink with ``adopt(rel, identity, indexed, done)``.

Pages stream into the sink as they are rendered: a build into the output folder never holds every
page's bytes at once.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Kept:
    """A file the last build wrote and that still holds these bytes: linked into the new output, not
    rewritten. IDENTITY is the hash of its bytes, as ``identity`` gives it; PATH where it is now."""
    identity: str
    path: str
    inode: int  # as ``previous`` found it: ``put`` links it without a second stat
    safe: str = ""  # its path in the output folder, as write.safe_relpath gives it


def identity(data: bytes | Path | Kept) -> str:
    """What the manifest records of a file's content: the hash of bytes; for a file copied through,
    its path, size and mtime (a 40 MB photo is not hashed every build)."""
    if isinstance(data, Kept):
        return data.identity
    if isinstance(data, Path):
        stat = data.stat()
        return f"file:{data}:{stat.st_size}:{stat.st_mtime_ns}"
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Sink:
    """What every sink keeps of what was put, and asks of it."""

    in_memory = False

    def __init__(self):
        self.identities: dict[str, str] = {}  # every file put: path -> identity
        self.indexed: set[str] = set()  # pages marked for the search index (data-pagefind-body)

    def __contains__(self, rel: str) -> bool:
        return rel in self.identities

    def direct(self):
        return None  # a sink with no folder of its own takes every page from the parent (write.Staging has one)

    def _record(self, rel: str, ident: str, indexed: bool) -> None:
        self.identities[rel] = ident
        if indexed:
            self.indexed.add(rel)


class InMemory(Sink):
    """The files kept in memory ({path: bytes, or the file to send}). There is no previous build
    to take a page from: the page cache keeps the bytes of the pages it records (``in_memory``)."""

    in_memory = True

    def __init__(self):
        super().__init__()
        self.files: dict[str, bytes | Path] = {}

    def previous(self, rel: str, wanted: str) -> None:
        return None

    def put(self, rel: str, data: bytes | Path, known: str | None = None, indexed: bool = False) -> None:
        self.files[rel] = data
        self._record(rel, known or identity(data), indexed)


class Nowhere(Sink):
    """A build that writes nothing (``check``): a cached page need not be found, only known."""

    def previous(self, rel: str, wanted: str) -> bytes:
        return b""

    def put(self, rel: str, data, known: str | None = None, indexed: bool = False) -> None:
        self._record(rel, known or "", indexed)
