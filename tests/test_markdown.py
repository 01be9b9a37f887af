"""The Markdown renderer's fast path: smarty is skipped for a body it would not change."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.markdown import SMARTY_MARKS, MarkdownRenderer
from generator.models import Body

ROOT = Path(__file__).resolve().parent.parent
PIECES = list("ab -.*_`\\'\"&#;<>![]()\n:|^~=+") + ["--", "...", "\\-", "&#45;", "\n\n", "# ", "- ", "[TOC]",
                                                     "ế", "“", "<!--", "-->", "```", "[^1]", "\n[^1]: n"]


def both(text: str) -> tuple:
    """(what the renderer makes, what it makes with smarty always on)."""
    body = Body(text, "content/posts/x.md", 0)
    chosen = MarkdownRenderer(lambda source, target: "/x/")
    always = MarkdownRenderer(lambda source, target: "/x/")
    always.plain = always.md
    return chosen.render(body), always.render(body)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_skipping_smarty_changes_nothing(text: str):
    made, reference = both(text)
    assert made == reference


def test_marks_are_what_smarty_acts_on():
    for text in ("a -- b", "a --- b", "chờ đợi...", 'say \\"hi\\"', "it\\'s"):
        assert any(mark in text for mark in SMARTY_MARKS)
        made, reference = both(text)
        assert made == reference
    assert "–" in both("a -- b")[0].html and "…" in both("chờ đợi...")[0].html


def test_every_body_of_the_fixtures_and_the_example_site_renders_the_same():
    for path in [*ROOT.glob("content/**/*.md"), *ROOT.glob("tests/sites/**/*.md")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        made, reference = both(text)
        assert made == reference, path


def test_first_paragraph_is_plain_text_with_entities_dashes_and_escapes_put_back():
    renderer = MarkdownRenderer(lambda source, target: "/x/")
    cases = {"Chờ đợi... nhé -- x &amp; y &lt;3": "Chờ đợi… nhé – x & y <3", "a <b>đậm</b> \\* b": "a đậm * b",
             "giá 5\\.000đ, `mã`": "giá 5.000đ, mã"}
    for text, plain in cases.items():
        assert renderer.render(Body(text, "content/posts/x.md", 0)).first_paragraph == plain


def test_a_post_without_summary_whose_first_paragraph_has_entities_builds(tmp_path: Path):
    """It used to stop the build with a traceback: Python-Markdown's placeholders (control
    characters) went into the feed's summary, which XML cannot hold."""
    import shutil

    import feedparser

    from conftest import NOW, SITES, run_cli
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site, ignore=shutil.ignore_patterns(".cache", "output"))
    (site / "content" / "posts" / "2024-01-01-thu.md").write_text(
        '---\ntitle: "Thử dấu câu"\ndate: 2024-01-01\n---\nChờ đợi... nhé -- x &amp; y.\n\nĐoạn hai.\n', encoding="utf-8")
    result = run_cli("build", "--site", site, "--output", tmp_path / "out", "--now", NOW)
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    feed = feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes())
    assert not feed.bozo
    entry = next(e for e in feed.entries if e.title == "Thử dấu câu")
    assert entry.summary == "Chờ đợi… nhé – x & y."
