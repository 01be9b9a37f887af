"""`outreach check`: every validation a build does plus the editor's checks, nothing written, exit 0/1."""
from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import INVALID, NOW, ROOT, copy_site, run_cli, tree_bytes
from generator.checks import number_kind
from generator.i18n import tool_messages

MISTAKES = INVALID / "check-mistakes"
EXAMPLE_NOW = "2026-11-25T10:00:00+07:00"
LOCATED = re.compile(r"^(?P<where>[^\s:]+:\d+:\d+): (?P<severity>error|warning): (?P<message>.*)$")


def expected(site: Path) -> dict[str, list[tuple[str, str]]]:
    rows: dict[str, list[tuple[str, str]]] = {}
    for line in (site / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            where, severity, fragment = line.split("\t")
            rows.setdefault(where, []).append((severity, fragment))
    return rows


def reported(stderr: str) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for line in stderr.splitlines():
        match = LOCATED.match(line)
        if match:
            found.setdefault(match["where"], []).append((match["severity"], match["message"]))
    return found


def test_check_finds_every_planted_mistake_with_its_location():
    result = run_cli("check", "--site", MISTAKES, "--now", NOW)
    assert result.code == 1
    assert "Traceback" not in result.stderr
    found = reported(result.stderr)
    want = expected(MISTAKES)
    for where, items in want.items():
        assert where in found, f"nothing reported at {where}; got {sorted(found)}"
        for severity, fragment in items:
            assert any(s == severity and fragment in m for s, m in found[where]), \
                f"{where}: no {severity} with {fragment!r} in {found[where]}"
    assert set(found) == set(want), f"unexpected reports: {set(found) ^ set(want)}"
    errors = sum(1 for items in want.values() for severity, _ in items if severity == "error")
    assert f"{errors} error(s) found." in result.stderr
    assert not (MISTAKES / "output").exists()


def test_check_json_lists_the_same_problems():
    result = run_cli("check", "--site", MISTAKES, "--now", NOW, "--format", "json")
    assert result.code == 1
    problems = json.loads(result.stdout)  # standard output holds the JSON and nothing else
    assert all(set(p) == {"path", "line", "col", "severity", "message", "hint"} for p in problems)
    found = {f"{p['path']}:{p['line']}:{p['col']}" for p in problems}
    assert found == set(expected(MISTAKES))
    alt = next(p for p in problems if "alt text" in p["message"])
    assert alt["severity"] == "error" and alt["hint"]


def test_json_messages_speak_the_site_language(tmp_path: Path):
    site = copy_site("check-mistakes", tmp_path, INVALID)
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: en", "language: vi"), encoding="utf-8")
    result = run_cli("check", "--site", site, "--now", NOW, "--format", "json")
    problems = {f"{p['path']}:{p['line']}:{p['col']}": p for p in json.loads(result.stdout)}
    assert "mô tả" in problems["content/posts/2025-01-01-anh.md:6:33"]["message"]
    assert "số điện thoại" in problems["content/posts/2025-01-02-lien-he.md:6:36"]["message"]
    text = run_cli("check", "--site", site, "--now", NOW)
    assert "content/posts/2025-01-03-bai-dai.md:2:1: cảnh báo:" in text.stderr


def test_example_site_passes_check_without_warnings():
    result = run_cli("check", "--now", EXAMPLE_NOW, cwd=ROOT)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    as_json = run_cli("check", "--now", EXAMPLE_NOW, "--format", "json", cwd=ROOT)
    assert as_json.code == 0 and json.loads(as_json.stdout) == []


def test_check_writes_nothing(tmp_path: Path):
    site = copy_site("full", tmp_path)
    before = tree_bytes(site)
    assert run_cli("check", "--site", site, "--now", NOW).code == 0
    assert tree_bytes(site) == before


def test_build_prints_warnings_but_succeeds(tmp_path: Path):
    site = copy_site("full", tmp_path)
    long_post = site / "content/posts/2024-06-01-dai.md"
    long_post.write_text("---\ntitle: Dài\ndate: 2024-06-01\n---\n" + "hiến máu " * 250 + "\n\nGọi 0912 345 678.\n",
                         encoding="utf-8")
    result = run_cli("build", "--site", site, "--now", NOW)
    assert result.code == 0, result.stderr
    assert "content/posts/2024-06-01-dai.md:2:1: cảnh báo:" in result.stderr
    assert "content/posts/2024-06-01-dai.md:7:5: cảnh báo:" in result.stderr
    assert (site / "output/index.html").is_file()


@pytest.mark.parametrize("text, kind", [
    ("0912 345 678", "phone"), ("0912.345.678", "phone"), ("0912345678", "phone"), ("+84 912 345 678", "phone"),
    ("0204 000 0000", "phone"), ("001203004567", "id"), ("123456789", "id"),
    ("200.000.000", None), ("2023-12-05", None), ("1.000.000.000", None), ("12345678", None), ("2024 2025", None),
])
def test_number_kinds(text: str, kind: str | None):
    assert number_kind(text) == kind


def _messages(path: Path) -> set[str]:
    """Constant first arguments of N_(), translate() and gettext() calls in one module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in ("N_", "translate", "gettext"):
                found.add(node.args[0].value)
    return found


@pytest.mark.parametrize("module", ["checks.py", "scaffold.py", "server.py", "progress.py"])
def test_new_messages_have_vietnamese_translations(module: str):
    vi = tool_messages("vi")
    missing = sorted(m for m in _messages(ROOT / "generator" / module) if vi.gettext(m) == m)
    assert not missing, f"add these to generator/locale/vi/LC_MESSAGES/outreach.po: {missing}"
    for message in _messages(ROOT / "generator" / module):
        placeholders = set(re.findall(r"{(\w+)", message))
        assert set(re.findall(r"{(\w+)", vi.gettext(message))) == placeholders, message


def test_problems_are_the_same_when_content_is_loaded_and_rendered_on_several_cores(tmp_path: Path):
    """Past 300 files, content is parsed in worker processes, and past 150 bodies Markdown is rendered
    in worker processes, which scan each body for the checks too: the same problems come out, with
    the cache and without it."""
    from generator import bodies, content
    site = copy_site("check-mistakes", tmp_path, INVALID)
    for n in range(max(bodies.PARALLEL_FROM, content.PARALLEL_FROM) + 10):
        (site / "content" / "posts" / f"2020-01-01-dem-{n}.md").write_text(
            f"---\ntitle: Bài đệm {n}\ndate: 2020-01-01\nsummary: Bài đệm.\n---\nĐoạn văn {n}.\n", encoding="utf-8")

    def found(*extra: str) -> set[str]:
        result = run_cli("check", "--site", site, "--now", NOW, "--format", "json", *extra)
        return {f"{p['path']}:{p['line']}:{p['col']}" for p in json.loads(result.stdout)}

    assert found() == set(expected(MISTAKES))
    shutil.rmtree(site / ".cache", ignore_errors=True)
    result = run_cli("build", "--site", site, "--now", NOW, "--output", tmp_path / "out", "--no-cache")
    assert result.code == 1 and all(where in result.stderr for where in expected(MISTAKES)), result.stderr


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_placeholders_are_found_in_any_unicode_form_with_and_without_cache(tmp_path: Path, form: str):
    """Files are looked at as bytes first (no placeholder and no combining mark: nothing to read);
    a placeholder typed in decomposed form is still found, at its line, on every build."""
    import unicodedata

    site = copy_site("full", tmp_path)
    post = site / "content/posts/2023-12-20-cho-dien.md"
    text = "---\ntitle: Tin chờ điền\ndate: 2023-12-20\n---\nĐoạn một.\n\nĐịa điểm: CẦN ĐIỀN\n"
    post.write_text(unicodedata.normalize(form, text), encoding="utf-8")
    # without the cache, filling it, and through it (another base URL: not up to date, same files)
    for extra in (("--no-cache",), (), ("--base-url", "https://khac.example.org/")):
        result = run_cli("build", "--site", site, "--output", tmp_path / "out", "--now", NOW, *extra)
        assert result.code == 0 and "content/posts/2023-12-20-cho-dien.md:7:" in result.stderr, result.stderr


def test_checks_run_apart_find_the_same_and_fill_the_cache(tmp_path: Path):
    """A build runs the checks in a forked child while it hashes the site graph (build.load_site,
    checks_apart): the same findings, in the same order, and the child's scans reach the cache."""
    from datetime import datetime

    from generator.build import load_site
    from generator.cache import BuildCache
    from generator.errors import ErrorCollector
    from generator.urls import BuildOptions

    site = copy_site("check-mistakes", tmp_path, INVALID)
    found = {}
    for apart in (False, True):
        shutil.rmtree(site / ".cache", ignore_errors=True)
        errors, cache = ErrorCollector(), BuildCache.for_site(site)
        *_, checked = load_site(site, BuildOptions(), datetime.fromisoformat(NOW), errors, cache=cache,
                                checks_apart=apart)
        checked()
        found[apart] = ([(e.loc, e.message, e.severity) for e in errors.items], dict(cache.checks.data),
                        set(cache.checks.used))
    assert found[True] == found[False]
    assert found[True][0] and found[True][1]  # problems found, scans kept


def test_a_post_whose_summary_is_removed_later_is_counted_then(tmp_path: Path):
    """Words are counted only for posts without a summary (checks.wants_words), in the workers and
    here alike; a scan kept in the cache without them gets them when the summary goes away."""
    from generator import bodies

    site = copy_site("full", tmp_path)
    for n in range(bodies.PARALLEL_FROM + 10):  # past it, bodies are rendered and scanned in workers
        (site / "content" / "posts" / f"2020-01-01-dem-{n}.md").write_text(
            f"---\ntitle: Bài đệm {n}\ndate: 2020-01-01\nsummary: Bài đệm.\n---\n" + "Chữ " * (400 + n) + "\n",
            encoding="utf-8")
    post = site / "content" / "posts" / "2020-01-01-dem-7.md"

    def warned(*extra: str) -> list[str]:
        result = run_cli("build", "--site", site, "--output", tmp_path / "out", "--now", NOW, *extra)
        assert result.code == 0, result.stderr
        return [line for line in result.stderr.splitlines()  # (the site speaks Vietnamese: 'từ', words)
                if "'summary'" in line and line.startswith("content/posts/2020-01-01-dem-")]

    assert warned() == [] and (site / ".cache").is_dir()  # the cache filled: scans without words
    post.write_text(post.read_text(encoding="utf-8").replace("summary: Bài đệm.\n", ""), encoding="utf-8")
    assert len(warned()) == 1 and "(407 từ)" in warned()[0]  # through the cached scan, kept then
    assert warned() == warned("--no-cache")  # as made anew
    post.write_text(post.read_text(encoding="utf-8").replace("date:", "summary: Có.\ndate:"), encoding="utf-8")
    assert warned() == []


# The link pattern before it began at the bracket (the image's '!' found before it): the reference
# the scanner is compared with.
_FORMER_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]"
    r"\(\s*(?P<target><[^>\n]*>|(?:[^\s()]|\([^\s()]*\))*)"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")


def _former_links(line: str, offset: int = 0):
    if "](" not in line:
        return
    for m in _FORMER_LINK.finditer(line):
        yield (offset + m.start() + 1, m["bang"] == "!", m["text"], m["target"].strip("<>"),
               (offset + m.start("target"), offset + m.end("target")))
        yield from _former_links(m["text"], offset + m.start("text"))


LINK_PIECES = ["!", "[", "]", "(", ")", "](", "![", "\\", "<", ">", " ", "\"t\"", "'", "x", "ảnh", "a.md",
               "#m", "https://e.vn/a", "[]", "()", "\n", "]: ", "[r]"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(LINK_PIECES), max_size=30).map("".join))
def test_the_link_scan_finds_what_the_former_pattern_found(text: str):
    """checks._links finds the links and images the former pattern found, at the same columns."""
    from generator.checks import _links, scan

    for line in text.split("\n"):
        assert list(_links(line)) == list(_former_links(line))
    scan(text)  # and the whole scan runs on it


def test_work_done_in_a_child_comes_back_or_is_done_here():
    """parallel.in_child: the result of a function run in a forked child; where the child fails,
    the function is run in the caller instead."""
    import os

    from generator.parallel import in_child

    parent = os.getpid()
    assert in_child(os.getpid)() != parent
    assert in_child(lambda: os.getpid() == parent or os._exit(3))() is True  # the child died: run here


def test_work_done_in_a_child_lets_go_of_its_arguments():
    """What in_child was given (a whole site's content, for the checks) is not held once its result
    is in: the build lets the content go before the page workers are forked."""
    import gc
    import weakref

    from generator.parallel import in_child

    class Content:
        size = 3

    content = Content()
    held = weakref.ref(content)
    result = in_child(lambda c: c.size, content)
    del content
    assert result() == 3
    gc.collect()
    assert held() is None
