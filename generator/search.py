"""The search index: Pagefind run over the rendered pages, its bundle added to the output.

Pagefind (the PyPI package ``pagefind[extended]`` ships the binary) reads HTML files from a
folder, so the rendered pages are written to a private temporary folder, indexed there, and the
bundle (``pagefind/``) is read back and joins the other output files. The site is then written
and swapped in whole as usual: the index always matches the pages beside it, and a failed
indexing leaves the old site in place. Pagefind's output is deterministic.

Only what the theme marks with ``data-pagefind-body`` is indexed: posts, drives, standing pages
and the honour roll (which never contains the names of people who did not consent: they are
never written). Pagefind matches words without their accents ("hien mau" finds "hiến máu"),
but not "d" for "đ", a letter of its own; the search page's script (static/search.js) also
searches with "đ" for every word that starts with "d".
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

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


def search_index(pages: dict[str, bytes], errors: ErrorCollector) -> dict[str, bytes]:
    """{output path: HTML} -> {'pagefind/...': bytes}; a missing Pagefind is a warning, not a failure."""
    command = pagefind_command()
    if command is None:
        errors.warning(Loc("config.yaml"), N_("the search index was not built: Pagefind is not installed"),
                       N_("install it with: pip install 'pagefind[extended]'"))
        return {}
    with tempfile.TemporaryDirectory(prefix="outreach-search-") as temp:
        site = Path(temp) / "site"
        bundle = Path(temp) / BUNDLE
        for rel, data in pages.items():
            if rel.endswith(".html"):
                target = site / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        site.mkdir(exist_ok=True)
        try:
            result = subprocess.run(command + ["--site", str(site), "--output-path", str(bundle), "--silent"],
                                    capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            result = subprocess.CompletedProcess(command, 1, "", str(exc))
        if result.returncode != 0:
            errors.error(Loc("config.yaml"), N_("the search index could not be built: {problem}"),
                         N_("run the build again; if it keeps failing, reinstall Pagefind"),
                         problem=(result.stderr or result.stdout).strip()[-500:] or f"exit {result.returncode}")
            return {}
        return {f"{BUNDLE}/{p.relative_to(bundle).as_posix()}": p.read_bytes()
                for p in sorted(bundle.rglob("*")) if p.is_file()}

