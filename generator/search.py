"""The search index: Pagefind run over the finished site in its staging folder, just before the swap.

Pagefind (the PyPI package ``pagefind[extended]`` ships the binary) reads the HTML files of the
staging folder and writes its bundle into ``pagefind/`` there; then the folder is swapped in
whole (write.write_site's ``before_swap``). The index always matches the pages beside it, a
failed indexing leaves the old site in place, and a killed build leaves nothing that the next
build's recovery does not clean. Pagefind's output is deterministic. ``check`` does not index.

Only what the theme marks with ``data-pagefind-body`` is indexed: posts, drives, standing pages
and the honour roll (which never holds the names of people who did not consent: they are never
written). Pagefind matches words without their accents ("hien mau" finds "hiến máu"), but not
"d" for "đ", a letter of its own; the search page's script (static/search.js) also searches with
"đ" for every word that starts with "d".
"""
from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from generator.cache import Store, digest
from generator.errors import ErrorCollector, Loc, N_

BUNDLE = "pagefind"
TIMEOUT = 300  # seconds; a site of thousands of pages indexes in a few


def pagefind_command() -> list[str] | None:
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    executable = get_executable()
    return [str(executable)] if executable else None


def index_site(folder: Path, errors: ErrorCollector, sink=None, store: Store | None = None) -> None:
    """Writes FOLDER/pagefind/ from the HTML in FOLDER; a missing Pagefind is a warning, not a failure.

    With SINK (where the build put its files: sinks.py) and a cache STORE, the bundle is cached
    under the hash of the pages marked for indexing, so a rebuild that changed none of them does
    not run Pagefind again.
    """
    key = None
    if sink is not None and store is not None:
        key = _bundle_key(sink)
        cached = store.get(key)
        if cached is not None:
            for rel, data in cached.items():
                target = folder / BUNDLE / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            return
    _run_pagefind(folder, errors)
    _stable_entry(folder / BUNDLE / "pagefind-entry.json")
    if key is not None and not errors.has_errors() and (folder / BUNDLE).is_dir():
        store.put(key, {p.relative_to(folder / BUNDLE).as_posix(): p.read_bytes()
                        for p in sorted((folder / BUNDLE).rglob("*")) if p.is_file()})


def _stable_entry(entry: Path) -> None:
    """Pagefind lists the languages of a site in more than one language in no fixed order; sorted
    here, so the same input gives the same bytes. (One language: the file is left as written.)"""
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    languages = data.get("languages") if isinstance(data, dict) else None
    if isinstance(languages, dict) and len(languages) > 1:
        data["languages"] = dict(sorted(languages.items()))
        entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _bundle_key(sink) -> str:
    """The search store's key: the pages Pagefind reads (those marked with data-pagefind-body; it
    skips every other page then), their paths and the identities of their bytes."""
    return digest(*(part for rel in sorted(sink.indexed) for part in (rel, sink.identities[rel])))


def bundle_in_memory(sink, errors: ErrorCollector, store: Store | None, scratch: Path) -> dict[str, bytes]:
    """{'pagefind/...': bytes} for a site kept in memory (the dev server: sinks.InMemory). From the
    cache STORE if the indexed pages are unchanged; else Pagefind runs over a scratch folder (under
    SCRATCH) holding only the pages it indexes, removed afterwards."""
    cached = store.get(_bundle_key(sink)) if store is not None else None
    if cached is not None:
        return {f"{BUNDLE}/{rel}": data for rel, data in cached.items()}
    with tempfile.TemporaryDirectory(prefix="search-", dir=scratch) as name:
        folder = Path(name)
        for rel in sorted(sink.indexed):
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(sink.files[rel])  # pages: always bytes
        index_site(folder, errors, sink, store)
        return {f"{BUNDLE}/{path.relative_to(folder / BUNDLE).as_posix()}": path.read_bytes()
                for path in sorted((folder / BUNDLE).rglob("*")) if path.is_file()}


def _run_pagefind(folder: Path, errors: ErrorCollector) -> None:
    command = pagefind_command()
    if command is None:
        errors.warning(Loc("config.yaml"), N_("the search index was not built: Pagefind is not installed"),
                       N_("install it with: pip install 'pagefind[extended]'"))
        return
    try:
        result = subprocess.run(command + ["--site", str(folder), "--output-subdir", BUNDLE, "--silent"],
                                capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        result = subprocess.CompletedProcess(command, 1, "", str(exc))
    if result.returncode != 0:
        errors.error(Loc("config.yaml"), N_("the search index could not be built: {problem}"),
                     N_("run the build again; if it keeps failing, reinstall Pagefind"),
                     problem=(result.stderr or result.stdout).strip()[-500:] or f"exit {result.returncode}")
