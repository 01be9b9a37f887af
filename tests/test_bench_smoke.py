"""The benchmark scripts work (a tiny corpus, Outreach and the Markdown floor only; no timings judged)."""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_corpus_generator_writes_every_tool_format(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), "12", str(tmp_path / "c")], check=True,
                   capture_output=True)
    assert len(list((tmp_path / "c" / "outreach" / "content" / "posts").glob("*.md"))) == 12
    assert len(list((tmp_path / "c" / "pelican" / "content").glob("*.md"))) == 12
    assert len(list((tmp_path / "c" / "hugo" / "content" / "posts").glob("*.md"))) == 12
    assert len(list((tmp_path / "c" / "eleventy" / "src" / "posts").glob("*.md"))) == 12
    # same article text for every tool
    one = sorted((tmp_path / "c" / "outreach" / "content" / "posts").glob("*.md"))[3].read_text(encoding="utf-8")
    hugo = sorted((tmp_path / "c" / "hugo" / "content" / "posts").glob("*.md"))[3].read_text(encoding="utf-8")
    assert one.split("---\n", 2)[2] == hugo.split("---\n", 2)[2]


def test_benchmark_runs_on_fifty_posts():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--smoke"], capture_output=True,
                            text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| outreach | 50 |" in result.stdout and "floor, 2 processes" in result.stdout


def test_renderer_comparison_measures_outreach_and_the_floor():
    """bench/renderers.py's own part (the alternatives it installs with pip are left out here)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import corpus
        import renderers
    finally:
        sys.path.remove(str(ROOT / "bench"))
    bodies = [a.body for a in corpus.articles(5, 1)]
    found = renderers.ours_and_floor(bodies, repeats=1)
    assert len(found) == 3 and all(seconds > 0 for seconds in found.values())  # (no timing is judged)
