"""The one place that runs the stages in order: load -> validate -> graph -> render -> write.

``check`` is a build that writes nothing.
"""
from __future__ import annotations

import dataclasses
import functools
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from generator.bodies import published_bodies, render_bodies
from generator.cache import BuildCache, SharedHashing, Store, gc_paused
from generator.parallel import Awaited, in_child
from generator.carried import calendars_for
from generator.checks import Scan, run_checks, wants_words
from generator.assets import Assets
from generator.config import SiteConfig, load_config
from generator.content import load_content
from generator.errors import BuildFailed, ContentError, ErrorCollector, Loc, N_
from generator.graph import Site
from generator.i18n import guess_language
from generator.languages import assemble_sites
from generator.images import materialize as materialize_images
from generator.images import prepare as prepare_images
from generator.markdown import Rendered
from generator.models import Content
from generator.outputs import calendar, feeds, machine_outputs
from generator.render import compile_apart, forks_pages, render_pages
from generator.search import bundle_in_memory, index_site
from generator.theme import Theme
from generator.uptodate import Inputs, Record, Records
from generator.urls import BuildOptions, UrlPlan, plan_urls
from generator.sinks import InMemory, Nowhere
from generator.write import Staging, check_output_folder


@dataclass
class BuildResult:
    sites: tuple[Site, ...]  # one per language, the default first
    pages: int  # HTML pages rendered
    copied: int  # files copied through (media, theme assets)
    seconds: float
    warnings: list[ContentError] = field(default_factory=list)
    language: str = "en"
    up_to_date: bool = False  # nothing to do: the output folder already held this build (uptodate.py)

    @classmethod
    def of(cls, config: SiteConfig, sites: tuple[Site, ...], copied: int, started: float,
           errors: ErrorCollector) -> "BuildResult":
        """The result of a build that made SITES, started at STARTED (time.perf_counter)."""
        return cls(sites=sites, pages=sum(len(s.outputs) for s in sites), copied=copied,
                   seconds=time.perf_counter() - started, warnings=errors.warnings, language=config.language)


def now_in(config: SiteConfig, now: datetime | None) -> datetime:
    """Build time in the site timezone; the clock decides only what is future and upcoming."""
    moment = now or datetime.now(config.timezone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=config.timezone)
    return moment.astimezone(config.timezone)


def render_markdown(content: Content, plan: UrlPlan, config: SiteConfig, errors: ErrorCollector,
                    store: Store | None = None) -> tuple[dict[str, Rendered], dict[str, Scan]]:
    """({path: Rendered}, {path: what the checks need from the body, when it was found already})."""
    bodies = published_bodies(content, plan)
    rendered, scans = render_bodies(bodies, plan, config.trust_html, store, words=wants_words(content))
    for body in bodies:
        result = rendered[body.path]
        for target, line, col in result.broken_links:
            why = plan.why_unresolved(body.path, target.split("#")[0])
            if why == "draft":
                message = N_("the link '{target}' points to a draft, which is not published")
            elif why == "future":
                message = N_("the link '{target}' points to a post dated in the future, which is not published yet")
            else:
                message = N_("the link '{target}' points to a file that does not exist")
            errors.error(Loc(body.path, line, col), message,
                         N_("link to the source file, relative to this one, e.g. ../pages/dieu-kien-hien-mau.md "
                            "or ../media/anh.jpg"), target=target)
        for target, line, col in result.unsafe_links:
            errors.error(Loc(body.path, line, col), N_("the link '{target}' is not a safe web address"),
                         N_("use an address that starts with https://, http://, mailto: or tel:"), target=target)
    return rendered, scans


def load_site(site_dir: Path, options: BuildOptions, now: datetime | None, errors: ErrorCollector,
              base_url: str | None = None, cache: BuildCache | None = None, stats: dict | None = None,
              checks_apart: bool = False, config: SiteConfig | None = None):
    """Everything up to and including the site graphs. Returns (config, the site of each language, the
    default first, a callable that completes the checks); (config or None, None, ...) when the
    content cannot be read. STATS: the content files' stats taken at the start of the build
    (uptodate.Inputs.content), if they were. CHECKS_APART: the checks run in a forked child while
    the caller goes on, and their findings join ERRORS when the callable is called; else it has
    nothing left to do. CONFIG: config.yaml, if the caller has read it already."""
    cache = cache or BuildCache.disabled()
    config = config or load_config(site_dir, errors)
    if config is None:
        return None, None, lambda: None
    if base_url:
        config = dataclasses.replace(config, base_url=base_url if base_url.endswith("/") else base_url + "/")
    content = load_content(site_dir, config, errors, cache.models, cache.files, stats)
    moment = now_in(config, now)
    plan = plan_urls(config, content, moment, options, errors)
    rendered, scans = render_markdown(content, plan, config, errors, cache.markdown)
    images, rendered = prepare_images(site_dir, content, plan, rendered, errors)
    sites = assemble_sites(config, content, plan, rendered, errors, images=images)
    if not checks_apart:
        run_checks(site_dir, content, plan, rendered, sites, errors, cache.checks, scans)
        return config, sites, lambda: None
    # the page keys' hashing of the post views is shared with the child, when there will be one
    # (render_pages: with the cache, by the page workers)
    sharing = (SharedHashing(sites[0].posts)
               if cache.pages is not None and forks_pages(len(sites[0].outputs)) else None)
    found = in_child(_checks, site_dir, content, plan, rendered, sites, cache.checks, scans, sharing)

    def checked() -> None:
        items, delta, made = found()
        errors.extend(items)
        if cache.checks is not None:
            cache.checks.merge(delta)
        if sharing is not None:
            sharing.keep(made)

    return config, sites, Awaited(checked, sharing=sharing)


def _checks(site_dir: Path, content: Content, plan: UrlPlan, rendered: dict[str, Rendered], sites: tuple[Site, ...],
            store: Store | None, scans: dict[str, Scan], sharing: SharedHashing | None = None) -> tuple:
    """run_checks' findings, what it put into and used of STORE (Store.delta), and then the post
    views' fingerprints it made from the last back, until it met the parent's (SHARING)."""
    errors = ErrorCollector()
    run_checks(site_dir, content, plan, rendered, sites, errors, store, scans)
    made = sharing.from_end({}) if sharing is not None else None
    return errors.items, store.delta() if store is not None else None, made


def _machine(sites: tuple[Site, ...], generators: dict, stores: tuple[Store | None, ...]) -> tuple:
    """machine_outputs with GENERATORS instead of the plain ones, and what they put into and used
    of STORES (Store.delta)."""
    return machine_outputs(sites, generators), [store.delta() if store is not None else None for store in stores]


def produce(site_dir: Path, options: BuildOptions, now: datetime | None, errors: ErrorCollector, sink,
            base_url: str | None = None, stage: Callable[[str], None] = lambda message: None,
            cache: BuildCache | None = None, instead: dict | None = None, one_build: bool = False,
            stats: dict | None = None):
    """Loads and renders everything, putting each file into SINK (sinks.py) as it is made. Returns
    (config, sites, copied count, start time). INSTEAD replaces output generators (machine_outputs);
    feeds are made through the cache.

    STAGE is told what is being done (a msgid), for a progress display. ONE_BUILD: the cache serves
    this build only (the command line), so what only loading needs is let go once loaded. STATS:
    the content files' stats, if the build took them first (uptodate.Inputs.content).
    """
    started = time.perf_counter()
    stage(N_("reading content"))
    cache = cache or BuildCache.disabled()
    config = load_config(site_dir, errors)
    if config is None:
        _fail(site_dir, config, errors)
    theme = Theme.for_site(site_dir)
    # a cold build of many pages compiles the theme in a forked child while the content loads
    compiling = compile_apart(config, theme, cache.templates, len(stats or ()))
    try:
        return _produce(site_dir, options, now, errors, sink, base_url, stage, cache, instead, one_build, stats,
                        started, config, theme, compiling)
    finally:
        if compiling is not None:
            compiling()  # (taken in even when the build stops early: its child is not left waiting)


def _produce(site_dir: Path, options: BuildOptions, now: datetime | None, errors: ErrorCollector, sink,
             base_url: str | None, stage: Callable[[str], None], cache: BuildCache, instead: dict | None,
             one_build: bool, stats: dict | None, started: float, config: SiteConfig, theme: Theme,
             compiling: Callable[[], None] | None):
    """``produce`` once CONFIG is read and the theme's compiling perhaps started (COMPILING)."""
    config, sites, checked = load_site(site_dir, options, now, errors, base_url, cache, stats, checks_apart=True,
                                       config=config)
    if sites is None or errors.has_errors():
        checked()  # every problem at once
        _fail(site_dir, config, errors)
    site = sites[0]
    stage(N_("making pages"))
    # feeds, calendars, sitemap...: they need no page, so they are made in a forked child while the
    # page workers work (the cache's feeds and calendars: INSTEAD's go through cache.calendars too)
    generators = {feeds.generate: functools.partial(feeds.generate, store=cache.feeds), **(instead or {})}
    stores = (cache.feeds, cache.calendars)
    machine = None

    def passed() -> None:  # (the checks ran beside the page keys' hashing of the graph)
        nonlocal machine
        checked()
        if one_build:  # the content is let go, now that the checks are done, before anything more is forked
            cache.loaded()
        if errors.has_errors():
            _fail(site_dir, config, errors)
        machine = in_child(_machine, sites, generators, stores)

    checks_passed = Awaited(passed, sharing=getattr(checked, "sharing", None))

    if compiling is None:  # (not started with the config: while the graph is hashed and the checks end)
        compiling = compile_apart(config, theme, cache.templates, len(site.outputs))
    try:
        for each in sites:
            render_pages(each, theme, errors, sink, cache.pages, parallel=True, compiled=cache.templates,
                         fragments=cache.fragments, ready=None if each is not site else checks_passed,
                         compiling=compiling if each is site else None)
    finally:
        if compiling is not None:
            compiling()
    (generated, clashes), deltas = machine()
    for store, delta in zip(stores, deltas):
        if store is not None:
            store.merge(delta)
    if errors.has_errors():
        _fail(site_dir, config, errors)
    for rel, first, second in clashes:
        errors.error(Loc("config.yaml"), N_("two outputs would be written to {path}: {first} and {second}"),
                     N_("change the permalinks in config.yaml"), path=rel, first=first, second=second)
    for rel, (producer, data) in generated.items():
        if rel in sink:
            errors.error(Loc("config.yaml"), N_("two outputs would be written to {path}: a page and {producer}"),
                         N_("change the permalinks in config.yaml"), path=rel, producer=producer)
        else:
            sink.put(rel, data)
    copied = 0
    for rel, path in Assets.for_theme(theme).files.items():  # CSS and JS with their hash in the name
        sink.put(rel, path)
        copied += 1
    for media in site.media:
        if media.path in sink:
            errors.error(Loc(media.source), N_("this file would overwrite the page {path}"), N_("rename the file"),
                         path=media.path)
            continue
        sink.put(media.path, site_dir / media.source)
        copied += 1
    if not errors.has_errors():
        stage(N_("resizing images"))
        for rel, path in materialize_images(site.images, site_dir).items():  # resized copies, through .cache/images
            sink.put(rel, path)
    if errors.has_errors():
        _fail(site_dir, config, errors)
    return config, sites, copied, started


def build(site_dir: Path, output_dir: Path | None = None, options: BuildOptions = BuildOptions(),
          now: datetime | None = None, base_url: str | None = None,
          stage: Callable[[str], None] = lambda message: None, use_cache: bool = True,
          walked: Callable[[], tuple] | None = None) -> BuildResult:
    """Builds SITE_DIR into OUTPUT_DIR (default: SITE_DIR/output). WALKED: the walk of its inputs,
    started before (uptodate.walk_apart)."""
    site_dir = site_dir.resolve()
    output_dir = (output_dir or site_dir / "output").resolve()
    check_output_folder(site_dir, output_dir)
    folder = BuildCache.folder_of(site_dir) if use_cache else None  # the cache's
    records = Records(folder)
    began, inputs = time.time_ns(), None
    if use_cache:  # stat every input before reading any, and stop if the output already holds this build
        inputs = Inputs.take(site_dir, options, base_url, walked=walked)
        done = records.unchanged(output_dir, inputs, now if now is not None else datetime.now(timezone.utc))
        if done is not None:
            return BuildResult(sites=(), pages=done.pages, copied=done.copied, seconds=(time.time_ns() - began) / 1e9,
                               warnings=list(done.warnings), language=done.language, up_to_date=True)
    errors = ErrorCollector()
    # No cyclic garbage collection in this process while it builds (its workers collect theirs):
    # what a build loads and makes is a graph of a million long-lived objects without cycles, which
    # each collection walked again to find nothing (0.2 s of a build that added one post to 10k).
    with gc_paused():
        # the spare's child (write.py) started before the cache's stores are opened (0.16 s at
        # N=10,000), now that the build is known to write, if the last one kept what it wrote (the
        # manifest, read with the stores): the first build after a cold one waits for it to make
        # the spare (13k folders) before its page workers start
        spare = BuildCache.spare_in(folder, output_dir) if folder else None
        with Staging(output_dir, Staging.LATER if folder and BuildCache.kept_outputs(folder) else None,
                     spare) as staging:
            cache = BuildCache.for_site(site_dir) if folder else BuildCache.disabled()
            # what the last build wrote into this folder: unchanged files are hard-linked, not rewritten
            manifest = dict(cache.outputs.get(str(output_dir)) or {}) if cache.outputs is not None else None
            staging.follow(manifest)
            # calendar SEQUENCE goes on from the last good build in this folder (see outputs/calendar.py)
            instead = {calendar.generate: lambda each: calendars_for(each, output_dir, cache.calendars)}
            config, sites, copied, started = produce(site_dir, options, now, errors, staging, base_url, stage, cache,
                                                     instead, one_build=True, stats=inputs.content if inputs else None)
            stage(N_("writing files"))

            def index_for_search(folder: Path) -> None:  # pagefind/, from the pages about to be published
                if not config.search:
                    return
                stage(N_("indexing for search"))
                index_site(folder, errors, staging, cache.search)
                if errors.has_errors():
                    _fail(site_dir, config, errors)  # the staging folder is dropped, the old output stays

            staging.finish(before_swap=index_for_search)
        if manifest is not None:
            cache.outputs.put(str(output_dir), manifest)
        cache.save()  # only after a build that succeeded
        result = BuildResult.of(config, sites, copied, started, errors)
        if inputs is not None:
            changes = [s.changes_at for s in sites if s.changes_at is not None]
            records.save(output_dir, inputs, began, Record(
                inputs.key, sites[0].now, min(changes) if changes else None, staging.state, result.pages,
                copied, tuple(result.warnings), config.language))
    return result


def build_in_memory(site_dir: Path, options: BuildOptions, base_url: str, cache: BuildCache,
                    scratch: Path) -> tuple[BuildResult, dict[str, bytes | Path]]:
    """What `build` writes, kept in memory ({output path: bytes, or the file to copy}): the dev
    server serves it from there. CACHE lives as long as the caller, who saves it; SCRATCH is a
    private folder for the search indexer. Calendars start at SEQUENCE 0 (no previous output)."""
    errors = ErrorCollector()
    sink = InMemory()
    instead = {calendar.generate: lambda each: calendars_for(each, None, cache.calendars)}
    config, sites, copied, started = produce(site_dir.resolve(), options, None, errors, sink, base_url, cache=cache,
                                             instead=instead)
    if config.search:
        for rel, data in bundle_in_memory(sink, errors, cache.search, scratch).items():
            sink.put(rel, data)
        if errors.has_errors():
            _fail(site_dir, config, errors)
    return BuildResult.of(config, sites, copied, started, errors), sink.files


def check(site_dir: Path, options: BuildOptions = BuildOptions(), now: datetime | None = None,
          base_url: str | None = None) -> BuildResult:
    """Every validation a build does, writing nothing (the build cache is read, never saved)."""
    errors = ErrorCollector()
    cache = BuildCache.for_site(site_dir.resolve())
    config, sites, copied, started = produce(site_dir.resolve(), options, now, errors, Nowhere(), base_url,
                                             cache=cache)
    return BuildResult.of(config, sites, copied, started, errors)


def _fail(site_dir: Path, config: SiteConfig | None, errors: ErrorCollector):
    raise BuildFailed(errors.errors, errors.warnings, config.language if config else guess_language(site_dir))
