"""Slugs and URLs for every source, what is published, and how content links resolve.

This is the first half of the site graph: it needs only the models, and its result lets Markdown
rewrite links before the rest of the graph (graph.py) is assembled.
"""
from __future__ import annotations

import functools
import posixpath
import string
from dataclasses import dataclass, field
from datetime import datetime

from generator.config import SiteConfig
from generator.errors import ErrorCollector, Loc, N_
from generator.markdown import resolve_relative
from generator.models import Content, translation_key
from generator.slugs import slugify


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False
    future: bool = False


def expand(pattern: str, **values) -> str:
    """Fills a permalink pattern: '/tin-tuc/{slug}/' -> '/tin-tuc/hien-mau/'."""
    return pattern.format(**values)


@functools.lru_cache(maxsize=None)
def _fields_of(pattern: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(pattern) if name)


def expand_dated(pattern: str, slug: str, moment: datetime) -> str:
    """expand(PATTERN) for an item of date MOMENT: the date's parts are formatted only if the
    pattern shows them (three strftime calls a post, 10k posts a build, for patterns that mostly
    show none)."""
    if not _fields_of(pattern) & _DATE_FIELDS:
        return expand(pattern, slug=slug)
    return expand(pattern, slug=slug, year=f"{moment:%Y}", month=f"{moment:%m}", day=f"{moment:%d}")


_DATE_FIELDS = frozenset(("year", "month", "day"))


def output_path(path: str) -> str:
    """'/tin-tuc/x/' -> 'tin-tuc/x/index.html'; '/404.html' -> '404.html'."""
    rel = path.lstrip("/")
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


@dataclass
class UrlPlan:
    config: SiteConfig
    now: datetime
    urls: dict[str, str] = field(default_factory=dict)  # source path -> site path ('/tin-tuc/x/')
    slugs: dict[str, str] = field(default_factory=dict)  # source path -> slug
    published: set[str] = field(default_factory=set)  # sources that get a page
    hidden: dict[str, str] = field(default_factory=dict)  # source -> 'draft' | 'future'
    future: set[str] = field(default_factory=set)  # published only because of --future
    drafts: set[str] = field(default_factory=set)  # published only because of --drafts
    languages: dict[str, str] = field(default_factory=dict)  # source -> language code
    versions: dict[tuple[str, str], str] = field(default_factory=dict)  # (translation key, language) -> source

    def url(self, path: str) -> str:
        """A site path with the base path in front, as used in links."""
        return self.config.base_path.rstrip("/") + path

    def url_of(self, source: str) -> str | None:
        path = self.urls.get(source)
        return self.url(path) if path is not None else None

    def resolve(self, source: str, target: str) -> str | None:
        """A content link (relative to SOURCE) -> published URL, or None if it leads nowhere."""
        resolved = resolve_relative(source, target)
        if resolved is None:
            return None
        if resolved.endswith("/"):
            resolved = resolved.rstrip("/")
        if resolved in self.urls and resolved in self.published:
            # a link to the original leads to its translation in the linking page's language, if published
            language = self.languages.get(source)
            version = self.versions.get((resolved, language)) if language != self.languages.get(resolved) else None
            if version is not None and version in self.published:
                return self.url_of(version)
            return self.url_of(resolved)
        return None

    def why_unresolved(self, source: str, target: str) -> str:
        resolved = resolve_relative(source, target)
        if resolved in self.hidden:
            return self.hidden[resolved]
        return "missing"


def plan_urls(config: SiteConfig, content: Content, now: datetime, options: BuildOptions,
              errors: ErrorCollector) -> UrlPlan:
    plan = UrlPlan(config, now)
    configs = {code: config.for_language(code) for code in config.all_languages}
    taken: dict[tuple[str, str, str], str] = {}  # (language, kind, slug) -> first source

    def links_of(item) -> dict:
        """The permalinks of ITEM's language; records its language and translation key."""
        language = item.language or config.language
        plan.languages[item.source] = language
        plan.versions[(translation_key(item), language)] = item.source
        return configs[language].permalinks

    def claim(kind: str, item) -> str | None:
        source = item.source
        slug = item.address_slug  # slugify(its slug or title), kept with the model
        if not slug:
            errors.error(Loc(source, item.title_line, 1), N_("no web address can be made from this title"),
                         N_("add a line 'slug: ...' with a few plain words, for example 'slug: hien-mau-thang-12'"))
            return None
        first = taken.get((item.language, kind, slug))
        if first is not None:
            errors.error(Loc(source, item.title_line, 1), N_("the web address '{slug}' is already used by {other}"),
                         N_("change the title, or add a line 'slug: ...' with a different address"),
                         slug=slug, other=first)
            return None
        taken[(item.language, kind, slug)] = source
        return slug

    for post in content.posts:
        state = None
        if post.draft:
            state = "draft"
        elif post.date and post.date > now:
            state = "future"
        shown = state is None or (state == "draft" and options.drafts) or (state == "future" and options.future)
        if post.draft and post.date and post.date > now and not options.future:
            shown = False
        links = links_of(post)
        slug = claim("post", post)
        if slug is None:
            continue
        plan.slugs[post.source] = slug
        plan.urls[post.source] = expand_dated(links["post"], slug, post.date)
        if shown:
            plan.published.add(post.source)
            if post.draft:
                plan.drafts.add(post.source)
            if post.date > now:
                plan.future.add(post.source)
        else:
            plan.hidden[post.source] = state or "draft"

    for event in content.events:
        links = links_of(event)
        slug = claim("event", event)
        if slug is None:
            continue
        plan.slugs[event.source] = slug
        plan.urls[event.source] = expand_dated(links["event"], slug, event.start)
        plan.published.add(event.source)

    for page in content.pages:
        links = links_of(page)
        slug = claim("page", page)
        if slug is None:
            continue
        plan.slugs[page.source] = slug
        plan.urls[page.source] = expand(links["page"], slug=slug)
        if page.draft and not options.drafts:
            plan.hidden[page.source] = "draft"
        else:
            plan.published.add(page.source)
            if page.draft:
                plan.drafts.add(page.source)

    for recognition in content.recognitions:
        links = links_of(recognition)
        plan.urls[recognition.source] = links["recognition"] + f"#{slugify(recognition.id) or 'danh-sach'}"
        plan.published.add(recognition.source)

    for media in content.media:
        plan.urls[media.source] = "/" + media.path
        plan.published.add(media.source)
    return plan


def media_url(plan: UrlPlan, path: str) -> str:
    """'media/a.jpg' -> '/base/media/a.jpg' (http URLs are returned unchanged)."""
    if "://" in path:
        return path
    return plan.url("/" + posixpath.normpath(path))
