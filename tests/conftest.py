"""Shared helpers: run the real CLI in a subprocess and read what it wrote."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "sites"
INVALID = Path(__file__).resolve().parent / "sites_invalid"
# A fixed clock for fixtures: the full fixture's 2027 drives are upcoming, 2030 posts are future.
NOW = "2026-01-01T09:00:00+07:00"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path | None = None) -> Run:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=cwd or ROOT,
                          capture_output=True, text=True, env=env, timeout=120)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def leftovers(parent: Path, timeout: float = 20.0) -> list[str]:
    """Names beside an output folder that a build made (.outreach-*), once the replaced output,
    removed by a detached process after the build returns (write.py), is gone."""
    deadline = time.monotonic() + timeout
    while True:
        found = sorted(p.name for p in parent.iterdir() if p.name.startswith(".outreach-"))
        if not any(name.startswith(".outreach-trash-") for name in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def copy_site(name: str, dest: Path, base: Path = SITES) -> Path:
    target = dest / name
    shutil.copytree(base / name, target, ignore=shutil.ignore_patterns(".cache", "output"))
    return target


def html(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html5lib")


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


HOSTILE_DIR = ROOT / "test-artifacts" / "hostile-cases"


def record_hostile_cases(area: str, count: int) -> None:
    """Hostile-case counts go to files, so the summary works across pytest-xdist workers too."""
    HOSTILE_DIR.mkdir(parents=True, exist_ok=True)
    safe = "".join(ch if ch.isalnum() else "-" for ch in area)
    (HOSTILE_DIR / f"{safe}-{os.getpid()}.txt").write_text(f"{area}\t{count}\n", encoding="utf-8")


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller, not an xdist worker
        shutil.rmtree(HOSTILE_DIR, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    if not HOSTILE_DIR.is_dir():
        return
    totals: dict[str, int] = {}
    for path in HOSTILE_DIR.glob("*.txt"):
        area, count = path.read_text(encoding="utf-8").strip().split("\t")
        totals[area] = totals.get(area, 0) + int(count)
    if totals:
        terminalreporter.section("hostile cases")
        for area, count in sorted(totals.items()):
            terminalreporter.write_line(f"{area}: {count} cases")
        terminalreporter.write_line(f"total: {sum(totals.values())} hostile cases")


def build_fixture(tmp_path_factory, name: str) -> Path:
    """The fixture site NAME built (with the fixed clock) into a fresh folder, for read-only tests."""
    out = tmp_path_factory.mktemp(name) / "out"
    result = run_cli("build", "--site", SITES / name, "--output", out, "--now", NOW)
    assert result.code == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def full_build(tmp_path_factory) -> Path:
    return build_fixture(tmp_path_factory, "full")
