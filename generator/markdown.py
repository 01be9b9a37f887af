"""The Python-Markdown setup: body -> sanitised HTML, first paragraph, links rewritten to URLs.

Links inside content point at source files relative to the linking file
(``[tin](2022-06-14-huong-ung.md)``, ``![ảnh](../media/anh.jpg)``); a ``LinkResolver`` maps
them to published URLs, and links to missing files are reported with the file's own line.
"""
from __future__ import annotations

import functools
import importlib
import html
import posixpath
import re
from dataclasses import dataclass, field, replace
from typing import Callable
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import markdown as _markdown
import nh3
from markdown.blockprocessors import HashHeaderProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import LinkInlineProcessor, ReferenceInlineProcessor, ShortReferenceInlineProcessor
from markdown.preprocessors import NormalizeWhitespace
from markdown.treeprocessors import Treeprocessor, UnescapeTreeprocessor
from markdown.util import AMP_SUBSTITUTE, ETX, HTML_PLACEHOLDER_RE, STX

from generator.cache import digest, fingerprint
from generator.models import Body, decoded, utf8_of, with_utf8
from generator.schema import SAFE_URL_SCHEMES, unsafe_scheme

# "extra" (its parts, in its order), sane_lists, smarty and toc
EXTENSIONS = ["fenced_code", "footnotes", "attr_list", "def_list", "tables", "abbr", "md_in_html", "sane_lists",
              "smarty", "toc"]
# Each by its class, which is what Python-Markdown's entry points name: given a name, Markdown looks
# it up among every installed package's entry points (importing importlib.metadata and reading
# each package's entry_points.txt: ~20 ms in each process that renders Markdown). A class's module
# is imported when an instance first needs it (fenced_code alone pulls in codehilite and Pygments).
EXTENSION_CLASSES = {
    "fenced_code": "markdown.extensions.fenced_code:FencedCodeExtension",
    "footnotes": "markdown.extensions.footnotes:FootnoteExtension",
    "attr_list": "markdown.extensions.attr_list:AttrListExtension",
    "def_list": "markdown.extensions.def_list:DefListExtension",
    "tables": "markdown.extensions.tables:TableExtension",
    "abbr": "markdown.extensions.abbr:AbbrExtension",
    "md_in_html": "markdown.extensions.md_in_html:MarkdownInHtmlExtension",
    "sane_lists": "markdown.extensions.sane_lists:SaneListExtension",
    "smarty": "markdown.extensions.smarty:SmartyExtension",
    "toc": "markdown.extensions.toc:TocExtension",
}


def extension_class(name: str) -> type[Extension]:
    module, _, cls = EXTENSION_CLASSES[name].partition(":")
    return getattr(importlib.import_module(module), cls)


EXTENSION_CONFIGS = {
    # Vietnamese headings get ASCII anchors, like URLs do.
    "toc": {"slugify": lambda value, separator: _slug(value), "permalink": False},
    "smarty": {"smart_quotes": False},  # Vietnamese typing already uses the right quotes
}

# What smarty (dashes and ellipses; quotes are off) acts on: '--' and '...' in text, and the
# backslash escapes it adds for quotes. Text in the tree is text of the source, so a body holding
# none of these is left exactly as it was by smarty.
SMARTY_MARKS = ("--", "...", '\\"', "\\'")
_DEFINITION = re.compile(r"\n[ \t>]*:")  # a line that may start a definition (def_list), but the first


def _definition(text: str) -> bool:
    return ":" in text and (_DEFINITION.search(text) is not None or text.lstrip(" \t>").startswith(":"))


@functools.lru_cache(maxsize=2)  # asked by four patterns for the same body
def _references(text: str) -> bool:
    return "]:" in text  # '[id]: url' (a search for two characters costs 30 of one: rare ones go first)


# Extensions that change a body only where their syntax occurs in it, and what that syntax needs:
# a body without it is rendered without the extension, with the same output (tests/test_markdown.py
# compares both on generated bodies). Each walks the tree or tests every block: leaving out the
# ones a body does not use makes Python-Markdown ~15% faster.
OPTIONAL: dict[str, Callable[[str], bool]] = {
    "fenced_code": lambda text: "`" in text or "~" in text,
    "footnotes": lambda text: "^" in text and "[^" in text,
    "attr_list": lambda text: "{" in text,
    "def_list": _definition,
    "tables": lambda text: "|" in text,
    "abbr": lambda text: "*" in text and "*[" in text,
    "md_in_html": lambda text: "<" in text,  # it parses raw HTML blocks its own way: any HTML takes it
    "smarty": lambda text: ("-" in text and "--" in text) or "..." in text or ("\\" in text and any(
        mark in text for mark in SMARTY_MARKS[2:])),
}

# Python-Markdown's inline patterns, and what a body's text must hold for each to match anywhere in
# it: every pattern is tried on every piece of text of a body (half of Python-Markdown's time on
# news articles), so a body is rendered without the patterns it gives nothing to, with the same
# output (tests/test_markdown.py compares with every pattern on). The text the patterns see is the
# source's, less block marks at line starts, so a mark absent from the source is absent there too.
# Reference links need a definition ('[id]: url'), without which they match nothing.
INLINE: dict[str, Callable[[str], bool]] = {
    "backtick": lambda text: "`" in text,
    "escape": lambda text: "\\" in text,
    "reference": _references,
    "link": lambda text: "[" in text,
    "image_link": lambda text: "!" in text and "![" in text,
    "image_reference": lambda text: "!" in text and "![" in text and _references(text),
    "short_reference": _references,
    "short_image_ref": lambda text: "!" in text and "![" in text and _references(text),
    "autolink": lambda text: "<" in text,
    "automail": lambda text: "<" in text,
    # two spaces at a line's end ('\r\n' is '\n' by then, and tabs are spaces)
    "linebreak": lambda text: "\t" in text or "\r" in text or "  \n" in text,
    "html": lambda text: "<" in text,
    "entity": lambda text: "&" in text,
    "em_strong": lambda text: "*" in text or "_" in text,
}

# Block processors and preprocessors likewise: each is asked about every block (or reads the whole
# body) and does nothing to a body without its marks. The text blocks hold is the source's, less
# marks at line starts ('> ', indentation), which these checks allow for.
# (Patterns that start with a fixed character: the regex engine skips ahead to it. "\r" ends lines too.)
# a setext heading's second line; in a <div markdown="1">, the closing tag after it ends its line too
_UNDERLINE = re.compile(r"\n[ \t>]*[=-]+[ \t]*(?:\n|$|<)")
_RULES = {mark: re.compile(f"{re.escape(mark)}[ \\t]{{0,2}}{re.escape(mark)}[ \\t]{{0,2}}{re.escape(mark)}")
          for mark in "-_*"}  # '---', '* * *'...


def _rule(text: str) -> bool:
    return any(mark in text and rule.search(text) is not None for mark, rule in _RULES.items())


BLOCKS: dict[str, Callable[[str], bool]] = {
    "hashheader": lambda text: "#" in text,
    "setextheader": lambda text: "\r" in text or _UNDERLINE.search(text) is not None,
    "hr": _rule,
    "quote": lambda text: ">" in text,
    "reference": _references,
}
PREPROCESSORS: dict[str, Callable[[str], bool]] = {
    "html_block": lambda text: "<" in text,
}
TOC_MARKER = "[TOC]"  # toc's marker: a body without it is not searched for it

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "reversed", "type"},
    "time": {"datetime"},
    "abbr": {"title"},
    "sup": {"id"},
    "li": {"id"},
}


def _slug(value: str) -> str:
    from generator.slugs import slugify
    return slugify(value) or "muc"


# Fields that cache.fingerprint leaves out: a Rendered's digest, made with them, stands for them.
BY_DIGEST = {"fingerprint": False}


@dataclass(frozen=True, eq=False)  # equality and hash: below
class Rendered:
    html: str = field(metadata=BY_DIGEST)
    first_paragraph: str  # plain text
    toc: str = field(metadata=BY_DIGEST)
    broken_links: tuple[tuple[str, int, int], ...]  # (target, line, col) in the source file
    unsafe_links: tuple[tuple[str, int, int], ...]
    links: tuple[tuple[str, "str | None"], ...] = ()  # every content link and what it resolved to (for the cache)
    # A hash of html and toc, made with them whenever a Rendered is made (so on the core that rendered
    # the body) and kept with them in the cache: the page keys fingerprint the body by it instead of
    # hashing its HTML again on every build (60 MB at 10k posts).
    digest: str = field(init=False, default="")
    images: bool = field(init=False, default=False, metadata=BY_DIGEST)  # html holds an <img> (has_images)

    KEEPS_FINGERPRINT = True  # cache.fingerprint keeps it on the object; the cache keeps it with it

    def __post_init__(self):
        object.__setattr__(self, "digest", html_digest(self.html, self.toc))
        object.__setattr__(self, "images", _IMG_TEXT.search(self.html) is not None)
        fingerprint(self, {})  # made once, where the body is rendered, instead of by every build

    def _identity(self) -> tuple:  # the digest stands for html and toc, as in fingerprints
        return self.digest, self.first_paragraph, self.broken_links, self.unsafe_links, self.links

    def __eq__(self, other) -> bool:
        return type(other) is Rendered and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __reduce_ex__(self, protocol):  # for the build cache: see models.utf8_pickled
        return _rendered, (utf8_of(self, "html", protocol), self.first_paragraph, utf8_of(self, "toc", protocol),
                           self.broken_links, self.unsafe_links, self.links, self.digest, self.__dict__["_fingerprint"],
                           self.images)

    def __getattr__(self, name):  # texts loaded from the cache are decoded when first read (models.py)
        return decoded(self, name)

    def has_images(self) -> bool:
        """Whether html holds an <img>: looked for where the body is rendered, kept in the cache with it."""
        return self.images

    def with_html(self, html: str) -> "Rendered":
        """The same body with HTML rewritten (responsive images)."""
        return self if html == self.html else replace(self, html=html)


_IMG_TEXT = re.compile(r"<img\b", re.IGNORECASE)
_AMP_ENTITY = re.compile(re.escape(AMP_SUBSTITUTE) + r"#(\d+);")


def html_digest(html: str, toc: str) -> str:
    return digest(html, toc)


def _rendered(html, first_paragraph: str, toc, broken_links, unsafe_links, links, known_digest: str,
              known_fingerprint: bytes, images: bool) -> Rendered:  # html, toc: UTF-8 (models.with_utf8)
    return with_utf8(Rendered, {"html": html, "toc": toc}, first_paragraph=first_paragraph, broken_links=broken_links,
                     unsafe_links=unsafe_links, links=links, digest=known_digest, _fingerprint=known_fingerprint,
                     images=images)


LinkResolver = Callable[[str, str], "str | None"]  # (source path, target path) -> URL or None


class _LinkRewriter(Treeprocessor):
    def __init__(self, md, owner: "MarkdownRenderer"):
        super().__init__(md)
        self.owner = owner

    def run(self, root: Element):
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None:
                    element.set(attribute, self.owner._rewrite(value))
        for element in root.iter("p"):
            text = _plain("".join(element.itertext()), self.md).strip()
            if text:
                self.owner._first_paragraph = text
                break
        return None


def _plain(text: str, md) -> str:
    """Text taken from the tree before Python-Markdown puts back what it set aside: stashed HTML
    (entities, inline tags, smarty's dashes and ellipses) and backslash escapes are still
    placeholders made of control characters here (which a feed's XML cannot hold)."""
    def stashed(match: re.Match) -> str:
        try:
            raw = md.htmlStash.rawHtmlBlocks[int(match.group(1))]
        except (IndexError, ValueError):
            return ""
        return _TAG.sub("", raw if isinstance(raw, str) else "".join(raw.itertext()))

    text = _UNESCAPE.unescape(HTML_PLACEHOLDER_RE.sub(stashed, text)).replace(AMP_SUBSTITUTE, "&")
    return _CONTROL.sub("", html.unescape(text))


_UNESCAPE = UnescapeTreeprocessor()
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class _Hooks(Extension):
    def __init__(self, owner):
        super().__init__()
        self.owner = owner

    def extendMarkdown(self, md):
        # After inline patterns (priority 20) so links exist; before prettify.
        md.treeprocessors.register(_LinkRewriter(md, self.owner), "outreach_links", 5)
        md.parser.blockprocessors.register(_HashHeader(md.parser), "hashheader", 70)  # in place of the same
        md.preprocessors.register(_NormalizeWhitespace(md), "normalize_whitespace", 30)  # likewise
        md.inlinePatterns.register(_Reference(_BRACKET, md), "reference", 170)  # these three likewise
        md.inlinePatterns.register(_Link(_BRACKET, md), "link", 160)
        md.inlinePatterns.register(_ShortReference(_BRACKET, md), "short_reference", 130)


_BRACKET = r"\["  # what Python-Markdown's link and reference patterns are, less their look-behind '(?<!\!)'


class _NotAfterBang:
    """A link or reference pattern of Python-Markdown's searched for as the '[' it starts with:
    theirs begins with a look-behind (not after '!', an image's), so the regex engine tried it at
    every position of every text (~5 % of a body's convert); a '[' after '!' is passed over here
    instead, which the processor's caller takes as the pattern not matching there, as before."""

    def handleMatch(self, m, data: str):
        start = m.start(0)
        if start and data[start - 1] == "!":
            return None, None, None
        return super().handleMatch(m, data)


class _Link(_NotAfterBang, LinkInlineProcessor):
    pass


class _Reference(_NotAfterBang, ReferenceInlineProcessor):
    pass


class _ShortReference(_NotAfterBang, ShortReferenceInlineProcessor):
    pass


class _NormalizeWhitespace(NormalizeWhitespace):
    """Python-Markdown's first preprocessor, which empties the lines holding only spaces with a
    pattern that starts with a look-behind, tried at every position of the body (~4 % of the
    Markdown pass): not tried on a body where no space ends a line."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        source = source.replace(STX, "").replace(ETX, "")
        source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
        source = source.expandtabs(self.md.tab_length)
        if " \n" in source:
            source = _SPACES_LINE.sub("\n", source)
        return source.split("\n")


_SPACES_LINE = re.compile(r"(?<=\n) +\n")  # as NormalizeWhitespace has it


class _HashHeader(HashHeaderProcessor):
    """Python-Markdown's '#' heading processor, asked about every block of a body that has a '#'
    anywhere: its pattern, which starts with '(?:^|\n)' (no character the regex engine can skip
    ahead to), was tried at every position of every paragraph, ~5 % of the Markdown pass. A block
    without '#' cannot hold such a heading: it is not searched."""

    def test(self, parent, block: str) -> bool:
        return "#" in block and super().test(parent, block)


def _left_out(text: str) -> frozenset[str]:
    """What a body with TEXT gives nothing to do: OPTIONAL extensions, INLINE patterns, BLOCKS (as
    'block:name'), PREPROCESSORS ('pre:name') and toc's marker search."""
    if "\x02" in text or "\x03" in text:  # Python-Markdown drops these before it starts
        text = text.replace("\x02", "").replace("\x03", "")
    return frozenset((*(name for name, needed in OPTIONAL.items() if not needed(text)),
                      *(name for name, needed in INLINE.items() if not needed(text)),
                      *("block:" + name for name, needed in BLOCKS.items() if not needed(text)),
                      *("pre:" + name for name, needed in PREPROCESSORS.items() if not needed(text)),
                      *(() if TOC_MARKER in text else (TOC_MARKER,))))


class _Markdown(_markdown.Markdown):
    """Python-Markdown, asking whether a tag is block-level (for every element of every body, ~2 %
    of the Markdown pass) of a set of the names, not of the list ``block_level_elements`` (~50
    names, looked through one by one). The set is made by ``_made`` once the extensions have added
    theirs to the list (the only time anything changes it); the list is asked before then."""

    block_level: frozenset[str] | None = None

    def is_block_level(self, tag) -> bool:
        if isinstance(tag, str):
            names = self.block_level if self.block_level is not None else self.block_level_elements
            return tag.lower().rstrip("/") in names
        return False  # some ElementTree tags are not strings


def _made(left_out: frozenset[str], owner: "MarkdownRenderer") -> _markdown.Markdown:
    """A Markdown instance without what LEFT_OUT names (see _left_out)."""
    configs = EXTENSION_CONFIGS
    if TOC_MARKER in left_out:
        configs = {**configs, "toc": {**configs["toc"], "marker": ""}}
    md = _Markdown(extensions=[extension_class(name)(**configs.get(name, {}))
                               for name in EXTENSIONS if name not in left_out] + [_Hooks(owner)],
                   output_format="html")
    for name in INLINE:
        if name in left_out:
            md.inlinePatterns.deregister(name)
    for name in BLOCKS:
        if "block:" + name in left_out:
            md.parser.blockprocessors.deregister(name)
    for name in PREPROCESSORS:
        if "pre:" + name in left_out:
            md.preprocessors.deregister(name)
    if "escape" in left_out:  # what it puts back are backslash escapes: made by escape (or backtick, from '\\')
        md.treeprocessors.deregister("unescape")
    md.block_level = frozenset(md.block_level_elements)
    return md


# Instances made per renderer at most (each ~0.2 MB and ~4 ms to make): bodies of many different
# kinds would otherwise make hundreds. Past it, a body takes the made instance that leaves out the
# most of what the body does not need (or the one with everything), which renders it the same.
MAX_INSTANCES = 12


class MarkdownRenderer:
    """Reusable Markdown instances (reset between documents, which is measurably faster), one for each
    set of OPTIONAL extensions, INLINE patterns, BLOCKS and PREPROCESSORS bodies need, made when
    first needed, MAX_INSTANCES at most. ALWAYS: every body is rendered with all of them (the
    reference the fast path is compared with in the tests)."""

    def __init__(self, resolve: LinkResolver, trust_html: bool = False, always: bool = False):
        self.resolve = resolve
        self.trust_html = trust_html
        self.always = always
        self.instances: dict[frozenset[str], _markdown.Markdown] = {}  # by what each leaves out
        self.chosen: dict[frozenset[str], frozenset[str]] = {}  # what a body leaves out -> the instance it takes
        self._source = ""
        self._first_paragraph = ""
        self._broken: list[str] = []
        self._unsafe: list[str] = []
        self._links: list[tuple[str, str | None]] = []

    def _rewrite(self, value: str) -> str:
        target = value.strip()
        if AMP_SUBSTITUTE in target:  # '<a@b.vn>': Python-Markdown hides the address as entities
            target = _AMP_ENTITY.sub(lambda m: chr(int(m.group(1))), target).replace(AMP_SUBSTITUTE, "&")
        scheme = unsafe_scheme(target)
        if scheme is not None:
            self._unsafe.append(value)
            return "#"
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith(("#", "/", "?")) or not parts.path:
            return value
        url = self.resolve(self._source, unquote(parts.path))
        self._links.append((unquote(parts.path), url))
        if url is None:
            self._broken.append(value)
            return value
        return url + (f"#{parts.fragment}" if parts.fragment else "")

    def _instance(self, text: str) -> _markdown.Markdown:
        left_out = frozenset() if self.always else _left_out(text)
        md = self.instances.get(left_out)
        if md is None:
            chosen = self.chosen.get(left_out)
            if chosen is None:
                if len(self.instances) < MAX_INSTANCES:
                    chosen = left_out
                else:  # one that leaves out less serves as well: the nearest, or the one with everything
                    chosen = max((made for made in self.instances if made <= left_out), key=len, default=frozenset())
                if len(self.chosen) > 4096:
                    self.chosen.clear()
                self.chosen[left_out] = chosen
            md = self.instances.get(chosen)
            if md is None:
                md = self.instances[chosen] = _made(chosen, self)
        return md

    def render(self, body: Body) -> Rendered:
        md = self._instance(body.markdown)
        md.reset()
        self._source = body.path
        self._first_paragraph = ""
        self._broken, self._unsafe, self._links = [], [], []
        html = md.convert(body.markdown)
        toc = getattr(md, "toc", "")
        if not self.trust_html:
            html = sanitize(html)
        return Rendered(html=html, first_paragraph=self._first_paragraph, toc=toc,
                        broken_links=tuple(_locate(body, t) for t in self._broken),
                        unsafe_links=tuple(_locate(body, t) for t in self._unsafe), links=tuple(self._links))


# Made once: nh3.clean() turns its Python sets into the sanitizer's own on every call, ~20 µs of a
# ~100 µs body; a Cleaner keeps them (the same output: tests/test_injection_and_paths.py compares).
_CLEANER = nh3.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None,
                       url_schemes=set(SAFE_URL_SCHEMES))  # the schemes a Markdown link may have


def sanitize(html: str) -> str:
    return _CLEANER.clean(html)


def _locate(body: Body, target: str) -> tuple[str, int, int]:
    """Finds TARGET in the Markdown source so the error points at the right line and column."""
    for number, line in enumerate(body.markdown.split("\n"), start=1):
        col = line.find(target)
        if col >= 0:
            return target, body.line_offset + number, col + 1
    return target, body.line_offset + 1, 1


def resolve_relative(source: str, target: str) -> str | None:
    """The site-relative source path a link in SOURCE points at ('content/posts/x.md' + '../pages/y.md')."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
    if joined.startswith("..") or joined.startswith("/"):
        return None
    return joined


_TAG = re.compile(r"<[^>]+>")


def plain_text(html: str) -> str:
    return re.sub(r"\s+", " ", _TAG.sub(" ", html)).strip()
