"""Same content, same bytes: across builds, clones and file modification times."""
from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

from conftest import ROOT, run_cli, tree_bytes

EXAMPLE_NOW = "2026-11-25T10:00:00+07:00"


def touch_randomly(folder: Path, seed: int) -> None:
    rng = random.Random(seed)
    for path in folder.rglob("*"):
        stamp = rng.randint(10**9, 2 * 10**9)
        os.utime(path, (stamp, stamp), follow_symlinks=False)


def test_two_clones_with_different_mtimes_build_identically(tmp_path: Path):
    outputs = []
    for n in (1, 2):
        clone = tmp_path / f"clone{n}"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        touch_randomly(clone, seed=n)
        result = run_cli("build", "--site", clone, "--now", EXAMPLE_NOW)
        assert result.code == 0, result.stderr
        outputs.append(tree_bytes(clone / "output"))
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 20
