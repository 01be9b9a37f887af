"""A build whose output folder already holds what it would write does nothing (generator/uptodate.py),
and any change of an input, of the clock's verdicts or of the output folder makes it build again."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from conftest import NOW, copy_site, html, run_cli, tree_bytes

def said(result) -> str:
    """'built' or 'up to date', whatever the language of the summary line."""
    from generator.i18n import tool_messages
    vi = tool_messages("vi").gettext
    up = vi("Nothing changed since the last build: {output} is up to date ({pages} pages, "
            "checked in {seconds:.2f} s).").split("{output}")[0]
    built = vi("Built {pages} pages and copied {copied} files in {seconds:.2f} s into {output}.").split("{pages}")[0]
    assert result.code == 0, result.stderr
    if up in result.stdout:
        return "up to date"
    assert built in result.stdout, result.stdout
    return "built"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = copy_site("full", tmp_path)
    time.sleep(2.1)  # files changed within 2 s of a build are not trusted to show their next change
    return site


def build(site: Path, *args: str):
    return run_cli("build", "--site", site, "--now", NOW, *args)


def stats(folder: Path) -> dict:
    return {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def test_nothing_changed_is_nothing_to_do(site: Path, tmp_path: Path):
    first = build(site)
    assert said(first) == "built"
    before = stats(site / "output")
    again = build(site)
    assert said(again) == "up to date"
    assert stats(site / "output") == before  # not a file written, moved or linked
    assert again.stderr == first.stderr  # the same warnings, repeated
    assert run_cli("build", "--site", site, "--now", NOW, "--no-cache", "--output", tmp_path / "fresh").code == 0
    assert tree_bytes(site / "output") == tree_bytes(tmp_path / "fresh")


def test_an_edited_added_or_removed_file_builds(site: Path):
    assert said(build(site)) == "built"
    post = site / "content/posts/2023-12-05-a.md"
    post.write_text(post.read_text(encoding="utf-8").replace("Đoạn đầu tiên", "Đoạn mở đầu"), encoding="utf-8")
    assert said(build(site)) == "built"
    assert "Đoạn mở đầu" in (site / "output/tin-tuc/hien-mau-cuu-nguoi-nghia-cu-cao-dep/index.html").read_text()
    (site / "content/pages/moi.md").write_text("---\ntitle: Trang mới\n---\nVăn bản.\n", encoding="utf-8")
    assert said(build(site)) == "built"
    assert (site / "output/trang-moi/index.html").is_file()
    (site / "content/pages/moi.md").unlink()
    assert said(build(site)) == "built"
    assert not (site / "output/trang-moi").exists()


def test_a_theme_change_builds(site: Path):
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", site / "templates")
    time.sleep(2.1)
    assert said(build(site)) == "built"
    assert said(build(site)) == "up to date"
    base = site / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("<main id=\"main\"", "<main data-x id=\"main\""),
                    encoding="utf-8")
    assert said(build(site)) == "built"
    assert html(site / "output/index.html").select_one("main").has_attr("data-x")


def test_an_output_file_changed_by_hand_is_put_back(site: Path):
    assert said(build(site)) == "built"
    page = site / "output/index.html"
    original = page.read_bytes()
    page.write_bytes(b"defaced")
    assert said(build(site)) == "built"
    assert page.read_bytes() == original
    assert said(build(site)) == "up to date"
    (site / "output/extra.txt").write_text("x")
    assert said(build(site)) == "built"
    assert not (site / "output/extra.txt").exists()


def test_the_clock_builds_when_it_changes_what_is_published(site: Path):
    """The fixture has a post dated 2030 and drives in 2027: the window ends at the first drive's end."""
    assert said(build(site)) == "built"
    assert said(run_cli("build", "--site", site, "--now", "2026-06-01T09:00:00+07:00")) == "up to date"
    later = run_cli("build", "--site", site, "--now", "2030-01-02T09:00:00+07:00")
    assert said(later) == "built"
    assert (site / "output/tin-tuc/bai-tuong-lai-bi-mat/index.html").is_file()  # the 2030 post, published now
    assert said(run_cli("build", "--site", site, "--now", NOW)) == "built"  # back in time: built again


def test_other_options_and_no_cache_build(site: Path, tmp_path: Path):
    assert said(build(site)) == "built"
    assert said(build(site, "--drafts")) == "built"
    assert said(build(site, "--drafts")) == "up to date"
    assert said(build(site, "--base-url", "https://other.example/")) == "built"
    assert said(build(site, "--base-url", "https://other.example/", "--no-cache")) == "built"
    assert said(build(site, "--output", str(tmp_path / "elsewhere"))) == "built"  # one record per output folder
    shutil.rmtree(site / ".cache")
    assert said(build(site)) == "built"


def test_a_file_changed_just_before_a_build_is_not_trusted(site: Path):
    """Changed within 2 s of a build, a file might change again without its stat showing it: that
    build keeps no record, so the next one builds too; once older, records are kept again."""
    from datetime import datetime
    from generator.build import build as build_site
    now = datetime.fromisoformat(NOW)
    (site / "content/pages/gioi-thieu.md").touch()
    assert not build_site(site, now=now).up_to_date
    assert not build_site(site, now=now).up_to_date
    time.sleep(2.1)
    assert not build_site(site, now=now).up_to_date
    assert build_site(site, now=now).up_to_date


def test_the_record_holds_exactly_what_the_output_folder_holds(site: Path):
    """The record's file list is kept by the staging folder as it writes, links and recycles files
    (and what the search indexer adds), not by walking the output again: it must match a walk,
    after a first build, an edit (files linked and written) and a removal (a recycled spare)."""
    from generator.cache import BuildCache
    from generator.uptodate import Records, output_state

    output = (site / "output").resolve()
    post = site / "content/posts/2023-12-05-a.md"
    page = site / "content/pages/moi.md"
    edits = [lambda: None,
             lambda: (post.write_text(post.read_text(encoding="utf-8") + "\nThêm.\n", encoding="utf-8"),
                      page.write_text("---\ntitle: Trang mới\n---\nVăn bản.\n", encoding="utf-8")),
             page.unlink]
    for edit in edits:
        edit()
        time.sleep(2.1)  # else the record is not kept (a racy input)
        assert said(build(site)) == "built"
        record = Records(BuildCache.folder_of(site.resolve()))._load()[str(output)]
        assert record.outputs == output_state(output)
        assert any(path.startswith("pagefind/") for path in record.outputs) == (output / "pagefind").is_dir()


def test_the_walk_started_apart_takes_what_the_walk_in_place_takes(site: Path):
    """The command line walks the inputs in a forked child while it imports the rest of the tool
    (uptodate.walk_apart): the same key, latest change, verdict on links and signature of each
    content file as the walk done in place; a signature is the 5-tuple the files store compares
    (a stat_result, itself a tuple of other fields, is made one)."""
    import os

    from generator.cache import signature
    from generator.uptodate import Inputs, walk_apart

    resolved = site.resolve()
    here = Inputs.take(resolved, "settings")
    apart = Inputs.take(resolved, "settings", walked=walk_apart(resolved))
    assert (apart.key, apart.newest, apart.sure, apart.content) == (here.key, here.newest, here.sure, here.content)
    assert apart.taken_ns >= here.taken_ns > 0
    path = resolved / "content" / "pages" / "gioi-thieu.md"
    stat = os.stat(path)
    five = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)
    assert type(here.content[str(path)]) is tuple and here.content[str(path)] == five
    assert signature(stat) == five and signature(five) is five
    assert Inputs.take(resolved, "other settings").key != here.key
