"""Finding and reading content files: text decoding, size limits, front matter with line offsets."""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ErrorCollector, Loc, N_

MAX_TEXT_BYTES = 2 * 1024 * 1024  # a 2 MB article or YAML file is already far beyond normal

_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")


PLACEHOLDERS = ("CẦN ĐIỀN", "TO FILL IN")  # what skeletons (scaffold.py) leave where the writer must fill in
_PLACEHOLDER_BYTES = tuple(marker.encode("utf-8") for marker in PLACEHOLDERS)  # they are NFC
_COMBINING = re.compile(rb"\xcc[\x80-\xbf]|\xcd[\x80-\xaf]")  # U+0300-U+036F in UTF-8


def placeholder_text(data: bytes) -> str | None:
    """The text of a file's bytes DATA if it holds a placeholder anywhere (comments included), else None.

    The bytes are looked at first: with no marker and no combining mark in them, the text is as
    NFC has it and holds none, so it is not decoded and normalised (doing that to 10k articles to
    find nothing cost a cold build 0.6 s)."""
    if not any(marker in data for marker in _PLACEHOLDER_BYTES) and (
            (b"\xcc" not in data and b"\xcd" not in data) or _COMBINING.search(data) is None):
        return None  # (0xCC and 0xCD are only ever lead bytes: a quick look before the regex)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None  # reported by the loader
    text = unicodedata.normalize("NFC", text)
    return text if any(marker in text for marker in PLACEHOLDERS) else None


@dataclass(frozen=True)
class SourceText:
    path: str  # relative to the site folder, posix
    text: str
    marked: bool = False  # the file holds a placeholder (checks.py warns where), seen while it was read


@dataclass(frozen=True)
class FrontMatterDoc:
    path: str
    front_matter: str
    front_matter_offset: int  # lines before the first front-matter line
    body: str
    body_offset: int  # lines before the first body line
    marked: bool = False  # the file holds a placeholder (SourceText.marked)


def relpath(site: Path, path: Path) -> str:
    whole, root = str(path), str(site)
    if os.sep == "/" and whole.startswith(root) and whole[len(root):len(root) + 1] == "/":
        return whole[len(root) + 1:]  # what relative_to gives, without making two Paths (10k files a build)
    return path.relative_to(site).as_posix()


def read_text(site: Path, path: Path, errors: ErrorCollector) -> SourceText | None:
    """Reads a UTF-8 text file (a BOM is allowed, CRLF becomes LF). Records an error if it can't."""
    rel = relpath(site, path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        errors.error(Loc(rel), N_("this file cannot be read ({reason})"),
                     N_("check that the file exists and that you may read it"), reason=exc.strerror or str(exc))
        return None
    if len(data) > MAX_TEXT_BYTES:
        errors.error(Loc(rel), N_("this file is too large ({size} bytes; the limit is {limit})"),
                     N_("split it into several files, or move images and documents into content/media/"),
                     size=len(data), limit=MAX_TEXT_BYTES)
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        errors.error(Loc(rel, line, col), N_("this file is not UTF-8 text"),
                     N_("save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)"))
        return None
    if "\x00" in text:
        errors.error(Loc(rel), N_("this file is not a text file"),
                     N_("content files must be plain text; put binary files into content/media/"))
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return SourceText(rel, text, placeholder_text(data) is not None)


def split_front_matter(source: SourceText, errors: ErrorCollector) -> FrontMatterDoc | None:
    """Splits '---' YAML front matter from a Markdown body, remembering line offsets."""
    lines = source.text.split("\n")
    if not lines or lines[0].strip() != "---":
        errors.error(Loc(source.path, 1, 1), N_("this file does not start with front matter"),
                     N_("put a line '---' first, then 'title:' and 'date:' lines, then another '---' line, "
                        "then the text"))
        return None
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index]):
            front = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1:])
            return FrontMatterDoc(source.path, front, 1, body, index + 1, source.marked)
    errors.error(Loc(source.path, 1, 1), N_("the front matter is not closed"),
                 N_("add a line with only '---' after the last front-matter line"))
    return None


def refuse_outside(site: Path, paths: list[Path], errors: ErrorCollector) -> list[Path]:
    """Drops (with an error) files that are symlinks leading outside the site folder.

    A file that is not a symlink is where its folder really is: each folder is resolved once,
    not each of thousands of files (a resolve costs a system call per path component)."""
    root = site.resolve()
    inside: dict[str, bool] = {}  # folder -> whether its real path lies in the site
    kept = []
    links = getattr(paths, "links", None)  # known from the folder listing (content_files): no lstat each
    folders = getattr(paths, "folders", None)  # likewise the folders they are in
    if folders is not None and not links and all(_within(folder.resolve(), root) for folder in folders):
        return list(paths)  # no link, every folder inside: nothing to look at file by file (10k posts)
    for path in paths:
        if (bool(links) and path in links) if links is not None else path.is_symlink():
            ok = root in path.resolve().parents
        else:
            folder = os.path.dirname(path)
            ok = inside.get(folder)
            if ok is None:
                ok = inside[folder] = _within(path.parent.resolve(), root)
        if not ok:
            errors.error(Loc(relpath(site, path)), N_("this file is a link to {target}, outside the site folder"),
                         N_("copy the file into the site instead of linking to it"), target=str(path.resolve()))
            continue
        kept.append(path)
    return kept


def _within(real: Path, root: Path) -> bool:
    return real == root or root in real.parents


def content_files(folder: Path, suffixes: tuple[str, ...]) -> "Found":
    """Files under FOLDER with one of SUFFIXES, sorted, skipping hidden files and editor backups.

    Hidden and '_' folders are not entered, and links to folders are not followed (as rglob)."""
    found = Found()
    if not folder.is_dir():
        return found
    keyed = []  # (the path's parts below FOLDER, the path): sorted as Paths sort, without comparing Paths
    links = []
    pending = [(folder, ())]
    while pending:
        current, parts = pending.pop()
        try:
            with os.scandir(current) as entries:
                listed = list(entries)
        except OSError:
            continue
        before = len(keyed)
        for entry in listed:
            name = entry.name
            if name.startswith((".", "_")):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((_child(current, name), (*parts, name)))
                elif not name.endswith("~") and os.path.splitext(name)[1].lower() in suffixes and entry.is_file():
                    keyed.append(((*parts, name), _child(current, name)))
                    if entry.is_symlink():
                        links.append(keyed[-1][1])
            except OSError:
                continue
        if len(keyed) > before:
            found.folders.append(current)
    keyed.sort(key=_first)
    found.extend(path for _, path in keyed)
    found.links.update(links)
    return found


def _first(pair: tuple):
    return pair[0]


class Found(list):
    """Files found by ``content_files``, in order; LINKS: those that are symbolic links; FOLDERS:
    the folders they are in."""

    def __init__(self):
        super().__init__()
        self.links: set[Path] = set()
        self.folders: list[Path] = []


def _pick_child():
    """FOLDER / NAME for a plain NAME (a directory entry's), made without parsing NAME again where
    this Python's pathlib has the private helper its own glob uses (a third of the cost of ``/``:
    10k posts listed each build), checked to give the same Path; ``/`` otherwise."""
    fast = getattr(Path, "_make_child_relpath", None)
    try:
        probe = Path("/a b", "c")
        if fast is not None and fast(probe, "d é.md") == probe / "d é.md" \
                and str(fast(probe, "x")) == str(probe / "x"):
            return fast
    except Exception:  # noqa: BLE001 - another pathlib: the public way
        pass
    return Path.__truediv__


_child = _pick_child()
