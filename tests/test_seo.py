"""Sitemap, robots.txt, canonical links, OpenGraph/Twitter tags and schema.org JSON-LD."""
from __future__ import annotations

import json
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import NOW, ROOT, copy_site, html, run_cli

BASE = "https://example.org/hien-mau/"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HOSTILE = "</script><script>alert(1)</script> & <b>"


def local_file(out: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    rel = url[len(BASE):]
    return out / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


def page_url(out: Path, page: Path) -> str:
    rel = page.relative_to(out).as_posix()
    return BASE + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def json_ld(soup) -> dict[str, dict]:
    blocks = [json.loads(s.string) for s in soup.find_all("script", type="application/ld+json")]
    return {b["@type"]: b for b in blocks}


def og(soup) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for meta in soup.find_all("meta"):
        key = meta.get("property") or meta.get("name")
        if key and key.startswith(("og:", "twitter:", "article:")):
            tags.setdefault(key, []).append(meta["content"])
    return tags


def test_sitemap_lists_every_published_page_and_nothing_else(full_build: Path):
    root = ET.parse(full_build / "sitemap.xml").getroot()
    entries = {u.find(SM + "loc").text: u.findtext(SM + "lastmod") for u in root.findall(SM + "url")}
    for url in entries:
        assert local_file(full_build, url).is_file(), url
    pages = {page_url(full_build, p) for p in full_build.rglob("*.html") if p.name != "404.html"}
    assert set(entries) == pages
    assert entries[BASE + "tin-tuc/bai-thu-tu/"] == "2024-03-02T10:00:00+07:00"  # updated wins over date
    assert entries[BASE + "tin-tuc/dak-lak-huong-ung/"] == "2022-06-14T00:00:00+07:00"
    assert entries[BASE] == "2024-03-02T10:00:00+07:00"  # a list changes with its newest post
    robots = (full_build / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {BASE}sitemap.xml" in robots.splitlines()


def test_every_page_has_its_canonical_address(full_build: Path):
    for page in full_build.rglob("*.html"):
        links = html(page).head.find_all("link", rel="canonical")
        if page.name == "404.html":
            assert links == []  # served at any address: it has no address of its own
            continue
        assert [link["href"] for link in links] == [page_url(full_build, page)], page


def test_opengraph_and_twitter_tags_are_absolute(full_build: Path):
    for page in full_build.rglob("*.html"):
        tags = og(html(page))
        assert tags["og:locale"] == ["vi_VN"]
        for key in ("og:url", "og:image", "twitter:image"):
            for value in tags.get(key, []):
                assert value.startswith("https://example.org/"), (page, key, value)
                assert local_file(full_build, value).is_file(), (page, key, value)
        assert tags["og:image"] and tags["og:title"] and tags["twitter:card"]
    home = og(html(full_build / "index.html"))
    assert home["og:type"] == ["website"] and home["og:url"] == [BASE]
    assert home["og:image"] == [BASE + "static/share.png"]  # the theme's default picture
    assert home["og:image:width"] == ["1200"] and home["og:image:height"] == ["630"]
    data = (full_build / "static/share.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (1200, 630)
    post = og(html(full_build / "tin-tuc/bai-thu-tu/index.html"))
    assert post["og:type"] == ["article"] and post["og:title"] == ["Bài thứ tư"]
    assert post["article:published_time"] == ["2024-03-01T08:00:00+07:00"]
    assert post["og:description"] == ["Nội dung bài bốn."]


def test_news_article_json_ld(full_build: Path):
    data = json_ld(html(full_build / "tin-tuc/bai-thu-tu/index.html"))
    article = data["NewsArticle"]
    assert article["@context"] == "https://schema.org"
    assert article["headline"] == "Bài thứ tư"
    assert article["datePublished"] == "2024-03-01T08:00:00+07:00"
    assert article["dateModified"] == "2024-03-02T10:00:00+07:00"
    assert article["image"] == [BASE + "static/share.png"]
    assert article["author"]["name"] and article["publisher"]["name"] == "Ban tổ chức thử nghiệm"
    crumbs = data["BreadcrumbList"]["itemListElement"]
    assert [c["position"] for c in crumbs] == [1, 2, 3]
    assert [c["item"] for c in crumbs] == [BASE, BASE + "tin-tuc/", BASE + "tin-tuc/bai-thu-tu/"]
    assert crumbs[1]["name"] == "Tin tức"
    with_image = json_ld(html(full_build / "tin-tuc/hien-mau-cuu-nguoi-nghia-cu-cao-dep/index.html"))
    assert with_image["NewsArticle"]["image"][0] == BASE + "media/anh.gif"


def test_event_json_ld(full_build: Path):
    event = json_ld(html(full_build / "su-kien/dot-hai-sap-toi/index.html"))["Event"]
    assert event["name"] == "Đợt hai sắp tới"
    assert event["startDate"] == "2027-01-09T07:00:00+07:00" and event["endDate"] == "2027-01-09T11:00:00+07:00"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert event["location"] == {"@type": "Place", "name": "Nhà văn hoá", "hasMap": "https://www.openstreetmap.org/",
                                 "address": {"@type": "PostalAddress", "streetAddress": "Số 3", "addressCountry": "VN"}}
    assert event["organizer"][0]["@type"] == "Organization"
    assert event["url"] == BASE + "su-kien/dot-hai-sap-toi/"
    assert event["offers"]["url"] == "https://example.org/dang-ky" and event["offers"]["priceCurrency"] == "VND"
    cancelled = json_ld(html(full_build / "su-kien/dot-bi-huy/index.html"))["Event"]
    assert cancelled["eventStatus"] == "https://schema.org/EventCancelled"


def test_home_page_describes_the_organisation(full_build: Path):
    data = json_ld(html(full_build / "index.html"))
    org = data["Organization"]
    assert org["name"] == "Ban tổ chức thử nghiệm" and org["url"] == BASE
    assert org["email"] == "test@example.org" and org["telephone"] == "0900 000 000"


def test_content_cannot_break_out_of_json_ld(tmp_path: Path):
    site = copy_site("full", tmp_path)
    (site / "content/posts/2024-04-01-hostile.md").write_text(
        f'---\ntitle: "{HOSTILE}"\ndate: 2024-04-01 08:00\nslug: hostile\nsummary: "{HOSTILE}"\n---\nBody.\n',
        encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", "--site", site, "--output", out, "--now", NOW)
    assert result.code == 0, result.stderr
    raw = (out / "tin-tuc/hostile/index.html").read_text(encoding="utf-8")
    soup = html(out / "tin-tuc/hostile/index.html")
    scripts = soup.find_all("script")
    assert all(s.get("type") == "application/ld+json" for s in scripts)  # nothing injected
    article = json_ld(soup)["NewsArticle"]
    assert article["headline"] == HOSTILE and article["description"] == HOSTILE
    assert "<script>alert" not in raw  # escaped everywhere: in the title, the meta tags and the JSON
    assert og(soup)["og:title"] == [HOSTILE]


def test_example_site_machine_outputs(tmp_path: Path):
    """The example site (repository root): every feed, calendar, sitemap URL and JSON-LD block is sound."""
    import feedparser
    import icalendar

    out = tmp_path / "out"
    result = run_cli("build", "--output", out, "--now", "2026-11-25T10:00:00+07:00", cwd=ROOT)
    assert result.code == 0, result.stderr
    base = "https://hienmau.example.vn/"
    feeds = [p for p in out.rglob("*.xml") if p.name in ("atom.xml", "rss.xml")]
    assert len(feeds) >= 4
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert feed.bozo == 0 and feed.entries, path
        dates = [e.published_parsed for e in feed.entries]
        assert dates == sorted(dates, reverse=True), path
    calendars = {p.relative_to(out).as_posix(): icalendar.Calendar.from_ical(p.read_bytes()) for p in out.rglob("*.ics")}
    assert len(calendars) == 7  # events.ics and one per drive, and the same for the English drives
    assert {"events.ics", "en/events.ics"} <= set(calendars)
    postponed = [e for e in calendars["events.ics"].walk("VEVENT") if "thang-thanh-nien" in str(e["UID"])][0]
    assert str(postponed["STATUS"]) == "TENTATIVE"
    assert postponed.decoded("DTSTART").isoformat() == "2027-03-26T07:30:00+07:00"
    root = ET.parse(out / "sitemap.xml").getroot()
    for loc in root.iter(SM + "loc"):
        rel = loc.text[len(base):]
        assert loc.text.startswith(base) and (out / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)).is_file()
    for page in out.rglob("*.html"):
        for block in html(page).find_all("script", type="application/ld+json"):
            assert json.loads(block.string)["@context"] == "https://schema.org"
    event = json_ld(html(out / "su-kien/hien-mau-thang-thanh-nien-2027-minh-hoa/index.html"))["Event"]
    assert event["eventStatus"] == "https://schema.org/EventPostponed"


def test_tag_helpers_write_what_a_loop_over_their_lists_writes(tmp_path: Path):
    """meta.opengraph_tags and meta.feed_link_tags (what partials/head_meta.html calls) give, for
    every page, what a template looping over meta.opengraph and meta.feed_links writes (a site in
    one language and one in two, whose pages name their versions), with descriptions that must be
    escaped: a theme that formats the tags itself gets the same head."""
    from datetime import datetime

    from generator.build import load_site
    from generator.errors import ErrorCollector
    from generator.urls import BuildOptions

    templates = set()
    for name in ("full", "bilingual"):
        site_dir = copy_site(name, tmp_path)
        sites = load_site(site_dir, BuildOptions(), datetime.fromisoformat(NOW), ErrorCollector())[1]
        templates |= _compare_tag_helpers(site_dir, sites)
    assert {"post.html", "tag.html", "event.html", "news.html", "home.html"} <= templates


def _compare_tag_helpers(site_dir: Path, sites) -> set[str]:
    import jinja2

    from generator.seo import Metadata
    from generator.theme import Theme

    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    loops = env.from_string(
        "{% for feed in meta.feed_links(output) %}\n"
        '<link rel="alternate" type="{{ feed.type }}" title="{{ feed.title }}" href="{{ feed.href }}">\n'
        "{% endfor %}\n"
        "{% for attribute, name, content in meta.opengraph(output, description) %}\n"
        '<meta {{ attribute }}="{{ name }}" content="{{ content }}">\n'
        "{% endfor %}\n")
    helpers = env.from_string("{{ meta.feed_link_tags(output) }}{{ meta.opengraph_tags(output, description) }}")
    templates = set()
    for site in sites:
        meta = Metadata(site, Theme.for_site(site_dir).static_files())
        for output in site.outputs:
            for description in ("", HOSTILE, "Mô tả \"ngắn\" & <gọn>", "Tin 'nóng' > tin cũ"):
                expected = loops.render(meta=meta, output=output, description=description)
                assert helpers.render(meta=meta, output=output, description=description) == expected, output.path
            templates.add(output.template)
    return templates


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_attribute_text_escapes_as_autoescaping_does(text: str):
    """opengraph_tags escapes its contents with attribute_text, not markupsafe (for speed): the same
    bytes for any text, and a Markup value is not escaped twice."""
    from markupsafe import Markup, escape

    from generator.seo import attribute_text

    assert attribute_text(text) == str(escape(text))
    assert attribute_text(Markup(text)) == str(escape(Markup(text))) == text


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.characters(blacklist_categories=["Cs"])),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(_JSON_VALUES | st.sampled_from(["</script><script>", "a\u2028b\u2029c", "x & y > z"]))
def test_json_for_script_is_the_json_with_nothing_that_ends_a_script(value):
    """What the JSON-LD blocks are written with: it reads back as the value, holds no character that
    could end the <script> or a line in it, and is the text the former json.dumps-then-replace gave."""
    from generator.seo import json_for_script

    text = str(json_for_script(value))
    assert json.loads(text) == value
    assert not set(text) & set("<>&\u2028\u2029")
    former = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"),
                          ("\u2029", "\\u2029")):
        former = former.replace(char, escaped)
    assert text == former
