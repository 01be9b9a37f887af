"""Donor privacy: a person is named only with consent, in every file a build writes."""
from __future__ import annotations

import gzip
import shutil
import zlib
from pathlib import Path

from conftest import NOW, ROOT, SITES, record_hostile_cases, run_cli

NOT_CONSENTING = ["Người Không Đồng Ý", "Người Từ Chối"]


def readable_forms(data: bytes) -> list[str]:
    """The file as text, plus its decompressed form (search indexes are gzipped)."""
    forms = [data.decode("utf-8", "replace")]
    for opener in (gzip.decompress, zlib.decompress):
        try:
            forms.append(opener(data).decode("utf-8", "replace"))
        except Exception:
            pass
    return forms


def assert_absent(out: Path, names: list[str]) -> int:
    scanned = 0
    for path in out.rglob("*"):
        if path.is_file():
            scanned += 1
            for text in readable_forms(path.read_bytes()):
                for name in names:
                    assert name not in text, f"{name!r} leaked into {path.relative_to(out)}"
    return scanned


def test_non_consenting_names_appear_in_no_output_at_all(full_build: Path):
    assert assert_absent(full_build, NOT_CONSENTING) > 20
    assert "Người Đồng Ý Một" in (full_build / "vinh-danh" / "index.html").read_text(encoding="utf-8")


def test_example_site_leaks_no_unconsented_name(tmp_path: Path):
    out = tmp_path / "out"
    assert run_cli("build", "--output", out, "--now", "2026-11-25T10:00:00+07:00", cwd=ROOT).code == 0
    unnamed = [f"Người hiến máu {i:02d}" for i in range(1, 36)]
    assert_absent(out, unnamed)


def test_personal_fields_are_errors_and_never_published(tmp_path: Path):
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site, ignore=shutil.ignore_patterns(".cache"))
    fields = {"phone": "0912345678", "email": "a@b.vn", "cccd": "001203004005", "CMND": "123456789",
              "address": "Số 9 phố X", "birth_date": "1990-01-01", "blood_type": "O+", "national_id": "079203000111",
              "Số điện thoại": "0987654321"}
    people = "\n".join(f'  - {{name: "Người {i}", consent: true, "{k}": "{v}"}}' for i, (k, v) in enumerate(fields.items()))
    (site / "content" / "donors" / "leak.yaml").write_text(
        f"title: Leak\naward: Giấy khen\ndate: 2023-12-05\npeople:\n{people}\n", encoding="utf-8")
    text = (site / "config.yaml").read_text(encoding="utf-8").replace("language: vi", "language: en")
    (site / "config.yaml").write_text(text, encoding="utf-8")
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 1
    for line, key in enumerate(fields, start=5):
        assert f"content/donors/leak.yaml:{line}:" in result.stderr, key
    assert result.stderr.count("is personal data") == len(fields)
    assert not (site / "output").exists()
    record_hostile_cases("personal-data fields", len(fields))
