"""Content mistakes: every one reported at once, with file:line:col, in plain words, no traceback."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import INVALID, NOW, SITES, run_cli, tree_bytes

LOCATED = re.compile(r"^(?P<where>[^\s:]+:\d+:\d+): error: (?P<message>.*)$")


def english_config(site: Path) -> None:
    text = (SITES / "full" / "config.yaml").read_text(encoding="utf-8").replace("language: vi", "language: en")
    (site / "config.yaml").write_text(text, encoding="utf-8")


def expected_errors(site: Path) -> list[tuple[str, str]]:
    rows = []
    for line in (site / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            where, fragment = line.split("\t")
            rows.append((where, fragment))
    return rows


def test_every_planted_mistake_is_reported_with_its_location(tmp_path: Path):
    site = INVALID / "many-errors"
    result = run_cli("build", "--site", site, "--output", tmp_path / "out", "--now", NOW)
    assert result.code == 1
    assert "Traceback" not in result.stderr
    # each error is one 'path:line:col: error: message' line, optionally followed by an indented fix
    blocks: dict[str, list[str]] = {}
    current = None
    for line in result.stderr.splitlines():
        match = LOCATED.match(line)
        if match:
            current = match["where"]
            blocks.setdefault(current, []).append(match["message"])
        elif line.startswith("    fix: ") and current:
            blocks[current][-1] += " | " + line.strip()
    for where, fragment in expected_errors(site):
        assert where in blocks, f"no error at {where}; got {sorted(blocks)}"
        assert any(fragment in message for message in blocks[where]), f"{where}: {fragment!r} not in {blocks[where]}"
    planted = {where for where, _ in expected_errors(site)}
    assert set(blocks) == planted, f"unexpected errors: {set(blocks) - planted}"
    assert "13 error(s)" in result.stderr
    assert not (tmp_path / "out").exists()


def test_addresses_taken_twice_or_not_made_are_reported_at_the_title(tmp_path: Path):
    """Two posts (or drives, or pages) whose titles give one web address, and a title that gives
    none: each reported at the title's line of the file that cannot have it."""
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site, ignore=shutil.ignore_patterns(".cache", "output"))
    english_config(site)
    posts = site / "content" / "posts"
    (posts / "2024-05-01-first.md").write_text("---\ntitle: Same words here\ndate: 2024-05-01\n---\nOne.\n",
                                               encoding="utf-8")
    (posts / "2024-05-02-second.md").write_text("---\ndate: 2024-05-02\ntitle: Same words, here!\n---\nTwo.\n",
                                                encoding="utf-8")
    (posts / "2024-05-03-none.md").write_text("---\ndate: 2024-05-03\n\ntitle: \"!!!\"\n---\nThree.\n",
                                              encoding="utf-8")
    result = run_cli("build", "--site", site, "--output", tmp_path / "out", "--now", NOW)
    assert result.code == 1 and "Traceback" not in result.stderr
    errors = {m["where"]: m["message"] for m in map(LOCATED.match, result.stderr.splitlines()) if m}
    assert "already used by content/posts/2024-05-01-first.md" in errors["content/posts/2024-05-02-second.md:3:1"]
    assert "no web address can be made" in errors["content/posts/2024-05-03-none.md:4:1"]
    assert len(errors) == 2


def test_errors_speak_vietnamese_for_a_vietnamese_site(tmp_path: Path):
    site = tmp_path / "many-errors"
    shutil.copytree(INVALID / "many-errors", site)
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: en", "language: vi"), encoding="utf-8")
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 1
    assert "config.yaml:5:1: lỗi:" in result.stderr
    assert "content/posts/no-title.md:2:1: lỗi:" in result.stderr
    assert "cách sửa" in result.stderr
    # translatable words inside messages are translated too (not "phải là một số nguyên, không phải text")
    assert "không phải văn bản" in result.stderr and "not text" not in result.stderr


@pytest.mark.parametrize("name, text, where, fragment", [
    ("empty config", "", "config.yaml:1:1", "empty"),
    ("not a mapping", "- a\n- b\n", "config.yaml:1:1", "should be a group"),
    ("bad timezone", "title: T\nbase_url: https://x.org/\nlanguage: en\ntimezone: Asia/Ho_Chi_Min\n",
     "config.yaml:4:11", "did you mean 'Asia/Ho_Chi_Minh'"),
    ("bad base_url", "title: T\nbase_url: hienmau\nlanguage: en\ntimezone: UTC\n", "config.yaml:2:11", "full address"),
    ("tab indentation", "title: T\nbase_url: https://x.org/\n\tlanguage: en\ntimezone: UTC\n", "config.yaml:3:1",
     "cannot be read"),
    ("missing keys", "title: T\n", "config.yaml:1:1", "'base_url' is required"),
    ("bad permalink", "title: T\nbase_url: https://x.org/\nlanguage: en\ntimezone: UTC\npermalinks: {post: /tin/}\n",
     "config.yaml:5:20", "permalink for 'post'"),
])
def test_config_mistakes(tmp_path: Path, name: str, text: str, where: str, fragment: str):
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    result = run_cli("build", "--site", tmp_path)
    assert result.code == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith(where + ":")]
    assert lines, result.stderr
    assert any(fragment in block for block in result.stderr.split(where)[1:]), result.stderr


@pytest.mark.parametrize("body, where, fragment", [
    (b"\xef\xbb\xbf---\r\ntitle: BOM and CRLF\r\ndate: 2023-01-01\r\n---\r\nok\r\n", None, None),
    (b"---\ntitle: Latin-1 \xe9\ndate: 2023-01-01\n---\n", "2:16", "not UTF-8"),
    (b"no front matter\n", "1:1", "does not start with front matter"),
    (b"---\ntitle: unclosed\n", "1:1", "not closed"),
    (b"---\ntitle: [a\n---\n", "2:", "cannot be read"),
    (b"---\ntitle: T\ndate: 2023-01-01\ntitel: x\n---\n", "4:1", "unknown key 'titel'"),
    (b"---\ntitle: T\ndate: 2023-01-01\ntags: {a: 1}\n---\n", "4:7", "'tags' should be a list"),
    (b"---\ntitle: T\ndate: 2023-01-01\ndraft: maybe\n---\n", "4:8", "'draft' should be true or false"),
    (b"---\ntitle: T\ndate: 2023-01-01\n---\n[x](javascript:alert(1))\n", "5:5", "not a safe web address"),
    (b"---\nx: &a [*a, *a]\n---\n", None, "error"),
    (b"\x00\x01binary", "", "not a text file"),
])
def test_post_file_mistakes(tmp_path: Path, body: bytes, where: str | None, fragment: str | None):
    english_config(tmp_path)
    (tmp_path / "content" / "posts").mkdir(parents=True)
    (tmp_path / "content" / "posts" / "p.md").write_bytes(body)
    result = run_cli("build", "--site", tmp_path, "--now", NOW)
    assert "Traceback" not in result.stderr
    if fragment is None:
        assert result.code == 0, result.stderr
        return
    assert result.code == 1, result.stderr
    if where is not None:
        assert f"content/posts/p.md:{where}" in result.stderr, result.stderr
    assert fragment in result.stderr, result.stderr


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path):
    english_config(tmp_path)
    (tmp_path / "content" / "events").mkdir(parents=True)
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        bomb.append(f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join(['*' + chr(96 + i)] * 10)}]")
    (tmp_path / "content" / "events" / "bomb.yaml").write_text("\n".join(bomb) + "\n", encoding="utf-8")
    result = run_cli("build", "--site", tmp_path, "--now", NOW)
    assert result.code == 1
    assert "content/events/bomb.yaml:1:1" in result.stderr and "aliases" in result.stderr


def test_duplicate_output_paths_name_both_sources(tmp_path: Path):
    shutil.copy(SITES / "full" / "config.yaml", tmp_path / "config.yaml")
    pages = tmp_path / "content" / "pages"
    pages.mkdir(parents=True)
    (pages / "news.md").write_text("---\ntitle: Tin tức\n---\nclash with the news list\n", encoding="utf-8")
    result = run_cli("build", "--site", tmp_path, "--now", NOW)
    assert result.code == 1
    assert "content/pages/news.md" in result.stderr and "(news list)" in result.stderr


def test_usage_errors_exit_2(tmp_path: Path):
    assert run_cli("build", "--bogus").code == 2
    missing = run_cli("build", "--site", tmp_path / "nowhere")
    assert missing.code == 2 and "config.yaml" in missing.stderr
    assert run_cli("build", "--site", SITES / "full", "--now", "yesterday").code == 2
    assert run_cli("frobnicate").code == 2


def test_failed_build_leaves_previous_output_byte_identical(tmp_path: Path):
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site, ignore=shutil.ignore_patterns(".cache"))
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--output", out, "--now", NOW).code == 0
    before = tree_bytes(out)
    (site / "content" / "posts" / "2022-06-14-b.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    (site / "content" / "posts" / "2023-01-02-c.md").write_text("---\ntitle: Đổi tên\ndate: 2023-01-02\n---\nx\n",
                                                               encoding="utf-8")
    result = run_cli("build", "--site", site, "--output", out, "--now", NOW)
    assert result.code == 1
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]  # no staging folder left behind
