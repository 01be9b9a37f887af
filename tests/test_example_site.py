"""The repository root is the example site: it builds cleanly and shows every page type."""
from __future__ import annotations

from pathlib import Path

from conftest import ROOT, html, run_cli


def test_example_site_builds_without_errors_or_warnings(tmp_path: Path):
    out = tmp_path / "out"
    result = run_cli("build", "--output", out, "--now", "2026-11-25T10:00:00+07:00", cwd=ROOT)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    assert "Built" in result.stdout or "Đã tạo" in result.stdout
    home = html(out / "index.html")
    assert home.html["lang"] == "vi"
    assert "Ngày hội hiến máu đầu xuân 2027" in home.select_one(".next-drive").get_text()
    assert home.select_one(".needs")  # needs.yaml is fresh at this date
    report = html(out / "tin-tuc/hien-mau-cuu-nguoi-nghia-cu-cao-dep/index.html")
    assert "Đỗ Đức Trịnh" in report.get_text()
    assert "Thứ Ba, 05/12/2023" in report.get_text()
    honour = html(out / "vinh-danh/index.html").get_text(" ", strip=True)
    assert "Nguyễn Văn An" in honour and "Người hiến máu 01" not in honour
    for rel in ("gioi-thieu/index.html", "dieu-kien-hien-mau/index.html", "su-kien/index.html", "404.html",
                "luu-tru/2023/index.html", "chu-de/hien-mau/index.html", "chuyen-muc/thong-bao/index.html"):
        assert (out / rel).is_file(), rel
    assert not any("ban-nhap" in str(p) for p in out.rglob("*"))  # the draft stays unpublished


def test_build_in_the_repository_root_defaults_to_output(tmp_path: Path):
    # `outreach build` with no options reads ./config.yaml and writes ./output; run on a copy.
    import shutil
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    shutil.copy(ROOT / "config.yaml", site / "config.yaml")
    result = run_cli("build", cwd=site)
    assert result.code == 0, result.stderr
    assert (site / "output" / "index.html").is_file()
