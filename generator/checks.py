"""Checks on top of the schema: what a build can load but a careful editor would still want to fix.

They run in every build and in ``outreach check`` (a build that writes nothing), after the site
graph exists, and only add to the ErrorCollector:

- errors: Markdown images without a description (alt text);
- warnings: links to anchors that do not exist, site-absolute links and menu items that lead to
  no page, phone and ID numbers in post bodies, long posts without a summary, upcoming drives
  without a registration link, and text left to fill in from ``outreach new``.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from generator.bodies import published_bodies
from generator.cache import Store
from generator.errors import ContentError, ErrorCollector, Loc, N_
from generator.graph import Site
from generator.markdown import Rendered, resolve_relative
from generator.models import Body, Content
from generator.sources import PLACEHOLDERS, placeholder_text
from generator.theme import Theme
from generator.urls import UrlPlan

LONG_POST_WORDS = 400  # a post longer than this needs a written summary for lists and shares
# Written by `outreach new` into values the writer must replace (see scaffold.py).

# [text](target "title") and ![alt](target); the target may be <wrapped> and hold one level of ().
# It starts at the bracket (an image's '!' is the character before): a pattern that starts with a
# literal is searched for that character first, 2.5 times faster than trying every position.
_INLINE_LINK = re.compile(
    r"\[(?P<text>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]"
    r"\(\s*(?P<target><[^>\n]*>|(?:[^\s()]|\([^\s()]*\))*)"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[(?P<label>[^\]]+)\]:\s*(?P<target><[^>]*>|\S+)")
_REFERENCE_IMAGE = re.compile(r"!\[(?P<text>[^\[\]]*)\]\[(?P<label>[^\]]*)\]")
_FENCE = re.compile(r"^ {0,3}(```+|~~~+)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ID = re.compile(r"""\sid=["']([^"']+)["']""")
# A run of digits that may be split by spaces, dots or dashes, optionally after '+'.
_NUMBER = re.compile(r"(?<![\w+/.,-])\+?\d(?:[ .\-]?\d){7,13}(?![\w/]|[.,-]\d)")
_DIGITS = re.compile(r"\d(?:[ .\-]?\d){7}")  # what every _NUMBER holds, found faster (it starts with a digit)


@dataclass(frozen=True)
class Scan:
    """What the checks need from one Markdown body; depends on its text alone, so it is cached."""
    words: int | None  # None: not counted; only a post without a summary needs it (wants_words)
    links: tuple[tuple[int, int, bool, str, str], ...]  # (line in body, col, is image, text, target)
    numbers: tuple[tuple[int, int, str, str], ...]  # (line in body, col, text, 'phone' | 'id')


def scan(markdown: str, words: bool = True) -> Scan:
    """The Scan of MARKDOWN; its words counted if WORDS (a third of the time a body's scan takes)."""
    lines = markdown_lines(markdown)
    # a number found in the prose is found in the whole text (blanking only turns characters into
    # spaces): one search of the text spares a search of each line in the many bodies without one
    numbers = tuple(_find_numbers(lines)) if _DIGITS.search(markdown) and _NUMBER.search(markdown) else ()
    links = tuple(_find_links(lines, "]:" in markdown)) if "[" in markdown else ()
    return Scan(words=_words(lines) if words else None, links=links, numbers=numbers)


def _words(lines: list[tuple[int, str]]) -> int:
    return len(" ".join(text for _, text in lines).split())


def wants_words(content: Content) -> frozenset[str]:
    """The bodies whose words the checks count: posts without a summary (a long one is warned about)."""
    return frozenset(post.body.path for post in content.posts if not post.summary)


def _scan_cached(body: Body, store: Store | None, known: Scan | None = None, words: bool = True) -> Scan:
    """scan(BODY), from STORE or KNOWN (made beside its Markdown on another core) if there; with its
    words counted if WORDS, and then kept so."""
    found = store.get(body.digest) if store is not None else None
    made = found is None
    if made:
        found = known or scan(body.markdown, words)
    if words and found.words is None:
        found, made = replace(found, words=_words(markdown_lines(body.markdown))), True
    if made and store is not None:
        store.put(body.digest, found)
    return found


def run_checks(site_dir: Path, content: Content, plan: UrlPlan, rendered: dict[str, Rendered],
               sites: tuple[Site, ...], errors: ErrorCollector, store: Store | None = None,
               scanned: dict[str, Scan] | None = None) -> None:
    """SITES: the site of each language, the default first. SCANNED: bodies scanned already."""
    known = _KnownPaths(site_dir, plan, sites)
    bodies = published_bodies(content, plan)
    scanned = scanned or {}
    wanted = wants_words(content)
    scans = {body.path: _scan_cached(body, store, scanned.get(body.path), body.path in wanted) for body in bodies}
    for body in bodies:
        _check_links(body, scans[body.path], plan, rendered, known, errors)
    for post in content.posts:
        if post.source not in plan.published:
            continue
        scan = scans[post.source]
        _check_personal_numbers(post.body, scan, errors)
        words = scan.words
        if not post.summary and words > LONG_POST_WORDS:
            errors.warning(Loc(post.source, post.title_line, 1),
                           N_("this post has no 'summary' and is long ({words} words)"),
                           N_("add a line 'summary: ...' with one or two sentences: lists of news and shares on "
                              "Facebook and Zalo show it instead of the first paragraph"), words=words)
    for event in content.events:
        if event.source not in plan.published:
            continue
        if event.registration is None and event.status == "scheduled" and event.end >= plan.now:
            errors.warning(Loc(event.source, event.title_line, 1),
                           N_("this upcoming drive has no registration link"),
                           N_("add a line 'registration: https://...' with the sign-up form; if donors just come "
                              "without signing up, write registration: \"\""))
    # the loader saw, in each file's bytes, whether it holds a placeholder: only those are read again
    models = [p for p in content.posts if p.source in plan.published]
    models += [p for p in content.pages if p.source in plan.published]
    models += list(content.events) + list(content.recognitions)
    for model in models:
        if model.marked:
            _check_placeholders(site_dir, model.source, errors)
    for site in sites:
        _check_menu(site_dir, site, known, errors)


def problem_dict(error: ContentError, translate: Callable[[str], str]) -> dict:
    """One problem as editors and CI read it: ``outreach check --format json`` and the preview's status."""
    message, hint = error.text(translate)
    return {"path": error.loc.path, "line": error.loc.line, "col": error.loc.col or (1 if error.loc.line else 0),
            "severity": error.severity, "message": message, "hint": hint}


def markdown_lines(markdown: str) -> list[tuple[int, str]]:
    """(1-based line number, text) of Markdown prose: code blocks, code spans and HTML comments blanked.

    Blanking keeps columns and line numbers as they are in the file.
    """
    text = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), markdown) if "<!--" in markdown else markdown
    out = []
    fence = None
    for number, line in enumerate(text.split("\n"), start=1):
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
            continue
        out.append((number, _CODE_SPAN.sub(_blank, line) if "`" in line else line))
    return out


def _blank(match: re.Match) -> str:
    return " " * len(match.group(0))


class _KnownPaths:
    """Output files of the site (relative to the output folder), to test site-absolute links."""

    def __init__(self, site_dir: Path, plan: UrlPlan, sites: tuple[Site, ...]):
        self.site_dir = site_dir
        self.sites = sites
        self.base_path = plan.config.base_path
        self.base_url = plan.config.base_url
        self.files = {out.path for site in sites for out in site.outputs} | {m.path for m in sites[0].media}
        self._more: set[str] | None = None

    def _everything(self) -> set[str]:
        if self._more is None:  # theme assets and feeds are looked up only when a link needs them
            from generator.outputs import machine_outputs
            more = set(Theme.for_site(self.site_dir).static_files())
            try:
                more |= set(machine_outputs(self.sites)[0])
            except Exception:  # a failing generator is reported by the build itself
                pass
            self._more = more
        return self.files | self._more

    def internal_path(self, url: str) -> str | None:
        """The site path of URL ('/base/tin-tuc/x/'), or None if URL is not a site-absolute link."""
        if url.startswith(self.base_url):
            url = self.base_path + url[len(self.base_url):]
        if not url.startswith("/") or url.startswith("//"):
            return None
        return unquote(_split(url).path)

    def exists(self, path: str) -> bool:
        if not path.startswith(self.base_path):
            return False
        rel = path[len(self.base_path):]
        candidates = {rel + "index.html"} if rel == "" or rel.endswith("/") else {rel, rel + "/index.html"}
        return bool(candidates & self.files) or bool(candidates & self._everything())


# the same few hundred targets recur in thousands of posts; a split URL is an immutable tuple
_split = functools.lru_cache(maxsize=65536)(urlsplit)


def _links(line: str, offset: int = 0):
    """(col, is image, text, target, target span) of inline links in LINE, images inside links too."""
    if "](" not in line:
        return
    for m in _INLINE_LINK.finditer(line):
        start = m.start()
        image = start > 0 and line[start - 1] == "!"
        yield (offset + start + (0 if image else 1), image, m["text"], m["target"].strip("<>"),
               (offset + m.start("target"), offset + m.end("target")))
        yield from _links(m["text"], offset + m.start("text"))


def _find_links(lines: list[tuple[int, str]], definitions_too: bool = True):
    """DEFINITIONS_TOO: whether the body may hold reference definitions ('[label]: target')."""
    definitions = {}
    for number, line in lines if definitions_too else ():
        match = _REFERENCE_DEFINITION.match(line)
        if match:
            definitions[match["label"].strip().lower()] = match["target"].strip("<>")
    for number, line in lines:
        if "[" not in line:
            continue
        found = [(col, image, text, target) for col, image, text, target, _ in _links(line)]
        if "![" in line:
            found += [(m.start() + 1, True, m["text"], definitions.get((m["label"] or m["text"]).strip().lower(), ""))
                      for m in _REFERENCE_IMAGE.finditer(line)]
        match = _REFERENCE_DEFINITION.match(line) if definitions_too else None
        if match:
            found.append((match.start("target") + 1, False, "-", match["target"].strip("<>")))
        for col, image, text, target in found:
            yield number, col, image, text, target


def _check_links(body: Body, scanned: Scan, plan: UrlPlan, rendered: dict[str, Rendered],
                 known: _KnownPaths, errors: ErrorCollector) -> None:
    for number, col, image, text, target in scanned.links:
        if image and not text.strip():
            errors.error(Loc(body.path, body.line_offset + number, col), N_("this image has no description (alt text)"),
                         N_("write what the picture shows between the brackets, e.g. "
                            "![Đoàn viên xếp hàng hiến máu](../media/anh.jpg)"))
        if target:  # (40k links at N=10,000: the Loc of one is made only if it has a problem)
            _check_target(body, target, (body.path, body.line_offset + number, col), plan, rendered, known, errors)


def _check_target(body: Body, target: str, where: tuple[str, int, int], plan: UrlPlan, rendered: dict[str, Rendered],
                  known: _KnownPaths, errors: ErrorCollector) -> None:
    parts = _split(target)
    internal = known.internal_path(target)
    if internal is not None:
        if not known.exists(internal):
            errors.warning(Loc(*where), N_("the link '{target}' does not lead to a page of this site"),
                           N_("link to the source file instead, relative to this one, e.g. "
                              "../pages/dieu-kien-hien-mau.md: the build then finds its address"), target=target)
        return
    if parts.scheme or parts.netloc or not parts.fragment:
        return  # other sites; links without an anchor are checked by the build itself
    if parts.path:
        source = resolve_relative(body.path, unquote(parts.path))
        source = source.rstrip("/") if source else source
    else:
        source = body.path
    if source is None or source not in rendered:
        return  # missing files are reported by the build; media and lists have no headings to check
    anchors = set(_ID.findall(rendered[source].html))
    fragment = unquote(parts.fragment)
    if fragment not in anchors:
        errors.warning(Loc(*where), N_("there is no heading with the anchor '#{anchor}' in {file}"),
                       N_("anchors are made from headings: '## Điều kiện cơ bản' gives #dieu-kien-co-ban; "
                          "available here: {anchors}"),
                       anchor=fragment, file=source, anchors=", ".join(sorted(anchors)) or "-")


def _find_numbers(lines: list[tuple[int, str]]):
    for number, line in lines:
        if not _NUMBER.search(line):
            continue
        masked = list(line)
        for *_, (start, end) in _links(line):  # numbers inside web addresses are not shown as text
            masked[start:end] = " " * (end - start)
        masked = "".join(masked)
        for match in _NUMBER.finditer(masked):
            kind = number_kind(match.group(0))
            if kind is not None:
                yield number, match.start() + 1, match.group(0), kind


def _check_personal_numbers(body: Body, scanned: Scan, errors: ErrorCollector) -> None:
    for number, col, value, kind in scanned.numbers:
        loc = Loc(body.path, body.line_offset + number, col)
        if kind == "phone":
            errors.warning(loc, N_("this looks like a phone number: '{value}'"),
                           N_("do not publish donors' phone numbers; if it is an organiser's public number, "
                              "put it in the drive's 'contact:' instead"), value=value)
        else:
            errors.warning(loc, N_("this looks like an ID card number: '{value}'"),
                           N_("ID numbers (CCCD, CMND) must never be published: delete it"), value=value)


def number_kind(text: str) -> str | None:
    """'phone' for Vietnamese phone numbers, 'id' for 9- or 12-digit ID numbers, else None."""
    digits = re.sub(r"\D", "", text)
    separated = digits != text
    if text.startswith("+84") or (text.startswith("84") and len(digits) in (11, 12) and separated):
        return "phone" if len(digits) in (11, 12) else None
    if digits.startswith("0") and len(digits) in (10, 11):
        return "phone"
    if not separated and len(digits) in (9, 12):
        return "id"
    return None


def _placeholder_text(site_dir: Path, source: str) -> str | None:
    try:
        return placeholder_text((site_dir / source).read_bytes())
    except OSError:
        return None  # reported by the loader


def _check_placeholders(site_dir: Path, source: str, errors: ErrorCollector) -> None:
    text = _placeholder_text(site_dir, source)
    if text is None:
        return
    yaml_lines = source.endswith((".yaml", ".yml"))
    in_front_matter = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not yaml_lines and line.strip() == "---":
            in_front_matter = number == 1
            continue
        if (yaml_lines or in_front_matter) and line.lstrip().startswith("#"):
            continue  # hints in comments may name the marker
        for marker in PLACEHOLDERS:
            col = line.find(marker)
            if col >= 0:
                errors.warning(Loc(source, number, col + 1), N_("this line still has '{marker}' in it"),
                               N_("replace it with the real information"), marker=marker)
                break


def _check_menu(site_dir: Path, site: Site, known: _KnownPaths, errors: ErrorCollector) -> None:
    if not site.menu:
        return
    try:
        config_lines = (site_dir / "config.yaml").read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        config_lines = []
    for item in site.menu:
        path = known.internal_path(item.url)
        if path is None or known.exists(path):
            continue
        line = next((n for n, text in enumerate(config_lines, start=1) if item.url in text), 0)
        col = config_lines[line - 1].find(item.url) + 1 if line else 0
        errors.warning(Loc("config.yaml", line, col), N_("the menu item '{title}' leads to '{url}', which is not a "
                                                         "page of this site"),
                       N_("check the address, or the title and 'slug:' of the page it should open"),
                       title=item.title, url=item.url)
