"""The persistent build cache: an optimisation only, never a source of truth.

Stored in SITE/.cache/outreach/ (git-ignored). Deleting it, a corrupt file, or a cache written by
another version gives the same output bytes, only slower. Its stores:

- **models**: each content file's parsed model, keyed by its bytes, the time zone and the media list.
- **checks**: what the checks need from each Markdown body, keyed by its text.
- **markdown**: rendered Markdown keyed by a hash of the body (and renderer settings), with the
  link targets the body used and what each resolved to; an entry is reused only if every one of
  those links still resolves the same way (Lektor-style recorded dependencies).
- **pages**: rendered pages keyed by the hash of everything they used: the theme files, the
  config, the page's own data and each part of the site graph the template actually read
  (recorded while rendering through ``RecordingSite``).
- **search**: the Pagefind bundle, keyed by the pages marked for indexing.
- **outputs**: the hash, size and mtime of every file the last build wrote, so unchanged files
  are hard-linked from the previous output instead of being written again.
- beside the stores, ``spare/``: the output a build replaced, recycled by the next (write.py).
- **calendars**: the .ics files with SEQUENCE carried on, keyed by the config, the drives and
  the previous ``events.ics`` (carried.py).
- **feeds**: each Atom and RSS pair, keyed by the config, its title, address and posts (outputs/feeds.py).
- **templates**: the theme's templates compiled by Jinja (bytecode), keyed by name, settings and source.
- **files**: the hash of each source file's bytes with the stat it had (size, mtime, ctime,
  inode, device), as git's index keeps them, so an unchanged file is not read to be hashed.
- beside the stores, ``builds.pickle``: per output folder, what the last build read and left
  there, so a build with nothing to do stops at once (uptodate.py); read without the stores.

Every store is versioned by ``code_version()``: the generator's own code and the versions of the
libraries whose output is stored, so no store needs a version number of its own.
"""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import mmap
import os
import pickle
import re
import struct
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

FORMAT = 5  # bump when the way stores are written changes
# their output is what the stores hold: a new release of any of them starts the cache afresh
LIBRARIES = ("markdown", "nh3", "jinja2", "babel", "pyyaml", "python-slugify", "pagefind", "feedgen", "lxml",
             "icalendar")


def digest(*parts) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        if isinstance(part, bytes):
            kind, data = b"b", part
        elif isinstance(part, str):  # bodies are hashed every build: no repr() copy of them
            kind, data = b"s", part.encode("utf-8", "surrogatepass")
        else:
            kind, data = b"r", repr(part).encode("utf-8", "surrogatepass")
        h.update(kind)
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


# A file changed again within the same timestamp tick as the stat we keep would look unchanged
# ("racy git"): stats younger than this when taken are not kept, so such a file is read again.
RACY_NS = 2_000_000_000  # above every file system's timestamp step (FAT: 2 s)


def file_digest(path: Path, key: str, store: "Store | None", stat: os.stat_result | tuple | None = None,
                read: bool = True) -> str | None:
    """The hash of PATH's bytes. With a STORE (the cache's files store), it is taken from there if
    the file's stat (size, mtime, ctime, inode, device) is the one recorded with it: writing a
    file always moves its ctime, which no program can set back. Raises OSError if unreadable.
    READ false: None rather than reading the file (it is to be hashed where it is parsed: hashed_file).

    STAT: the file's stat (or its signature) taken at the start of the build (uptodate.Inputs), if
    it was: the build then is of the files as they were then. Had one changed since, its bytes read
    now are hashed and kept with that older stat, which the file can never show again (its ctime
    has moved)."""
    stated = signature(stat or os.stat(path))
    if store is not None:
        found = store.get(key)
        if found is not None and found[0] == stated:
            return found[1]
    if not read:
        return None
    value = digest(path.read_bytes())
    # stat taken before the read: had the file changed in between, the next stat differs anyway
    note_digest(store, key, stated, value)
    return value


def hashed_file(path: Path, stat: os.stat_result | tuple | None = None) -> tuple[tuple, str]:
    """(stat signature, hash of the bytes) of PATH, for ``note_digest``: what file_digest reads,
    done where the file is parsed (a worker) instead. Raises OSError if unreadable."""
    return signature(stat or os.stat(path)), digest(path.read_bytes())


def note_digest(store: "Store | None", key: str, signature: tuple, value: str) -> None:
    """Keeps VALUE, the hash of a file's bytes, with its stat SIGNATURE, unless the stat is too young
    to be trusted (RACY_NS)."""
    if store is not None and time.time_ns() - max(signature[1], signature[2]) > RACY_NS:
        store.put(key, (signature, value))


def signature(stat: os.stat_result | tuple) -> tuple:
    """What a file's stat says of its bytes: (size, mtime, ctime, inode, device); a plain tuple is
    one already (a stat_result is a tuple too, of other fields)."""
    if type(stat) is tuple:
        return stat
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev


def fingerprint(value, memo: dict) -> bytes:
    """A stable hash of a value built from frozen dataclasses, tuples, dicts and plain values.

    Each object is hashed once per build (MEMO, by identity): a post shown on its own page, the
    news list, its tag pages and the archive costs one hash, not four reprs of its HTML. Short
    plain values (most of the 350k a 10k-post site holds) are their own fingerprint, tagged and
    length-prefixed, so no hasher is made for them; a parent's input stays unambiguous.
    """
    kind = type(value)
    if kind is str and len(value) < 64:  # the commonest case, a text short enough to be its own: no memo, no hasher
        data = value.encode("utf-8", "surrogatepass")
        if len(data) < 64:  # (as _leaf)
            return b"s" + bytes((len(data),)) + data
    elif kind is int:  # a count, a year, a page number
        data = repr(value).encode()
        if len(data) < 64:
            return b"v" + bytes((len(data),)) + data
    if kind is bool:
        return _TRUE if value else _FALSE
    if kind is datetime:  # every post has one or two: its text and its zone's name, no repr
        return _leaf(b"t", f"{value.isoformat()}|{value.tzinfo}".encode())
    found = memo.get(id(value))
    if found is not None:
        return found[0]
    if isinstance(value, str):
        result = _leaf(b"s", value.encode("utf-8", "surrogatepass"))
    elif isinstance(value, (bytes, int, float, bool, type(None))):
        result = _leaf(b"v", repr(value).encode())
    else:
        result = _composite(value, memo)
    if result[:1].isupper():  # hashed: worth remembering (a post's HTML is shared by many views)
        memo[id(value)] = (result, value)  # keep VALUE alive so its id is not reused during the build
    return result


class SharedHashing:
    """The fingerprints of VALUES (post views: each keeps its own) made by two processes at once:
    this one from the first on (``from_start``), a child forked after this is made from the last
    back (``from_end``), each telling the other in shared memory how far it has come, so that they
    stop where they meet, however late one of them started: the checks' child hashes views once
    its checks are done, while the parent has hashed since they began. What the child made comes
    back to the parent (``keep``). Where they overlap, a value is hashed twice, alike; one hashed by
    neither (a child that failed) is hashed when next asked for."""

    STEP = 32  # values between two looks at the other's progress

    def __init__(self, values):
        self.values = values
        self.shared = mmap.mmap(-1, 16)  # (the next from the start, the last from the end): shared across a fork
        struct.pack_into("<qq", self.shared, 0, 0, len(values))

    def from_start(self, memo: dict) -> None:
        values, low = self.values, 0
        while True:
            (high,) = struct.unpack_from("<q", self.shared, 8)
            if low >= high:
                return
            stop = min(high, low + self.STEP)
            for value in values[low:stop]:
                fingerprint(value, memo)
            low = stop
            struct.pack_into("<q", self.shared, 0, low)

    def from_end(self, memo: dict) -> tuple[int, list[bytes]]:
        """(the first index hashed, the fingerprints from there to the end)."""
        values, high, chunks = self.values, len(self.values), []
        while True:
            (low,) = struct.unpack_from("<q", self.shared, 0)
            if high <= low:
                break
            start = max(low, high - self.STEP)
            chunks.append([fingerprint(value, memo) for value in values[start:high]])
            high = start
            struct.pack_into("<q", self.shared, 8, high)
        return high, [found for chunk in reversed(chunks) for found in chunk]

    def keep(self, made: tuple[int, list[bytes]] | None) -> None:
        """Keeps on the values what ``from_end`` MADE in the child: this process need not hash them."""
        if not made:
            return
        start, prints = made
        values = self.values[start:]
        if len(prints) != len(values):
            return  # (not what was asked for: hashed here then)
        for value, found in zip(values, prints):
            if getattr(type(value), "KEEPS_FINGERPRINT", False) and found[:1] == b"H":
                object.__setattr__(value, "_fingerprint", found)


def _composite(value, memo: dict) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    names = _fields(type(value))
    if names is not None and not isinstance(value, type):
        keeps = getattr(type(value), "KEEPS_FINGERPRINT", False)  # a frozen class whose fields are immutable
        if keeps and "_fingerprint" in value.__dict__:
            return value.__dict__["_fingerprint"]
        parts = [type(value).__qualname__.encode()]  # hashed at once: the same bytes as field by field
        for name, encoded in names:
            field_value = getattr(value, name)
            parts.append(encoded)
            parts.append(_NONE if field_value is None else fingerprint(field_value, memo))
        h.update(b"".join(parts))
        if keeps:
            object.__setattr__(value, "_fingerprint", b"H" + h.digest())
    elif isinstance(value, (tuple, list, frozenset, set)):
        h.update(type(value).__name__.encode())
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        for item in items:
            h.update(fingerprint(item, memo))
    elif isinstance(value, dict):
        h.update(b"d")
        for k in sorted(value, key=repr):
            h.update(fingerprint(k, memo))
            h.update(fingerprint(value[k], memo))
    else:  # datetimes, zone info, paths...: their repr is stable
        h.update(type(value).__qualname__.encode())
        h.update(repr(value).encode("utf-8", "surrogatepass"))
    return b"H" + h.digest()


_NONE = b"v\x04None"  # _leaf(b"v", b"None"), the fingerprint of None
_TRUE, _FALSE = b"v\x04True", b"v\x05False"  # likewise of True and False


def _leaf(tag: bytes, data: bytes) -> bytes:
    """A plain value's fingerprint: lower-case TAG, length and the bytes when short; upper-case TAG
    and a hash if not (as a composite's, tagged 'H')."""
    if len(data) < 64:
        return tag + bytes((len(data),)) + data
    return tag.upper() + hashlib.blake2b(data, digest_size=16).digest()


_FIELDS: dict[type, tuple | None] = {}


def _fields(cls: type) -> tuple[tuple[str, bytes], ...] | None:
    """(name, encoded name) of a dataclass's fields, looked up once per class; None if not one."""
    try:
        return _FIELDS[cls]
    except KeyError:
        # a field with metadata {"fingerprint": False} is stood for by another (graph.BY_DIGEST)
        names = (tuple((f.name, f.name.encode()) for f in dataclasses.fields(cls) if f.metadata.get("fingerprint", True))
                 if dataclasses.is_dataclass(cls) else None)
        _FIELDS[cls] = names
        return names


def tree_digest(folders) -> str:
    """Hash of every file (path and bytes) under FOLDERS: the theme's identity."""
    h = hashlib.blake2b(digest_size=20)
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(folder).as_posix().encode())
                h.update(path.read_bytes())
    return h.hexdigest()


@dataclass
class Store:
    """One dict, loaded at start and saved after a successful build: written afresh (atomically,
    through a temporary file) when entries are dropped, else by appending what was put since it was
    loaded, so a build that added one post does not write 60 MB of models again."""
    path: Path
    version: str
    data: dict = field(default_factory=dict)
    used: set = field(default_factory=set)
    dirty: bool = False
    added: dict = field(default_factory=dict)  # put since loaded or saved
    on_disk: int | None = None  # entries the file holds (repeats included) if it is whole and current
    # unused entries are kept while the store holds at most SLACK times as many entries as were
    # used, or as FLOOR says: a store whose entries also serve pages taken whole from the last build
    # (render.Fragments: FLOOR is the number of pages) keeps them, not only what was made again
    slack: int = 1
    floor: int = 0

    @classmethod
    def open(cls, path: Path, version: str) -> "Store":
        store = cls(path, version)
        if not path.is_file():
            return store
        try:
            with gc_paused():
                store.data, store.on_disk = _load(_mapped(path), version)
        except Exception:  # corrupt, truncated or foreign: start afresh (the cache is only an optimisation)
            store.data, store.on_disk = {}, None
        return store

    def get(self, key):
        value = self.data.get(key)
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key, value) -> None:
        self.data[key] = value
        self.used.add(key)
        self.added[key] = value
        self.dirty = True

    def delta(self) -> tuple[dict, set]:
        """What was put and used since loaded or saved, for ``merge`` (a forked child's copy)."""
        return dict(self.added), set(self.used)

    def merge(self, delta: tuple[dict, set]) -> None:
        """Takes in what a copy of this store in a forked child put and used (``delta``); taking in
        this store's own is harmless."""
        added, used = delta
        for key, value in added.items():
            self.put(key, value)
        for key in used:
            self.get(key)

    def prune(self) -> None:
        """Keeps only what was used since the last prune: a long-lived process (the dev server)
        reuses one store for many builds, and must not keep every edit's entries for ever."""
        kept = self._kept()
        if len(kept) < len(self.data):
            self.data = kept
            self.dirty, self.on_disk = True, None  # the file holds what was dropped: written afresh
        self.used = set()

    def _kept(self) -> dict:
        """What stays of DATA: what was used (what else is left over from older builds), or all
        of it within the SLACK."""
        if self.slack > 1 and len(self.data) <= self.slack * max(len(self.used), self.floor):
            return self.data
        return {k: v for k, v in self.data.items() if k in self.used}

    def save(self) -> None:
        kept = self._kept()  # drop what this build did not use
        if not self.dirty and len(kept) == len(self.data):
            return
        # appended entries replace earlier ones on loading; past half again as many, rewrite. A store
        # of few entries (the output manifest is one big entry) is always rewritten: it is small
        if (len(kept) == len(self.data) >= CHUNK and self.on_disk is not None
                and self.on_disk + len(self.added) <= len(kept) * 3 // 2 and self._append()):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as fp:
                _dump(self.version, kept, fp)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.on_disk, self.added, self.dirty = len(kept), {}, False

    def _append(self) -> bool:
        """Writes ADDED at the end of the file, in place of its end mark. A build killed in the
        middle leaves a file with no end mark, which the next one does not use."""
        try:
            with self.path.open("r+b") as fp:
                fp.seek(-len(END), os.SEEK_END)
                if fp.read(len(END)) != END:
                    return False
                fp.seek(-len(END), os.SEEK_END)
                fp.truncate()
                _chunks(self.added, fp)
        except OSError:
            return False
        self.on_disk += len(self.added)
        self.added, self.dirty = {}, False
        return True


CHUNK = 500  # entries per pickle in a store file

# A store file: the pickled version, then chunks, then END. A chunk is a pickle of a dict of CHUNK
# entries followed by its long texts, kept out of it (pickle protocol 5's out-of-band buffers: the
# UTF-8 of bodies and HTML, models.utf8_pickled). Each part is preceded by its length.
_HEAD = struct.Struct("<QQ")  # (bytes of the pickle, number of texts after it); (0, 0) ends the file
_LENGTH = struct.Struct("<Q")
END = _HEAD.pack(0, 0)


def _dump(version: str, data: dict, fp) -> None:
    """Writes a store: its version, chunks of CHUNK entries, then END. The pickler holds its whole
    output in memory until it ends: one pickle of 10k models would add their 60 MB to the build's
    peak memory; chunks add a few hundred kB (their texts are written from where they are)."""
    head = pickle.dumps(version, protocol=5)
    fp.write(_LENGTH.pack(len(head)))
    fp.write(head)
    _chunks(data, fp)


def _chunks(data: dict, fp) -> None:
    items = list(data.items())
    for start in range(0, len(items), CHUNK):
        texts: list[pickle.PickleBuffer] = []
        chunk = pickle.dumps(dict(items[start:start + CHUNK]), protocol=5, buffer_callback=texts.append)
        views = [text.raw() for text in texts]
        fp.write(_HEAD.pack(len(chunk), len(views)))
        fp.write(chunk)
        fp.write(struct.pack(f"<{len(views)}Q", *(view.nbytes for view in views)))
        for view in views:
            fp.write(view)
    fp.write(END)


MAPPED = os.name == "posix"  # Windows cannot replace a file that is mapped


def _mapped(path: Path) -> memoryview:
    """PATH's bytes, mapped into memory where the system allows a mapped file to be replaced
    (POSIX): the texts of 10k models and bodies (120 MB) are then read from the file only when
    used, and a build that adds one post uses few. Read whole elsewhere (Windows)."""
    with path.open("rb") as fp:
        if MAPPED:
            try:
                return memoryview(mmap.mmap(fp.fileno(), 0, access=mmap.ACCESS_READ))
            except (OSError, ValueError):  # an empty file cannot be mapped
                pass
        return memoryview(fp.read())


def _load(view: memoryview, version: str) -> tuple[dict, int | None]:
    """(what ``_dump`` and appends wrote, how many entries the file holds) if it is whole and of
    VERSION; ({}, None) otherwise. The texts of the entries are views of VIEW, not copies."""
    def part(start: int, size: int) -> memoryview:
        if start + size > len(view):
            raise EOFError("store file cut short")
        return view[start:start + size]

    (size,) = _LENGTH.unpack_from(view, 0)
    if pickle.loads(part(_LENGTH.size, size)) != version:
        return {}, None
    position = _LENGTH.size + size
    data: dict = {}
    count = 0
    while True:  # a file cut short raises (struct.error, EOFError): the caller starts afresh
        size, many = _HEAD.unpack_from(view, position)
        position += _HEAD.size
        if size == 0 and many == 0:
            break
        chunk = part(position, size)
        position += size
        lengths = struct.unpack_from(f"<{many}Q", view, position)
        position += 8 * many
        texts = []
        for length in lengths:
            texts.append(part(position, length))
            position += length
        loaded = pickle.loads(chunk, buffers=texts)
        if not isinstance(loaded, dict):
            return {}, None
        data.update(loaded)
        count += len(loaded)
    return data, count


@contextlib.contextmanager
def gc_paused():
    """Cyclic garbage collection paused: unpickling 10k models creates millions of objects and
    would trigger many full collections that find nothing (the stores hold no cycles). The dev
    server pauses it for a whole rebuild too: collections walking its long-lived caches cost
    ~40 ms of a 0.2 s rebuild; what a build leaves is collected once it is served."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def code_version() -> str:
    """The cache format plus a hash of the generator's own code: any change to it starts afresh."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        from generator import __version__

        parts = []
        for rel, path in _sources(os.path.dirname(os.path.abspath(__file__))):
            with open(path, "rb") as source:
                parts += [rel, source.read()]
        code = digest(*parts, *library_versions(LIBRARIES))
        _CODE_VERSION = f"{FORMAT}:{__version__}:{code}"
    return _CODE_VERSION


def _sources(package: str) -> list[tuple[str, str]]:
    """(path relative to PACKAGE with '/', path) of each .py file in it, sorted (os.walk: Path.rglob
    spent 10 ms on the same walk)."""
    found = []
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                found.append((os.path.relpath(path, package).replace(os.sep, "/"), path))
    return sorted(found)


def library_versions(names: tuple[str, ...]) -> list[str]:
    """The installed version of each distribution NAMES names ("-" if none is), for the cache's
    version: taken from the name of its ``NAME-VERSION.dist-info`` folder, the first on sys.path
    winning, as importlib.metadata finds it. Importing importlib.metadata (email, zipfile, csv...)
    cost ~45 ms of every command, the no-change build's included: it is asked only about a name
    found no such way (an egg, a distribution from another kind of finder, one not installed)."""
    wanted = {_project(name): name for name in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            folders = sorted(name for name in os.listdir(entry or ".") if name.endswith(".dist-info"))
        except OSError:  # a zip file, or gone
            continue
        for folder in folders:
            project, _, version = folder[:-len(".dist-info")].partition("-")
            key = _project(project)
            if key in wanted and version:
                found.setdefault(key, version)
    versions = []
    for name in names:
        version = found.get(_project(name))
        if version is None:
            from importlib.metadata import PackageNotFoundError
            from importlib.metadata import version as metadata_version
            try:
                version = metadata_version(name)
            except PackageNotFoundError:
                version = "-"
        versions.append(version)
    return versions


def _project(name: str) -> str:
    """A distribution's name as PEP 503 compares names ("PyYAML", "python_slugify" -> "pyyaml", "python-slugify")."""
    return re.sub(r"[-_.]+", "-", name).lower()


_CODE_VERSION: str | None = None


def _give_back_memory() -> None:
    """Returns freed memory to the system (glibc keeps a freed heap for the process otherwise, so
    the page workers forked next would start with it in their size). Nothing elsewhere."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class BuildCache:
    """The stores of one site. ``BuildCache.disabled()`` has none (``--no-cache``): every stage
    that takes a ``Store | None`` then does its work without computing a single key."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        version = code_version() if folder else ""

        def store(name) -> Store | None:
            return Store.open(self.store_path(folder, name), version) if folder else None

        self.models = store("models")
        self.checks = store("checks")
        self.markdown = store("markdown")
        self.pages = store("pages")
        self.search = store("search")
        self.outputs = store("outputs")
        self.files = store("files")
        self.calendars = store("calendars")
        self.feeds = store("feeds")
        self.templates = store("templates")
        self.fragments = store("fragments")  # parts of pages the theme marks {% cache %} (render.Fragments)
        if self.fragments is not None:
            self.fragments.slack = 2

    @staticmethod
    def folder_of(site: Path) -> Path:
        return site / ".cache" / "outreach"

    @staticmethod
    def store_path(folder: Path, name: str) -> Path:
        return folder / f"{name}.pickle"

    @classmethod
    def kept_outputs(cls, folder: Path) -> bool:
        """Whether the cache in FOLDER has the store of what builds wrote (``outputs``), unopened."""
        return cls.store_path(folder, "outputs").is_file()

    @classmethod
    def for_site(cls, site: Path) -> "BuildCache":
        return cls(cls.folder_of(site))

    @classmethod
    def disabled(cls) -> "BuildCache":
        return cls(None)

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def spare(self, output: Path) -> Path | None:
        """Where the output replaced by a build into OUTPUT is kept for the next one to recycle
        (write.py); not a store: what it holds is checked file by file, never trusted."""
        return self.spare_in(self.folder, output) if self.folder else None

    @staticmethod
    def spare_in(folder: Path, output: Path) -> Path:
        """``spare`` of the cache in FOLDER, known before its stores are opened (build.build)."""
        return folder / "spare" / digest(str(output))[:16]

    def loaded(self) -> None:
        """The content of a one-build cache is loaded: the parsed models are saved now and let go,
        and with them every Markdown source (75 MB at N=10,000), which nothing after the checks
        reads: the page workers forked next need not carry them. (The dev server keeps them.)"""
        if self.models is not None:
            try:
                self.models.save()
            except OSError:
                pass  # a read-only site folder must not fail a build
            self.models = None
        _give_back_memory()


    def stores(self) -> list[Store]:
        return [store for store in vars(self).values() if isinstance(store, Store)]

    def prune(self) -> None:
        """Before the next build of a long-lived cache: forget what the last good build did not use."""
        for store in self.stores():
            store.prune()

    def save(self) -> None:
        for store in self.stores():
            try:
                store.save()
            except OSError:
                pass  # a read-only site folder must not fail a build that succeeded


class RecordingSite:
    """Wraps the Site for templates and records which of its parts a page read."""

    __slots__ = ("_site", "_read")

    def __init__(self, site, read: set):
        object.__setattr__(self, "_site", site)
        object.__setattr__(self, "_read", read)

    def __getattr__(self, name):
        self._read.add(name)
        return getattr(self._site, name)

    def url(self, name: str) -> str:
        self._read.add("urls")
        return self._site.url(name)
