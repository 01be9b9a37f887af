"""`outreach new` and `outreach init`: what they write builds cleanly, and they never overwrite."""
from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import NOW, copy_site, html, run_cli, tree_bytes

ERROR_LINE = re.compile(r": (error|lỗi): ")


def test_new_post_event_and_page_build_cleanly(tmp_path: Path):
    site = copy_site("full", tmp_path)
    post = run_cli("new", "post", "Hiến máu: Đắk Lắk – tháng 12!", "--site", site, "--date", "2025-12-05 09:30")
    assert post.code == 0, post.stderr
    path = site / "content/posts/2025-12-05-hien-mau-dak-lak-thang-12.md"
    assert str(path) in post.stdout and "draft: true" in post.stdout  # says where, and what to do next
    text = path.read_text(encoding="utf-8")
    assert 'title: "Hiến máu: Đắk Lắk – tháng 12!"' in text and "date: 2025-12-05 09:30" in text
    assert "# summary:" in text and "# image_alt:" in text  # every field comes with a commented hint
    event = run_cli("new", "event", "Ngày hội hiến máu xuân", "--site", site, "--date", "2027-03-01")
    assert event.code == 0, event.stderr
    assert (site / "content/events/2027-03-01-ngay-hoi-hien-mau-xuan.yaml").is_file()
    assert "CẦN ĐIỀN" in event.stdout
    page = run_cli("new", "page", "Câu hỏi thường gặp", "--site", site)
    assert page.code == 0, page.stderr
    assert (site / "content/pages/cau-hoi-thuong-gap.md").is_file()

    out = tmp_path / "out"
    built = run_cli("build", "--site", site, "--output", out, "--drafts", "--now", NOW)
    assert built.code == 0, built.stderr
    assert not ERROR_LINE.search(built.stderr)
    # the new drive is valid but reminds the writer of what is left to fill in
    assert "content/events/2027-03-01-ngay-hoi-hien-mau-xuan.yaml:12:" in built.stderr
    assert "CẦN ĐIỀN" in built.stderr
    new_post = html(out / "tin-tuc/hien-mau-dak-lak-thang-12/index.html")
    assert "Hiến máu: Đắk Lắk – tháng 12!" in new_post.get_text()
    assert "Mẹo" not in new_post.get_text()  # the tips are an HTML comment, never published
    assert (out / "su-kien/ngay-hoi-hien-mau-xuan/index.html").is_file()
    assert (out / "cau-hoi-thuong-gap/index.html").is_file()
    # without --drafts the new post and page wait; the build still succeeds
    plain = run_cli("build", "--site", site, "--output", tmp_path / "plain", "--now", NOW)
    assert plain.code == 0, plain.stderr
    assert not (tmp_path / "plain/tin-tuc/hien-mau-dak-lak-thang-12").exists()


def test_new_refuses_to_overwrite(tmp_path: Path):
    site = copy_site("full", tmp_path)
    first = run_cli("new", "post", "Tin mới", "--site", site, "--date", "2025-01-01")
    assert first.code == 0, first.stderr
    path = site / "content/posts/2025-01-01-tin-moi.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nĐã viết xong.\n", encoding="utf-8")
    before = path.read_bytes()
    again = run_cli("new", "post", "Tin mới", "--site", site, "--date", "2025-01-01")
    assert again.code == 1
    assert "content/posts/2025-01-01-tin-moi.md" in again.stderr and "đã có sẵn" in again.stderr
    assert path.read_bytes() == before


def test_new_uses_today_in_the_site_timezone(tmp_path: Path):
    site = copy_site("full", tmp_path)
    result = run_cli("new", "post", "Hôm nay", "--site", site)
    assert result.code == 0, result.stderr
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    days = {(now - timedelta(minutes=5)).date(), now.date()}  # the command may have run just before midnight
    [made] = (site / "content/posts").glob("*-hom-nay.md")
    assert made.name[:10] in {d.isoformat() for d in days}


def test_new_speaks_english_for_an_english_site(tmp_path: Path):
    site = copy_site("full", tmp_path)
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: vi", "language: en"), encoding="utf-8")
    result = run_cli("new", "event", "Spring drive", "--site", site, "--date", "2027-04-01")
    assert result.code == 0 and "Created" in result.stdout
    text = (site / "content/events/2027-04-01-spring-drive.yaml").read_text(encoding="utf-8")
    assert "TO FILL IN" in text and "CẦN ĐIỀN" not in text
    built = run_cli("build", "--site", site, "--now", NOW)
    assert built.code == 0, built.stderr
    assert "still has 'TO FILL IN'" in built.stderr


def test_new_rejects_a_title_without_letters(tmp_path: Path):
    site = copy_site("full", tmp_path)
    result = run_cli("new", "page", "!!!", "--site", site)
    assert result.code == 1 and "!!!" in result.stderr
    assert run_cli("new", "story", "x", "--site", site).code == 2  # not a kind of content


def test_init_makes_a_site_that_builds_without_errors_or_warnings(tmp_path: Path):
    site = tmp_path / "trang-moi"
    result = run_cli("init", site)
    assert result.code == 0, result.stderr
    assert "outreach serve" in result.stdout
    assert not (site / "templates").exists()
    for rel in ("config.yaml", ".gitignore", "content/pages/gioi-thieu.md", "content/pages/dieu-kien-hien-mau.md",
                "content/donors/_mau-vinh-danh.yaml"):
        assert (site / rel).is_file(), rel
    assert len(list((site / "content/posts").glob("*.md"))) == 1
    assert len(list((site / "content/events").glob("*.yaml"))) == 1
    built = run_cli("build", "--site", site)
    assert built.code == 0, built.stderr
    assert built.stderr == ""  # no warnings either: the starter content is complete
    home = html(site / "output/index.html")
    assert "Ngày hội hiến máu tình nguyện" in home.get_text()  # the starter drive is upcoming
    assert (site / "output/dieu-kien-hien-mau/index.html").is_file()

    # the recognition example is skipped ('_' name) until copied; copied, it builds and respects consent
    shutil.copy(site / "content/donors/_mau-vinh-danh.yaml", site / "content/donors/giay-khen.yaml")
    again = run_cli("build", "--site", site)
    assert again.code == 0, again.stderr
    honour = html(site / "output/vinh-danh/index.html").get_text()
    assert "Nguyễn Văn A" in honour and "Trần Thị B" not in honour


def test_init_with_templates_copies_the_theme_and_builds_the_same_site(tmp_path: Path):
    plain, themed = tmp_path / "a", tmp_path / "b"
    assert run_cli("init", plain).code == 0
    result = run_cli("init", themed, "--with-templates")
    assert result.code == 0, result.stderr
    assert (themed / "templates/base.html").is_file() and (themed / "templates/static").is_dir()
    assert not list((themed / "templates").rglob("__pycache__"))
    for site in (plain, themed):
        built = run_cli("build", "--site", site)
        assert built.code == 0 and built.stderr == "", built.stderr
    assert tree_bytes(plain / "output") == tree_bytes(themed / "output")


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path):
    folder = tmp_path / "co-san"
    folder.mkdir()
    (folder / "ghi-chu.txt").write_text("giữ nguyên", encoding="utf-8")
    result = run_cli("init", folder)
    assert result.code == 2
    assert "không trống" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["ghi-chu.txt"]
    (tmp_path / "tep").write_text("x", encoding="utf-8")
    assert run_cli("init", tmp_path / "tep").code == 2
