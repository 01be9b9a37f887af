"""The Jinja environment (autoescape, StrictUndefined) and Site -> HTML pages, put into a sink (sinks.py)."""
from __future__ import annotations

import functools
from datetime import datetime
from typing import Callable, Sequence
from urllib.parse import quote

import jinja2
import jinja2.ext
from jinja2 import nodes
from markupsafe import Markup, escape
from babel.dates import format_date, format_datetime, format_time
from babel.core import Locale
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from generator import templatecache
from generator.assets import Assets
from generator.cache import RecordingSite, Store, digest, fingerprint, tree_digest
from generator.config import SiteConfig
from generator.errors import ErrorCollector, Loc, N_
from generator.flyer import first_list, qr_svg
from generator.graph import Output, Site
from generator.i18n import date_pattern, load_catalogue
from generator.parallel import FAILED, Child, can_fork, fork_iter
from generator.seo import Metadata, json_for_script
from generator.theme import Theme
from generator.sinks import identity

INDEX_MARK = b"data-pagefind-body"  # Pagefind indexes only the pages marked so (search.py)


def _translations(theme: Theme, language: str) -> NullTranslations:
    """The theme's catalogue: the bundled one, with the site's own entries on top."""
    catalogues = [c for c in (load_catalogue(str(folder), "theme", language)
                              for folder in reversed(theme.locale_folders())) if isinstance(c, Translations)]
    if not catalogues:
        return NullTranslations()
    merged = Translations()
    merged._catalog = {}  # a fresh object: the loaded catalogues are cached and shared
    merged.plural = catalogues[0].plural
    for catalogue in catalogues:
        merged.merge(catalogue)
    return merged


class _Environment(jinja2.Environment):
    """A Jinja environment whose templates see its globals as they are when the template is loaded,
    in a plain dict, not a ChainMap over them (Jinja's default, so a global set later still shows):
    every page and every include makes a context from the globals, in Python, key by key, through
    a ChainMap (~7 % of making a post page). ``environment`` sets them all before any template is
    loaded."""

    def make_globals(self, d):
        return {**self.globals, **d} if d else dict(self.globals)


def environment(site: Site, theme: Theme, compiled: Store | None = None) -> jinja2.Environment:
    """The Jinja environment of SITE's pages; COMPILED: the build cache's store of compiled templates."""
    env = _environment(site.config, theme, compiled)
    env.globals.update(site=site)
    env.globals.update(meta=Metadata(site, theme.static_files()))  # head tags and JSON-LD (seo.py)
    env.globals.update(
        asset=Assets.for_theme(theme).url_function(site.config.base_path),  # 'style.css' -> fingerprinted URL
        picture=site.images.picture,  # responsive <picture> for a content image (images.py)
        qr_svg=qr_svg, first_list=first_list,  # the drive flyer (flyer.py)
    )
    return env


def _environment(config: SiteConfig, theme: Theme, compiled: Store | None = None) -> jinja2.Environment:
    """What of ``environment`` CONFIG alone decides: all a template is compiled with (its options,
    extensions and filters), without the site's globals (compile_apart, before there is a site)."""
    locale = config.language.replace("-", "_")
    env = _Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(f)) for f in theme.folders]),
        autoescape=True, undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.i18n", FragmentCache],
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        bytecode_cache=templatecache.shared(compiled),  # compiled once (templatecache.py)
        # one environment per build: a template cannot change under it, so Jinja need not stat the
        # file again at every include (10 stats a page, ~2 s of a build of 13k pages)
        auto_reload=False,
    )
    translations = _translations(theme, config.language.split("-")[0])
    env.install_gettext_translations(translations, newstyle=True)
    env.globals["_"] = _quick_gettext(translations.gettext)
    tz = config.timezone

    def local(value):
        return value.astimezone(tz) if isinstance(value, datetime) else value

    def pattern(name, kind):
        return date_pattern(config.language, name, kind)

    locale = Locale.parse(locale)  # parsed once: babel would parse and print it again for every date

    # A post's date is shown on its page, the lists, its tags and the archive: each (value, format)
    # is formatted once per build (babel spends ~40 µs on one, 130k of them at N=10,000).
    @functools.lru_cache(maxsize=None)
    def formatted(kind: str, value, name):
        if kind == "date":
            return format_date(local(value), pattern(name, "date"), locale=locale)
        if kind == "datetime":
            return format_datetime(local(value), pattern(name, "datetime"), tzinfo=tz, locale=locale)
        return format_time(local(value), pattern(name, "time"), tzinfo=tz, locale=locale)

    def day(value):
        """What format_date reads of VALUE: its day where the site is (posts of one day share it)."""
        return local(value).date() if isinstance(value, datetime) else value

    env.filters.update(
        # "Thứ Ba, 05/12/2023" in Vietnamese, "Tuesday 5 December 2023" in English: the theme names a
        # format ('date', 'short', 'datetime', 'time'; see i18n.DATE_FORMATS) or gives a pattern.
        date=lambda value, name=None: formatted("date", day(value), name),
        datetime=lambda value, name=None: formatted("datetime", value, name),
        time=lambda value, name=None: formatted("time", value, name),
        isodate=lambda value: local(value).isoformat() if isinstance(value, datetime) else value.isoformat(),
        number=lambda value: format_decimal(value, locale=locale),
        absolute=config.absolute,
        urlquote=lambda value: quote(str(value), safe=""),
        tojson_safe=json_for_script,  # for <script> blocks: escapes <, > and &
    )
    def lang_of(item) -> Markup:
        """' lang="vi"' for a thing written in another language than the page (an untranslated
        honour list or drive shown on an English page); nothing otherwise."""
        language = getattr(item, "language", "")
        return Markup(' lang="%s"') % language if language and language != config.language else Markup("")

    def in_language(text, item) -> Markup:
        """TEXT in a <span lang> when ITEM is written in another language than the page."""
        attribute = lang_of(item)
        return Markup("<span%s>%s</span>") % (attribute, text) if attribute else escape(text)

    env.filters.update(in_language=in_language)
    env.globals.update(config=config, lang_of=lang_of)
    return env


def _quick_gettext(lookup: Callable[[str], str]):
    """``_()`` in templates as Jinja's newstyle gettext makes it (the translation, as Markup where the
    template autoescapes, always %-formatted with the call's variables), with each message looked
    up and marked once per build: Jinja's own goes through two context calls and the catalogue on
    every call (1.5 CPU-seconds of a cold build of 13k pages, ~30 calls a page)."""
    marked: dict[str, Markup] = {}

    @jinja2.pass_eval_context
    def gettext(eval_ctx, string: str, **variables):
        if not eval_ctx.autoescape:
            return lookup(string) % variables
        found = marked.get(string)
        if found is None:
            found = marked[string] = Markup(lookup(string))
        if not variables and "%" not in found:  # what the formatting would give back: most calls
            return found
        return found % variables

    return gettext


ALWAYS_READ = ("config", "urls", "images")  # read by head tags (seo.py) and pictures outside the proxy


def render_pages(site: Site, theme: Theme, errors: ErrorCollector, sink, store: Store | None = None,
                 parallel: bool = False, compiled: Store | None = None,
                 fragments: Store | None = None, ready: Callable[[], None] | None = None,
                 compiling: Callable[[], None] | None = None) -> None:
    """Puts every page of SITE into SINK (sinks.py) as it is rendered. With a cache STORE, a page is
    re-rendered only if something it read changed: the theme, the config, its own data, or a part of
    the site graph its template touched. The store keeps the identity of a page's bytes, not the
    bytes: an unchanged page is taken from the last build's output folder (``sink.previous``);
    only for a sink that keeps everything in memory (the dev server) does it keep the bytes.

    PARALLEL, past PARALLEL_PAGES pages: forked workers take the pages in chunks and settle each one
    there, whether taken from the last build (its key computed and its file found) or rendered
    (and written, with the sink's ``direct`` writer): the parent only keeps the books, in order.
    FRAGMENTS: the store of the parts of pages the theme marks ``{% cache %}`` (FragmentCache).
    READY, if given, is called before the first page is made (once the page keys' parts are
    hashed): it may raise to stop the build. COMPILING: the theme being compiled in a child
    (compile_apart), waited for before the templates are loaded for the workers."""
    env = environment(site, theme, compiled)
    keys = PageKeys(site, theme) if store is not None else None  # hashing is work only a cache needs
    env.fragments = Fragments(keys, fragments) if keys is not None else None
    if fragments is not None:  # kept, used or not, up to two a page (Store.slack)
        fragments.floor = max(fragments.floor, len(site.outputs))
    outputs = site.outputs
    forked = parallel and forks_pages(len(outputs))
    if forked and keys is not None:
        keys.prepare(store, ready)
    elif ready is not None:
        ready()
    if forked:
        if compiling is not None:
            compiling()
        _preload(env)  # compiled once here (or taken from COMPILING's child), not once in every worker
        outputs = by_cards(outputs)
        results = fork_iter(_settle_many, (env, keys, store, sink, sink.direct()), outputs)
    else:
        results = (_settle(env, keys, store, sink, out) for out in outputs)
    try:
        for out, result in zip(outputs, results):
            if type(result) is int:  # taken from the last build, the very file in place (_settle): its inode
                _, _, ident, indexed, _ = store.get(out.path)  # (used by this build)
                sink.taken(out.path, result, ident, indexed)
                continue
            taken, data, ident, indexed, read, key, problem, made = result
            if made is not None and fragments is not None:  # the cached parts this page made or used
                fragments.merge(made)
            if taken:
                store.get(out.path)  # used by this build (a worker's lookup is not seen here)
                sink.put(out.path, data, ident, indexed)
                continue
            if problem is not None:
                _report(problem, out, theme, errors)
                if problem[0] in ("syntax", "missing"):
                    break
                continue
            if isinstance(data, tuple):  # written by the worker (sink.direct): how it went came back
                sink.adopt(out.path, ident, indexed, data)
            else:
                sink.put(out.path, data, ident, indexed)
            if store is not None:
                store.put(out.path, (key, read, ident, indexed, data if sink.in_memory else None))
    finally:
        results.close()  # a template error stops the loop early: the workers are stopped now, not when collected


def _settle(env: jinja2.Environment, keys: "PageKeys | None", store: Store | None, sink, out,
            writer=None) -> tuple | int:
    """(taken from the last build, data, identity, marked for the search index, the site parts read,
    the page's cache key, a problem or None) for the page OUT: what the last build made of it, if
    its key is unchanged and the sink still has it, else it rendered.

    In a worker (WRITER: the sink's ``direct``), a page taken from the last build whose very file
    the recycled tree holds already (most of them, in a publish) is told by its inode alone: the
    parent has the rest in the store, and the books of 12k such pages are what it spends the end
    of a publish on (``Staging.taken``)."""
    entry = store.data.get(out.path) if store is not None else None
    if entry is not None:
        key, read, ident, indexed, kept = entry
        if keys.key(out, read) == key:
            data = kept if kept is not None else sink.previous(out.path, ident)
            if data is not None:
                if writer is not None and writer.in_place(out.path, data):
                    return data.inode
                return True, data, ident, indexed, read, key, None, None
    return (False, *_render_one(env, keys, out, writer), env.fragments.take() if env.fragments else None)


def _settle_many(state, outs) -> list:
    env, keys, store, sink, writer = state
    return [_settle(env, keys, store, sink, out, writer) for out in outs]


def compile_apart(config: SiteConfig, theme: Theme, compiled: Store | None, pages: int) -> Callable[[], None] | None:
    """Compiles the theme in a forked child while the build goes on, when PAGES (how many there
    are, or will be) are enough for the page workers to render them and nothing of the theme is
    compiled yet, in this process or the cache (a cold build: ~0.1 s of one core). ``build`` starts
    it as soon as the config is read, from the number of content files: the child then works while
    the content loads rather than at the end, when the parent had to wait for it (~0.05 s at
    N=1,000). Returns what to call before the templates are loaded (render_pages' COMPILING; again
    harmlessly, and at the latest when the build stops): it takes the child's bytecode into this
    process's (templatecache), whence ``_preload`` loads them (what the child did not make, it
    compiles as before); None if there is nothing to do apart."""
    if (not forks_pages(pages) or templatecache.known()
            or (compiled is not None and compiled.data)):
        return None
    child = Child.start(_compiled_theme, config, theme)
    waiting = [child] if child is not None else []

    def take() -> None:
        if waiting:
            code = waiting.pop().result()
            if code is not FAILED:
                templatecache.adopt(code)

    return take


def _compiled_theme(config: SiteConfig, theme: Theme) -> dict[str, bytes]:
    """The bytecode of every template of THEME, as the environment of CONFIG's site compiles it."""
    _preload(_environment(config, theme))
    return templatecache.known()


def _preload(env: jinja2.Environment) -> None:
    """Every template of the theme loaded into ENV's cache before the workers are forked; one that
    does not compile is left for the page that uses it to report."""
    for name in env.list_templates(extensions=("html", "xml", "txt", "svg")):
        try:
            env.get_template(name)
        except jinja2.TemplateError:
            pass


class PageKeys:
    """Hashes of the parts of the site graph, each computed at most once per build."""

    def __init__(self, site: Site, theme: Theme):
        self.site = site
        self.memo: dict = {}
        self.parts: dict[str, bytes] = {}
        self.base = digest(tree_digest(theme.folders), *(self.part(name) for name in ALWAYS_READ))

    def prepare(self, store: Store, ready: Callable[[], None] | None = None) -> None:
        """Computes now every part of the site graph a recorded page read, and the fingerprint of
        every post view (most are in those parts: the archive's years list every post; in a cold
        build, with no page recorded, none is): the forked workers inherit them. Hashing an
        inherited object in a worker costs three times as much as here, each one touched being
        copied into the worker's memory, and in a cold build each worker hashed most views (their
        cards, their pages' keys): 0.15 s here at N=10,000 spared the workers more than that.

        READY, if given, is called before the parts are: the checks' child it joins may have hashed
        the last of the views meanwhile (its ``sharing``, a cache.SharedHashing of them: this
        process hashes from the first until they meet)."""
        posts = self.site.posts
        sharing = getattr(ready, "sharing", None)
        shared = sharing is not None and sharing.values is posts
        if shared:
            sharing.from_start(self.memo)
        else:
            for view in posts:
                fingerprint(view, self.memo)
        if ready is not None:
            ready()
        for name in {name for entry in store.data.values() for name in entry[1]}:
            self.part(name)
        if shared:
            for view in posts:  # (what the child was to hash and did not)
                fingerprint(view, self.memo)

    def part(self, name: str) -> bytes:
        if name not in self.parts:
            self.parts[name] = fingerprint(getattr(self.site, name), self.memo)
        return self.parts[name]

    def key(self, out, read: tuple[str, ...]) -> str:
        return digest(self.base, out.template, out.path, out.url, fingerprint(out.values, self.memo),
                      *(self.part(n) for n in read))


class Fragments:
    """The HTML of the blocks marked ``{% cache name, value... %}`` (FragmentCache), made once for
    the same values: in this process, and across builds through STORE. A post's card is shown on
    the news list, its topics' and section's lists and the archive, and one post added shifts every
    list page by one: its thousand pages are then made of cards already made.

    A block is known by the hash of the theme, the config and the site's addresses (KEYS.base) and
    of the values named; what it read of the site graph besides (``site.x``, recorded) is kept
    with it and checked as a page's is, and counted as read by each page it goes into."""

    def __init__(self, keys: PageKeys, store: Store | None):
        self.keys, self.store = keys, store
        self.known: dict[str, tuple] = {}  # name -> (parts read, their hash, html), made or met here
        self.new: dict[str, tuple] = {}  # made since the last ``take``
        self.used: set[str] = set()  # taken from the store since then
        self.hashed: dict[tuple[str, ...], str] = {}  # _parts, by the names: most blocks read the same few

    def block(self, values: list, recording: RecordingSite, autoescape: bool, caller: Callable[[], str]) -> str:
        memo = self.keys.memo
        name = digest(self.keys.base, *(fingerprint(value, memo) for value in values))
        entry = self.known.get(name)
        if entry is None and self.store is not None:
            entry = self.store.data.get(name)
            if entry is not None:
                self.used.add(name)
        if entry is not None and entry[1] == self._parts(entry[0]):
            self.known[name] = entry
            recording._read.update(entry[0])
            return Markup(entry[2]) if autoescape else entry[2]
        page_read, read = recording._read, set()
        object.__setattr__(recording, "_read", read)  # what the block reads, apart
        try:
            html = caller()
        finally:
            object.__setattr__(recording, "_read", page_read)
        page_read |= read
        parts = tuple(sorted(read))
        self.known[name] = self.new[name] = (parts, self._parts(parts), str(html))
        return html

    def _parts(self, names: tuple[str, ...]) -> str:
        found = self.hashed.get(names)
        if found is None:
            found = self.hashed[names] = digest(*(self.keys.part(n) for n in names)) if names else ""
        return found

    def take(self) -> tuple[dict, tuple] | None:
        """(blocks made, names used from the store) since the last call, for the parent to keep
        (as a ``Store.delta``: ``Store.merge``)."""
        if not self.new and not self.used:
            return None
        made = (self.new, tuple(self.used))
        self.new, self.used = {}, set()
        return made


class FragmentCache(jinja2.ext.Extension):
    """``{% cache "card", post, level %}...{% endcache %}``: the block made once for these values
    (Fragments). The values must be all that the block shows besides the theme, the config and
    what it reads of ``site``: a block that shows ``output`` or a loop counter names it too."""

    tags = {"cache"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        values = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            values.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        call = self.call_method("_block", [nodes.ContextReference(), nodes.List(values)])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _block(self, context, values: list, caller) -> str:
        fragments = getattr(self.environment, "fragments", None)
        recording = context.get("site")
        if fragments is None or not isinstance(recording, RecordingSite):
            return caller()  # no cache (--no-cache), or not a page: made each time
        return fragments.block(values, recording, context.eval_ctx.autoescape, caller)


def by_cards(outputs: Sequence[Output]) -> list[Output]:
    """OUTPUTS in the order the page workers take them: first the lists of posts (the home page's
    latest news, the news, tag and category pages), by the date of the first post each shows,
    newest first, then the other pages in the site's order. A worker makes a post's card once
    (``{% cache %}``) for all the pages it makes, and each chunk of such lists now shows the cards
    of posts near each other in time: in the site's order (the news pages, then each tag's from
    its newest) both workers made most of the cards (18.6k cards for 10.1k posts)."""
    lists, others = [], []
    for out in outputs:
        pager = out.values.get("pager")
        shown = pager.items if pager is not None else out.values.get("latest_news")
        first = getattr(shown[0], "date", None) if shown else None
        if isinstance(first, datetime):  # (posts' dates: all in the site's time zone)
            lists.append((first, out))
        else:
            others.append(out)
    lists.sort(key=lambda dated: dated[0], reverse=True)  # stable: pages of the same date keep their order
    return [out for _, out in lists] + others


PARALLEL_PAGES = 300


def forks_pages(count: int) -> bool:
    """Whether COUNT pages are made by forked page workers (render_pages), which what is done
    beside them is decided by too (the theme compiled apart, the post views hashed apart)."""
    return count >= PARALLEL_PAGES and can_fork()


_FAILED = (None, "", False, (), None)  # a page that could not be made: no bytes, identity, parts, key


def _render_one(env: jinja2.Environment, keys: PageKeys | None, out, writer=None) -> tuple:
    """(bytes, their identity, marked for the search index, the site parts read, the page's cache key
    (with KEYS), None), or a problem in the last place. Workers hash the bytes and the parts of the
    site graph: the parent only writes files, or, with a WRITER (sinks: ``direct``), not even that:
    the page is written (or found unchanged) here and how that went is in place of its bytes (a
    tuple: see ``write.FolderWriter``); the bytes stay if the writer leaves this file to the parent."""
    read: set[str] = set()
    try:
        template = env.get_template(out.template)  # the environment caches compiled templates
        html = template.render(output=out, site=RecordingSite(env.globals["site"], read), **out.values)
    except jinja2.TemplateSyntaxError as exc:
        return (*_FAILED, ("syntax", exc.name or out.template, exc.lineno or 0, exc.message or str(exc)))
    except jinja2.TemplateNotFound as exc:
        return (*_FAILED, ("missing", str(exc.name), 0, ""))
    except jinja2.UndefinedError as exc:
        return (*_FAILED, ("undefined", out.template, 0, str(exc)))
    data, parts = html.encode("utf-8"), tuple(sorted(read))
    key = keys.key(out, parts) if keys is not None else None
    indexed = out.path.endswith(".html") and INDEX_MARK in data
    ident = identity(data)
    written = writer.write(out.path, data, ident) if writer else None
    return data if written is None else written, ident, indexed, parts, key, None


def _report(problem: tuple, out, theme: Theme, errors: ErrorCollector) -> None:
    kind, name, line, message = problem
    if kind == "syntax":
        errors.error(Loc(_template_path(theme, name), line, 1), N_("template error: {problem}"),
                     N_("fix the template; the theme is in templates/"), problem=message)
    elif kind == "missing":
        errors.error(Loc("templates/" + name), N_("the template '{name}' is missing"),
                     N_("add it to templates/, or delete templates/ to use the bundled theme"), name=name)
    else:
        errors.error(Loc("templates/" + out.template), N_("template error while making {url}: {problem}"),
                     N_("fix the template; the theme is in templates/"), url=out.url, problem=message)


def _template_path(theme: Theme, name: str) -> str:
    for folder in theme.folders:
        if (folder / name).is_file():
            return f"templates/{name}" if folder.name == "templates" else str(folder / name)
    return f"templates/{name}"
