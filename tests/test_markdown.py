"""The Markdown renderer's fast path: an extension, inline pattern, block processor or preprocessor is left
out for a body it would not change."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.markdown import BLOCKS, INLINE, OPTIONAL, PREPROCESSORS, SMARTY_MARKS, MarkdownRenderer
from generator.models import Body

ROOT = Path(__file__).resolve().parent.parent
PIECES = list("ab -.*_`\\'\"&#;<>![]()\n:|^~=+{}") + [
    "--", "...", "\\-", "&#45;", "\n\n", "# ", "- ", "[TOC]", "ế", "“", "<!--", "-->", "```", "[^1]", "\n[^1]: n",
    "{: #x }", "{.c}", "\n:   ", "\n    ", "> ", "*[HTML]: Hyper", "HTML", "<div markdown=\"1\">", "</div>",
    "\n| a | b |\n|---|---|\n| 1 | 2 |\n", "\nTerm\n:   Definition\n", "1. ", "    - ",
    # what the inline patterns act on
    "  \n", "\t", "\r\n", "\r", "\x02", "\x03", "\n[id]: /u\n", "[x][id]", "[id]", "![i][id]", "![i](a.png)",
    "<http://a.b>", "<a@b.c>", "&amp;", "**", "__", "\\`", "`c`", "[a](b.md)",
    # ...and the block processors and preprocessors
    "\n---\n", "\n===\n", "\n-", "\n=", "* * *", "_ _ _", "- -", "-\t-", "~~~", "\n~~~\n", "> > ", "\n>", "##"]


def both(text: str) -> tuple:
    """(what the renderer makes, what it makes with every extension always on)."""
    body = Body(text, "content/posts/x.md", 0)
    chosen = MarkdownRenderer(lambda source, target: "/x/")
    always = MarkdownRenderer(lambda source, target: "/x/", always=True)
    return chosen.render(body), always.render(body)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_leaving_out_extensions_a_body_does_not_use_changes_nothing(text: str):
    made, reference = both(text)
    assert made == reference


def _with_python_markdowns_own_parts() -> MarkdownRenderer:
    """A renderer with every extension always on, and Python-Markdown's own '#' heading processor,
    whitespace preprocessor, link and reference patterns and block-level test in place of the
    renderer's shortcuts (_HashHeader, _NormalizeWhitespace, _Link, _Reference, _ShortReference,
    _Markdown.block_level)."""
    from markdown.blockprocessors import HashHeaderProcessor
    from markdown.inlinepatterns import (LINK_RE, REFERENCE_RE, LinkInlineProcessor, ReferenceInlineProcessor,
                                         ShortReferenceInlineProcessor)
    from markdown.preprocessors import NormalizeWhitespace

    from generator.markdown import _made

    renderer = MarkdownRenderer(lambda source, target: "/x/", always=True)
    md = _made(frozenset(), renderer)
    md.parser.blockprocessors.register(HashHeaderProcessor(md.parser), "hashheader", 70)
    md.preprocessors.register(NormalizeWhitespace(md), "normalize_whitespace", 30)
    md.inlinePatterns.register(ReferenceInlineProcessor(REFERENCE_RE, md), "reference", 170)
    md.inlinePatterns.register(LinkInlineProcessor(LINK_RE, md), "link", 160)
    md.inlinePatterns.register(ShortReferenceInlineProcessor(REFERENCE_RE, md), "short_reference", 130)
    md.block_level = None
    renderer.instances[frozenset()] = md
    return renderer


SHORTCUT_PIECES = PIECES + [  # where the shortcuts' tests decide: '#', spaces that end lines, '!' before '['
    "\n# h #\n", "a # b", "\\#", "#x", "\n###### six\n", "<p>x</p>\n\n", "<section>\n\ns\n\n</section>",
    "<DIV>d</DIV>\n", "\n \n", "   \n\n", " \t\n", "    code\n  \n    more\n", "![", "!", "[x]", "!![a](b)", "[!](c)"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SHORTCUT_PIECES), max_size=40).map("".join))
def test_the_renderers_shortcuts_in_python_markdown_render_as_its_own_parts(text: str):
    """A block without '#' is not searched for a '#' heading, a body where no space ends a line not
    for lines of spaces, links and references are searched for from their '[', and block-level
    tags are looked up in a set: the same HTML as with Python-Markdown's own parts."""
    body = Body(text, "content/posts/x.md", 0)
    assert MarkdownRenderer(lambda source, target: "/x/", always=True).render(body) == \
        _with_python_markdowns_own_parts().render(body)


def test_the_block_level_test_answers_as_python_markdowns_own():
    import markdown

    from generator.markdown import _made

    md = _made(frozenset(), MarkdownRenderer(lambda source, target: "/x/", always=True))
    tags = [*md.block_level_elements, "DIV", "Section/", "p/", "P", "span", "a", "custom", "", "/", None, 3]
    assert [md.is_block_level(tag) for tag in tags] == [markdown.Markdown.is_block_level(md, tag) for tag in tags]
    assert md.is_block_level("DIV") and not md.is_block_level("span")


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


def test_an_email_address_in_angle_brackets_is_a_mailto_link_and_plain_text_in_the_first_paragraph():
    """Python-Markdown hides such an address as entities; the link rewriter took it for a file."""
    made = MarkdownRenderer(lambda source, target: None).render(Body("Gửi <a@a.vn> nhé.", "content/posts/x.md", 0))
    assert '<a href="mailto:a@a.vn">a@a.vn</a>' in made.html
    assert made.first_paragraph == "Gửi a@a.vn nhé." and made.broken_links == () and made.links == ()


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


def test_tabs_and_carriage_returns_still_make_line_breaks():
    for text in ("một \t\nhai", "một  \r\nhai", "một  \rhai", "mộtt\t\nhai"):
        made, reference = both(text)
        assert made == reference and "<br" in made.html, text
    made, reference = both("một\t\nhai")  # the tab is one space here (tab stops of 4)
    assert made == reference and "<br" not in made.html


def test_a_body_without_the_toc_marker_keeps_its_marker_text_out_and_one_with_it_gets_the_list():
    made, reference = both("## Mục một\n\n[TOC]\n\nChữ.")
    assert made == reference and '<li><a href="#muc-mot">' in made.html
    made, reference = both("## Mục một\n\nChữ [TOC nhé].")
    assert made == reference and '<li>' not in made.html and "[TOC nhé]" in made.html


PARTS = {**OPTIONAL, **{f"inline:{name}": needs for name, needs in INLINE.items()},
         **{f"block:{name}": needs for name, needs in BLOCKS.items()},
         **{f"pre:{name}": needs for name, needs in PREPROCESSORS.items()}}


def test_each_part_is_taken_where_its_syntax_occurs():
    """For every part that can be left out, a body using it: seen to need it, rendered as with every
    part on, the part at work (a mark of it in the HTML)."""
    samples = {
        "fenced_code": ("~~~\nmã\n~~~", "<pre><code>"),
        "footnotes": ("Câu[^1].\n\n[^1]: Chú thích.", 'id="fn:1"'),
        "attr_list": ("## Mục {: #rieng }", 'id="rieng"'),
        "def_list": ("Nhóm máu\n:   A, B, AB, O", "<dl>"),
        "tables": ("| a | b |\n|---|---|\n| 1 | 2 |", "<table>"),
        "abbr": ("HIV là virus.\n\n*[HIV]: Human immunodeficiency virus", "<abbr"),
        "md_in_html": ('<div markdown="1">\n**đậm**\n</div>', "<strong>"),
        "smarty": ("a -- b", "–"),
        "inline:backtick": ("a `mã` b", "<code>mã</code>"),
        "inline:escape": ("a \\*b\\* c", "*b*"),
        "inline:reference": ("[tin][t]\n\n[t]: https://a.vn", 'href="https://a.vn"'),
        "inline:link": ("[tin](https://a.vn)", 'href="https://a.vn"'),
        "inline:image_link": ("![ảnh](https://a.vn/a.png)", "<img"),
        "inline:image_reference": ("![ảnh][t]\n\n[t]: https://a.vn/a.png", "<img"),
        "inline:short_reference": ("[t]\n\n[t]: https://a.vn", 'href="https://a.vn"'),
        "inline:short_image_ref": ("![t]\n\n[t]: https://a.vn/a.png", "<img"),
        "inline:autolink": ("<https://a.vn>", 'href="https://a.vn"'),
        "inline:automail": ("<a@a.vn>", "mailto"),
        "inline:linebreak": ("dòng một  \ndòng hai", "<br"),
        "inline:html": ("a <em>b</em>", "<em>b</em>"),
        "inline:entity": ("a &copy; b", "©"),
        "inline:em_strong": ("**đậm** _nghiêng_", "<strong>đậm</strong>"),
        "block:hashheader": ("# Tiêu đề", "<h1"),
        "block:setextheader": ("Tiêu đề\n=======", "<h1"),
        "block:hr": ("Một\n\n* * *\n\nHai", "<hr"),
        "block:quote": ("> Trích dẫn", "<blockquote>"),
        "block:reference": ("[tin][t]\n\n[t]: https://a.vn", 'href="https://a.vn"'),
        "pre:html_block": ("<div>\nkhối\n</div>", "<div>"),
    }
    assert set(samples) == set(PARTS)
    for name, (text, marker) in samples.items():
        assert PARTS[name](text), name
        made, reference = both(text)
        assert made == reference and marker in made.html, (name, made.html)


def test_setext_headings_and_rules_are_seen_in_their_every_form():
    for text in ("Tiêu đề\n-", "Tiêu đề\r---\r", "Một\n\n- - -\n", "Một\n\n_  _  _\n",
                 '<div markdown="1">Tiêu đề\n-</div>', '<div markdown="1">\nTiêu đề\n===</div>\n'):
        made, reference = both(text)
        assert made == reference and any(tag in made.html for tag in ("<h1", "<h2", "<hr")), text


def test_bodies_of_many_kinds_share_a_few_instances_and_render_the_same():
    """Each instance is ~0.2 MB and ~4 ms to make: a site whose bodies use every mix of syntax must
    not make one per mix. Past MAX_INSTANCES a body takes one that leaves out less, with the same HTML."""
    import itertools

    from generator.markdown import MAX_INSTANCES
    pieces = ["*nghiêng*", "`mã`", "[tin](x.md)", "![ảnh](a.png)", "> trích", "\n---\n", "# Mục", "a &amp; b",
              "<b>đậm</b>", "a -- b", "x\\*y", "Tiêu đề\n===", "~~~\nmã\n~~~"]
    texts = ["\n\n".join(mix) for mix in itertools.combinations(pieces, 3)]
    chosen = MarkdownRenderer(lambda source, target: "/x/")
    always = MarkdownRenderer(lambda source, target: "/x/", always=True)
    for text in texts:
        body = Body(text, "content/posts/x.md", 0)
        assert chosen.render(body) == always.render(body), text
    assert len(texts) > 200 and MAX_INSTANCES <= 16 and len(chosen.instances) <= MAX_INSTANCES + 1


def test_extensions_are_the_classes_their_names_stand_for_without_an_entry_point_search():
    """Markdown is given the extensions' classes, those Python-Markdown's entry points name (given
    names, it searches every package's entry points: importlib.metadata and ~30 ms a process)."""
    import subprocess
    import sys
    from importlib.metadata import entry_points

    from generator.markdown import EXTENSION_CLASSES, EXTENSIONS, extension_class

    points = {point.name: point for point in entry_points(group="markdown.extensions")}
    assert sorted(EXTENSION_CLASSES) == sorted(EXTENSIONS)
    for name in EXTENSIONS:
        assert points[name].value == EXTENSION_CLASSES[name] and points[name].load() is extension_class(name)
    probe = ("import sys; from generator.markdown import MarkdownRenderer; from generator.models import Body\n"
             "html = MarkdownRenderer(lambda s, t: '/x/', always=True).render(Body('# A\\n\\n[TOC]\\n\\nx -- y', 'p.md', 0)).html\n"
             "assert '<a href=\"#a\">A</a>' in html and 'x \u2013 y' in html, html\n"
             "print('importlib.metadata' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "False"
