"""Content images: resized copies in WebP and the original format, <picture> markup, sharing
images, the cache, and unreadable images reported with their file."""
from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from conftest import html, run_cli, tree_bytes
from generator import images as images_module
from generator.build import load_site
from generator.errors import ErrorCollector
from generator.urls import BuildOptions

NOW = "2026-01-01T09:00:00+07:00"
HASH = r"[0-9a-f]{10}"


def make_site(root: Path) -> Path:
    site = root / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "content" / "events").mkdir()
    media = site / "content" / "media"
    media.mkdir()
    (site / "config.yaml").write_text(
        'title: "Ảnh"\nbase_url: https://example.org/anh/\nlanguage: vi\ntimezone: Asia/Ho_Chi_Minh\n', encoding="utf-8")
    # A phone photo stored sideways: 2000×1500 pixels with EXIF orientation 6 (shown as 1500×2000).
    photo = Image.new("RGB", (2000, 1500), (200, 30, 40))
    for x in range(0, 2000, 50):
        photo.paste((255, 255, 255), (x, 0, x + 10, 1500))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Camera maker"  # metadata that must not reach the resized copies
    photo.save(media / "anh-chup.jpg", "JPEG", quality=90, exif=exif.tobytes())
    # A small logo with transparency: never enlarged.
    logo = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    logo.paste((179, 20, 28, 255), (50, 50, 250, 150))
    logo.save(media / "logo.png", "PNG")
    (media / "hinh.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360"></svg>',
                                    encoding="utf-8")
    (site / "content" / "posts" / "2025-01-01-anh.md").write_text("""---
title: "Bài có ảnh"
date: 2025-01-01 08:00
image: media/anh-chup.jpg
image_alt: "Người hiến máu giơ tay chào"
---
Đoạn đầu.

![Biểu trưng hội](../media/logo.png "Biểu trưng")

![Hình vẽ](../media/hinh.svg)
""", encoding="utf-8")
    (site / "content" / "posts" / "2025-01-02-svg.md").write_text("""---
title: "Bài có hình vẽ"
date: 2025-01-02 08:00
image: media/hinh.svg
image_alt: "Hình vẽ giọt máu"
---
![Ảnh trong bài](../media/anh-chup.jpg)
""", encoding="utf-8")
    (site / "content" / "posts" / "2025-01-03-khong-anh.md").write_text("""---
title: "Bài không có ảnh đại diện"
date: 2025-01-03 08:00
---
![Ảnh đầu bài](../media/anh-chup.jpg)

![Ảnh cuối bài](../media/logo.png)
""", encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    site = make_site(tmp_path_factory.mktemp("images"))
    out = site.parent / "out"
    result = run_cli("build", "--site", site, "--output", out, "--now", NOW)
    assert result.code == 0, result.stderr
    return site, out


def test_each_raster_image_gets_widths_in_webp_and_its_own_format(built):
    _, out = built
    names = sorted(p.name for p in (out / "media").iterdir())
    for width in (480, 800, 1200):
        for ext in ("webp", "jpg"):
            assert any(re.fullmatch(rf"anh-chup-{width}w\.{HASH}\.{ext}", n) for n in names), (width, ext, names)
    # Sideways photo: EXIF orientation applied, so 480 wide is 640 high; no metadata carried over.
    (small,) = (out / "media").glob("anh-chup-480w.*.jpg")
    with Image.open(small) as image:
        assert image.size == (480, 640)
        assert dict(image.getexif()) == {}
    # The 300-pixel logo is never enlarged, and keeps its transparency in WebP.
    assert sorted(n for n in names if n.startswith("logo-")) == sorted(
        n for n in names if re.fullmatch(rf"logo-300w\.{HASH}\.(png|webp)", n))
    (webp,) = (out / "media").glob("logo-300w.*.webp")
    with Image.open(webp) as image:
        assert image.mode == "RGBA"
    # Originals are still copied through; SVG is not resized.
    assert {"anh-chup.jpg", "logo.png", "hinh.svg"} <= set(names)
    assert not any(n.startswith("hinh-") for n in names)


def test_lead_image_markup_is_responsive_and_eager(built):
    _, out = built
    doc = html(out / "tin-tuc/bai-co-anh/index.html")
    picture = doc.select_one(".lead-image picture")
    source = picture.find("source")
    assert source["type"] == "image/webp"
    assert [c.split()[1] for c in source["srcset"].split(", ")] == ["480w", "800w", "1200w"]
    assert all(c.split()[0].startswith("/anh/media/anh-chup-") for c in source["srcset"].split(", "))
    img = picture.find("img")
    assert img["src"].startswith("/anh/media/anh-chup-800w.") and img["src"].endswith(".jpg")
    assert (img["width"], img["height"]) == ("800", "1067")
    assert img["alt"] == "Người hiến máu giơ tay chào"
    assert "loading" not in img.attrs  # the lead image is on the first screen
    assert img["sizes"] == source["sizes"]


def test_markdown_images_are_lazy_with_sizes_and_svg_passes_through(built):
    _, out = built
    prose = html(out / "tin-tuc/bai-co-anh/index.html").select_one(".prose")
    logo, svg = prose.find_all("img")
    assert logo["loading"] == "lazy" and (logo["width"], logo["height"]) == ("300", "200")
    assert logo.parent.name == "picture" and logo["alt"] == "Biểu trưng hội" and logo["title"] == "Biểu trưng"
    assert svg["src"] == "/anh/media/hinh.svg" and (svg["width"], svg["height"]) == ("640", "360")
    assert svg["loading"] == "lazy" and svg.parent.name != "picture"
    # Below an SVG lead image, body images are lazy too; without a lead image the first one may
    # be on the first screen, so it loads at once.
    assert html(out / "tin-tuc/bai-co-hinh-ve/index.html").select_one(".prose img")["loading"] == "lazy"
    first, last = html(out / "tin-tuc/bai-khong-co-anh-dai-dien/index.html").select(".prose img")
    assert "loading" not in first.attrs and first.parent.name == "picture"
    assert last["loading"] == "lazy"


def test_sharing_image_is_1200_by_630_and_on_the_post_view(built):
    site, out = built
    (share,) = (out / "media").glob("anh-chup-share.*.jpg")
    with Image.open(share) as image:
        assert image.size == (1200, 630) and image.format == "JPEG"
    loaded = load_site(site, BuildOptions(), datetime.fromisoformat(NOW), ErrorCollector())[1][0]
    posts = {p.title: p for p in loaded.posts}
    shared = posts["Bài có ảnh"].share_image
    assert (shared.width, shared.height) == (1200, 630)
    assert shared.url == "/anh/media/" + share.name
    assert posts["Bài có hình vẽ"].share_image is None  # SVG: no raster to crop


def test_cache_is_used_and_deleting_it_gives_the_same_bytes(built, tmp_path):
    site, out = built
    cache = site / ".cache" / "images"
    cached = sorted(cache.rglob("*.webp"))
    assert cached, "the first build fills the cache"
    original = tree_bytes(out)
    # A cached file is taken as is: the image is not encoded again.
    marker = cached[0].read_bytes()
    cached[0].write_bytes(b"from the cache")
    again = tmp_path / "again"
    assert run_cli("build", "--site", site, "--output", again, "--now", NOW).code == 0
    assert b"from the cache" in tree_bytes(again).values()
    cached[0].write_bytes(marker)
    # Without the cache, the same bytes come out.
    shutil.rmtree(site / ".cache")
    fresh = tmp_path / "fresh"
    assert run_cli("build", "--site", site, "--output", fresh, "--now", NOW).code == 0
    assert tree_bytes(fresh) == original


def test_a_replaced_photo_gets_new_addresses(tmp_path):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    before = {p.name for p in (out / "media").glob("anh-chup-*")}
    Image.new("RGB", (900, 600), (10, 120, 30)).save(site / "content/media/anh-chup.jpg", "JPEG")
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    after = {p.name for p in (out / "media").glob("anh-chup-*")}
    assert before.isdisjoint(after)  # a CDN may cache every derived file for a year
    assert any(re.fullmatch(rf"anh-chup-900w\.{HASH}\.jpg", n) for n in after)
    # the bodies are the cached ones (same Markdown), their <picture> markup is new: every page
    # that shows them is made again, as a build without the cache makes it
    fresh = tmp_path / "fresh"
    assert run_cli("build", "--site", site, "--output", fresh, "--now", NOW, "--no-cache").code == 0
    assert tree_bytes(out) == tree_bytes(fresh)


def test_an_unreadable_image_is_an_error_with_its_file(tmp_path):
    site = make_site(tmp_path)
    (site / "content/media/hong.jpg").write_bytes(b"not a jpeg at all")
    post = site / "content/posts/2025-01-01-anh.md"
    post.write_text(post.read_text(encoding="utf-8") + "\n![Ảnh hỏng](../media/hong.jpg)\n", encoding="utf-8")
    result = run_cli("build", "--site", site, "--output", tmp_path / "out", "--now", NOW)
    assert result.code == 1
    assert "content/media/hong.jpg" in result.stderr and "không đọc được ảnh" in result.stderr
    assert not (tmp_path / "out").exists()


def test_unused_media_is_copied_but_not_processed(tmp_path):
    site = make_site(tmp_path)
    Image.new("RGB", (1600, 900)).save(site / "content/media/khong-dung.jpg", "JPEG")
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    assert (out / "media/khong-dung.jpg").is_file()
    assert not list((out / "media").glob("khong-dung-*"))


def test_widths_never_enlarge():
    assert images_module._widths(300) == [300]
    assert images_module._widths(1000) == [480, 800, 1000]
    assert images_module._widths(4000) == [480, 800, 1200]
