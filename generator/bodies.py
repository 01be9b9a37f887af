"""Markdown bodies -> Rendered, through the persistent cache and, for many misses, a process pool.

Python-Markdown is the cold-build floor (~2.5 ms an article), so this is where caching and
parallelism pay. A cached body is reused only if every link it contains still resolves to the
same URL (links depend on other files' slugs). Results are identical whichever path produced them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from generator.cache import Store, digest
from generator.markdown import MarkdownRenderer, Rendered
from generator.models import Body, Content
from generator.parallel import can_fork, fork_map
from generator.urls import UrlPlan

if TYPE_CHECKING:
    from generator.checks import Scan

PARALLEL_FROM = 150  # below this many misses, starting processes costs more than it saves

_renderer: MarkdownRenderer | None = None  # one per worker process


def _render_chunk(job: tuple[UrlPlan, bool, frozenset[str]], bodies: list[Body]) -> list[tuple[Rendered, "Scan"]]:
    from generator.checks import scan  # checks imports this module
    global _renderer
    plan, trust_html, words = job
    if _renderer is None:
        _renderer = MarkdownRenderer(plan.resolve, trust_html=trust_html)
    return [(_renderer.render(body), scan(body.markdown, body.path in words)) for body in bodies]


def _key(body: Body, trust_html: bool) -> str:  # one text of NUL-separated fields (no path holds NUL)
    return digest(f"{trust_html:d}\0{body.path}\0{body.line_offset}\0{body.digest}")


def published_bodies(content: Content, plan: UrlPlan) -> list[Body]:
    """The Markdown of every published post, page and drive description, in a stable order."""
    bodies: list[Body] = [p.body for p in content.posts if p.source in plan.published]
    bodies += [p.body for p in content.pages if p.source in plan.published]
    bodies += [e.description for e in content.events if e.description is not None and e.source in plan.published]
    return bodies


def render_bodies(bodies: list[Body], plan: UrlPlan, trust_html: bool, store: Store | None,
                  parallel: bool = True, words: frozenset[str] = frozenset()) -> tuple[dict[str, Rendered], dict[str, "Scan"]]:
    """({path: Rendered}, {path: Scan}). The bodies rendered on several cores are scanned for the
    checks there too (checks.scan: ~0.1 ms a body, done in the parent otherwise), the words counted
    of those whose path is in WORDS (checks.wants_words); the Scan of the others, cached or rendered
    here, is left to the checks and their cache."""
    results: dict[str, Rendered] = {}
    scans: dict[str, Scan] = {}
    misses: list[Body] = []
    for body in bodies:
        cached = store.get(_key(body, trust_html)) if store is not None else None
        if cached is not None and all(plan.resolve(body.path, target) == url for target, url in cached.links):
            results[body.path] = cached
        else:
            misses.append(body)
    if parallel and len(misses) >= PARALLEL_FROM and can_fork():
        for body, (result, scanned) in zip(misses, fork_map(_render_chunk, (plan, trust_html, words), misses)):
            results[body.path] = result
            scans[body.path] = scanned
    else:
        renderer = MarkdownRenderer(plan.resolve, trust_html=trust_html)
        for body in misses:
            results[body.path] = renderer.render(body)
    if store is not None:
        for body in misses:
            store.put(_key(body, trust_html), results[body.path])
    return results, scans
