"""A site with one language builds exactly as it did before languages existed.

tests/data/golden-full.json holds the SHA-256 of every file the 'full' fixture (one language)
built to, recorded before multilingual support was added. After an intended change to the theme or
the outputs, refresh it with: UPDATE_GOLDEN=1 python -m pytest tests/test_single_language.py
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from conftest import NOW, SITES, run_cli

GOLDEN = Path(__file__).parent / "data" / "golden-full.json"


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_single_language_site_is_byte_identical(tmp_path: Path):
    out = tmp_path / "out"
    result = run_cli("build", "--site", SITES / "full", "--output", out, "--now", NOW, "--no-cache")
    assert result.code == 0, result.stderr
    built = digests(out)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(built, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(built) == sorted(expected), "files added or missing"
    changed = [path for path in expected if built[path] != expected[path]]
    assert not changed, f"bytes changed in: {changed}"
    assert not any(path.startswith("en/") for path in built)
