"""Writing the site: a staging folder beside the output, swapped in only when all is written.

A failed or killed build leaves the previous output as it was. Leftovers of a killed build are
cleaned (or, if the kill fell between the two renames of the swap, the old output restored) at
the start of the next one. Nothing outside the output folder is ever written or deleted (but for
the build cache's spare, below), and a folder that is not ours (no marker file) is never replaced.

A rebuild at N=10,000 would spend most of its writing on making 13k folders and on deleting the
replaced output. So the replaced output is kept as a *spare* (in the build cache, when it is on the
same disk) and the next build recycles it as its staging folder: its folders stay, a file that
is still the very file of the current output (same inode: it was hard-linked) stays, anything
else in it is unlinked before its replacement is written (a file there may share its inode with
the live output, so nothing is ever written into an existing file), and symlinks in it are
removed unfollowed. Without a spare, the replaced output is renamed to a *trash* name and removed
by a detached process, so the build returns at once; a trash folder is never restored.
"""
from __future__ import annotations

import os
import posixpath
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from stat import S_ISREG
from typing import Callable

from generator.errors import N_, UsageError
from generator.sinks import Kept, Sink, identity
from generator.uptodate import walk

MARKER = ".outreach-output"  # written into every output folder we make
STAGING_PREFIX = ".outreach-staging-"
OLD_PREFIX = ".outreach-old-"
TRASH_PREFIX = ".outreach-trash-"  # a replaced output being removed in the background


class OutputProblem(UsageError):
    def __init__(self, message: str, hint: str = "", **params):
        super().__init__(message)
        self.message, self.hint, self.params = message, hint, params


def check_output_folder(site: Path, output: Path) -> None:
    """Refuses output folders whose replacement would destroy sources or unrelated files."""
    site = site.resolve()
    output = output.resolve()
    if output == site:
        raise OutputProblem(N_("the output folder cannot be the site folder itself"),
                            N_("use a folder inside it, such as output/"))
    if output in site.parents:
        raise OutputProblem(N_("the output folder {output} contains the site folder"),
                            N_("use a folder inside the site, such as output/"), output=output)
    if output == Path(output.anchor):
        raise OutputProblem(N_("the output folder cannot be the root of the disk"),
                            N_("use a folder inside the site, such as output/"))
    for source in ("content", "templates"):
        folder = site / source
        if output == folder or folder in output.parents:
            raise OutputProblem(N_("the output folder cannot be inside the site's {source}/ folder"),
                                N_("use a folder such as output/"), source=source)
    if output.exists() and not output.is_dir():
        raise OutputProblem(N_("{output} is a file, not a folder"), N_("choose another output folder"), output=output)
    if output.is_dir():
        if (output / "config.yaml").exists() or (output / "content").exists():
            raise OutputProblem(N_("the output folder {output} holds a site's sources (config.yaml or content/)"),
                                N_("choose an empty folder or one made by this tool"), output=output)
        if not (output / MARKER).exists() and any(output.iterdir()):
            raise OutputProblem(N_("the folder {output} is not empty and was not made by this tool"),
                                N_("choose another output folder, or empty this one first"), output=output)


def recover(output: Path) -> None:
    """Cleans what a killed build left beside OUTPUT; restores the old output if the swap was cut."""
    parent = output.parent
    if not parent.is_dir():
        return
    prefix_old = OLD_PREFIX + output.name + "-"
    prefix_staging = STAGING_PREFIX + output.name + "-"
    prefix_trash = TRASH_PREFIX + output.name + "-"
    olds = sorted(p for p in parent.iterdir() if p.name.startswith(prefix_old) and p.is_dir())
    if not output.exists() and olds:
        os.replace(olds[-1], output)  # killed between the two renames: put the old site back
        olds = olds[:-1]
    # these names are made only by this module (mkdtemp with these prefixes); an old copy killed
    # half-way through its removal may have lost its marker already, so the name alone decides.
    # A trash folder may still be in the hands of its remover: removing it twice is harmless.
    for leftover in olds + [p for p in parent.iterdir() if p.name.startswith((prefix_staging, prefix_trash))
                            and p.is_dir()]:
        shutil.rmtree(leftover, ignore_errors=True)


class Staging(Sink):
    """The output folder being made: files are written into a staging folder beside OUTPUT as they
    are produced (``put``), and ``finish`` swaps it in place of OUTPUT. Leaving the ``with`` block
    without finishing (an error, Ctrl-C) removes the staging folder: the old output stays.

    MANIFEST (from the build cache: path -> (identity, size, mtime) of what the last build wrote)
    lets a file whose bytes did not change be hard-linked from the current output instead of
    written again, and lets ``previous`` hand out such a file without its bytes being in memory;
    it is updated in place by ``finish``. SPARE (a path in the build cache, or None) is where the
    replaced output is kept for the next build to recycle. The staging folder is made at the first
    ``put``: a build that fails before writing anything leaves the spare where it is.

    The spare's child (_SpareMaker) starts on entering the ``with`` block, if there is a SPARE and
    a MANIFEST with entries, or a manifest still to come (``follow``): a build opens its cache, whence
    the manifest, inside the block, while the child works."""

    LATER = object()  # the MANIFEST given to ``follow`` once the block is entered

    def __init__(self, output: Path, manifest: dict | None | object = None, spare: Path | None = None):
        super().__init__()
        self.output = output.resolve()
        self.spare = spare
        self.follow(manifest)
        self.fresh: dict[str, tuple] = {}
        # what the output folder holds once swapped in, for the up-to-date record (uptodate.py):
        # path -> (size, mtime_ns, inode), as output_state gives it, known without walking 13k folders
        self.state: dict[str, tuple[int, int, int]] = {}
        self.written = 0
        self.staging: Path | None = None
        self.maker: _SpareMaker | None = None  # started on entering the with block
        # the output's files as the maker found them at the start ({path: (size, mtime_ns, inode)}),
        # or None: then a file's stat is taken when it is looked at
        self.output_stats: dict[str, tuple[int, int, int]] | None = None

    def follow(self, manifest: dict | None | object) -> None:
        """Takes MANIFEST (see the class), before anything is put."""
        self.later = manifest is Staging.LATER
        self.manifest = None if self.later else manifest
        self.recorded = dict(self.manifest) if self.manifest is not None else {}

    def __enter__(self) -> "Staging":
        self.maker = _SpareMaker.start(self.output, self.spare) if self.manifest or self.later else None
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if self.maker is not None:  # the build stopped before writing: the spare is left for the next
            self.maker.finish()
            self.maker = None
        if self.staging is not None:  # not finished: abandoned
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    def _open(self) -> None:
        self.output.parent.mkdir(parents=True, exist_ok=True)
        made = self.maker.finish() if self.maker is not None else None
        self.maker = None
        if made is not None:
            made, self.output_stats = made
        recover(self.output)
        self.staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX + self.output.name + "-", dir=self.output.parent))
        self.present_files, self.present_folders = _recycle(self.spare, self.staging, made)
        # plain strings, not Paths: 13k files are joined, linked and checked here
        self.staging_dir, self.old_dir = str(self.staging), str(self.output)
        self.made: set[str] = {""}

    def previous(self, rel: str, wanted: str) -> Kept | None:
        """The file the last build wrote at REL, if its bytes had identity WANTED and it is untouched."""
        safe = safe_relpath(rel)
        path = os.path.join(self.output, safe)
        inode = _unchanged_inode(path, safe, wanted, self.recorded.get(rel), self.output_stats)
        return Kept(wanted, path, inode, safe) if inode is not None else None

    def direct(self) -> "FolderWriter":
        """A writer for the page workers: they write the pages they render into the staging folder
        themselves, as ``put`` would (linking a page whose bytes did not change), instead of
        sending 200 MB of pages through pipes to a parent that writes them one by one while they
        wait. What it leaves to the parent (a page where the recycled tree has a folder) comes
        back as bytes. Each file so written is then told to ``adopt``."""
        if self.staging is None:
            self._open()
        return FolderWriter(self.staging_dir, self.old_dir, self.recorded, self.present_files, self.present_folders,
                            self.output_stats)

    def adopt(self, rel: str, ident: str, indexed: bool, done: tuple[int, int, int, bool]) -> None:
        """Records a file a worker wrote (or found unchanged) at REL with ``direct()``'s writer;
        DONE: (size, mtime_ns, inode, whether it is the file the last build wrote there)."""
        safe = safe_relpath(rel)
        size, mtime, inode, unchanged = done
        self._record(rel, ident, indexed)
        self.made.add(posixpath.dirname(safe))
        self.present_files.pop(safe, None)  # replaced or kept: not to be dropped as unused
        self.state[safe] = (size, mtime, inode)
        if unchanged:
            self.fresh[rel] = self.recorded[rel]
            return
        self.written += 1
        if self.manifest is not None:
            self.fresh[rel] = (ident, size, mtime)

    def put(self, rel: str, data: bytes | Path | Kept, known: str | None = None, indexed: bool = False) -> None:
        """Writes DATA at REL (once per path). KNOWN is its identity when the caller has it already;
        INDEXED marks a page the search index reads."""
        if isinstance(data, Kept) and self._in_place(rel, data, known or data.identity, indexed):
            return
        if self.staging is None:
            self._open()
        safe = safe_relpath(rel)
        target = os.path.join(self.staging_dir, safe)
        folder = posixpath.dirname(safe)
        if folder not in self.made:
            _make_folder(self.staging_dir, folder, self.present_files, self.present_folders)
            self.made.add(folder)
        ident = known or identity(data)
        self._record(rel, ident, indexed)
        before = self.recorded.get(rel)
        inode = self.present_files.pop(safe, None)
        if safe in self.present_folders:  # a folder of the recycled tree where a file goes now
            shutil.rmtree(target)
            self.present_folders.discard(safe)
        old = os.path.join(self.old_dir, safe)
        if isinstance(data, Kept) and data.path == old and before is not None:
            unchanged = data.inode  # previous() has just checked it against the manifest
        else:
            unchanged = _unchanged_inode(old, safe, ident, before, self.output_stats)
        done = _make_way(target, old, inode, unchanged, data if isinstance(data, bytes) else None)
        if done is KEPT:
            self._kept(rel, safe, before, unchanged)
            return
        if done is not None:
            self._wrote(rel, safe, ident, done)
            return
        if isinstance(data, Kept):  # touched since previous() saw it, or not linkable: its bytes, copied
            shutil.copyfile(data.path, target)
        elif isinstance(data, Path):
            shutil.copyfile(data, target)
        else:
            Path(target).write_bytes(data)
        self._wrote(rel, safe, ident, os.stat(target))

    def _in_place(self, rel: str, data: Kept, ident: str, indexed: bool) -> bool:
        """What ``put`` does with the last build's page at REL (DATA, from ``previous``) when the
        recycled tree holds that very file there already (a page unchanged two builds running: most
        of them), done without making a path or a system call: 12k pages of a build that adds a
        post to 10k, at 13 µs each through the rest of ``put``, in the parent, while the page
        workers wait on it for a core. False, having done nothing, in any other case."""
        safe = data.safe  # (made by previous(), as safe_relpath gives it)
        if not safe or self.staging is None or data.path != os.path.join(self.old_dir, safe):
            return False
        return self.in_place(rel, data.inode, ident, indexed, safe)

    def taken(self, rel: str, inode: int, ident: str, indexed: bool) -> None:
        """Puts the page at REL that a page worker found to be, in the recycled tree, the very file
        INODE the last build wrote there (``FolderWriter.in_place``), told by its inode alone: no
        Kept made, sent and unpickled for each of 12k pages (~40 ms of a publish at N=10,000)."""
        safe = safe_relpath(rel)
        if not self.in_place(rel, inode, ident, indexed, safe):  # the tree changed there since: as put does
            self.put(rel, Kept(ident, os.path.join(self.old_dir, safe), inode, safe), ident, indexed)

    def in_place(self, rel: str, inode: int, ident: str, indexed: bool, safe: str | None = None) -> bool:
        """The books of ``_in_place`` for the page at REL, whose file in the output is INODE, if the
        recycled tree holds that file there (and its folder); False, having done nothing, if not."""
        safe = safe or safe_relpath(rel)
        before = self.recorded.get(rel)
        if before is None or not _recycled_here(safe, inode, self.present_files, self.present_folders, self.made):
            return False
        self.made.add(posixpath.dirname(safe))
        self._record(rel, ident, indexed)
        del self.present_files[safe]
        self._kept(rel, safe, before, inode)
        return True

    def _kept(self, rel: str, safe: str, before: tuple, inode: int) -> None:
        self.fresh[rel] = before  # the same inode: same size and mtime, no need to stat it again
        self.state[safe] = (before[1], before[2], inode)

    def _wrote(self, rel: str, safe: str, ident: str, stat: os.stat_result) -> None:
        self.written += 1
        self.state[safe] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        if self.manifest is not None:
            self.fresh[rel] = (ident, stat.st_size, stat.st_mtime_ns)

    def finish(self, before_swap: Callable[[Path], None] | None = None) -> int:
        """Swaps the staging folder in place of the output. Returns the number of files written.

        BEFORE_SWAP(staging), if given, runs on the complete staging folder just before the swap: it
        may add files (the search index is built there) or raise to abandon the build."""
        if self.staging is None:
            self._open()
        _drop_unused(self.staging_dir, self.made, self.present_files, self.present_folders)
        (self.staging / MARKER).write_bytes(b"")
        if before_swap is not None:
            listed = set(os.listdir(self.staging))
            before_swap(self.staging)
            for name in set(os.listdir(self.staging)) - listed:  # what it added (the search index)
                self.state.update((f"{name}/{rel}" if rel else name, (stat.st_size, stat.st_mtime_ns, stat.st_ino))
                                  for rel, stat in walk(self.staging / name))
        stat = os.stat(self.staging / MARKER)
        self.state[MARKER] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        os.chmod(self.staging, 0o755)  # mkdtemp makes it private; a web server must read it
        _swap(self.staging, self.output, self.spare)
        self.staging = None
        if self.manifest is not None:
            self.manifest.clear()
            self.manifest.update(self.fresh)
        return self.written


class FolderWriter:
    """Writes pages into a staging folder from a worker process (Staging.direct) as ``Staging.put``
    writes bytes (_make_way): a file that is still the one the last build wrote with these bytes
    stays (or is linked again from the output), any other is written over in place if no other name
    shares it, else replaced by a new file (O_EXCL), never outside the folder (safe_relpath).

    Its view of the recycled tree (OLD output, RECORDED manifest, PRESENT files and folders) is the
    one the workers were forked with; the parent writes other paths meanwhile, and takes back
    whatever would change the tree's shape (a folder where the page goes, a file where its folder
    goes)."""

    def __init__(self, root: str, old: str, recorded: dict, present_files: dict[str, int], present_folders: set[str],
                 old_stats: dict | None):
        self.root, self.old = root, old
        self.recorded = recorded
        self.present_files = present_files
        self.present_folders = present_folders
        self.old_stats = old_stats  # Staging.output_stats
        self.made: set[str] = set()  # folders made (or found made) by this writer

    def write(self, rel: str, data: bytes, ident: str) -> tuple[int, int, int, bool] | None:
        """(size, mtime_ns, inode, whether it is the last build's file) of the file now at REL, the
        record ``Staging.adopt`` keeps; None if the parent is to put DATA there itself."""
        safe = safe_relpath(rel)
        if safe in self.present_folders or self._file_above(safe):
            return None
        target = os.path.join(self.root, safe)
        before = self.recorded.get(rel)
        old = os.path.join(self.old, safe)
        kept = _unchanged_inode(old, safe, ident, before, self.old_stats)
        done = _make_way(target, old, self.present_files.get(safe), kept, data)
        if done is KEPT:
            return before[1], before[2], kept, True
        if done is not None:
            return done.st_size, done.st_mtime_ns, done.st_ino, False
        folder = posixpath.dirname(safe)
        if folder and folder not in self.present_folders and folder not in self.made:
            _new_folder(os.path.join(self.root, folder))  # most pages of a first build: a folder each
            self.made.add(folder)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(target, flags, 0o666)
        except FileNotFoundError:  # its folder gone since this view of the recycled tree was taken
            os.makedirs(os.path.dirname(target), exist_ok=True)
            fd = os.open(target, flags, 0o666)
        with os.fdopen(fd, "wb") as fp:
            fp.write(data)
            fp.flush()
            stat = os.fstat(fd)
        return stat.st_size, stat.st_mtime_ns, stat.st_ino, False

    def in_place(self, rel: str, data) -> bool:
        """Whether the page at REL, taken from the last build (DATA, a Kept from ``previous``), is
        that very file in the recycled tree, its folder there too: then the parent need only keep
        the books (``Staging.taken``)."""
        safe = getattr(data, "safe", "")
        return (bool(safe) and rel in self.recorded and data.path == os.path.join(self.old, safe)
                and _recycled_here(safe, data.inode, self.present_files, self.present_folders))

    def _file_above(self, safe: str) -> bool:
        """Whether the recycled tree has a file where a folder of SAFE goes."""
        folder = posixpath.dirname(safe)
        while folder:
            if folder in self.present_folders:
                return False
            if folder in self.present_files:
                return True
            folder = posixpath.dirname(folder)
        return False


def _recycled_here(safe: str, inode: int, present_files: dict[str, int], present_folders: set[str],
                   made: set[str] = frozenset()) -> bool:
    """Whether the recycled tree holds the file INODE at SAFE, and the folder it is in (recycled, or
    MADE by this build already): what Staging and its page workers' FolderWriter both ask of a page
    taken from the last build before they only keep its books."""
    folder = posixpath.dirname(safe)
    return (present_files.get(safe) == inode and safe not in present_folders
            and (folder in made or folder in present_folders))


KEPT = "kept"  # what _make_way says when the last build's file is at the path


def _make_way(target: str, old: str, inode: int | None, unchanged: int | None, data: bytes | None):
    """Readies TARGET in a recycled tree for what a build puts there, as both writers do (the
    parent's ``Staging.put``, the workers' ``FolderWriter``). INODE: the recycled file at TARGET, if
    any; UNCHANGED: the inode of OLD, the last build's file there, if it holds the bytes wanted.
    KEPT if TARGET now is that file (it was, or it is linked again); else the stat of DATA (bytes,
    or None: other data) written over the recycled file in place (_overwrite); else None, TARGET
    being free for a new file. A recycled file is never written into if the live output may share
    it: it is unlinked instead."""
    if unchanged is not None:
        if inode == unchanged:
            return KEPT
        if inode is not None:
            os.unlink(target)
        return KEPT if _link(old, target) else None  # (its folder not made yet, or another disk: None)
    if inode is None:
        return None
    stat = _overwrite(target, data, inode) if data is not None else None
    if stat is None:
        os.unlink(target)
    return stat


def _overwrite(target: str, data: bytes, inode: int) -> os.stat_result | None:
    """Writes DATA over the recycled file at TARGET, in place, if no other name shares its inode (a
    file the live output still has is linked from it and has two): on ext4 that costs a fifth of
    unlinking it (its blocks freed) and making a new file, which a page whose list moved on (1,100
    pages of a 10k-post site when a post is added) paid each build. The stat of the file written;
    None, leaving it untouched, if it is shared, a link, or not the plain file INODE the listing of
    the recycled tree found there: the caller replaces it."""
    try:
        fd = os.open(target, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    with os.fdopen(fd, "r+b") as fp:
        stat = os.fstat(fd)
        if stat.st_nlink != 1 or not S_ISREG(stat.st_mode) or stat.st_ino != inode:
            return None
        fp.write(data)
        fp.truncate()
        fp.flush()
        return os.fstat(fd)


def write_site(output: Path, files: dict[str, bytes | Path],
               before_swap: Callable[[Path], None] | None = None, manifest: dict | None = None,
               spare: Path | None = None) -> int:
    """Writes FILES ({path: bytes, or a file to copy}) as the new OUTPUT, all at once (``Staging``)."""
    with Staging(output, manifest, spare) as staging:
        for rel, data in sorted(files.items()):
            staging.put(rel, data)
        return staging.finish(before_swap)


def _recycle(spare: Path | None, staging: Path, made: tuple | None = None) -> tuple[dict[str, int], set[str]]:
    """Moves SPARE into place as STAGING, if there is one on the same disk. Returns what it holds:
    ({file: inode}, {folder}), relative posix paths; symlinks and special files in it are removed.
    MADE: what a _SpareMaker just put into it (so it need not be listed again)."""
    if spare is None or spare.is_symlink() or not spare.is_dir():
        return {}, set()
    os.rmdir(staging)
    try:
        os.replace(spare, staging)
    except OSError:  # another disk, or a folder in the way: a fresh staging folder then
        os.mkdir(staging, 0o700)
        return {}, set()
    return made if made is not None else _listing(staging)


def _listing(root: Path) -> tuple[dict[str, int], set[str]]:
    """({file: inode}, {folder}) of a recycled tree; symlinks and special files in it are removed."""
    files: dict[str, int] = {}
    folders: set[str] = set()
    for rel, entry in _tree(str(root)):
        if entry.is_dir(follow_symlinks=False):
            folders.add(rel)
        elif entry.is_file(follow_symlinks=False):
            files[rel] = entry.inode()
        else:
            os.unlink(entry.path)  # a symlink (or a pipe...): nothing is ever written through one
    return files, folders


def _tree(root: str):
    """(relative posix path, scandir entry) of everything under ROOT, a folder before what it holds;
    folders are entered after the caller has seen them (so it may make their copy first), links
    to folders never."""
    pending = [""]
    while pending:
        folder = pending.pop()
        with os.scandir(os.path.join(root, folder)) as entries:
            listed = list(entries)
        for entry in listed:
            rel = f"{folder}/{entry.name}" if folder else entry.name
            yield rel, entry
            if entry.is_dir(follow_symlinks=False):
                pending.append(rel)


class _SpareMaker:
    """A forked child that makes SPARE from OUTPUT (its folders, and hard links to its files) while
    the build goes on, then tells the parent what it made: ({file: inode}, {folder}); or, if
    there is a spare already, lists it meanwhile (13k folders: 0.1-0.3 s the build need not wait
    for). Either way it hands over the stat of every file of OUTPUT too, so that the page workers
    need not take 12k stats to find the files they link. Only where a fork is safe
    (parallel.Child), on one disk, and if there is an output."""

    def __init__(self, child):
        self.child = child

    @classmethod
    def start(cls, output: Path, spare: Path | None) -> "_SpareMaker | None":
        from generator.parallel import Child  # parallel.py is not needed by most writes
        if spare is None or spare.is_symlink() or not (output / MARKER).is_file():
            return None
        try:
            spare.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        child = Child.start(_spare_work, output, spare, spare.is_dir())
        return cls(child) if child is not None else None

    def finish(self) -> tuple | None:
        """Waits for the child: (what the spare holds, the output's stats: Staging.output_stats), or
        None if it made nothing usable (the spare is then listed again)."""
        from generator.parallel import FAILED
        found = self.child.result()
        return None if found is FAILED else found


def _spare_work(output: Path, spare: Path, exists: bool) -> tuple:
    """(the spare's files and folders, the output's stats): listed, or made first if not EXISTS.
    At a lower priority: the build needs this only once its pages are ready to be made, and
    meanwhile its checks run in another child (three processes on two cores, in a publish)."""
    try:
        os.nice(10)
    except (AttributeError, OSError):
        pass
    if exists:
        return _listing(spare), _stats(output)
    return _make_spare(output, spare)


def _make_spare(output: Path, spare: Path) -> tuple:
    making = Path(tempfile.mkdtemp(prefix=".making-", dir=spare.parent))
    files: dict[str, int] = {}
    folders: set[str] = set()
    stats: dict[str, tuple[int, int, int]] = {}
    try:
        for rel, entry in _tree(str(output)):
            if entry.is_dir(follow_symlinks=False):
                os.mkdir(os.path.join(making, rel))
                folders.add(rel)
            elif entry.is_file(follow_symlinks=False):
                stats[rel] = _stat_of(entry)
                if rel != MARKER:
                    os.link(entry.path, os.path.join(making, rel))
                    files[rel] = entry.inode()
        os.replace(making, spare)  # fails if a spare appeared meanwhile: this one is dropped
    except BaseException:  # (Ctrl-C too: a half-made spare is never taken, nor removed later)
        shutil.rmtree(making, ignore_errors=True)
        raise
    return (files, folders), stats


def _stats(output: Path) -> dict[str, tuple[int, int, int]]:
    """(size, mtime_ns, inode) of each regular file of OUTPUT, by its relative path."""
    return {rel: _stat_of(entry) for rel, entry in _tree(str(output)) if entry.is_file(follow_symlinks=False)}


def _stat_of(entry: os.DirEntry) -> tuple[int, int, int]:
    stat = entry.stat(follow_symlinks=False)
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def _new_folder(path: str) -> None:
    """Makes the folder PATH, which the recycled tree has not, and its parents, unless another
    process made it already: one system call for most pages of a first build, where opening the
    page's file first, to make its folder only if that failed, cost three and an exception (~8 µs
    of the ~75 µs of making a folder and a 15 kB file here, on ext4)."""
    try:
        os.mkdir(path)
    except FileExistsError:  # made by the parent or another worker
        pass
    except FileNotFoundError:  # its parent is not made yet either
        os.makedirs(path, exist_ok=True)


def _make_folder(root: str, rel: str, present_files: dict[str, int], present_folders: set[str]) -> None:
    """Makes ROOT/REL, replacing a file of the recycled tree that stands where a folder goes."""
    if rel in present_folders:
        return
    path = os.path.join(root, rel)
    try:
        os.mkdir(path)
    except FileExistsError:
        if rel in present_files:
            os.unlink(path)
            del present_files[rel]
            os.mkdir(path)
    except (FileNotFoundError, NotADirectoryError):
        _make_folder(root, posixpath.dirname(rel), present_files, present_folders)
        os.mkdir(path)
    present_folders.add(rel)


def _drop_unused(root: str, made: set[str], present_files: dict[str, int], present_folders: set[str]) -> None:
    """Removes what the recycled tree holds that this build did not write."""
    for rel in present_files:
        try:
            os.unlink(os.path.join(root, rel))
        except (FileNotFoundError, NotADirectoryError):
            pass  # it was inside a folder replaced by a file
    needed = set()
    for folder in made:
        while folder and folder not in needed:
            needed.add(folder)
            folder = posixpath.dirname(folder)
    for rel in sorted(present_folders - needed):  # parents first: their subfolders go with them
        shutil.rmtree(os.path.join(root, rel), ignore_errors=True)


def _unchanged_inode(old: str, safe: str, identity: str, recorded, stats: dict | None) -> int | None:
    """The inode of OLD (SAFE in the output) if the last build wrote these very bytes there and
    nobody touched it since: by STATS, the output's stats taken as the build started (a file
    edited by hand while it runs is found by the next, whose stats then differ from its record),
    or by a stat now if there are none."""
    if stats is None:
        stat = _unchanged(old, identity, recorded)
        return stat.st_ino if stat is not None else None
    if recorded is None or recorded[0] != identity:
        return None
    known = stats.get(safe)
    if known is None or known[0] != recorded[1] or known[1] != recorded[2]:
        return None
    return known[2]


def _unchanged(old: str, identity: str, recorded) -> os.stat_result | None:
    """The stat of OLD if the last build wrote these very bytes there and nobody touched it since."""
    if recorded is None or recorded[0] != identity:
        return None
    try:
        stat = os.stat(old, follow_symlinks=False)
    except OSError:
        return None
    if (stat.st_size, stat.st_mtime_ns) != tuple(recorded[1:]) or not S_ISREG(stat.st_mode):
        return None
    return stat


def _link(old: str, target: str) -> bool:
    try:
        os.link(old, target)
        return True
    except OSError:
        return False


def safe_relpath(rel: str) -> str:
    """REL as a path inside the output folder; anything that could leave it is refused."""
    normal = posixpath.normpath(rel)
    if normal.startswith(("/", "../")) or normal in ("..", ".", "") or "\\" in rel or "\x00" in rel:
        raise ValueError(f"refusing to write outside the output folder: {rel}")
    return normal


def _swap(staging: Path, output: Path, spare: Path | None) -> None:
    if not output.exists():
        os.replace(staging, output)
        return
    old = Path(tempfile.mkdtemp(prefix=OLD_PREFIX + output.name + "-", dir=output.parent))
    os.rmdir(old)
    os.replace(output, old)
    os.replace(staging, output)
    if spare is not None:
        try:
            spare.parent.mkdir(parents=True, exist_ok=True)
            os.replace(old, spare)  # from now on never restored: the next build recycles it
            return
        except OSError:
            pass  # another disk: removed instead
    trash = Path(tempfile.mkdtemp(prefix=TRASH_PREFIX + output.name + "-", dir=output.parent))
    os.rmdir(trash)
    os.replace(old, trash)  # from now on never restored
    remove_later(trash)


_removers: list[subprocess.Popen] = []
_REMOVE = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"


def remove_later(folder: Path) -> None:
    """Removes FOLDER in a detached process (its own session: Ctrl-C on the build does not stop it),
    so the build need not wait; if no process can be started, removes it now."""
    try:
        _removers.append(subprocess.Popen([sys.executable, "-I", "-S", "-c", _REMOVE, str(folder)],
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True))
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    _removers[:] = [proc for proc in _removers if proc.poll() is None]  # reaps finished ones


def wait_for_removals(timeout: float | None = None) -> None:
    """Waits for this process's background removals (the dev server at exit; tests)."""
    while _removers:
        _removers.pop().wait(timeout)
