"""A site in two languages (tests/sites/bilingual): Vietnamese by default, English below /en/.

Read as a visitor, a crawler and a feed reader would: HTML with a parser, feeds with feedparser,
calendars with icalendar, the sitemap with an XML parser.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import icalendar
import pytest

from conftest import NOW, build_fixture, copy_site, html, run_cli

BASE = "/hien-mau/"
ORIGIN = "https://example.org"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_fixture(tmp_path_factory, "bilingual")


def file_of(out: Path, url: str) -> Path:
    """The output file a site URL ('/hien-mau/en/news/', or absolute) is served from."""
    path = urlsplit(url).path
    assert path.startswith(BASE), url
    rel = path[len(BASE):]
    return out / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


def pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if "pagefind" not in p.parts)


def hreflangs(page: Path) -> dict[str, str]:
    return {link["hreflang"]: link["href"] for link in html(page).select('head link[rel="alternate"][hreflang]')}


def switcher(page: Path) -> list:
    return html(page).select("nav.site-languages a")


# -- each language's pages --------------------------------------------------------------------

def test_each_language_has_its_pages_with_the_right_lang(site: Path):
    expected = {
        "index.html": "vi", "tin-tuc/ngay-hoi-hien-mau-tinh-nguyen/index.html": "vi",
        "tin-tuc/tin-chi-co-tieng-viet/index.html": "vi", "su-kien/ngay-hoi-hien-mau-dau-xuan/index.html": "vi",
        "dieu-kien-hien-mau/index.html": "vi", "vinh-danh/index.html": "vi",
        "en/index.html": "en", "en/news/index.html": "en", "en/news/voluntary-blood-donation-day/index.html": "en",
        "en/news/a-note-for-our-partners/index.html": "en", "en/drives/index.html": "en",
        "en/drives/spring-blood-donation-day/index.html": "en", "en/drives/spring-blood-donation-day/flyer/index.html": "en",
        "en/who-can-donate/index.html": "en", "en/honour-roll/index.html": "en", "en/topics/partners/index.html": "en",
        "en/archive/2024/index.html": "en", "en/404.html": "en", "en/search/index.html": "en",
    }
    for rel, language in expected.items():
        assert html(site / rel).html["lang"] == language, rel
    for page in pages(site):
        rel = page.relative_to(site).as_posix()
        assert html(page).html["lang"] == ("en" if rel.startswith("en/") else "vi"), rel


def test_each_language_lists_only_what_is_written_in_it(site: Path):
    vi_news = [a.get_text(strip=True) for a in html(site / "tin-tuc/index.html").select("main article h2 a, main h3 a")]
    en_news = [a.get_text(strip=True) for a in html(site / "en/news/index.html").select("main article h2 a, main h3 a")]
    assert "Tin chỉ có tiếng Việt" in vi_news and "A note for our partners" not in vi_news
    assert en_news and set(en_news) <= {"A note for our partners", "Voluntary blood donation day"}
    assert not (site / "en/news/tin-chi-co-tieng-viet").exists()
    en_tags = {a.get_text(strip=True) for a in html(site / "en/topics/index.html").select("main a")}
    assert {"Blood donation", "Partners"} <= {t.split("(")[0].strip() for t in en_tags}
    assert not (site / "en/topics/hien-mau").exists() and not (site / "chu-de/partners").exists()


def test_dates_are_written_in_each_language(site: Path):
    vi = html(site / "tin-tuc/ngay-hoi-hien-mau-tinh-nguyen/index.html").select_one("main time").get_text()
    en = html(site / "en/news/voluntary-blood-donation-day/index.html").select_one("main time").get_text()
    assert vi == "Thứ Ba, 05/12/2023"
    assert en == "Tuesday 5 December 2023"
    drive = html(site / "en/drives/spring-blood-donation-day/index.html").select_one("time.big").get_text()
    assert drive == "Saturday 9 January 2027"


def test_numbers_are_written_in_each_language(site: Path):
    """Babel formats numbers per language: a thousands separator is '.' in Vietnamese, ',' in English."""
    from babel.numbers import format_decimal
    assert format_decimal(1200, locale="vi") == "1.200" and format_decimal(1200, locale="en") == "1,200"
    vi_totals = html(site / "index.html").select_one(".totals")
    en_totals = html(site / "en/index.html").select_one(".totals")
    assert vi_totals is not None and en_totals is not None
    assert "200" in vi_totals.get_text() and "200" in en_totals.get_text()


def test_ui_strings_come_from_each_language_catalogue(site: Path):
    vi = html(site / "su-kien/ngay-hoi-hien-mau-dau-xuan/index.html")
    en = html(site / "en/drives/spring-blood-donation-day/index.html")
    assert vi.select_one("a.skip-link").get_text() == "Bỏ qua, đến nội dung chính"
    assert en.select_one("a.skip-link").get_text() == "Skip to content"
    assert en.select_one("nav.site-languages")["aria-label"] == "Languages"
    assert vi.select_one("nav.site-languages")["aria-label"] == "Ngôn ngữ"


def test_menus_titles_and_home_links_are_per_language(site: Path):
    en = html(site / "en/index.html")
    assert en.select_one(".site-title").get_text(strip=True) == "Voluntary blood donation"
    assert [a["href"] for a in en.select("nav.site-nav:not(.site-languages) a")] == ["/hien-mau/en/news/",
                                                                                     "/hien-mau/en/drives/"]
    assert en.select_one(".site-title")["href"] == "/hien-mau/en/"
    assert html(site / "index.html").select_one(".site-title")["href"] == "/hien-mau/"


# -- translations: what they take from the original ------------------------------------------

def test_a_translation_takes_facts_from_its_original(site: Path):
    drive = html(site / "en/drives/spring-blood-donation-day/index.html")
    text = drive.get_text(" ", strip=True)
    assert "07:00–11:00" in text and "Cultural house" in text and "300" in text  # times and target inherited
    assert drive.select_one('a[href="https://example.org/dang-ky"]') is not None  # registration inherited
    post = html(site / "en/news/voluntary-blood-donation-day/index.html")
    assert post.select_one("main time")["datetime"] == "2023-12-05T09:00:00+07:00"  # date inherited
    honour = html(site / "en/honour-roll/index.html").get_text(" ", strip=True)
    assert "Certificates of merit 2023" in honour and "Người Đồng Ý Một (hư cấu)" in honour
    assert "Người Không Đồng Ý" not in honour  # no consent: counted, never named, in every language


def test_links_lead_to_the_translation_in_the_pages_language(site: Path):
    en = html(site / "en/news/voluntary-blood-donation-day/index.html")
    assert en.select_one('main a[href="/hien-mau/en/who-can-donate/"]') is not None
    vi = html(site / "tin-tuc/ngay-hoi-hien-mau-tinh-nguyen/index.html")
    assert vi.select_one('main a[href="/hien-mau/dieu-kien-hien-mau/"]') is not None
    # no English version of 'gioi-thieu': the link from the English page keeps the Vietnamese one
    about = html(site / "en/who-can-donate/index.html")
    assert about.select_one('main a[href="/hien-mau/gioi-thieu/"]') is not None
    # the drive's 'who can donate' button leads to the eligibility page of the drive's language
    drive = html(site / "en/drives/spring-blood-donation-day/index.html")
    assert drive.select_one('a[href="/hien-mau/en/who-can-donate/"]') is not None


# -- language switcher and hreflang -------------------------------------------------------------

def test_switcher_links_resolve_to_the_translation(site: Path):
    checked = 0
    for page in pages(site):
        links = switcher(page)
        assert [a["hreflang"] for a in links] == ["vi", "en"], page
        for link in links:
            target = file_of(site, link["href"])
            assert target.is_file(), (page, link["href"])
            assert html(target).html["lang"] == link["hreflang"]
            if link.get("aria-current"):
                assert target == page or page.name == "404.html"
            elif "title" not in link.attrs:  # a real translation: its switcher leads back here
                back = {a["hreflang"]: a["href"] for a in switcher(target)}
                assert file_of(site, back[html(page).html["lang"]]) == page, (page, target)
                checked += 1
    assert checked >= 20


def test_untranslated_page_offers_the_other_languages_home(site: Path):
    links = {a["hreflang"]: a for a in switcher(site / "tin-tuc/tin-chi-co-tieng-viet/index.html")}
    assert links["en"]["href"] == "/hien-mau/en/"
    assert "title" in links["en"].attrs
    assert not hreflangs(site / "tin-tuc/tin-chi-co-tieng-viet/index.html")  # nothing to pair with


def test_hreflang_pairs_are_symmetric(site: Path):
    pairs = 0
    for page in pages(site):
        alternates = hreflangs(page)
        if not alternates:
            continue
        assert set(alternates) == {"vi", "en", "x-default"}, page
        assert alternates["x-default"] == alternates["vi"]
        own = ORIGIN + BASE + page.relative_to(site).as_posix().removesuffix("index.html")
        assert alternates[html(page).html["lang"]] == own, page  # it lists itself
        for language, url in alternates.items():
            assert hreflangs(file_of(site, url)) == alternates, (page, url)  # and every other lists the same
        pairs += 1
    assert pairs >= 20
    assert not hreflangs(site / "404.html")


def test_sitemap_lists_both_languages_with_the_same_alternates(site: Path):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ET.parse(site / "sitemap.xml").getroot()
    entries = {u.find("s:loc", ns).text: {link.get("hreflang"): link.get("href") for link in u.findall("x:link", ns)}
               for u in root.findall("s:url", ns)}
    assert ORIGIN + "/hien-mau/en/news/voluntary-blood-donation-day/" in entries
    assert ORIGIN + "/hien-mau/tin-tuc/tin-chi-co-tieng-viet/" in entries
    for loc, alternates in entries.items():
        page = file_of(site, loc)
        assert page.is_file(), loc
        head = {k: v for k, v in hreflangs(page).items() if k != "x-default"}
        assert alternates == head, loc
        for url in alternates.values():
            assert entries[url] == alternates  # symmetric in the sitemap too
    assert (site / "robots.txt").read_text().count("Sitemap:") == 1
    assert not (site / "en/sitemap.xml").exists()


# -- feeds and calendars per language -------------------------------------------------------------

def test_feeds_per_language_parse_and_hold_that_language(site: Path):
    for rel, language, titles in [
        ("atom.xml", "vi", {"Tin chỉ có tiếng Việt", "Ngày hội hiến máu tình nguyện"}),
        ("rss.xml", "vi", {"Tin chỉ có tiếng Việt", "Ngày hội hiến máu tình nguyện"}),
        ("en/atom.xml", "en", {"A note for our partners", "Voluntary blood donation day"}),
        ("en/rss.xml", "en", {"A note for our partners", "Voluntary blood donation day"}),
        ("en/topics/partners/atom.xml", "en", {"A note for our partners"}),
    ]:
        feed = feedparser.parse((site / rel).read_bytes())
        assert not feed.bozo, (rel, feed.get("bozo_exception"))
        assert feed.feed.language == language
        assert {e.title for e in feed.entries} == titles, rel
        for entry in feed.entries:
            assert file_of(site, entry.link).is_file()
            assert html(file_of(site, entry.link)).html["lang"] == language
    english = feedparser.parse((site / "en/atom.xml").read_bytes())
    assert english.feed.title == "Voluntary blood donation"
    assert english.feed.link == ORIGIN + "/hien-mau/en/"
    page = html(site / "en/index.html")
    assert page.select_one('link[type="application/atom+xml"]')["href"] == ORIGIN + "/hien-mau/en/atom.xml"


def test_calendars_per_language(site: Path):
    vi = icalendar.Calendar.from_ical((site / "events.ics").read_bytes())
    en = icalendar.Calendar.from_ical((site / "en/events.ics").read_bytes())
    vi_events = {str(e["SUMMARY"]): e for e in vi.walk("VEVENT")}
    en_events = {str(e["SUMMARY"]): e for e in en.walk("VEVENT")}
    assert set(vi_events) == {"Đợt một", "Ngày hội hiến máu đầu xuân"}
    assert set(en_events) == {"Spring blood donation day"}
    spring_vi, spring_en = vi_events["Ngày hội hiến máu đầu xuân"], en_events["Spring blood donation day"]
    assert spring_en.decoded("DTSTART") == spring_vi.decoded("DTSTART")  # the same drive, at the same time
    assert str(spring_en["UID"]) != str(spring_vi["UID"])  # two calendar entries that can live side by side
    assert str(spring_en["LOCATION"]).startswith("Cultural house")
    assert (site / "en/drives/spring-blood-donation-day/spring-blood-donation-day.ics").is_file()
    drive = html(site / "en/drives/spring-blood-donation-day/index.html")
    assert drive.select_one('a[href="webcal://example.org/hien-mau/en/events.ics"]') is not None


def test_campaign_totals_do_not_depend_on_translation(site: Path):
    """The English site has no version of the first drive, but it happened: the totals count it."""
    vi = html(site / "index.html").select_one(".totals").get_text(" ", strip=True)
    en = html(site / "en/index.html").select_one(".totals").get_text(" ", strip=True)
    digits = lambda text: [word for word in text.split() if word.replace(".", "").replace(",", "").isdigit()]
    assert digits(vi) == digits(en) and "200" in digits(en)


def test_search_indexes_each_language(site: Path):
    import json
    entry = json.loads((site / "pagefind/pagefind-entry.json").read_text())
    assert set(entry["languages"]) == {"vi", "en"}


# -- config and content mistakes ---------------------------------------------------------------

@pytest.mark.parametrize("languages, message", [
    ("languages: [vi, xx-nope-nope]", "'{value}' is not a language code"),
    ("languages: [vi, en, en]", "the language '{value}' is listed twice"),
    ("languages: [en, vi]", "the first of 'languages' should be the site language '{language}'"),
    ("languages: {vi: {title: X}, en: {}}", "the default language '{code}' is set by the keys at the top of config.yaml"),
    ("languages: {vi: {}, en: {titel: X}}", "unknown key '{key}'"),
    ("languages: {vi: {}, en: {permalinks: {post: 'news/{slug}/'}}}", "the permalink for '{kind}' cannot be '{value}'"),
])
def test_language_settings_mistakes_are_located(tmp_path: Path, languages: str, message: str):
    from generator.i18n import tool_messages
    site = copy_site("bilingual", tmp_path)
    config = (site / "config.yaml").read_text(encoding="utf-8")
    config = config[: config.index("\nlanguages:") + 1] + languages + "\n"
    (site / "config.yaml").write_text(config, encoding="utf-8")
    result = run_cli("check", "--site", site, "--now", NOW)
    assert result.code == 1
    line = next(n for n, text in enumerate(config.splitlines(), 1) if text.startswith("languages:"))
    assert f"config.yaml:{line}:" in result.stderr
    said = tool_messages("vi").gettext(message)  # the site's language is Vietnamese
    assert said != message and said.split("{")[0] in result.stderr, result.stderr


def test_second_language_without_a_menu_is_warned(tmp_path: Path):
    site = copy_site("bilingual", tmp_path)
    config = (site / "config.yaml").read_text(encoding="utf-8")
    (site / "config.yaml").write_text(config[: config.index("\nlanguages:") + 1] + "languages: [vi, en]\n", encoding="utf-8")
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 0, result.stderr
    assert "'en'" in result.stderr and "menu" in result.stderr


def test_a_translation_without_original_must_be_complete(tmp_path: Path):
    site = copy_site("bilingual", tmp_path)
    (site / "content/posts/2025-01-01-solo.en.md").write_text("---\ntitle: Alone\n---\nNo original.\n", encoding="utf-8")
    (site / "content/events/2027-05-01-solo.en.yaml").write_text("title: Alone\n", encoding="utf-8")
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 1
    assert "content/posts/2025-01-01-solo.en.md:2:1:" in result.stderr and "'date'" in result.stderr
    assert "content/events/2027-05-01-solo.en.yaml:1:1:" in result.stderr and "'start'" in result.stderr


def test_a_translation_cannot_end_its_drive_before_it_starts(tmp_path: Path):
    site = copy_site("bilingual", tmp_path)
    path = site / "content/events/2027-01-09-dot-xuan.en.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "end: 2027-01-09 06:00\n", encoding="utf-8")
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 1
    assert "content/events/2027-01-09-dot-xuan.en.yaml" in result.stderr
    assert "2027-01-09-dot-xuan.yaml" in result.stderr  # the hint names the original too


def test_same_slug_in_two_languages_is_fine_but_not_twice_in_one(tmp_path: Path):
    site = copy_site("bilingual", tmp_path)
    (site / "content/posts/2023-12-11-two.en.md").write_text(
        "---\ntitle: A note for our partners\ndate: 2023-12-11\n---\nSame title.\n", encoding="utf-8")
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 1
    assert "content/posts/2024-01-02-english-only.en.md:2:1:" in result.stderr  # the second to claim it
    assert "a-note-for-our-partners" in result.stderr and "content/posts/2023-12-11-two.en.md" in result.stderr


def test_a_file_named_like_a_translation_is_a_post_on_a_one_language_site(tmp_path: Path):
    site = copy_site("full", tmp_path)
    (site / "content/posts/2023-12-07-notes.en.md").write_text(
        "---\ntitle: Ghi chú\ndate: 2023-12-07\n---\nVăn bản.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", "--site", site, "--output", out, "--now", NOW)
    assert result.code == 0, result.stderr
    assert (out / "tin-tuc/ghi-chu/index.html").is_file()
    assert not (out / "en").exists()


def test_cached_rebuild_of_two_languages_is_byte_identical(tmp_path: Path):
    from conftest import tree_bytes
    site = copy_site("bilingual", tmp_path)
    first, second, cold = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out in (first, second):
        assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    assert run_cli("build", "--site", site, "--output", cold, "--now", NOW, "--no-cache").code == 0
    assert tree_bytes(first) == tree_bytes(second) == tree_bytes(cold)


def test_a_suffix_that_is_not_a_second_language_is_warned(tmp_path: Path):
    site = copy_site("bilingual", tmp_path)
    (site / "content/pages/gioi-thieu.fr.md").write_text("---\ntitle: À propos\n---\nTexte.\n", encoding="utf-8")
    (site / "content/pages/lien-he.vi.md").write_text("---\ntitle: Liên hệ\n---\nVăn bản.\n", encoding="utf-8")
    result = run_cli("check", "--site", site, "--now", NOW, "--format", "json")
    import json
    problems = {p["path"]: p for p in json.loads(result.stdout)}
    assert problems["content/pages/gioi-thieu.fr.md"]["severity"] == "warning"
    assert "'fr'" in problems["content/pages/gioi-thieu.fr.md"]["message"]
    assert problems["content/pages/lien-he.vi.md"]["severity"] == "warning"


# -- outreach new ... --translation-of -----------------------------------------------------------

def test_new_translation_of_a_page_is_a_draft_holding_the_original_text(tmp_path: Path):
    site = copy_site("bilingual", tmp_path)
    (site / "content/pages/dieu-kien.en.md").unlink()
    result = run_cli("new", "page", "Who can donate", "--translation-of", "content/pages/dieu-kien.md", "--site", site)
    assert result.code == 0, result.stderr
    made = site / "content/pages/dieu-kien.en.md"
    text = made.read_text(encoding="utf-8")
    assert 'title: "Who can donate"' in text and "draft: true" in text and "Từ 18 đến 60 tuổi" in text
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    assert not (out / "en/who-can-donate").exists()  # a draft until the line is deleted
    made.write_text(text.replace("draft: true", "# draft removed"), encoding="utf-8")
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    page = html(out / "en/who-can-donate/index.html")
    assert page.html["lang"] == "en"
    # the eligibility flag came from the original: drives link to this page
    drive = html(out / "en/drives/spring-blood-donation-day/index.html")
    assert drive.select_one('a[href="/hien-mau/en/who-can-donate/"]') is not None
    again = run_cli("new", "page", "Who can donate", "--translation-of", "content/pages/dieu-kien.md", "--site", site)
    assert again.code == 1 and "dieu-kien.en.md" in again.stderr  # never overwrites


def test_new_translation_of_a_drive_marks_what_to_translate(tmp_path: Path):
    site = copy_site("bilingual", tmp_path)
    result = run_cli("new", "event", "First drive", "--translation-of", "content/events/2023-12-05-dot-mot.yaml",
                     "--site", site)
    assert result.code == 0, result.stderr
    text = (site / "content/events/2023-12-05-dot-mot.en.yaml").read_text(encoding="utf-8")
    assert "TO FILL IN: Hội trường Công an tỉnh" in text and "Đợt đầu tiên." in text
    build = run_cli("build", "--site", site, "--output", tmp_path / "out", "--now", NOW)
    assert build.code == 0, build.stderr
    assert "2023-12-05-dot-mot.en.yaml:" in build.stderr and "TO FILL IN" in build.stderr
    assert (tmp_path / "out/en/drives/first-drive/index.html").is_file()  # times and results from the original


@pytest.mark.parametrize("args, code", [
    (["--translation-of", "content/pages/gioi-thieu.md", "--lang", "fr"], 2),  # not a language of the site
    (["--translation-of", "content/posts/2023-12-10-chi-tieng-viet.md"], 2),  # a post given as a page
    (["--lang", "en"], 2),  # nothing to translate
    (["--translation-of", "content/pages/dieu-kien.en.md"], 2),  # a translation, not an original
])
def test_new_translation_mistakes(tmp_path: Path, args: list, code: int):
    site = copy_site("bilingual", tmp_path)
    result = run_cli("new", "page", "About", *args, "--site", site)
    assert result.code == code, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip()
    assert not (site / "content/pages/gioi-thieu.fr.md").exists()


def test_new_translation_on_a_one_language_site(tmp_path: Path):
    site = copy_site("full", tmp_path)
    result = run_cli("new", "page", "About", "--translation-of", "content/pages/gioi-thieu.md", "--site", site)
    assert result.code == 1 and "languages" in result.stderr


def test_a_cached_rebuild_follows_an_edit_of_the_original_into_its_translation(tmp_path: Path):
    from conftest import tree_bytes
    site = copy_site("bilingual", tmp_path)
    out, cold = tmp_path / "out", tmp_path / "cold"
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    original = site / "content/events/2027-01-09-dot-xuan.yaml"
    original.write_text(original.read_text(encoding="utf-8").replace("start: 2027-01-09 07:00", "start: 2027-01-09 08:15"),
                        encoding="utf-8")
    (site / "content/pages/gioi-thieu.en.md").write_text("---\ntitle: About us\n---\nWho we are.\n", encoding="utf-8")
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    assert "08:15–11:00" in html(out / "en/drives/spring-blood-donation-day/index.html").get_text()
    # the new translation: the English page that linked to the Vietnamese one now links to it
    assert html(out / "en/who-can-donate/index.html").select_one('main a[href="/hien-mau/en/about-us/"]') is not None
    assert run_cli("build", "--site", site, "--output", cold, "--now", NOW, "--no-cache").code == 0
    cached, fresh = tree_bytes(out), tree_bytes(cold)
    calendars = {rel for rel in cached if rel.endswith(".ics")}
    assert {rel: data for rel, data in cached.items() if rel not in calendars} == \
        {rel: data for rel, data in fresh.items() if rel not in calendars}
    # calendars differ only in SEQUENCE: the drive changed since the last build in this folder
    spring = [e for e in icalendar.Calendar.from_ical(cached["en/events.ics"]).walk("VEVENT")][0]
    assert spring["SEQUENCE"] == 1
    assert [e["SEQUENCE"] for e in icalendar.Calendar.from_ical(fresh["en/events.ics"]).walk("VEVENT")] == [0]


# -- catalogues ---------------------------------------------------------------------------------

@pytest.mark.parametrize("config, folder, domain, keywords", [
    ("babel-theme.cfg", "templates/locale", "theme", []),
    ("babel-tool.cfg", "generator/locale", "outreach", ["-k", "N_", "-k", "Msg", "-k", "gettext", "-k", "translate"]),
])
def test_catalogues_cover_every_message_in_both_languages(tmp_path: Path, config, folder, domain, keywords):
    """What `make messages` extracts now is in the Vietnamese catalogue, translated, and in the English one."""
    from babel.messages.frontend import CommandLineInterface
    from babel.messages.pofile import read_po
    from conftest import ROOT
    pot = tmp_path / f"{domain}.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / config), *keywords, "-o", str(pot),
                                str(ROOT)])
    with pot.open("rb") as fp:
        wanted = {m.id for m in read_po(fp) if m.id}
    assert len(wanted) > 50
    for language in ("vi", "en"):
        with (ROOT / folder / language / "LC_MESSAGES" / f"{domain}.po").open("rb") as fp:
            catalogue = read_po(fp, locale=language)
        have = {m.id for m in catalogue if m.id}
        assert wanted <= have, f"run `make messages`: {sorted(wanted - have)[:5]}"
        if language == "vi":
            untranslated = sorted(m.id for m in catalogue if m.id in wanted and (not m.string or m.fuzzy))
            assert not untranslated, f"translate in {folder}/vi: {untranslated[:5]}"


def test_words_shown_untranslated_are_marked_with_their_language(site: Path):
    """The English honour roll also lists a Vietnamese-only list; an English post links to a drive
    that has no English page: those words carry lang="vi" so screen readers pronounce them right."""
    honour = html(site / "en/honour-roll/index.html")
    untranslated = next(h for h in honour.select("h3") if "Bằng khen 2024" in h.get_text())
    assert untranslated.get("lang") == "vi"
    assert untranslated.find_next("p", class_="meta").select_one('span[lang="vi"]').get_text() == "Bằng khen"
    translated = next(h for h in honour.select("h3") if "Certificates of merit 2023" in h.get_text())
    assert translated.get("lang") is None
    post = html(site / "en/news/a-note-for-our-partners/index.html")
    link = post.select_one('main a[href="/hien-mau/su-kien/dot-mot/"]')
    assert link is not None and link["lang"] == "vi" and link.get_text() == "Đợt một"
    assert html(site / "vinh-danh/index.html").select("main [lang]") == []  # on its own language's page: nothing


def test_new_translation_of_a_file_that_is_not_utf8(tmp_path: Path):
    site = copy_site("bilingual", tmp_path)
    (site / "content/pages/cu.md").write_bytes(b"---\ntitle: Caf\xe9\n---\nLatin-1, not UTF-8.\n")
    result = run_cli("new", "page", "Old", "--translation-of", "content/pages/cu.md", "--site", site)
    assert result.code == 1 and "content/pages/cu.md" in result.stderr and "Traceback" not in result.stderr
    assert not (site / "content/pages/cu.en.md").exists()


def test_a_translation_that_disagrees_with_its_original_about_a_fact_is_warned(tmp_path: Path):
    import json
    site = copy_site("bilingual", tmp_path)
    drive = site / "content/events/2027-01-09-dot-xuan.en.yaml"
    drive.write_text(drive.read_text(encoding="utf-8") + "target_units: 500\nstart: 2027-01-09 07:00\n",
                     encoding="utf-8")
    honour = site / "content/donors/2023-giay-khen.en.yaml"
    honour.write_text(honour.read_text(encoding="utf-8") + "people:\n  - {name: \"Người Không Đồng Ý\", "
                      "unit: \"Đơn vị C\", donations: 31, consent: true}\n", encoding="utf-8")
    result = run_cli("check", "--site", site, "--now", NOW, "--format", "json")
    warned = {(p["path"], p["message"].split("'")[1]) for p in json.loads(result.stdout) if p["severity"] == "warning"}
    assert ("content/events/2027-01-09-dot-xuan.en.yaml", "target_units") in warned
    assert ("content/donors/2023-giay-khen.en.yaml", "people") in warned
    assert ("content/events/2027-01-09-dot-xuan.en.yaml", "start") not in warned  # the same value: fine
