"""Atomicity under faults: a build killed at random points, a write that fails half-way."""
from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from conftest import NOW, SITES, leftovers, record_hostile_cases, run_cli, tree_bytes
from generator.cli import cli


def big_site(tmp_path: Path, posts: int = 400) -> Path:
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site, ignore=shutil.ignore_patterns(".cache"))
    body = "\n\n".join(f"Đoạn {i}: hiến máu cứu người, nghĩa cử cao đẹp. " * 8 for i in range(12))
    for i in range(posts):
        (site / "content" / "posts" / f"2021-01-01-bai-{i}.md").write_text(
            f"---\ntitle: Bài số {i}\ndate: 2021-01-01 08:{i % 60:02d}\ntags: [t{i % 7}]\n---\n{body}\n",
            encoding="utf-8")
    return site


def test_sigkill_at_random_points_keeps_previous_output(tmp_path: Path):
    site = big_site(tmp_path)
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    before = tree_bytes(out)
    # one timed build tells how long a build takes here; kills are spread over that time
    started = time.perf_counter()
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    duration = time.perf_counter() - started
    (site / "content" / "posts" / "2021-01-01-bai-0.md").write_text(
        "---\ntitle: Đổi nội dung\ndate: 2021-01-01\n---\nmới\n", encoding="utf-8")
    # what a finished build of the edited content gives, from the same previous output
    shutil.copytree(out, tmp_path / "probe")
    assert run_cli("build", "--site", site, "--output", tmp_path / "probe", "--now", NOW).code == 0
    after = tree_bytes(tmp_path / "probe")
    shutil.rmtree(tmp_path / "probe")
    rng = random.Random(20231205)
    kills = 0
    for attempt in range(8):
        proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--site", str(site), "--output", str(out),
                                 "--now", NOW, "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, duration))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        if proc.returncode == 0:
            before = tree_bytes(out)  # it finished first: the new site is the previous output now
            assert before == after
            continue
        # killed: what a reader sees is the old site, whole (the swap may need the next build's recovery)
        from generator.write import recover
        recover(out)
        # a kill after the swap but before exit leaves the finished new site: also whole
        now_bytes = tree_bytes(out)
        assert now_bytes in (before, after), f"output is neither the old nor the new site after kill {attempt}"
        before = now_bytes
    assert kills >= 3, "the build finished too fast to be killed; enlarge the site"
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    assert leftovers(tmp_path) == []
    record_hostile_cases("builds killed with SIGKILL", kills)


def test_failed_write_fails_cleanly(tmp_path: Path, monkeypatch):
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site, ignore=shutil.ignore_patterns(".cache"))
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    before = tree_bytes(out)
    real = Path.write_bytes
    written = {"n": 0}

    def full_disk(self, data):
        written["n"] += 1
        if written["n"] > 5:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    # --no-cache: every file is written (with the cache, unchanged ones would only be linked)
    result = CliRunner().invoke(cli, ["build", "--site", str(site), "--output", str(out), "--now", NOW, "--no-cache"])
    monkeypatch.undo()
    assert result.exit_code == 1
    assert "No space left on device" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert tree_bytes(out) == before
    assert leftovers(tmp_path) == []
