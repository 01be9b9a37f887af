"""Building the 'full' fixture through the CLI and reading every page with an HTML parser."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from conftest import NOW, SITES, html, leftovers, run_cli, tree_bytes

BASE = "/hien-mau/"  # the fixture's base_url has a path: every link must carry it


def pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_every_page_type_is_written(full_build: Path):
    expected = [
        "index.html", "404.html", "tin-tuc/index.html", "tin-tuc/trang/2/index.html",
        "tin-tuc/hien-mau-cuu-nguoi-nghia-cu-cao-dep/index.html", "chu-de/hien-mau/index.html", "chu-de/index.html",
        "chuyen-muc/tin-hoat-dong/index.html", "chuyen-muc/index.html", "luu-tru/index.html",
        "luu-tru/2023/index.html", "su-kien/index.html", "su-kien/dot-mot/index.html", "vinh-danh/index.html",
        "dieu-kien-hien-mau/index.html", "gioi-thieu/index.html", "media/anh.gif",
    ]
    for rel in expected:
        assert (full_build / rel).is_file(), rel


def test_pages_are_html_with_language_and_title(full_build: Path):
    for page in pages(full_build):
        doc = html(page)
        assert doc.html["lang"] == "vi", page
        assert doc.title and doc.title.string.strip(), page
        assert len(doc.find_all("h1")) == 1, page
        assert doc.find("main"), page


def test_every_internal_link_resolves(full_build: Path):
    checked = 0
    for page in pages(full_build):
        for tag, attr in (("a", "href"), ("link", "href"), ("img", "src")):
            for element in html(page).find_all(tag):
                url = urlsplit(element.get(attr, ""))
                if url.scheme or url.netloc or not url.path:
                    continue
                assert url.path.startswith(BASE), f"{page}: {url.path} lacks the base path"
                rel = url.path[len(BASE):]
                target = full_build / rel
                if rel == "" or rel.endswith("/"):
                    target = target / "index.html"
                assert target.is_file(), f"{page.relative_to(full_build)} links to missing {url.path}"
                if url.fragment and target.suffix == ".html":
                    assert html(target).find(id=url.fragment), f"{url.path}#{url.fragment} has no such anchor"
                checked += 1
    assert checked > 100


def test_slugs_transliterate_vietnamese(full_build: Path):
    assert (full_build / "tin-tuc/hien-mau-cuu-nguoi-nghia-cu-cao-dep/index.html").is_file()
    assert (full_build / "tin-tuc/dak-lak-huong-ung/index.html").is_file()
    assert (full_build / "tin-tuc/bai-rieng/index.html").is_file()  # slug: override
    assert (full_build / "chuyen-muc/tin-hoat-dong/index.html").is_file()
    # 'Hiến máu' and 'hiến máu' are one tag
    tag = html(full_build / "chu-de/hien-mau/index.html")
    titles = [a.get_text() for a in tag.select(".card-title a")]
    assert "Đắk Lắk hưởng ứng" in titles and "Hiến máu cứu người – Nghĩa cử cao đẹp" in titles


def test_drafts_and_future_posts_are_hidden(full_build: Path):
    text = "".join(p.read_text(encoding="utf-8") for p in pages(full_build))
    assert "Bài nháp bí mật" not in text
    assert "Bài tương lai bí mật" not in text


def test_drafts_and_future_are_published_on_request(tmp_path: Path):
    out = tmp_path / "out"
    result = run_cli("build", "--site", SITES / "full", "--output", out, "--now", NOW, "--drafts", "--future")
    assert result.code == 0, result.stderr
    draft = html(out / "tin-tuc/bai-nhap-bi-mat/index.html")
    assert "nháp" in draft.select_one(".notice").get_text().lower()
    assert (out / "tin-tuc/bai-tuong-lai-bi-mat/index.html").is_file()


def test_news_is_paginated_newest_first(full_build: Path):
    first = html(full_build / "tin-tuc/index.html")
    titles = [a.get_text() for a in first.select(".card-title a")]
    assert titles == ["Bài thứ tư", "Hiến máu cứu người – Nghĩa cử cao đẹp"]
    assert first.select_one('a[rel="next"]')["href"] == BASE + "tin-tuc/trang/2/"
    second = html(full_build / "tin-tuc/trang/2/index.html")
    assert [a.get_text() for a in second.select(".card-title a")] == ["Bài thứ ba", "Đắk Lắk hưởng ứng"]
    assert second.select_one('a[rel="prev"]')["href"] == BASE + "tin-tuc/"


def test_year_archives(full_build: Path):
    years = html(full_build / "luu-tru/index.html").get_text()
    assert "2022" in years and "2023" in years and "2024" in years
    y2023 = [a.get_text() for a in html(full_build / "luu-tru/2023/index.html").select(".card-title a")]
    assert y2023 == ["Hiến máu cứu người – Nghĩa cử cao đẹp", "Bài thứ ba"]


def test_events_upcoming_and_past_relative_to_build_time(full_build: Path):
    doc = html(full_build / "su-kien/index.html")
    upcoming = [a.get_text() for a in doc.select("section")[0].select(".card-title a")]
    past = [a.get_text() for a in doc.select("section")[1].select(".card-title a")]
    assert upcoming == ["Đợt hai sắp tới", "Đợt bị huỷ"]
    assert past == ["Đợt một", "Đợt cũ"]
    assert "Đã huỷ" in doc.get_text()


def test_home_shows_next_drive_totals_and_news(full_build: Path):
    doc = html(full_build / "index.html")
    assert doc.select_one(".next-drive h2").get_text(strip=True) == "Đợt hai sắp tới"  # not the cancelled one
    totals = {dt.get_text(strip=True): dd.get_text(strip=True) for dt, dd in
              zip(doc.select(".totals dt"), doc.select(".totals dd"))}
    assert totals == {"Số đợt đã tổ chức": "2", "Người hiến máu": "200", "Đơn vị máu": "185"}
    assert doc.select(".card-title a")[0].get_text() == "Bài thứ tư"
    assert doc.select_one(".needs") is None  # needs.yaml is older than valid_days at this build time


def test_event_page_details_and_links_both_ways(full_build: Path):
    doc = html(full_build / "su-kien/dot-mot/index.html")
    text = doc.get_text(" ", strip=True)
    assert "Thứ Ba, 05/12/2023" in text and "07:30–11:30" in text
    assert "Hội trường A" in text and "Đơn vị A, Đơn vị B" in text
    related = [a["href"] for a in doc.select(".card-title a")]
    assert BASE + "tin-tuc/hien-mau-cuu-nguoi-nghia-cu-cao-dep/" in related
    share = [a["href"] for a in doc.select(".share a")]
    assert share[0].startswith("https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fexample.org%2Fhien-mau%2Fsu-kien%2Fdot-mot%2F")
    assert share[1].startswith("https://sp.zalo.me/share_to_zalo?url=https%3A%2F%2Fexample.org")
    assert doc.find("a", string="Xem bản đồ")["href"].startswith("https://www.google.com/maps/search/")
    post = html(full_build / "tin-tuc/hien-mau-cuu-nguoi-nghia-cu-cao-dep/index.html")
    assert post.select_one(".related-event a")["href"] == BASE + "su-kien/dot-mot/"
    upcoming = html(full_build / "su-kien/dot-hai-sap-toi/index.html")
    assert upcoming.find("a", string="Đăng ký hiến máu")["href"] == "https://example.org/dang-ky"
    assert upcoming.find("a", string="Điều kiện hiến máu")["href"] == BASE + "dieu-kien-hien-mau/"


def test_post_body_links_are_rewritten_and_html_sanitised(full_build: Path):
    doc = html(full_build / "tin-tuc/hien-mau-cuu-nguoi-nghia-cu-cao-dep/index.html")
    prose = doc.select_one(".prose")
    hrefs = [a["href"] for a in prose.find_all("a")]
    assert hrefs == [BASE + "dieu-kien-hien-mau/#dieu-kien-co-ban", BASE + "tin-tuc/dak-lak-huong-ung/",
                     BASE + "su-kien/dot-hai-sap-toi/"]
    assert prose.find("img")["src"] == BASE + "media/anh.gif"
    assert prose.find("script") is None
    assert prose.find("b").get("onclick") is None and prose.find("b").get_text() == "đậm"
    assert "Thứ Ba, 05/12/2023" in doc.select_one(".meta").get_text()


def test_recognition_names_only_consenting_people(full_build: Path):
    doc = html(full_build / "vinh-danh/index.html")
    text = doc.get_text(" ", strip=True)
    assert "Người Đồng Ý Một" in text and "Người Đồng Ý Hai" in text
    for out_file in full_build.rglob("*"):
        if out_file.is_file():
            data = out_file.read_bytes().decode("utf-8", "replace")
            assert "Người Không Đồng Ý" not in data and "Người Từ Chối" not in data, out_file
    groups = {g["id"]: g.get_text(" ", strip=True) for g in doc.select("section.honour-group")}
    assert "Người Đồng Ý Một" in groups["moc-20"]
    assert "1 người" in groups["moc-30"]  # the non-consenting 31-time donor is counted, not named
    assert "Người Đồng Ý Hai" in groups["moc-5"]
    assert "và 2 người khác" in groups["2023-giay-khen"]


def test_two_builds_are_byte_identical(tmp_path: Path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert run_cli("build", "--site", SITES / "full", "--output", first, "--now", NOW).code == 0
    assert run_cli("build", "--site", SITES / "full", "--output", second, "--now", NOW).code == 0
    assert tree_bytes(first) == tree_bytes(second)


def test_site_without_templates_uses_bundled_theme(full_build: Path):
    assert not (SITES / "full" / "templates").exists()
    (stylesheet,) = full_build.glob("static/style.*.css")  # fingerprinted: see test_assets.py
    assert stylesheet.read_bytes().startswith(b"/* Outreach default theme")


def test_site_templates_override_the_bundled_theme(tmp_path: Path):
    import shutil
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site, ignore=shutil.ignore_patterns(".cache"))
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Lạc đường rồi</h1>{% endblock %}', encoding="utf-8")
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 0, result.stderr
    assert html(site / "output" / "404.html").h1.get_text() == "Lạc đường rồi"
    assert html(site / "output" / "index.html").select_one(".next-drive")  # the rest still comes from the theme


def test_base_url_option_overrides_config(tmp_path: Path):
    out = tmp_path / "out"
    result = run_cli("build", "--site", SITES / "full", "--output", out, "--now", NOW,
                     "--base-url", "https://other.example/")
    assert result.code == 0, result.stderr
    assert html(out / "index.html").select_one(".site-title")["href"] == "/"


def test_a_template_error_among_many_pages_stops_the_workers_and_writes_nothing(tmp_path: Path):
    """Past 300 pages the workers render; a syntax error in a template is reported with its line
    (once), the page workers are stopped, and no output or staging folder is left behind."""
    import shutil
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site, ignore=shutil.ignore_patterns(".cache"))
    for n in range(300):
        (site / "content" / "posts" / f"2020-02-01-dem-{n}.md").write_text(
            f"---\ntitle: Bài đệm {n}\ndate: 2020-02-01\n---\nĐoạn văn {n}.\n", encoding="utf-8")
    (site / "templates").mkdir()
    (site / "templates" / "post.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n{% if post.title %}\n{% endblock %}', encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", "--site", site, "--output", out, "--now", NOW)
    assert result.code == 1
    assert result.stderr.count("templates/post.html:") == 1, result.stderr
    assert not out.exists() and leftovers(tmp_path) == []


def test_dated_permalinks_put_each_post_and_drive_under_its_date(tmp_path: Path):
    """Permalinks that show the date ({year}, {month}, {day}: config.yaml) give each post and drive
    its date in its address, and the links to it follow."""
    import shutil
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site, ignore=shutil.ignore_patterns(".cache", "output"))
    with (site / "config.yaml").open("a", encoding="utf-8") as config:
        config.write('permalinks: {post: "/{year}/{month}/{day}/{slug}/", event: "/dot/{year}/{slug}/"}\n')
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 0, result.stderr
    out = site / "output"
    post = out / "2023" / "12" / "05" / "hien-mau-cuu-nguoi-nghia-cu-cao-dep" / "index.html"
    assert post.is_file() and (out / "2022" / "06" / "14").is_dir()
    assert (out / "dot" / "2023" / "dot-mot" / "index.html").is_file()
    assert (out / "dot" / "2027" / "dot-hai-sap-toi" / "index.html").is_file()
    links = {urlsplit(a["href"]).path for a in html(out / "index.html").select("a[href]")}
    assert "/hien-mau/2023/12/05/hien-mau-cuu-nguoi-nghia-cu-cao-dep/" in links  # (the site lives below /hien-mau/)
