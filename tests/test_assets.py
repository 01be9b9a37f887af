"""Theme CSS and JavaScript are published with their content hash in the name (a year of caching)."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from conftest import ROOT, SITES, html, run_cli
from generator.theme import bundled_theme

NOW = "2026-01-01T09:00:00+07:00"


def test_css_and_js_names_carry_their_content_hash(full_build: Path):
    published = sorted(p for p in (full_build / "static").iterdir() if p.suffix in (".css", ".js"))
    assert {re.sub(r"\.[0-9a-f]{10}\.", ".", p.name) for p in published} >= {"style.css", "flyer.css", "search.js"}
    for path in published:
        digest = re.search(r"\.([0-9a-f]{10})\.(css|js)$", path.name).group(1)
        assert hashlib.sha256(path.read_bytes()).hexdigest()[:10] == digest
        source = bundled_theme() / "static" / re.sub(r"\.[0-9a-f]{10}\.", ".", path.name)
        assert source.read_bytes() == path.read_bytes()
    assert not (full_build / "static/style.css").exists()


def test_pages_refer_to_the_fingerprinted_files_only(full_build: Path):
    for page in full_build.rglob("*.html"):
        doc = html(page)
        for ref in [l["href"] for l in doc.find_all("link", rel="stylesheet")] + \
                   [s["src"] for s in doc.find_all("script", src=True)]:
            path = urlsplit(ref).path
            assert not urlsplit(ref).netloc, f"{page}: third-party {ref}"  # no third-party CSS, JS or fonts
            assert re.search(r"\.[0-9a-f]{10}\.(css|js)$", path), (page, ref)
            assert (full_build / path.removeprefix("/hien-mau/")).is_file(), (page, ref)


def test_a_changed_stylesheet_gets_a_new_name(tmp_path: Path):
    site = tmp_path / "full"
    shutil.copytree(SITES / "full", site, ignore=shutil.ignore_patterns(".cache"))
    (site / "templates" / "static").mkdir(parents=True)
    (site / "templates/static/style.css").write_text("/* own */ body { color: #000; }\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    (own,) = out.glob("static/style.*.css")
    assert own.read_text(encoding="utf-8").startswith("/* own */")
    assert html(out / "index.html").find("link", rel="stylesheet")["href"] == "/hien-mau/static/" + own.name


def test_an_unknown_asset_is_a_template_error(tmp_path: Path):
    site = tmp_path / "full"
    shutil.copytree(SITES / "full", site, ignore=shutil.ignore_patterns(".cache"))
    (site / "templates").mkdir()
    (site / "templates/404.html").write_text('{% extends "base.html" %}{% block head %}'
                                             '<script src="{{ asset(\'missing.js\') }}"></script>{% endblock %}',
                                             encoding="utf-8")
    result = run_cli("build", "--site", site, "--output", tmp_path / "out", "--now", NOW)
    assert result.code == 1
    assert "templates/404.html" in result.stderr and "missing.js" in result.stderr


def test_page_weight_script_reports_every_page_type_within_budget():
    """scripts/page_weight.py builds the example site; the home page must stay under 60 KB gzip."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts/page_weight.py"), "--no-axe"], capture_output=True,
                            text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line[:14].strip(): float(line[15:23]) for line in result.stdout.splitlines()[1:]
            if re.fullmatch(r"\s*[\d.]+", line[15:23])}  # name (14 columns), gzip KB (8 columns)
    assert {"home", "news list", "post", "events list", "event", "recognition", "standing page"} <= set(rows)
    assert rows["home"] < 60
    assert all(size < 60 for name, size in rows.items() if name != "search runtime")  # Pagefind: on demand
    assert "within the 60 KB budget" in result.stdout
