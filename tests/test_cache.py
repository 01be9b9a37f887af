"""The build cache is an optimisation only: with it, without it, deleted, corrupt or stale,
the output bytes are the same, and an edit shows up in every page that uses it."""
from __future__ import annotations

import functools
import pickle
from datetime import datetime
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import NOW, SITES, run_cli, tree_bytes
from generator.cache import BuildCache, RecordingSite, code_version, fingerprint

CACHE = Path(".cache") / "outreach"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(SITES / "full", target, ignore=shutil.ignore_patterns(".cache"))  # other tests build it in place
    return target


def build(site: Path, out: Path, *extra: str) -> dict[str, bytes]:
    result = run_cli("build", "--site", site, "--output", out, "--now", NOW, *extra)
    assert result.code == 0, result.stderr
    return tree_bytes(out)


def reference(site: Path, tmp_path: Path, previous: Path | None = None) -> dict[str, bytes]:
    """The same content built without the cache, into a copy of PREVIOUS output (calendars carry
    their SEQUENCE from the previous output on purpose) or into nothing."""
    out = tmp_path / "reference"
    shutil.rmtree(out, ignore_errors=True)
    if previous is not None:
        shutil.copytree(previous, out)
    copy = tmp_path / "reference-site"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".cache", "output"))
    return build(copy, out, "--no-cache")


def test_cached_rebuild_gives_the_same_bytes_and_writes_the_cache(site: Path, tmp_path: Path):
    first = build(site, tmp_path / "a")
    assert (site / CACHE / "markdown.pickle").is_file() and (site / CACHE / "pages.pickle").is_file()
    from generator.cache import Store  # saved as soon as the content was loaded (BuildCache.loaded)
    assert len(Store.open(site / CACHE / "models.pickle", code_version()).data) >= 5
    assert build(site, tmp_path / "b") == first
    assert first == reference(site, tmp_path)


def test_no_cache_neither_reads_nor_writes_it(site: Path, tmp_path: Path):
    build(site, tmp_path / "a", "--no-cache")
    assert not (site / ".cache" / "outreach").exists()


@pytest.mark.parametrize("damage", ["delete", "corrupt", "truncate", "stale-format", "foreign-pickle"])
def test_damaged_cache_gives_the_same_bytes(site: Path, tmp_path: Path, damage: str):
    first = build(site, tmp_path / "a")
    for store in (site / CACHE).glob("*.pickle"):
        if damage == "delete":
            store.unlink()
        elif damage == "corrupt":
            store.write_bytes(b"\x80\x05not a pickle at all")
        elif damage == "truncate":
            store.write_bytes(store.read_bytes()[:100])
        elif damage == "stale-format":  # as written by another version of the tool
            if store.name == "builds.pickle":  # one pickle: (version, records)
                _, data = pickle.loads(store.read_bytes())
                store.write_bytes(pickle.dumps(("0:old", data)))
            else:  # a store: its version's pickle (after its length), then its entries in chunks (cache._dump)
                whole = store.read_bytes()
                old = pickle.dumps("0:old")
                size = int.from_bytes(whole[:8], "little")
                assert pickle.loads(whole[8:8 + size]) == code_version()
                store.write_bytes(len(old).to_bytes(8, "little") + old + whole[8 + size:])
        else:
            store.write_bytes(pickle.dumps({"something": "else"}))
    assert build(site, tmp_path / "b") == first


@pytest.mark.parametrize("edit", ["post-title", "post-body", "new-post", "event", "template", "config", "page-link",
                                  "timezone", "phone-number"])
def test_edits_show_up_exactly_as_in_a_fresh_build(site: Path, tmp_path: Path, edit: str):
    build(site, tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "before")
    posts = site / "content" / "posts"
    if edit == "post-title":  # its page, the lists, tags, archive and the event's related news change
        path = posts / "2023-12-05-a.md"
        path.write_text(path.read_text(encoding="utf-8").replace("Nghĩa cử cao đẹp", "Tấm lòng vàng"), encoding="utf-8")
    elif edit == "post-body":
        path = posts / "2022-06-14-b.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nĐoạn mới.\n", encoding="utf-8")
    elif edit == "new-post":
        (posts / "2025-01-01-moi.md").write_text("---\ntitle: Bài mới\ndate: 2025-01-01\ntags: [hiến máu]\n---\nMới.\n",
                                                  encoding="utf-8")
    elif edit == "event":
        path = site / "content" / "events" / "2023-12-05-dot-mot.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("Đợt một", "Đợt đầu tiên"), encoding="utf-8")
    elif edit == "template":
        (site / "templates").mkdir()
        (site / "templates" / "404.html").write_text(
            '{% extends "base.html" %}{% block content %}<h1>Khác</h1>{% endblock %}', encoding="utf-8")
    elif edit == "config":
        path = site / "config.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace('title: "Thử nghiệm"', 'title: "Tên mới"'),
                        encoding="utf-8")
    elif edit == "timezone":  # every date is read again in the new zone
        path = site / "config.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("Asia/Ho_Chi_Minh", "Asia/Tokyo"), encoding="utf-8")
    elif edit == "phone-number":  # a check's finding (a warning) must not be lost to the cache
        path = posts / "2023-01-02-c.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nGọi 0912 345 678.\n", encoding="utf-8")
        build(site, tmp_path / "a")
        result = run_cli("build", "--site", site, "--output", tmp_path / "a", "--now", NOW)
        assert "0912 345 678" in result.stderr  # reported again on a fully cached rebuild
    elif edit == "page-link":  # a page's slug changes: the posts that link to it must follow
        path = site / "content" / "pages" / "dieu-kien.md"
        path.write_text(path.read_text(encoding="utf-8").replace("eligibility: true", "eligibility: true\nslug: ai-duoc-hien"),
                        encoding="utf-8")
    cached = build(site, tmp_path / "a")
    assert cached == reference(site, tmp_path, tmp_path / "before")


def test_fingerprint_is_by_value_and_recording_site_records():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class V:
        a: str
        b: tuple

    assert fingerprint(V("x", (1, 2)), {}) == fingerprint(V("x", (1, 2)), {})
    assert fingerprint(V("x", (1, 2)), {}) != fingerprint(V("x", (1, 3)), {})
    read: set[str] = set()

    class S:
        posts = (1,)
        urls = {"home": "/"}

        def url(self, name):
            return self.urls[name]

    proxy = RecordingSite(S(), read)
    assert proxy.posts == (1,) and proxy.url("home") == "/"
    assert read == {"posts", "urls"}


def test_disabled_cache_keeps_nothing(tmp_path: Path):
    cache = BuildCache.disabled()
    # no stores at all: stages given None do their work without computing keys
    assert all(getattr(cache, name) is None for name in ("models", "checks", "markdown", "pages", "search", "outputs",
                                                          "files", "calendars"))
    cache.save()
    assert not cache.enabled and not any(tmp_path.iterdir())


def test_rebuild_renders_only_what_changed(site: Path, tmp_path: Path, monkeypatch):
    """In-process, counting the work: nothing changed -> no Markdown and no page rendered again."""
    from datetime import datetime

    import generator.render as render
    from generator.build import build as run_build
    from generator.markdown import MarkdownRenderer

    counts = {"md": 0, "pages": 0}
    real_md, real_page = MarkdownRenderer.render, render._render_one

    def count_md(self, body):
        counts["md"] += 1
        return real_md(self, body)

    def count_page(env, keys, out, *rest):
        counts["pages"] += 1
        return real_page(env, keys, out, *rest)

    monkeypatch.setattr(MarkdownRenderer, "render", count_md)
    monkeypatch.setattr(render, "_render_one", count_page)
    now = datetime.fromisoformat(NOW)
    out = tmp_path / "out"
    first = run_build(site, out, now=now)
    assert counts["md"] > 5 and counts["pages"] == first.pages
    counts.update(md=0, pages=0)
    run_build(site, out, now=now)
    assert counts == {"md": 0, "pages": 0}
    path = site / "content" / "posts" / "2022-06-14-b.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nThêm.\n", encoding="utf-8")
    run_build(site, out, now=now)
    assert counts["md"] == 1  # only the edited body
    assert 1 <= counts["pages"] < first.pages // 2  # its page and the lists that show it, not the whole site


def test_home_page_is_made_again_only_when_its_latest_news_changes(site: Path, tmp_path: Path, monkeypatch):
    """The home page lists the latest news, handed to it (not read from every post): editing an older
    post leaves it as it was; a new post makes it again, listing that post."""
    import generator.render as render
    from generator.build import build as run_build

    posts = site / "content" / "posts"
    for n in range(7):
        (posts / f"2023-03-0{n + 1}-dem.md").write_text(
            f"---\ntitle: Tin đệm {n}\ndate: 2023-03-0{n + 1}\n---\nĐoạn {n}.\n", encoding="utf-8")
    made: list[str] = []
    real = render._render_one
    monkeypatch.setattr(render, "_render_one", lambda env, keys, out, *rest: made.append(out.path) or real(env, keys, out, *rest))
    now = datetime.fromisoformat(NOW)
    out = tmp_path / "out"
    run_build(site, out, now=now)
    assert "index.html" in made
    made.clear()
    old = posts / "2022-06-14-b.md"  # older than the seven above: not on the home page
    old.write_text(old.read_text(encoding="utf-8").replace("Bài năm 2022.", "Bài năm 2022, sửa."), encoding="utf-8")
    run_build(site, out, now=now)
    assert made and "index.html" not in made
    made.clear()
    (posts / "2023-11-30-moi.md").write_text("---\ntitle: Tin mới nhất\ndate: 2023-11-30\n---\nMới.\n",
                                            encoding="utf-8")
    run_build(site, out, now=now)
    assert "index.html" in made and "Tin mới nhất" in (out / "index.html").read_text(encoding="utf-8")


def test_unchanged_files_are_linked_not_rewritten(site: Path, tmp_path: Path):
    out = tmp_path / "out"
    build(site, out)
    page = out / "gioi-thieu" / "index.html"
    before = {p.relative_to(out): p.stat().st_ino for p in out.rglob("*.html")}
    page.write_text("tampered", encoding="utf-8")  # someone edited the output by hand
    tampered_inode = page.stat().st_ino
    path = site / "content" / "posts" / "2022-06-14-b.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Bài năm 2022.", "Bài năm 2022, sửa."), encoding="utf-8")
    build(site, out)
    after = {p.relative_to(out): p.stat().st_ino for p in out.rglob("*.html")}
    same = [rel for rel in before if after.get(rel) == before[rel]]
    assert len(same) > len(before) // 2  # most pages were not written again
    assert after[Path("tin-tuc/dak-lak-huong-ung/index.html")] != before[Path("tin-tuc/dak-lak-huong-ung/index.html")]
    assert page.stat().st_ino != tampered_inode and "tampered" not in page.read_text(encoding="utf-8")


def test_file_hashes_follow_same_size_same_mtime_edits(tmp_path: Path, monkeypatch):
    import os

    from generator import cache as cache_module
    from generator.cache import Store, file_digest
    path = tmp_path / "a.md"
    path.write_bytes(b"first")
    store = Store(tmp_path / "files.pickle", "v")
    assert file_digest(path, "a.md", store) and store.data == {}  # just written: racy, not remembered
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    first = file_digest(path, "a.md", store)
    assert "a.md" in store.data and file_digest(path, "a.md", store) == first
    before = os.stat(path)
    path.write_bytes(b"other")  # same size; the mtime is put back as some tools do
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert file_digest(path, "a.md", store) != first  # the ctime moved: read again


def test_edit_keeping_size_and_mtime_shows_up(site: Path, tmp_path: Path):
    import os
    import time

    time.sleep(2.1)  # older than the racy window (cache.RACY_NS): the build remembers every file's stat
    build(site, tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "before")
    path = site / "content" / "posts" / "2023-12-05-a.md"
    text = path.read_text(encoding="utf-8")
    assert "Nghĩa cử cao đẹp" in text
    before = os.stat(path)
    path.write_text(text.replace("Nghĩa cử cao đẹp", "Nghĩa cử cao ĐẸP"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size
    assert build(site, tmp_path / "a") == reference(site, tmp_path, tmp_path / "before")


def test_builds_that_recycle_the_spare_give_the_same_bytes(site: Path, tmp_path: Path):
    posts = site / "content" / "posts"
    build(site, tmp_path / "a")
    (posts / "2025-01-01-moi.md").write_text("---\ntitle: Bài mới\ndate: 2025-01-01\ntags: [hiến máu]\n---\nMới.\n",
                                             encoding="utf-8")
    build(site, tmp_path / "a")  # keeps the first output as the spare
    assert len(list((site / CACHE / "spare").iterdir())) == 1
    shutil.copytree(tmp_path / "a", tmp_path / "before")
    (posts / "2025-01-01-moi.md").unlink()
    path = posts / "2023-12-05-a.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Nghĩa cử cao đẹp", "Tấm lòng vàng"), encoding="utf-8")
    assert build(site, tmp_path / "a") == reference(site, tmp_path, tmp_path / "before")  # recycles it


def test_a_build_that_writes_starts_the_spares_child_before_it_opens_the_cache(site: Path, tmp_path: Path,
                                                                                 monkeypatch):
    """The child that makes the spare from the output, or lists it (write._SpareMaker), starts as
    soon as a build is known to write, before the cache's stores are opened (~0.16 s at
    N=10,000, which a first publish after a cold build waited for on top); an up-to-date build
    starts none, nor does a first build or one whose cache was deleted (no manifest: nothing to
    link)."""
    import time
    from datetime import datetime

    from generator import cache, write
    from generator.build import build as run_build
    from generator.cache import BuildCache
    from generator.parallel import can_fork
    events: list[str] = []
    start, for_site = write._SpareMaker.start.__func__, BuildCache.for_site.__func__

    def started(cls, output, spare):
        maker = start(cls, output, spare)
        events.append("spare" if maker is not None else "no spare")
        return maker

    def opened(cls, where):
        events.append("cache")
        return for_site(cls, where)

    monkeypatch.setattr(write._SpareMaker, "start", classmethod(started))
    monkeypatch.setattr(BuildCache, "for_site", classmethod(opened))
    now, out, posts = datetime.fromisoformat(NOW), tmp_path / "out", site / "content" / "posts"
    run_build(site, out, now=now)
    assert events == ["cache"]  # a first build: no cache yet
    for n in (1, 2):  # the first makes the spare, the second lists it
        events.clear()
        (posts / f"2025-01-0{n}-moi.md").write_text(f"---\ntitle: Bài {n}\ndate: 2025-01-0{n}\n---\nMới.\n",
                                                   encoding="utf-8")
        run_build(site, out, now=now)
        assert events == (["spare", "cache"] if can_fork() else ["no spare", "cache"])
    events.clear()
    shutil.rmtree(site / CACHE)  # the output kept, but no manifest: nothing would be linked from a spare
    run_build(site, out, now=now)
    assert events == ["cache"]
    time.sleep(cache.RACY_NS / 1e9)  # inputs as young as that leave no record: the next build is not up to date
    run_build(site, out, now=now)
    events.clear()
    assert run_build(site, out, now=now).up_to_date and events == []


def past_the_page_workers_threshold(site: Path) -> Path:
    """Adds 320 short posts to SITE, so that its ~370 pages are made by the page workers
    (render.PARALLEL_PAGES); returns its posts folder."""
    posts = site / "content" / "posts"
    for n in range(320):
        (posts / f"2020-02-01-dem-{n}.md").write_text(
            f"---\ntitle: Bài đệm {n}\ndate: 2020-02-01 08:{n % 60:02d}\ntags: [chủ đề {n % 5}]\n---\nĐoạn {n}.\n",
            encoding="utf-8")
    return posts


def test_the_page_workers_take_the_lists_of_posts_first_newest_first(site: Path):
    """render.by_cards: the pages that show posts' cards (the home page's latest news, the news and
    tag pages) come first, by the date of the first post each shows, newest first, so that a chunk
    of them shows the cards of posts near each other in time (a worker makes each card once for
    all its pages); the other pages follow in the site's order, every page once. (That the bytes
    are those of a build in one process: the test below and test_write's.)"""
    from datetime import datetime

    from generator import render
    from generator.build import load_site
    from generator.errors import ErrorCollector
    from generator.urls import BuildOptions

    past_the_page_workers_threshold(site)
    graph = load_site(site, BuildOptions(), datetime.fromisoformat(NOW), ErrorCollector())[1][0]
    order = render.by_cards(graph.outputs)
    assert sorted(map(id, order)) == sorted(map(id, graph.outputs))

    def shown(out):
        pager = out.values.get("pager")
        return pager.items if pager is not None else out.values.get("latest_news")

    lists = [out for out in order if shown(out)]
    assert order[:len(lists)] == lists and {"home.html", "news.html", "tag.html"} <= {o.template for o in lists}
    firsts = [shown(out)[0].date for out in lists]
    assert firsts == sorted(firsts, reverse=True)
    assert lists[0].template == "home.html"  # (its latest news is the news list's first page's)
    rest = {id(out) for out in order[len(lists):]}
    assert order[len(lists):] == [out for out in graph.outputs if id(out) in rest]
    assert len(graph.outputs) > render.PARALLEL_PAGES


def test_publishes_past_the_parallel_threshold_give_the_same_bytes(site: Path, tmp_path: Path, monkeypatch):
    """Past 300 pages the page workers settle the pages; one taken from the last build whose very
    file the recycled tree holds comes back to the parent as its inode alone (render._settle,
    Staging.taken). Two publishes of a site of ~370 pages, each adding a post: most pages are
    taken so, and each build's bytes are those of a build without the cache."""
    from datetime import datetime

    from generator import write
    from generator.build import build as run_build
    from generator.parallel import can_fork
    posts = past_the_page_workers_threshold(site)
    now, out = datetime.fromisoformat(NOW), tmp_path / "a"
    assert run_build(site, out, now=now).pages > 300
    by_inode = []  # for each page told by its inode alone: whether only its books were kept (no put)
    real_taken, real_put = write.Staging.taken, write.Staging.put

    def taken(self, rel, inode, ident, indexed):
        by_inode.append(True)
        self.taking = True
        try:
            real_taken(self, rel, inode, ident, indexed)
        finally:
            self.taking = False

    def put(self, rel, *args, **kwargs):
        if getattr(self, "taking", False):  # taken() fell back on put: the tree was not as the worker saw it
            by_inode[-1] = False
        real_put(self, rel, *args, **kwargs)

    monkeypatch.setattr(write.Staging, "taken", taken)
    monkeypatch.setattr(write.Staging, "put", put)
    for n in (1, 2):  # the first publish makes the spare from the output; the second recycles the first's
        (posts / f"2025-01-0{n}-moi.md").write_text(
            f"---\ntitle: Bài mới {n}\ndate: 2025-01-0{n}\ntags: [chủ đề 1]\n---\nMới {n}.\n", encoding="utf-8")
        shutil.copytree(out, tmp_path / f"before-{n}")
        by_inode.clear()
        pages = run_build(site, out, now=now).pages
        assert tree_bytes(out) == reference(site, tmp_path, tmp_path / f"before-{n}")
        if can_fork():  # (one core, or threads running: no page workers, every page is put as before)
            assert by_inode.count(True) > pages // 2 and False not in by_inode


@pytest.mark.parametrize("when", ["with the config", "after the graph"])
@pytest.mark.parametrize("child", ["compiles", "fails"])
def test_a_cold_build_compiles_the_theme_in_a_child(site: Path, tmp_path: Path, monkeypatch, child: str, when: str):
    """With nothing of the theme compiled, in this process or the cache, a build whose pages the
    page workers make compiles the theme in a forked child (render.compile_apart), and loads the
    child's code: this process compiles no template, and the bytes are those of a build without
    the cache. The child starts as soon as the config is read if the content files are enough
    pages already, else once the site graph says how many pages there are. A child that fails
    leaves the compiling here."""
    import jinja2

    from generator import build as build_module, render, templatecache
    from generator.build import build as run_build
    from generator.parallel import can_fork
    if child == "fails":
        monkeypatch.setattr(render, "_compiled_theme", lambda *args: 1 / 0)
    started = []  # (pages, whether a child was started) of each call

    def compile_apart(config, theme, compiled, pages):
        if when == "after the graph" and not started:
            pages = 0  # as if the content files were fewer than the pages they make
        found = render.compile_apart(config, theme, compiled, pages)
        started.append((pages, found is not None))
        return found

    monkeypatch.setattr(build_module, "compile_apart", compile_apart)
    past_the_page_workers_threshold(site)
    monkeypatch.setattr(templatecache, "_CODE", {})  # a new process: nothing compiled yet
    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda self, source, *rest, **kw: compiled.append(source) or real(self, source, *rest, **kw))
    out = tmp_path / "a"
    pages = run_build(site, out, now=datetime.fromisoformat(NOW)).pages
    assert pages > 300
    assert tree_bytes(out) == reference(site, tmp_path)
    assert len(templatecache.known()) > 10  # every template's code, here now
    if can_fork():  # (one core, or threads running: no workers, no child; compiled here as before)
        assert (compiled == []) == (child == "compiles")
        content_files = sum(1 for path in (site / "content").rglob("*") if path.is_file())
        assert started == ([(content_files, True)] if when == "with the config" else [(0, False), (pages, True)])


def test_page_store_keeps_identities_not_bytes(site: Path, tmp_path: Path):
    """A command-line build's page cache records what each page was, not its bytes: an unchanged page
    is linked from the last output. Its stores are written in chunks; one cut short is not used."""
    from generator.cache import CHUNK, END, Store
    build(site, tmp_path / "a")
    pages = Store.open(site / CACHE / "pages.pickle", code_version())
    assert pages.data and all(kept is None and isinstance(ident, str) for _, _, ident, _, kept in pages.data.values())
    store = Store(tmp_path / "s.pickle", "v", {n: str(n) for n in range(CHUNK * 2 + 1)}, dirty=True)
    store.used = set(store.data)
    store.save()
    assert Store.open(tmp_path / "s.pickle", "v").data == store.data
    whole = (tmp_path / "s.pickle").read_bytes()
    (tmp_path / "s.pickle").write_bytes(whole[:-len(END)])
    assert Store.open(tmp_path / "s.pickle", "v").data == {}  # the end mark is missing: afresh


def test_pickled_texts_leave_no_utf8_copy_behind():
    """Saving the cache must not grow every body and page it holds by a UTF-8 copy (CPython keeps
    one inside a str once pickle has encoded it): 10k bodies would add 100 MB to the peak."""
    import sys

    from generator.markdown import Rendered
    from generator.models import Body
    body = Body("Hiến máu cứu người — nghĩa cử cao đẹp. " * 200, "content/posts/a.md", 3)
    page = Rendered("<p>Giọt hồng yêu thương</p>" * 200, "Giọt hồng", "<div class=toc></div>", (), (), (("x.md", None),))
    sizes = sys.getsizeof(body.markdown), sys.getsizeof(page.html)
    assert pickle.loads(pickle.dumps(body)) == body and pickle.loads(pickle.dumps(page)) == page
    assert (sys.getsizeof(body.markdown), sys.getsizeof(page.html)) == sizes


def test_rendered_bodies_are_fingerprinted_by_the_digest_made_with_their_html():
    """The HTML of a body is hashed when it is made (on the core that rendered it) and the digest
    travels with it through the cache: page keys fingerprint the body by it instead of its HTML.
    Texts loaded from the cache stay UTF-8 until read, and go back to it unread."""
    from dataclasses import replace

    from generator.graph import PageView
    from generator.markdown import MarkdownRenderer, Rendered, html_digest
    from generator.models import Body

    body = Body("# Tiêu đề\n\nGiọt máu hồng.\n", "content/pages/a.md", 2)
    rendered = MarkdownRenderer(lambda source, target: None).render(body)
    assert rendered.digest == html_digest(rendered.html, rendered.toc)
    again, body_again = pickle.loads(pickle.dumps(rendered)), pickle.loads(pickle.dumps(body))
    assert "html" not in again.__dict__ and "markdown" not in body_again.__dict__  # not decoded yet
    assert pickle.loads(pickle.dumps(again)) == rendered  # saved again unread
    assert again == rendered and again.digest == rendered.digest and again.html == rendered.html
    assert body_again == body and body_again.__dict__["_digest"] == body.digest  # kept, not hashed again
    assert rendered.with_html(rendered.html) is rendered
    changed = rendered.with_html(rendered.html + "<p>thêm</p>")
    assert changed.digest == html_digest(changed.html, changed.toc) != rendered.digest
    made = Rendered("<p>a</p>", "a", "", (), ())  # whoever makes one gets its digest
    assert made.digest == html_digest("<p>a</p>", "") == replace(changed, html="<p>a</p>", toc="").digest

    view = PageView("content/pages/a.md", "A", "/a/", rendered, "Giọt máu hồng.", None, False)
    assert view.html == rendered.html and view.toc == rendered.toc
    unread = pickle.loads(pickle.dumps(rendered))
    assert fingerprint(view, {}) == fingerprint(replace(view, body=unread), {})
    assert "html" not in unread.__dict__  # fingerprinting did not need the HTML
    assert unread.__dict__["_fingerprint"] == rendered.__dict__["_fingerprint"]  # made once, kept in the cache
    assert not unread.has_images() and "html" not in unread.__dict__  # nor does looking for images
    pictured = Rendered('<p><IMG src="/media/a.jpg" alt=""></p>', "", "", (), ())
    assert pictured.has_images() and pickle.loads(pickle.dumps(pictured)).has_images()
    assert fingerprint(view, {}) != fingerprint(replace(view, body=changed), {})


def test_dev_server_builds_through_one_cache_match_fresh_ones(site: Path, tmp_path: Path):
    """The dev server keeps one cache open across edits (pages with their bytes, feeds, calendars):
    after each edit its build holds exactly what a build without any cache makes."""
    from generator.build import build_in_memory
    from generator.urls import BuildOptions
    options, address = BuildOptions(drafts=True, future=True), "http://127.0.0.1:8000/"
    cache = BuildCache.for_site(site)

    def fresh() -> dict:
        return build_in_memory(site, options, address, BuildCache.disabled(), tmp_path)[1]

    build_in_memory(site, options, address, cache, tmp_path)
    post = site / "content" / "posts" / "2023-12-05-a.md"
    event = site / "content" / "events" / "2023-12-05-dot-mot.yaml"
    for path, old, new in ((post, "Nghĩa cử cao đẹp", "Tấm lòng vàng"), (event, "Đợt một", "Đợt đầu tiên"),
                           (post, "Tấm lòng vàng", "Nghĩa cử cao đẹp")):
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        cache.prune()
        built = build_in_memory(site, options, address, cache, tmp_path)[1]
        assert set(built) == set(reference := fresh())
        assert all((built[rel] if isinstance(built[rel], bytes) else built[rel].read_bytes()) ==
                   (reference[rel] if isinstance(reference[rel], bytes) else reference[rel].read_bytes())
                   for rel in built), [rel for rel in built if built[rel] != reference[rel]]
        assert any(new.encode() in data for rel, data in built.items() if rel.endswith((".xml", ".ics"))
                   and isinstance(data, bytes))


def test_unchanged_post_views_are_reused_with_their_fingerprint(site: Path):
    """In a long-lived process (the dev server), an unchanged post's view is the very object of the
    last build, so its fingerprint is not computed again; an edited post gets a new view, and a new
    time zone (same instants, other clocks) shares none."""
    from datetime import datetime

    from generator.build import load_site
    from generator.errors import ErrorCollector
    from generator.urls import BuildOptions

    def posts():
        sites = load_site(site, BuildOptions(), datetime.fromisoformat(NOW), ErrorCollector())[1]
        return {p.source: p for p in sites[0].posts}

    first = posts()
    prints = {source: fingerprint(view, {}) for source, view in first.items()}
    path = site / "content" / "posts" / "2023-12-05-a.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Nghĩa cử cao đẹp", "Tấm lòng vàng"), encoding="utf-8")
    second = posts()
    edited = "content/posts/2023-12-05-a.md"
    assert all(second[s] is first[s] for s in first if s != edited) and second[edited] is not first[edited]
    assert fingerprint(second[edited], {}) != prints[edited]
    assert {s: fingerprint(v, {}) for s, v in second.items() if s != edited} == \
        {s: p for s, p in prints.items() if s != edited}
    config = site / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert "Asia/Ho_Chi_Minh" in text
    config.write_text(text.replace("Asia/Ho_Chi_Minh", "Asia/Bangkok"), encoding="utf-8")
    third = posts()
    assert not any(third[s] is second[s] for s in third)
    # "2023-12-05 09:00" in Bangkok is the very instant it was in Ho Chi Minh City (both UTC+7): an equal
    # datetime, which must not bring back the old view with the old zone
    assert third[edited].date == second[edited].date and str(third[edited].date.tzinfo) == "Asia/Bangkok"


def test_the_page_workers_inherit_every_post_view_hashed(site: Path, tmp_path: Path):
    """PageKeys.prepare hashes every post view before the page workers are forked, in a cold build
    (no page recorded yet) too: they show them in cards and page keys, and a worker hashing an
    inherited view pays for copying every memory page of it that it touches (in a cold build each
    worker hashed most of them)."""
    from generator.build import load_site
    from generator.cache import Store
    from generator.errors import ErrorCollector
    from generator.render import PageKeys
    from generator.theme import Theme
    from generator.urls import BuildOptions

    graph = load_site(site, BuildOptions(), datetime.fromisoformat(NOW), ErrorCollector())[1][0]
    for view in graph.posts:  # (a view kept from a site assembled before in this process keeps its hash)
        view.__dict__.pop("_fingerprint", None)
    keys = PageKeys(graph, Theme.for_site(site))
    keys.prepare(Store(tmp_path / "pages.pickle", code_version()))
    assert graph.posts and all("_fingerprint" in view.__dict__ for view in graph.posts)
    assert all(view.__dict__["_fingerprint"] == fingerprint(view, {}) for view in graph.posts)


@given(value=st.one_of(st.text(max_size=90), st.integers(), st.integers(min_value=10**62, max_value=10**70),
                       st.text(alphabet="ạềữ😀", min_size=10, max_size=70)))
@settings(max_examples=400, deadline=None)
def test_a_text_or_a_number_is_its_own_fingerprint_when_short_and_hashed_when_not(value):
    """cache.fingerprint takes a text or a whole number shorter than 64 bytes in one step, before
    its memo: the same bytes as its general way (_leaf: the value's bytes tagged and length-prefixed,
    or their hash from 64 bytes on), for every length and script; a tuple holding them is hashed
    from their fingerprints."""
    import hashlib

    from generator.cache import _leaf
    data = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else repr(value).encode()
    expected = _leaf(b"s" if isinstance(value, str) else b"v", data)
    assert fingerprint(value, {}) == expected
    assert (len(expected) == len(data) + 2) == (len(data) < 64)
    items = (value, "x", 3, None, True)
    h = hashlib.blake2b(digest_size=16)
    h.update(b"tuple")
    for item in items:
        h.update(fingerprint(item, {}))
    assert fingerprint(items, {}) == b"H" + h.digest()


def test_a_store_grows_by_appending_and_is_rewritten_when_entries_go(tmp_path: Path):
    """Adding one post must not write every model again: what was put is appended (a later entry
    replaces an earlier one); dropping entries, or too many repeats, writes the file afresh; an
    append cut short leaves a file that is not used."""
    from generator.cache import CHUNK, END, Store
    path = tmp_path / "s.pickle"
    store = Store(path, "v")
    for n in range(CHUNK * 2):
        store.put(n, f"model {n}")
    store.save()
    size = path.stat().st_size
    again = Store.open(path, "v")
    for key in again.data:
        again.get(key)
    again.put("new", "post")
    again.put(3, "edited")
    again.save()
    assert size < path.stat().st_size < size + 200  # appended, not rewritten
    loaded = Store.open(path, "v")
    assert loaded.data == {**{n: f"model {n}" for n in range(CHUNK * 2)}, "new": "post", 3: "edited"}
    for key in list(loaded.data)[:-1]:  # "new" is not used by this build: dropped
        loaded.get(key)
    loaded.save()
    assert "new" not in Store.open(path, "v").data and path.stat().st_size < size + 100
    path.write_bytes(path.read_bytes()[:-len(END)] + pickle.dumps({"half": 1}))  # killed while appending
    assert Store.open(path, "v").data == {}


def test_models_keep_their_address_slug_through_the_cache():
    """A model's slug (from 'slug:' or its title) is made once and pickled with it."""
    from dataclasses import replace

    from generator.models import Body, Post

    post = Post(source="content/posts/a.md", title="Hiến máu cứu người – Nghĩa cử cao đẹp",
                date=datetime(2023, 12, 5), body=Body("Nội dung.", "content/posts/a.md", 4))
    assert post.address_slug == "hien-mau-cuu-nguoi-nghia-cu-cao-dep"
    again = pickle.loads(pickle.dumps(post))
    assert again == post and again.__dict__["_address_slug"] == "hien-mau-cuu-nguoi-nghia-cu-cao-dep"
    assert replace(post, slug="Đắk Lắk").address_slug == "dak-lak"  # made again for a changed model


def test_files_the_cache_cannot_vouch_for_are_hashed_where_they_are_parsed(site: Path, tmp_path: Path, monkeypatch):
    """Past 300 files, one whose stat the cache does not know is hashed by the worker that parses it
    (a first build does not read them all in one process first), and a worker that finds its model
    in the cache by that hash does not parse it again."""
    import time

    from generator import content
    from generator.build import build as run_build
    from generator.cache import Store

    for n in range(content.PARALLEL_FROM):
        (site / "content" / "posts" / f"2020-02-01-dem-{n}.md").write_text(
            f"---\ntitle: Bài đệm {n}\ndate: 2020-02-01\n---\nĐoạn văn {n}.\n", encoding="utf-8")
    time.sleep(2.1)  # stats younger than 2 s are not trusted, so not kept
    now = datetime.fromisoformat(NOW)
    first = tmp_path / "first"
    run_build(site, first, now=now)
    files = Store.open(site / CACHE / "files.pickle", code_version())
    assert sum(rel.startswith("content/posts/2020-02-01-dem-") for rel in files.data) == content.PARALLEL_FROM
    (site / CACHE / "files.pickle").unlink()  # the models stay, the hashes that lead to them are gone
    parsed = tmp_path / "parsed"
    parsed.mkdir()
    real = content._post

    @functools.wraps(real)  # (loaders are told apart by name)
    def counted(site_dir, path, *rest):
        (parsed / path.name).touch()  # a file: the workers are other processes
        return real(site_dir, path, *rest)

    monkeypatch.setattr(content, "_post", counted)
    run_build(site, tmp_path / "second", now=now)  # another folder: not up to date, so loaded again
    assert not list(parsed.iterdir())
    assert tree_bytes(tmp_path / "second") == tree_bytes(first)


@pytest.mark.parametrize("mapped", [True, False])
def test_long_texts_are_kept_out_of_the_pickles_and_read_only_when_used(tmp_path: Path, monkeypatch, mapped: bool):
    """A body's Markdown and HTML are written whole beside the pickles (protocol 5, out of band) and
    loaded as views of the store file (mapped where the system allows, read whole on Windows): a
    build that adds one post to 10k does not copy the texts of the others. Read, they are the same
    texts; saved again unread, the file holds the same bytes."""
    import generator.cache as cache
    from generator.markdown import MarkdownRenderer
    from generator.models import Body

    monkeypatch.setattr(cache, "MAPPED", mapped)
    body = Body("Hiến máu cứu người — nghĩa cử cao đẹp.\n\n" * 50, "content/posts/a.md", 3)
    rendered = MarkdownRenderer(lambda source, target: None).render(body)
    path = tmp_path / "s.pickle"
    store = cache.Store(path, "v")
    store.put("body", body)
    store.put("html", rendered)
    store.save()
    raw = path.read_bytes()
    assert body.markdown.encode() in raw and rendered.html.encode() in raw
    loaded = cache.Store.open(path, "v")
    again, html = loaded.data["body"], loaded.data["html"]
    assert isinstance(again.__dict__["_utf8"]["markdown"], memoryview)
    copy = tmp_path / "copy.pickle"
    saved = cache.Store(copy, "v", dict(loaded.data), used=set(loaded.data), dirty=True)
    saved.save()  # unread: written from the views
    assert copy.read_bytes() == raw
    assert again == body and html == rendered and html.html == rendered.html and html.toc == rendered.toc
    assert pickle.loads(pickle.dumps(html)) == rendered and pickle.loads(pickle.dumps(again, protocol=4)) == body


def test_post_cards_are_made_once_and_kept_across_builds(site: Path, tmp_path: Path, monkeypatch):
    """The theme marks each post's card {% cache %} (render.Fragments): a card is made once per build
    whatever number of lists show it (news, topics, section, archive), and a build that adds a post
    makes only that post's cards; the pages are those of a build without the cache."""
    import generator.render as render
    from generator.build import build as run_build

    made: list[tuple[str, int]] = []
    real = render.Fragments.block

    def counting(self, values, recording, autoescape, caller):
        return real(self, values, recording, autoescape, lambda: made.append((values[1].source, values[2])) or caller())

    monkeypatch.setattr(render.Fragments, "block", counting)
    now = datetime.fromisoformat(NOW)
    out = tmp_path / "out"
    run_build(site, out, now=now)
    assert made and len(made) == len(set(made))  # each (post, heading level) once
    assert {level for _, level in made} == {2, 3}  # lists and archive; the home page and drives' related news
    made.clear()
    run_build(site, out, now=now)
    assert made == []
    (site / "content" / "posts" / "2023-11-30-moi.md").write_text(
        "---\ntitle: Tin mới nhất\ndate: 2023-11-30\ntags: [hiến máu]\n---\nMới.\n", encoding="utf-8")
    run_build(site, out, now=now)
    assert made and {source for source, _ in made} == {"content/posts/2023-11-30-moi.md"}
    assert tree_bytes(out) == reference(site, tmp_path)


def test_a_cached_block_follows_what_it_read_of_the_site(site: Path, tmp_path: Path):
    """A {% cache %} block that reads the site graph (here how many drives there are) is made again
    when that part changes, and the pages that hold it with it, as a fresh build makes them."""
    (site / "templates" / "partials").mkdir(parents=True)
    card = (Path(__file__).parents[1] / "templates" / "partials" / "post_card.html").read_text(encoding="utf-8")
    (site / "templates" / "partials" / "post_card.html").write_text(
        card + '<p class="drives">{{ site.events | length }} drives</p>\n', encoding="utf-8")
    out = tmp_path / "out"
    build(site, out)
    assert "4 drives" in (out / "tin-tuc" / "index.html").read_text(encoding="utf-8")
    shutil.copytree(out, tmp_path / "before")
    extra = site / "content" / "events" / "2027-03-01-dot-ba.yaml"
    extra.write_text((site / "content" / "events" / "2027-01-09-dot-hai.yaml").read_text(encoding="utf-8")
                     .replace("2027-01-09", "2027-03-01").replace("Đợt hai sắp tới", "Đợt ba"), encoding="utf-8")
    cached = build(site, out)
    assert "5 drives" in cached["tin-tuc/index.html"].decode("utf-8")
    assert cached == reference(site, tmp_path, tmp_path / "before")


def test_a_store_with_slack_keeps_unused_entries_within_it(tmp_path: Path):
    """The fragment store keeps entries this build did not use (cards of pages taken whole from the
    last build) while it holds at most twice as many as were used, or as the site has pages; past
    that, only the used."""
    from generator.cache import Store
    path = tmp_path / "s.pickle"
    store = Store(path, "v", slack=2)
    for n in range(10):
        store.put(n, str(n))
    store.save()

    def build(used: int, pages: int = 0) -> list:
        again = Store.open(path, "v")
        again.slack, again.floor = 2, pages
        for n in range(used):
            again.get(n)
        again.save()
        return sorted(Store.open(path, "v").data)

    assert build(used=5) == list(range(10))
    assert build(used=0, pages=5) == list(range(10))  # nothing made again: the site's pages still use them
    assert build(used=4, pages=4) == [0, 1, 2, 3]


def test_library_versions_are_those_importlib_metadata_finds(tmp_path: Path, monkeypatch):
    """The cache's version reads the libraries' versions from their .dist-info folders' names (the
    import of importlib.metadata cost more than the whole look-up): the same versions, the first
    folder on sys.path winning, names compared as PEP 503 does, and importlib.metadata's answer for
    a name found no such way."""
    from importlib.metadata import version

    from generator.cache import LIBRARIES, library_versions

    assert library_versions(LIBRARIES) == [version(name) for name in LIBRARIES]
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, names in ((first, ["Some_Lib-2.0.dist-info", "other.lib-1.1.dist-info", "README.txt"]),
                          (second, ["some_lib-1.0.dist-info", "Jinja2-0.1.dist-info"])):
        for name in names:
            (folder / name).mkdir(parents=True)
    monkeypatch.setattr("sys.path", [str(first), str(tmp_path / "gone"), str(second), *__import__("sys").path])
    assert library_versions(("some-lib", "Other_Lib", "jinja2", "markdown", "no-such-library")) == \
        ["2.0", "1.1", "0.1", version("markdown"), "-"]
