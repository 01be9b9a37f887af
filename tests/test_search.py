"""The Pagefind search index: built with the site, only from content pages, never with hidden names."""
from __future__ import annotations

import gzip
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from conftest import NOW, SITES, html, tree_bytes
from generator import search
from generator.build import build
from generator.errors import BuildFailed, ErrorCollector


def bundle_text(out: Path) -> str:
    """Everything the browser can fetch from the index, decompressed (Pagefind gzips its files)."""
    texts = []
    for path in sorted((out / "pagefind").rglob("*")):
        if path.suffix in (".pf_fragment", ".pf_index", ".pf_meta", ".pf_filter"):
            texts.append(gzip.decompress(path.read_bytes()).decode("utf-8", "replace"))
    return "\n".join(texts)


def test_index_is_written_with_the_site(full_build: Path):
    bundle = full_build / "pagefind"
    assert (bundle / "pagefind.js").is_file()
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    marked = [p for p in full_build.rglob("*.html") if html(p).find(attrs={"data-pagefind-body": True})]
    # Posts, drives, standing pages and the honour roll; no lists, no flyers, no search page.
    assert entry["languages"]["vi"]["page_count"] == len(marked)
    names = {p.relative_to(full_build).as_posix() for p in marked}
    assert "vinh-danh/index.html" in names and "su-kien/dot-mot/index.html" in names
    assert not names & {"index.html", "tin-tuc/index.html", "tim-kiem/index.html", "404.html"}
    assert not any("to-roi" in n for n in names)


def test_index_holds_consenting_names_only(full_build: Path):
    text = bundle_text(full_build)
    assert "Người Đồng Ý Một" in text  # named with consent: findable on the honour roll
    assert "Người Không Đồng Ý" not in text and "Người Từ Chối" not in text


def test_search_page_and_boxes(full_build: Path):
    page = html(full_build / "tim-kiem/index.html")
    form = page.select_one("main form[role=search]")
    assert form["action"] == "/hien-mau/tim-kiem/" and form["data-pagefind"] == "/hien-mau/pagefind/pagefind.js"
    assert form["data-base"] == "/hien-mau/"
    assert page.select_one(".search-needs-js a")  # links for a browser without JavaScript
    (script,) = page.select("script[src]")
    assert script["src"].startswith("/hien-mau/static/search.") and (full_build / script["src"][10:]).is_file()
    assert not page.select("header form[role=search]")  # one search landmark on the search page
    home = html(full_build / "index.html")
    box = home.select_one("header form[role=search]")
    assert box["action"] == "/hien-mau/tim-kiem/" and box.find("input")["name"] == "q"
    assert home.find("label", attrs={"for": "site-search-q"})
    assert not home.select("script[src]")  # the home page needs no JavaScript at all (JSON-LD is data)


def test_missing_pagefind_is_a_warning(monkeypatch, tmp_path):
    monkeypatch.setattr(search, "pagefind_command", lambda: None)
    errors = ErrorCollector()
    search.index_site(tmp_path, errors)
    assert not errors.has_errors() and len(errors.warnings) == 1
    assert not (tmp_path / "pagefind").exists()


def test_failing_pagefind_is_an_error_and_the_old_site_stays(monkeypatch, tmp_path):
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'index broke' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(search, "pagefind_command", lambda: [str(broken)])
    errors = ErrorCollector()
    search.index_site(tmp_path, errors)
    assert errors.has_errors() and "index broke" in str(errors.errors[0].params)
    # through a build: the failure is reported and the previous output is left as it was
    site = tmp_path / "full"
    shutil.copytree(SITES / "full", site, ignore=shutil.ignore_patterns(".cache"))  # no cached index
    out = tmp_path / "out"
    out.mkdir()
    (out / ".outreach-output").write_bytes(b"")
    (out / "old.html").write_text("cũ", encoding="utf-8")
    before = tree_bytes(out)
    with pytest.raises(BuildFailed):
        build(site, out, now=datetime.fromisoformat(NOW))
    assert tree_bytes(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".outreach-")]


def test_search_can_be_switched_off(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site, ignore=shutil.ignore_patterns(".cache"))
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "search: false\n", encoding="utf-8")
    out = tmp_path / "out"
    build(site, out, now=datetime.fromisoformat(NOW))
    assert not (out / "pagefind").exists() and not (out / "tim-kiem").exists()
    for page in out.rglob("*.html"):
        doc = html(page)
        assert doc.find("form", role="search") is None, page
        assert not any("tim-kiem" in (a.get("href") or "") for a in doc.find_all("a")), page


def test_search_index_is_reused_when_no_indexed_page_changed(tmp_path, monkeypatch):
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site, ignore=shutil.ignore_patterns(".cache"))
    out = tmp_path / "out"
    now = datetime.fromisoformat(NOW)
    build(site, out, now=now)
    first = {k: v for k, v in tree_bytes(out).items() if k.startswith("pagefind/")}
    runs = []
    real = search._run_pagefind
    monkeypatch.setattr(search, "_run_pagefind", lambda folder, errors: runs.append(folder) or real(folder, errors))
    build(site, out, now=now)
    assert runs == [] and {k: v for k, v in tree_bytes(out).items() if k.startswith("pagefind/")} == first
    post = site / "content" / "posts" / "2022-06-14-b.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nTừ khoá mới toanh.\n", encoding="utf-8")
    build(site, out, now=now)
    assert len(runs) == 1
