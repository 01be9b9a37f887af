"""Markdown bodies -> Rendered, through the persistent cache and, for many misses, a process pool.

Python-Markdown is the cold-build floor (~2.5 ms an article), so this is where caching and
parallelism pay. A cached body is reused only if every link it contains still resolves to the
same URL (links depend on other files' slugs). Results are identical whichever path produced them.
"""
from __future__ import annotations

import multiprocessing
import os

from generator.cache import Store, digest
from generator.markdown import MarkdownRenderer, Rendered
from generator.models import Body
from generator.urls import UrlPlan

PARALLEL_FROM = 150  # below this many misses, starting processes costs more than it saves
RENDERER_VERSION = 1  # bump when markdown.py's output changes

_job: tuple[UrlPlan, bool] | None = None  # set before forking; inherited by the workers
_renderer: MarkdownRenderer | None = None


def _worker_render(bodies: list[Body]) -> list[Rendered]:
    global _renderer
    if _renderer is None:
        plan, trust_html = _job
        _renderer = MarkdownRenderer(plan.resolve, trust_html=trust_html)
    return [_renderer.render(body) for body in bodies]


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _key(body: Body, trust_html: bool) -> str:
    return digest(RENDERER_VERSION, trust_html, body.path, body.line_offset, body.markdown)


def render_bodies(bodies: list[Body], plan: UrlPlan, trust_html: bool, store: Store,
                  parallel: bool = True) -> dict[str, Rendered]:
    results: dict[str, Rendered] = {}
    misses: list[Body] = []
    for body in bodies:
        cached = store.get(_key(body, trust_html))
        if cached is not None and all(plan.resolve(body.path, target) == url for target, url in cached.links):
            results[body.path] = cached
        else:
            misses.append(body)
    workers = min(cpu_count(), 8)
    if parallel and workers > 1 and len(misses) >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
        rendered = _render_in_pool(misses, plan, trust_html, workers)
    else:
        renderer = MarkdownRenderer(plan.resolve, trust_html=trust_html)
        rendered = [renderer.render(body) for body in misses]
    for body, result in zip(misses, rendered):
        results[body.path] = result
        store.put(_key(body, trust_html), result)
    return results


def _render_in_pool(bodies: list[Body], plan: UrlPlan, trust_html: bool, workers: int) -> list[Rendered]:
    global _job
    _job = (plan, trust_html)
    chunk = max(1, -(-len(bodies) // (workers * 4)))  # a few chunks per worker balances uneven articles
    chunks = [bodies[i:i + chunk] for i in range(0, len(bodies), chunk)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [r for part in pool.map(_worker_render, chunks) for r in part]
    finally:
        _job = None
