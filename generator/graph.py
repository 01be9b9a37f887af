"""Models + URLs + rendered Markdown -> the Site: collections, taxonomies, pagination, outputs.

Pure: nothing here reads files or the clock. Objects refer to each other through small
reference records (EventRef, Term), never in cycles, and every list is computed once.
"""
from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from generator.config import MenuItem, SiteConfig
from generator.errors import ErrorCollector, Loc, N_
from generator.images import ImagePlan, SharedImage
from generator.markdown import Rendered
from generator.models import (Contact, Content, Event, MediaFile, Needs, Person, Recognition, Results, Venue,
                              translation_key)
from generator.pagination import paginate
from generator.slugs import slugify
from generator.urls import UrlPlan, expand, media_url, output_path


HOME_NEWS = 5  # posts listed on the home page

FLYER = "to-roi/"  # a drive's printable flyer, below the drive's own address ("tờ rơi")
FLYER_TRANSLATED = "flyer/"  # the same below a drive's page in a second language other than Vietnamese


@dataclass(frozen=True)
class Term:
    name: str
    slug: str
    url: str


class ShowsBody:
    """A view of a post, drive or page: its rendered Markdown is its ``body``."""

    @property
    def html(self) -> str:
        return self.body.html if self.body else ""

    @property
    def toc(self) -> str:
        return self.body.toc if self.body else ""


@dataclass(frozen=True)
class EventRef:
    id: str
    title: str
    url: str
    start: datetime
    end: datetime
    status: str
    language: str = ""  # of the title: a page links to the original of a drive not translated into its language


@dataclass(frozen=True)
class PostView(ShowsBody):
    KEEPS_FINGERPRINT = True  # computed once per object (cache.fingerprint): views are interned, below
    source: str
    title: str
    url: str
    date: datetime
    updated: datetime | None
    summary: str
    body: Rendered | None  # its Markdown, rendered: html and toc (ShowsBody)
    tags: tuple[Term, ...]
    category: Term | None
    author: str | None
    image: str | None
    image_alt: str | None
    event: EventRef | None
    draft: bool
    future: bool
    # The 1200×630 JPEG made from the post's image for og:image (absolute with config.absolute);
    # None when the post has no image, or an SVG or remote one (see images.py).
    share_image: SharedImage | None = None


@dataclass(frozen=True)
class EventView(ShowsBody):
    id: str
    source: str
    title: str
    url: str
    start: datetime
    end: datetime
    venue: Venue
    organizers: tuple[str, ...]
    status: str
    upcoming: bool
    target_units: int | None
    results: Results | None
    registration: str | None
    contact: Contact | None
    body: Rendered | None  # its description, rendered: html (ShowsBody)
    summary: str
    image: str | None
    image_alt: str | None
    map_url: str | None
    related: tuple[PostView, ...]
    recognitions: tuple["RecognitionView", ...]
    share_image: SharedImage | None = None  # as on PostView
    flyer_url: str | None = None  # the printable A4 flyer (upcoming drives that are not cancelled)

    @property
    def ref(self) -> EventRef:
        return EventRef(self.id, self.title, self.url, self.start, self.end, self.status)


@dataclass(frozen=True)
class PageView(ShowsBody):
    source: str
    title: str
    url: str
    body: Rendered | None  # its Markdown, rendered: html and toc (ShowsBody)
    summary: str
    updated: datetime | None
    draft: bool


@dataclass(frozen=True)
class HonourEntry:
    name: str
    unit: str | None
    donations: int | None


@dataclass(frozen=True)
class RecognitionView:
    id: str
    anchor: str
    title: str
    award: str
    date: date
    description: str | None
    event: EventRef | None
    named: tuple[HonourEntry, ...]
    unnamed: int  # people counted but not named (no consent)
    language: str = ""  # of its words: the honour roll shows lists not translated into its language too

    @property
    def total(self) -> int:
        return len(self.named) + self.unnamed


@dataclass(frozen=True)
class MilestoneGroup:
    milestone: int
    anchor: str
    named: tuple[HonourEntry, ...]
    unnamed: int


@dataclass(frozen=True)
class Totals:
    drives: int  # drives held (past, not cancelled)
    donors: int
    units: int
    upcoming: int
    honoured: int  # people on recognition lists, named or not


@dataclass(frozen=True)
class Taxonomy:
    term: Term
    posts: tuple[PostView, ...]


@dataclass(frozen=True)
class NeedsView:
    message: str
    updated: date
    groups: tuple[tuple[str, str], ...]
    urgent: tuple[str, ...]


@dataclass(frozen=True)
class Output:
    """One HTML page to render: where it goes, with which template, for which source."""
    path: str  # output file, relative to the output folder
    template: str
    source: str  # what produced it, for error messages about clashes
    url: str
    title: str
    values: dict = field(default_factory=dict, hash=False, compare=False)
    # What this page shares with its versions in the other languages (a source's translation key,
    # or the name of a list); None for pages with no counterpart (a tag, page 2 of a list).
    key: str | None = None


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    now: datetime
    menu: tuple[MenuItem, ...]
    posts: tuple[PostView, ...]
    events: tuple[EventView, ...]  # by start, earliest first
    upcoming: tuple[EventView, ...]
    past: tuple[EventView, ...]  # most recent first
    next_event: EventView | None
    pages: tuple[PageView, ...]
    recognitions: tuple[RecognitionView, ...]
    milestones: tuple[MilestoneGroup, ...]
    totals: Totals
    tags: tuple[Taxonomy, ...]
    categories: tuple[Taxonomy, ...]
    years: tuple[tuple[int, tuple[PostView, ...]], ...]
    needs: NeedsView | None
    eligibility: PageView | None  # linked from every upcoming drive
    outputs: tuple[Output, ...]
    media: tuple[MediaFile, ...]  # copied through to the same path under the output
    urls: dict  # named list URLs: news, events, recognition, archives, tags, categories, home
    images: ImagePlan = ImagePlan()  # content images and their resized copies (images.py)
    # The next moment after `now` at which the clock alone changes this site (a post's date comes,
    # a drive ends, the needs notice expires); None if none will. Builds before it are the same.
    changes_at: datetime | None = None

    def url(self, name: str) -> str:
        return self.urls[name]


# The post views of the last site assembled per (language, time zone): a long-lived process (the
# dev server) gets the very same object back for a post whose view did not change, and with it the
# fingerprint the page cache computed (cache.fingerprint keeps it on the view). Equal views are
# equal in every field, so one stands for the other in any template; the table is per time zone
# because datetimes of one instant in two zones are equal. The views are hashed only when a second
# site is assembled: a one-build process (the command line) never pays for it (10k hashes, 0.08 s).
_LAST_VIEWS: dict[tuple[str, str], list[PostView]] = {}


def _interned(views: list[PostView], table: tuple[str, str]) -> list[PostView]:
    last = _LAST_VIEWS.get(table)
    if last:
        same = {view: view for view in last}
        views = [same.get(view, view) for view in views]
    _LAST_VIEWS[table] = views
    return views


def assemble(config: SiteConfig, content: Content, plan: UrlPlan, rendered: dict[str, Rendered],
             errors: ErrorCollector, images: ImagePlan = ImagePlan(), every_event: tuple[Event, ...] | None = None,
             every_recognition: tuple[Recognition, ...] | None = None) -> Site:
    """The site of one language: CONFIG is that language's (SiteConfig.for_language), CONTENT holds
    what is written in it. EVERY_EVENT and EVERY_RECOGNITION (one version of each, any language;
    default: CONTENT's) give the campaign's totals and the honour roll's milestones, which do not
    depend on what has been translated, and the drive a link leads to when that drive has no
    version in this language."""
    now = plan.now
    links = config.permalinks
    url = plan.url
    flyer = FLYER if config.is_default_language or config.language.split("-")[0] == "vi" else FLYER_TRANSLATED
    events_by_id = {e.id: e for e in content.events if e.source in plan.urls}
    referable = {e.id: e for e in (every_event or ()) if e.source in plan.urls} | events_by_id
    keys = {m.source: translation_key(m) for m in content.posts + content.events + content.pages}
    event_ids = sorted(set(content.event_files) | set(events_by_id))

    def event_ref(event_id: str | None, loc: Loc) -> EventRef | None:
        if not event_id:
            return None
        event = referable.get(event_id)
        if event is None and event_id in content.event_files:
            return None  # the event file has errors of its own, reported there
        if event is None:
            suggestion = difflib.get_close_matches(event_id, event_ids, n=1, cutoff=0.6)
            errors.error(loc, N_("there is no event '{value}'"),
                         N_("did you mean '{suggestion}'?") if suggestion else
                         N_("write the event's file name without .yaml, as found in content/events/"),
                         value=event_id, suggestion=suggestion[0] if suggestion else "")
            return None
        return EventRef(event.id, event.title, plan.url_of(event.source), event.start, event.end, event.status,
                        event.language)

    # -- taxonomies: one Term per slug; the first spelling (by post date) names it ------------
    tag_terms: dict[str, Term] = {}
    category_terms: dict[str, Term] = {}

    def term(kind: str, name: str, store: dict[str, Term]) -> Term | None:
        slug = slugify(name)
        if not slug:
            return None
        if slug not in store:
            store[slug] = Term(name, slug, url(expand(links[kind], slug=slug)))
        return store[slug]

    # -- posts ---------------------------------------------------------------------------------
    published_posts = sorted((p for p in content.posts if p.source in plan.published),
                             key=lambda p: (p.date, p.source))
    posts: list[PostView] = []
    for post in published_posts:
        body = rendered.get(post.source)
        tags = []
        for name in post.tags:
            t = term("tag", name, tag_terms)
            if t and t not in tags:
                tags.append(t)
        posts.append(PostView(
            source=post.source, title=post.title, url=plan.url_of(post.source), date=post.date, updated=post.updated,
            summary=post.summary or (body.first_paragraph if body else ""), body=body, tags=tuple(tags),
            category=term("category", post.category, category_terms) if post.category else None,
            author=post.author, image=media_url(plan, post.image) if post.image else None, image_alt=post.image_alt,
            event=event_ref(post.event, Loc(post.source, *post.event_at)),
            draft=post.source in plan.drafts, future=post.source in plan.future,
            share_image=_shared(images, plan, post.image),
        ))
    posts.reverse()  # newest first
    posts = _interned(posts, (config.language, str(config.timezone)))
    posts_tuple = tuple(posts)

    # -- recognition ---------------------------------------------------------------------------
    recognitions = []
    for rec in sorted(content.recognitions, key=lambda r: (r.date, r.id), reverse=True):
        named = tuple(sorted((HonourEntry(p.name, p.unit, p.donations) for p in rec.people if p.consent),
                             key=lambda h: (-(h.donations or 0), h.name)))
        recognitions.append(RecognitionView(
            id=rec.id, anchor=slugify(rec.id) or "danh-sach", title=rec.title, award=rec.award, date=rec.date,
            description=rec.description, event=event_ref(rec.event, Loc(rec.source, *rec.event_at)), named=named,
            unnamed=sum(1 for p in rec.people if not p.consent), language=rec.language))
    honoured = every_recognition if every_recognition is not None else content.recognitions
    milestones = _milestone_groups(config.milestones, [p for r in honoured for p in r.people])

    # -- events --------------------------------------------------------------------------------
    related: dict[str, list[PostView]] = defaultdict(list)
    for post in posts_tuple:
        if post.event:
            related[post.event.id].append(post)
    recognitions_by_event: dict[str, list[RecognitionView]] = defaultdict(list)
    for rec in recognitions:
        if rec.event:
            recognitions_by_event[rec.event.id].append(rec)
    events = []
    for event in sorted(events_by_id.values(), key=lambda e: (e.start, e.id)):
        body = rendered.get(event.source)
        events.append(EventView(
            id=event.id, source=event.source, title=event.title, url=plan.url_of(event.source), start=event.start,
            end=event.end, venue=event.venue, organizers=event.organizers, status=event.status,
            upcoming=event.end >= now, target_units=event.target_units, results=event.results,
            registration=event.registration, contact=event.contact, body=body,
            summary=body.first_paragraph if body else "",
            image=media_url(plan, event.image) if event.image else None, image_alt=event.image_alt,
            map_url=event.venue.map or _map_search(event.venue), related=tuple(related.get(event.id, ())),
            recognitions=tuple(recognitions_by_event.get(event.id, ())),
            share_image=_shared(images, plan, event.image),
            flyer_url=url(plan.urls[event.source] + flyer) if event.end >= now and event.status != "cancelled" else None,
        ))
    upcoming = tuple(e for e in events if e.upcoming)
    past = tuple(reversed([e for e in events if not e.upcoming]))
    next_event = next((e for e in upcoming if e.status != "cancelled"), None)
    counted = [e for e in (every_event if every_event is not None else events_by_id.values()) if e.source in plan.urls]
    totals = Totals(
        drives=sum(1 for e in counted if e.end < now and e.status != "cancelled"),
        donors=sum((e.results.donors or 0) for e in counted if e.results),
        units=sum((e.results.units or 0) for e in counted if e.results),
        upcoming=sum(1 for e in counted if e.end >= now), honoured=sum(len(r.people) for r in honoured))

    # -- standing pages ------------------------------------------------------------------------
    pages = []
    eligibility = None
    for page in sorted(content.pages, key=lambda p: p.source):
        if page.source not in plan.published:
            continue
        body = rendered.get(page.source)
        pages.append(PageView(page.source, page.title, plan.url_of(page.source), body,
                              page.summary or (body.first_paragraph if body else ""), page.updated,
                              page.source in plan.drafts))
        if page.eligibility and eligibility is None:
            eligibility = pages[-1]

    # -- taxonomies and archives (lists computed once, sliced by pagination) -------------------
    by_tag: dict[str, list[PostView]] = defaultdict(list)
    by_category: dict[str, list[PostView]] = defaultdict(list)
    by_year: dict[int, list[PostView]] = defaultdict(list)
    for post in posts_tuple:
        for t in post.tags:
            by_tag[t.slug].append(post)
        if post.category:
            by_category[post.category.slug].append(post)
        by_year[post.date.year].append(post)
    tags = tuple(sorted((Taxonomy(tag_terms[s], tuple(p)) for s, p in by_tag.items()),
                        key=lambda t: (-len(t.posts), t.term.slug)))
    categories = tuple(sorted((Taxonomy(category_terms[s], tuple(p)) for s, p in by_category.items()),
                              key=lambda t: t.term.slug))
    years = tuple(sorted(((y, tuple(p)) for y, p in by_year.items()), reverse=True))

    needs = _needs_view(content.needs, now)
    list_urls = {
        "home": url(config.root), "root": url("/"),  # root: where every language's shared files are (search)
        "news": url(links["news"]), "events": url(links["events"]),
        "recognition": url(links["recognition"]), "archives": url(links["archives"]),
        "search": url(links["search"]) if config.search else None,
        "tags": url(_index_of(links["tag"])) if _index_of(links["tag"]) else None,
        "categories": url(_index_of(links["category"])) if _index_of(links["category"]) else None,
    }

    # -- outputs -------------------------------------------------------------------------------
    outputs: list[Output] = []

    def add(path: str, template: str, source: str, title: str, key: str | None = None, **values):
        outputs.append(Output(output_path(path), template, source, url(path), title, values, key))

    # the latest news is handed to the home page, not read from site.posts: the page is then made
    # again when one of them changes, not on any change of any post (its key fingerprints what it read)
    add(config.root, "home.html", "(home page)", config.title, "home", latest_news=posts_tuple[:HOME_NEWS],
        more_news=len(posts_tuple) > HOME_NEWS)
    per_page = config.paginate
    for pager in paginate(posts_tuple, per_page, links["news"], links["paginate"], config.base_path):
        add(pager.path, "news.html", "(news list)", "", "news" if pager.number == 1 else None, pager=pager)
    for tax in tags:
        base = expand(links["tag"], slug=tax.term.slug)
        for pager in paginate(tax.posts, per_page, base, links["paginate"], config.base_path):
            add(pager.path, "tag.html", f"(tag '{tax.term.name}')", tax.term.name, pager=pager, term=tax.term)
    for tax in categories:
        base = expand(links["category"], slug=tax.term.slug)
        for pager in paginate(tax.posts, per_page, base, links["paginate"], config.base_path):
            add(pager.path, "category.html", f"(category '{tax.term.name}')", tax.term.name, pager=pager,
                term=tax.term)
    if _index_of(links["tag"]):
        add(_index_of(links["tag"]), "tags.html", "(tag list)", "", "tags", taxonomies=tags)
    if _index_of(links["category"]):
        add(_index_of(links["category"]), "categories.html", "(category list)", "", "categories",
            taxonomies=categories)
    add(links["archives"], "archives.html", "(archive list)", "", "archives")
    for year, year_posts in years:
        add(expand(links["archive"], year=year), "archive.html", f"(archive {year})", str(year), f"archive {year}",
            year=year, posts=year_posts)
    for post in posts_tuple:
        add(plan.urls[post.source], "post.html", post.source, post.title, keys[post.source], post=post)
    add(links["events"], "events.html", "(event list)", "", "events")
    for event in events:
        add(plan.urls[event.source], "event.html", event.source, event.title, keys[event.source], event=event)
        if event.flyer_url:
            add(plan.urls[event.source] + flyer, "flyer.html", event.source, event.title, keys[event.source] + " flyer",
                event=event)
    add(links["recognition"], "recognition.html", "(recognition)", "", "recognition")
    for page in pages:
        add(plan.urls[page.source], "page.html", page.source, page.title, keys[page.source], page=page)
    if config.search:
        add(links["search"], "search.html", "(search page)", "", "search")
    add(config.root + "404.html", "404.html", "(404 page)", "", "404")

    seen: dict[str, Output] = {}
    for out in outputs:
        if out.path in seen:
            first = seen[out.path]
            errors.error(Loc(out.source if out.source.startswith("content/") else first.source),
                         N_("two pages would be written to the same place '{path}': {first} and {second}"),
                         N_("change the title or 'slug:' of one of them, or the permalinks in config.yaml"),
                         path=out.url, first=first.source, second=out.source)
        else:
            seen[out.path] = out

    return Site(changes_at=_changes_at(content, now), config=config, now=now, menu=config.menu, posts=posts_tuple, events=tuple(events),
                upcoming=upcoming, past=past, next_event=next_event, pages=tuple(pages),
                recognitions=tuple(recognitions), milestones=milestones, totals=totals, tags=tags,
                categories=categories, years=years, needs=needs, eligibility=eligibility, outputs=tuple(outputs), media=content.media, urls=list_urls,
                images=images)


def _shared(images: ImagePlan, plan: UrlPlan, image: str | None) -> SharedImage | None:
    info = images.get(media_url(plan, image)) if image else None
    return info.shared if info else None


def _index_of(pattern: str) -> str | None:
    """'/chu-de/{slug}/' -> '/chu-de/' (a list of all terms); None if the pattern has no such parent."""
    if pattern.endswith("{slug}/") and pattern.count("{") == 1:
        parent = pattern[: -len("{slug}/")]
        return parent if parent.startswith("/") and parent != "/" else None
    return None


def _map_search(venue: Venue) -> str:
    from urllib.parse import quote
    return "https://www.google.com/maps/search/?api=1&query=" + quote(f"{venue.name}, {venue.address}")


def _milestone_groups(milestones: tuple[int, ...], people: list[Person]) -> tuple[MilestoneGroup, ...]:
    best: dict[tuple[str, str], HonourEntry] = {}
    unnamed: dict[int, int] = defaultdict(int)
    for person in people:
        if not person.donations:
            continue
        if person.consent:
            key = (person.name.casefold(), (person.unit or "").casefold())
            entry = HonourEntry(person.name, person.unit, person.donations)
            if key not in best or (best[key].donations or 0) < person.donations:
                best[key] = entry
        else:
            level = _level(milestones, person.donations)
            if level:
                unnamed[level] += 1
    named: dict[int, list[HonourEntry]] = defaultdict(list)
    for entry in best.values():
        level = _level(milestones, entry.donations or 0)
        if level:
            named[level].append(entry)
    groups = []
    for level in sorted(set(named) | set(unnamed), reverse=True):
        people_at = tuple(sorted(named.get(level, ()), key=lambda h: (-(h.donations or 0), h.name)))
        groups.append(MilestoneGroup(level, f"moc-{level}", people_at, unnamed.get(level, 0)))
    return tuple(groups)


def _level(milestones: tuple[int, ...], donations: int) -> int | None:
    reached = [m for m in milestones if donations >= m]
    return max(reached) if reached else None


def _changes_at(content: Content, now: datetime) -> datetime | None:
    """The first moment after NOW at which what the clock decides changes: a post stops being in the
    future (urls.plan_urls), a drive stops being upcoming (end >= now), the needs notice stops being
    shown (_needs_view). Later moments change nothing before it."""
    moments = [p.date for p in content.posts if p.date and p.date > now]
    moments += [e.end + timedelta(microseconds=1) for e in content.events if e.end >= now]
    if content.needs is not None:
        expiry = datetime.combine(content.needs.updated + timedelta(days=content.needs.valid_days + 1),
                                  datetime.min.time(), tzinfo=now.tzinfo)
        if expiry > now:
            moments.append(expiry)
    return min(moments) if moments else None


def _needs_view(needs: Needs | None, now: datetime) -> NeedsView | None:
    if needs is None:
        return None
    if now.date() > needs.updated + timedelta(days=needs.valid_days):
        return None  # a stale notice would cry wolf
    return NeedsView(needs.message, needs.updated, needs.groups,
                     tuple(g for g, level in needs.groups if level == "urgent"))
