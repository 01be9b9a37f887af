"""Injection and path attacks: escaped text, sanitised HTML, safe URLs, nothing leaves the site."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import NOW, SITES, html, record_hostile_cases, run_cli


@pytest.fixture
def site(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(SITES / "full", target, ignore=shutil.ignore_patterns(".cache"))
    text = (target / "config.yaml").read_text(encoding="utf-8").replace("language: vi", "language: en")
    (target / "config.yaml").write_text(text, encoding="utf-8")
    return target


def write(site: Path, rel: str, text: str) -> None:
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_text_from_content_is_escaped(site: Path):
    write(site, "content/posts/x.md", '---\ntitle: "<script>alert(1)</script> & <b>"\ndate: 2023-01-01\n'
                                      'summary: "<img src=x onerror=alert(1)>"\ntags: ["<i>tag</i>"]\n---\nok\n')
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 0, result.stderr
    for page in (site / "output").rglob("*.html"):
        doc = html(page)
        for script in doc.find_all("script"):
            assert "alert(1)" not in (script.string or "") or script.get("type") == "application/ld+json", page
        assert not doc.find("img", onerror=True), page
        assert not doc.find("i", string="tag"), page


UNSAFE = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", " javascript:alert(1)",
          "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)", "file:///etc/passwd"]


@pytest.mark.parametrize("url", UNSAFE)
def test_unsafe_urls_in_yaml_are_errors(site: Path, url: str):
    write(site, "content/events/2027-03-01-x.yaml",
          f'title: X\nstart: 2027-03-01 07:00\nend: 2027-03-01 09:00\nvenue: {{name: A, address: B, map: "{url}"}}\n'
          f'registration: "{url}"\n')
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 1
    assert "content/events/2027-03-01-x.yaml:4:" in result.stderr and "content/events/2027-03-01-x.yaml:5:" in result.stderr
    assert "not a safe web address" in result.stderr


@pytest.mark.parametrize("url", UNSAFE)
def test_unsafe_urls_in_markdown_are_errors(site: Path, url: str):
    write(site, "content/posts/x.md", f"---\ntitle: X\ndate: 2023-01-01\n---\n[a]({url.strip()}) ![b]({url.strip()})\n")
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 1, result.stderr
    assert "content/posts/x.md:5:" in result.stderr and "not a safe web address" in result.stderr


def test_unsafe_url_in_config_menu_is_an_error(site: Path):
    text = (site / "config.yaml").read_text(encoding="utf-8")
    text = text.replace("  - {title: Tin tức, url: /hien-mau/tin-tuc/}",
                        '  - {title: Tin tức, url: /hien-mau/tin-tuc/}\n  - {title: X, url: "javascript:alert(1)"}')
    (site / "config.yaml").write_text(text, encoding="utf-8")
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 1 and "config.yaml:" in result.stderr and "not a safe web address" in result.stderr


def test_raw_html_is_sanitised_unless_trusted(site: Path):
    body = '<iframe src="https://evil.example"></iframe><p style="x" onmouseover="alert(1)">p</p><a href="#" target="_blank">a</a>'
    write(site, "content/pages/raw.md", f"---\ntitle: Raw\n---\n{body}\n")
    assert run_cli("build", "--site", site, "--now", NOW).code == 0
    prose = html(site / "output" / "raw" / "index.html").select_one(".prose")
    assert prose.find("iframe") is None and prose.find("p").get("onmouseover") is None
    text = (site / "config.yaml").read_text(encoding="utf-8")
    (site / "config.yaml").write_text(text.replace("paginate: 2", "paginate: 2\ntrust_html: true"), encoding="utf-8")
    assert run_cli("build", "--site", site, "--now", NOW).code == 0
    prose = html(site / "output" / "raw" / "index.html").select_one(".prose")
    assert prose.find("iframe") is not None


def test_symlinks_leading_outside_the_site_are_refused(site: Path, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    (site / "content" / "media" / "leak.txt").symlink_to(secret)
    outside_post = tmp_path / "outside.md"
    outside_post.write_text("---\ntitle: Outside\ndate: 2023-01-01\n---\nTOP-SECRET\n", encoding="utf-8")
    (site / "content" / "posts" / "outside.md").symlink_to(outside_post)
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 1
    assert "content/media/leak.txt" in result.stderr and "content/posts/outside.md" in result.stderr
    assert "outside the site folder" in result.stderr
    assert not (site / "output").exists()


def test_a_content_folder_linked_from_outside_the_site_is_refused(site: Path, tmp_path: Path):
    """Files listed inside a folder that is itself a link out of the site (content/pages here), each
    refused; a link to a folder that stays inside the site is read as usual."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.md").write_text("---\ntitle: Secret\n---\nTOP-SECRET\n", encoding="utf-8")
    (elsewhere / "other.md").write_text("---\ntitle: Other\n---\nTOP-SECRET\n", encoding="utf-8")
    inside = site / "pages-kept-here"  # inside the site, not under content/
    shutil.move(site / "content" / "pages", inside)
    (site / "content" / "pages").symlink_to(elsewhere, target_is_directory=True)
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 1
    assert "content/pages/secret.md" in result.stderr and "content/pages/other.md" in result.stderr
    assert result.stderr.count("outside the site folder") == 2
    assert not (site / "output").exists()
    (site / "content" / "pages").unlink()
    (inside / "about-us.md").write_text("---\ntitle: About us\n---\nHello.\n", encoding="utf-8")
    (site / "content" / "pages").symlink_to(inside, target_is_directory=True)
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 0, result.stderr
    assert any("Hello." in p.read_text(encoding="utf-8") for p in (site / "output").rglob("index.html"))


def test_content_files_lists_as_paths_sort(tmp_path: Path):
    """content_files: every file with the suffixes, none hidden, in '_' folders or backups, in the
    order sorted Paths have, each the Path that joining its folder and name gives."""
    from generator.sources import content_files
    names = ["b.md", "a.md", "A.md", "z/y.md", "z/a b é.md", "a.en.md", "_x/no.md", ".h.md", "n.md~", "t.txt",
             "z/.hidden/no.md", "a-b.md", "a/b.md", "ab.MD"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = content_files(tmp_path, (".md",))
    expected = sorted(tmp_path / n for n in names
                      if n.lower().endswith(".md") and not any(part.startswith((".", "_")) for part in n.split("/")))
    assert list(found) == expected and [str(p) for p in found] == [str(p) for p in expected]
    assert sorted(found.folders) == [tmp_path, tmp_path / "a", tmp_path / "z"] and not found.links


@pytest.mark.parametrize("front, fragment", [
    ("image: ../../../../etc/passwd\nimage_alt: x", "does not exist"),
    ("image: /etc/passwd\nimage_alt: x", "does not exist"),
])
def test_image_paths_cannot_leave_the_content(site: Path, front: str, fragment: str):
    write(site, "content/posts/x.md", f"---\ntitle: X\ndate: 2023-01-01\n{front}\n---\nok\n")
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 1 and fragment in result.stderr


def test_slugs_and_permalinks_cannot_escape_the_output(site: Path, tmp_path: Path):
    write(site, "content/posts/x.md", "---\ntitle: X\ndate: 2023-01-01\nslug: ../../../../escaped\n---\nok\n")
    assert run_cli("build", "--site", site, "--now", NOW).code == 0
    assert (site / "output" / "tin-tuc" / "escaped" / "index.html").is_file()
    assert not any(p.name == "escaped" for p in tmp_path.rglob("escaped") if "output" not in p.parts)
    text = (site / "config.yaml").read_text(encoding="utf-8")
    (site / "config.yaml").write_text(text + 'permalinks: {post: "/../../{slug}/"}\n', encoding="utf-8")
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 1 and "permalink for 'post'" in result.stderr


def test_zz_count(site):
    record_hostile_cases("injection and path attacks", 2 * len(UNSAFE) + 7)


def _unsafe_scheme_reference(url: str):
    """schema.unsafe_scheme as first written: every character looked at, spaces and controls dropped."""
    from urllib.parse import urlsplit

    from generator.schema import SAFE_URL_SCHEMES
    stripped = "".join(ch for ch in url if ch.isprintable() and not ch.isspace())
    try:
        parts = urlsplit(stripped)
    except ValueError:
        return ""
    return parts.scheme if parts.scheme and parts.scheme.lower() not in SAFE_URL_SCHEMES else None


def test_unsafe_scheme_takes_the_short_way_only_where_nothing_is_dropped():
    """An ASCII address with no space or control character skips the look at each character: the
    verdict is the same for every address, whichever way it went."""
    import random

    from generator.schema import unsafe_scheme
    alphabet = "abjJsSvV:/.-_#?&=%[]@ \t\n\r\x00\x0b\x1f\x7f\u00a0\u2028\u3000ảđ"
    rng = random.Random(5)
    urls = UNSAFE + ["java\u00a0script:x", "java\x7fscript:x", "java\u3000script:x", "//[x", "//[::1]/a", "mailto:a@b",
                     "../pages/dieu-kien.md", "ảnh.jpg", "https://vi.wikipedia.org/wiki/Hiến_máu"]
    urls += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(5000)]
    urls += [prefix + "script:" + rest for prefix in ("java", "ja va", "java\t", "data") for rest in ("x", "alert(1)")]
    for url in urls:
        assert unsafe_scheme(url) == _unsafe_scheme_reference(url), repr(url)


def test_the_sanitizer_made_once_cleans_as_nh3_clean_does():
    """markdown.sanitize keeps one nh3.Cleaner: the output is nh3.clean's with the same allowlist,
    for hostile fragments and random mixes of tags, attributes and addresses."""
    import random

    import nh3

    from generator.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, sanitize
    from generator.schema import SAFE_URL_SCHEMES
    assert set(SAFE_URL_SCHEMES) == {"http", "https", "mailto", "tel"}  # what the sanitizer lets through
    fragments = ['<iframe src="https://evil.example"></iframe>', '<p style="x" onmouseover="alert(1)">p</p>',
                 '<a href="javascript:alert(1)">a</a>', '<a href="java\tscript:x" target="_blank" rel="x">a</a>',
                 '<img src="data:image/png;base64,AA" onerror="x">', '<script>alert(1)</script>', "<!-- c -->",
                 '<a href="tel:+84123">t</a>', '<a href="mailto:a@b.vn" hreflang="vi">m</a>', "<svg><g/></svg>",
                 '<td colspan="2" bgcolor="red">x</td>', '<h2 id="muc-1" class="c">Mục</h2>', "<b><i>x</b></i>",
                 '<time datetime="2026-11-27">27/11</time>', "&lt;&amp;&#106;", "<style>p{}</style>", "Hiến máu"]
    rng = random.Random(7)
    cases = fragments + ["".join(rng.choice(fragments) for _ in range(rng.randint(1, 6))) for _ in range(500)]
    for case in cases:
        assert sanitize(case) == nh3.clean(case, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None,
                                           url_schemes=set(SAFE_URL_SCHEMES)), case
