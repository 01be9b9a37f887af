"""One site graph per language, and the links between the versions of a page.

The default language keeps every address it has on a one-language site; each other language
lives below /<code>/ with its own title, menu and permalinks (SiteConfig.for_language). A
language's site lists what is written in it: its posts, drives and pages, its tags, feeds and
calendars. Two things do not depend on what has been translated: the campaign's totals, and the
honour roll, which lists every recognition list (in the language's own words where it has them).

Pages that are versions of each other share a key (Output.key): a source and its translations,
or a list and its counterpart (the home page, the news list, the year 2023 ...). Every page of a
site in more than one language gets ``versions`` among its values: where the same page is in each
language, or that language's home page when it has no version of it.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

from babel import Locale

from generator.config import SiteConfig
from generator.errors import ErrorCollector
from generator.graph import Site, assemble
from generator.images import ImagePlan
from generator.markdown import Rendered
from generator.models import Content, translation_key
from generator.urls import UrlPlan


@dataclass(frozen=True)
class Version:
    """The page a language switcher or an hreflang link leads to, in one language."""
    language: str  # its code, for lang and hreflang attributes
    name: str  # the language's name in itself: 'Tiếng Việt', 'English'
    url: str
    translated: bool  # URL is this page in that language (else: that language's home page)
    current: bool  # the language of the page that lists it


@functools.lru_cache(maxsize=None)
def native_name(code: str) -> str:
    """'vi' -> 'Tiếng Việt', 'en' -> 'English' (Babel's data, first letter capitalised)."""
    name = Locale.parse(code.replace("-", "_")).get_display_name() or code
    return name[:1].upper() + name[1:]


def assemble_sites(config: SiteConfig, content: Content, plan: UrlPlan, rendered: dict[str, Rendered],
                   errors: ErrorCollector, images: ImagePlan = ImagePlan()) -> tuple[Site, ...]:
    """The site of each language, the default first. One language: exactly the site it always was."""
    languages = config.all_languages
    if len(languages) == 1:
        return (assemble(config, content, plan, rendered, errors, images),)
    default = config.language
    every_event = _one_version(content.events, default)
    every_recognition = _one_version(content.recognitions, default)
    sites = []
    for code in languages:
        mine = functools.partial(_written_in, code=code, default=default)
        needs = content.needs if code == default else next(
            (n for n in content.translated_needs if n.language == code), None)
        own = dataclasses.replace(
            content, posts=mine(content.posts), events=mine(content.events), pages=mine(content.pages),
            recognitions=_one_version(content.recognitions, code, fallback=default), needs=needs)
        sites.append(assemble(config.for_language(code), own, plan, rendered, errors, images,
                              every_event=every_event, every_recognition=every_recognition))
    return _with_versions(sites)


def _written_in(items: tuple, code: str, default: str) -> tuple:
    return tuple(item for item in items if (item.language or default) == code)


def _one_version(items: tuple, preferred: str, fallback: str | None = None) -> tuple:
    """One item per translation key: the PREFERRED language's version, else FALLBACK's, else any."""
    rank = {preferred: 0, fallback: 1}
    chosen: dict[str, object] = {}
    for item in items:
        key = translation_key(item)
        if key not in chosen or rank.get(item.language, 2) < rank.get(chosen[key].language, 2):
            chosen[key] = item
    return tuple(chosen.values())


def _with_versions(sites: list[Site]) -> tuple[Site, ...]:
    table: dict[str, dict[str, str]] = {}  # key -> language -> URL
    for site in sites:
        for out in site.outputs:
            if out.key is not None:
                table.setdefault(out.key, {})[site.config.language] = out.url
    homes = {site.config.language: site.url("home") for site in sites}
    result = []
    for site in sites:
        here = site.config.language

        def versions(out, here=here) -> tuple[Version, ...]:
            found = table.get(out.key, {}) if out.key is not None else {}
            return tuple(Version(code, native_name(code), out.url if code == here else found.get(code, homes[code]),
                                 code == here or code in found, code == here) for code in homes)

        outputs = tuple(dataclasses.replace(out, values={**out.values, "versions": versions(out)})
                        for out in site.outputs)
        result.append(dataclasses.replace(site, outputs=outputs))
    return tuple(result)
