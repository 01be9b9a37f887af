"""Atom and RSS feeds, read with feedparser (what many feed readers and aggregators use)."""
from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from conftest import NOW, SITES, copy_site, html, run_cli

BASE = "https://example.org/hien-mau/"
# the full fixture's published posts, newest first (drafts and 2030 posts stay out)
NEWEST_FIRST = ["2024-03-01-d.md", "2023-12-05-a.md", "2023-01-02-c.md", "2022-06-14-b.md"]


def entry_id(name: str) -> str:
    return f"tag:example.org,{name[:10]}:/hien-mau/posts/{name}"


def parse(path: Path):
    feed = feedparser.parse(path.read_bytes())
    assert feed.bozo == 0, getattr(feed, "bozo_exception", None)
    return feed


def local_file(out: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    rel = url[len(BASE):]
    return out / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


@pytest.mark.parametrize("name, version", [("atom.xml", "atom10"), ("rss.xml", "rss20")])
def test_news_feeds_parse_newest_first_with_local_offsets(full_build: Path, name: str, version: str):
    feed = parse(full_build / name)
    assert feed.version == version
    assert feed.feed.title == "Thử nghiệm"
    assert [e.id for e in feed.entries] == [entry_id(n) for n in NEWEST_FIRST]
    first = feed.entries[0]
    assert first.title == "Bài thứ tư"
    assert first.link == BASE + "tin-tuc/bai-thu-tu/"
    if version == "atom10":
        assert first.published == "2024-03-01T08:00:00+07:00"
        assert first.updated == "2024-03-02T10:00:00+07:00"
        assert feed.feed.updated == "2024-03-02T10:00:00+07:00"  # the newest change, not the build time
        assert [link.href for link in feed.feed.links if link.rel == "self"] == [BASE + "atom.xml"]
    else:
        assert first.published == "Fri, 01 Mar 2024 08:00:00 +0700"
        assert feed.feed.updated == "Sat, 02 Mar 2024 10:00:00 +0700"
        assert first.guidislink is False
    for entry in feed.entries:
        assert entry.link.startswith(BASE) and local_file(full_build, entry.link).is_file()
        assert entry.summary  # summaries by default (full_content: false)
        assert "content" not in entry
    assert {t.term for t in feed.entries[1].tags} == {"hiến máu", "tình nguyện"}


def test_tag_feeds_hold_only_their_posts(full_build: Path):
    atom = parse(full_build / "chu-de/hien-mau/atom.xml")
    rss = parse(full_build / "chu-de/hien-mau/rss.xml")
    expected = [entry_id("2023-12-05-a.md"), entry_id("2022-06-14-b.md")]
    assert [e.id for e in atom.entries] == expected
    assert [e.id for e in rss.entries] == expected
    assert atom.feed.link == BASE + "chu-de/hien-mau/"


def test_every_page_links_to_the_feeds_that_exist(full_build: Path):
    for page in full_build.rglob("*.html"):
        head = html(page).head
        types = {}
        for link in head.find_all("link", rel="alternate"):
            assert link["href"].startswith(BASE)
            assert local_file(full_build, link["href"]).is_file(), (page, link["href"])
            types.setdefault(link["type"], []).append(link["href"])
        assert BASE + "atom.xml" in types["application/atom+xml"], page
        assert BASE + "rss.xml" in types["application/rss+xml"], page
    tag_page = html(full_build / "chu-de/hien-mau/index.html").head
    assert tag_page.find("link", href=BASE + "chu-de/hien-mau/atom.xml")


def test_length_and_full_content_follow_config(tmp_path: Path):
    site = copy_site("full", tmp_path)
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "feeds: {items: 2, full_content: true}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", "--site", site, "--output", out, "--now", NOW)
    assert result.code == 0, result.stderr
    feed = parse(out / "atom.xml")
    assert [e.id for e in feed.entries] == [entry_id(n) for n in NEWEST_FIRST[:2]]
    body = feed.entries[1].content[0].value
    # links inside the post are absolute, so they work in a feed reader
    assert f'href="{BASE}dieu-kien-hien-mau/#dieu-kien-co-ban"' in body
    assert 'href="/' not in body and 'src="/' not in body
    assert "<script" not in body  # the sanitised HTML, as on the page
    assert parse(out / "rss.xml").entries[1].content[0].value == body


def test_entry_ids_survive_a_title_edit(tmp_path: Path):
    site = copy_site("full", tmp_path)
    before, after = tmp_path / "before", tmp_path / "after"
    assert run_cli("build", "--site", site, "--output", before, "--now", NOW).code == 0
    post = site / "content/posts/2023-12-05-a.md"
    post.write_text(post.read_text(encoding="utf-8").replace("Hiến máu cứu người – Nghĩa cử cao đẹp",
                                                             "Tiêu đề đã sửa"), encoding="utf-8")
    assert run_cli("build", "--site", site, "--output", after, "--now", NOW).code == 0
    for name in ("atom.xml", "rss.xml"):
        old, new = parse(before / name), parse(after / name)
        assert [e.id for e in old.entries] == [e.id for e in new.entries]
        assert new.entries[1].title == "Tiêu đề đã sửa" and new.entries[1].link != old.entries[1].link


def test_feeds_do_not_depend_on_the_clock(tmp_path: Path):
    """Two build moments that publish the same posts give the same feed bytes."""
    first, second = tmp_path / "a", tmp_path / "b"
    assert run_cli("build", "--site", SITES / "full", "--output", first, "--now", NOW).code == 0
    assert run_cli("build", "--site", SITES / "full", "--output", second, "--now", "2026-06-30T23:00:00+07:00").code == 0
    for name in ("atom.xml", "rss.xml", "chu-de/hien-mau/atom.xml"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
