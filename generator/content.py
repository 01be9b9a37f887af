"""content/ -> validated models. Every problem is recorded; nothing here raises for bad content."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path, PurePosixPath

from generator.cache import Store, digest, file_digest, hashed_file, note_digest
from generator.config import SiteConfig
from generator.errors import ErrorCollector, Loc, Msg, N_
from generator.i18n import language_suffix
from generator.models import (Body, Contact, Content, Event, MediaFile, Needs, Page, Person, Post,
                              Recognition, Results, Venue)
from generator.parallel import can_fork, fork_map
from generator.schema import Fields
from generator.slugs import slugify
from generator.sources import content_files, read_text, refuse_outside, relpath, split_front_matter
from generator.yamlio import load_yaml

MARKDOWN = (".md", ".markdown")
YAML = (".yaml", ".yml")
POST_KEYS = ("title", "date", "updated", "summary", "tags", "category", "author", "image", "image_alt",
             "event", "draft", "slug")
PAGE_KEYS = ("title", "summary", "slug", "updated", "draft", "eligibility")
EVENT_KEYS = ("title", "start", "end", "venue", "organizers", "status", "target_units", "results",
              "registration", "contact", "description", "image", "image_alt", "slug")
RECOGNITION_KEYS = ("title", "award", "date", "event", "people", "description")
PERSON_KEYS = ("name", "unit", "donations", "consent")
# Never published, and an error when present, so a copied spreadsheet cannot leak them.
PERSONAL_KEYS = {
    "phone", "telephone", "mobile", "tel", "email", "e-mail", "mail", "id", "id_number", "national_id",
    "cccd", "cmnd", "citizen_id", "passport", "address", "home_address", "birth_date", "birthdate",
    "birthday", "date_of_birth", "dob", "ngay_sinh", "blood_type", "blood_group", "nhom_mau",
    "so_dien_thoai", "dien_thoai", "sdt", "dia_chi", "so_cccd", "so_cmnd", "can_cuoc", "can_cuoc_cong_dan",
    "ngay_thang_nam_sinh", "nam_sinh", "year_of_birth", "que_quan", "ho_khau", "thuong_tru", "e_mail",
}
STATUSES = ("scheduled", "cancelled", "postponed")
NEED_LEVELS = ("urgent", "low", "ok")
BLOOD_GROUPS = ("O", "A", "B", "AB", "O+", "O-", "A+", "A-", "B+", "B-", "AB+", "AB-", "Rh-")


@dataclass(frozen=True)
class Variant:
    """Which language a content file is in, and what it translates.

    'name.en.md' beside 'name.md' is the English translation of it when 'en' is one of the site's
    languages. When the original exists the translation is *partial*: what it leaves out (a post's
    date, a drive's times and venue, a list's people...) is taken from the original (INHERITED)."""
    language: str
    original: str | None = None  # site-relative source path of the original
    partial: bool = False

    def says(self, fields: Fields, key: str) -> bool:
        """Whether this file gives KEY itself: always an original's (it has its default), a partial
        translation's only when written (else the value is left None, to come from the original)."""
        return not self.partial or fields.has(key)


# What a translation takes from its original when it does not say it itself: facts, not words.
INHERITED = {
    "_post": ("date", "image", "image_alt", "event", "author"),
    "_page": ("eligibility",),
    "_event": ("start", "end", "venue", "organizers", "status", "target_units", "results", "registration",
               "contact", "image", "image_alt"),
    "_recognition": ("award", "date", "event", "people"),
    "_needs": ("updated", "valid_days", "groups"),
}


# Of those, what every version must say alike: a translation that gives its own value is warned about.
AGREED = {
    "_post": ("date",),
    "_page": (),
    "_event": ("start", "end", "status", "target_units", "results"),
    "_recognition": ("date", "people"),
    "_needs": ("updated", "groups"),
}


def variant(site: Path, path: Path, config: SiteConfig) -> Variant:
    """'x.en.md' is a translation when 'en' is a second language of the site; anything else is not."""
    stem, _, code = path.stem.rpartition(".")
    if not stem or code not in config.all_languages[1:]:
        return Variant(config.language)
    original = path.with_name(stem + path.suffix)
    return Variant(code, relpath(site, original), original.is_file())


def _check_suffix(site: Path, path: Path, config: SiteConfig, errors: ErrorCollector) -> None:
    """'x.fr.md' on a site in vi and en, or 'x.vi.md' for the default language: probably a slip."""
    if len(config.all_languages) < 2:
        return  # a one-language site: a dot in a name means nothing
    stem, _, code = path.stem.rpartition(".")
    if not stem or not language_suffix(code) or code in config.all_languages[1:]:
        return
    if code == config.language:
        errors.warning(Loc(relpath(site, path)), N_("'.{code}' is the default language: this file is not a translation"),
                       N_("rename it without '.{code}'"), code=code)
    else:
        errors.warning(Loc(relpath(site, path)), N_("'{code}' is not one of the site's languages, so this file is "
                                                    "published as a page in the default language"),
                       N_("add '{code}' to 'languages' in config.yaml, or rename the file"), code=code)


def load_content(site: Path, config: SiteConfig, errors: ErrorCollector, store: Store | None = None,
                 hashes: Store | None = None, stats: dict | None = None) -> Content:
    """Every content file as a model. With a cache STORE, a file whose bytes (and the time zone,
    languages and media list it is read against) did not change is not parsed again, if it loaded
    without problems. HASHES (the cache's files store) spares reading a file whose stat did not
    change to hash it; STATS (path -> stat signature, uptodate.Inputs.content) spares stating them again.
    Translations come out whole: what they leave out is taken from the original."""
    stats = stats or {}
    content = site / "content"
    tz = config.timezone

    def files(folder: str, suffixes: tuple[str, ...]) -> list[Path]:
        return refuse_outside(site, content_files(content / folder, suffixes), errors)

    media = tuple(_media(site, content / "media", errors))
    media_paths = {m.path for m in media}
    context = digest(config.timezone_name, config.all_languages, sorted(media_paths))

    partial: set[str] = set()  # translations whose original exists: they are completed from it

    def loaded(loader, paths, *args) -> tuple:
        """The models of PATHS, in order: from the cache, or parsed (on several cores when many are).
        A file whose stat the cache does not know is hashed where it is parsed when many are: a
        first build does not read 10k files in one process only to learn that none is cached."""
        models: list = [None] * len(paths)
        misses = []  # (index, path, variant, relative path, cache key or None, to be hashed where parsed)

        def key_of(rel: str, which: Variant, value: str) -> str:
            # one text of NUL-separated fields (no path holds NUL), hashed at once: 10k files a build
            return digest(f"{context}\0{loader.__name__}\0{rel}\0{which.partial:d}\0{value}")

        for index, path in enumerate(paths):
            which = variant(site, path, config)
            _check_suffix(site, path, config, errors)
            rel = relpath(site, path)
            if which.partial:
                partial.add(rel)
            if store is None:
                misses.append((index, path, which, rel, None, False))
                continue
            try:
                value = file_digest(path, rel, hashes, stats.get(str(path)), read=False)
            except OSError:
                misses.append((index, path, which, rel, None, False))  # the loader reports why it cannot be read
                continue
            if value is None:
                misses.append((index, path, which, rel, None, True))
                continue
            key = key_of(rel, which, value)
            models[index] = store.get(key)
            if models[index] is None:
                misses.append((index, path, which, rel, key, False))
        forked = len(misses) >= PARALLEL_FROM and can_fork()
        if not forked:  # few: the unknown ones are hashed here, and may be in the cache after all
            still = []
            for index, path, which, rel, key, unknown in misses:
                if unknown:
                    try:
                        key = key_of(rel, which, file_digest(path, rel, hashes, stats.get(str(path))))
                    except OSError:
                        key = None
                    else:
                        models[index] = store.get(key)
                        if models[index] is not None:
                            continue
                still.append((index, path, which, rel, key, False))
            misses = still
        work = [(path, which, rel, stats.get(str(path)) if unknown else False)
                for _, path, which, rel, _, unknown in misses]

        def cached(rel: str, which: Variant, value: str) -> bool:  # asked in the workers, of the store they inherit
            return key_of(rel, which, value) in store.data

        job = (site, loader, args, cached)
        outcomes = fork_map(_load_many, job, work) if forked else _load_many(job, work)
        for (index, path, which, rel, key, _), (model, problems, hashed) in zip(misses, outcomes):
            if hashed is not None:  # hashed by the worker, which parsed it only if the cache has no model of it
                note_digest(hashes, rel, *hashed)
                key = key_of(rel, which, hashed[1])
                if model is None and not problems:
                    model = store.get(key)
                    if model is None:  # (cannot be: the worker found it there) parsed here then
                        model, problems, _ = _load_many((site, loader, args, None), [(path, which, rel, False)])[0]
                    else:
                        models[index] = model
                        continue
            errors.extend(problems)
            if model is not None and key is not None and not problems:  # only clean files: problems must repeat
                store.put(key, model)
            models[index] = model
        return tuple(_completed([m for m in models if m], partial, INHERITED[loader.__name__],
                                AGREED[loader.__name__], errors))

    posts = loaded(_post, files("posts", MARKDOWN), tz, media_paths)
    pages = loaded(_page, files("pages", MARKDOWN), tz)
    event_paths = content_files(content / "events", YAML)  # walked once: loaded, and named in hints
    events = loaded(_event, refuse_outside(site, event_paths, errors), tz, media_paths)
    recognitions = loaded(_recognition, files("donors", YAML), tz)
    needs_files = [next((p for p in (content / f"needs{suffix}{ext}" for ext in YAML) if p.is_file()), None)
                   for suffix in [""] + [f".{code}" for code in config.all_languages[1:]]]
    every_needs = loaded(_needs, [p for p in needs_files if p is not None], tz)
    needs = next((n for n in every_needs if n.original is None), None)
    event_files = tuple(sorted({_file_id(path, variant(site, path, config)) for path in event_paths}))
    return Content(posts=posts, events=events, recognitions=recognitions, pages=pages, media=media, needs=needs,
                   event_files=event_files, translated_needs=tuple(n for n in every_needs if n.original))


PARALLEL_FROM = 300  # files to parse, below which forking costs more than it saves (~0.2 ms a file)


def _load_many(job: tuple, work: list[tuple]) -> list[tuple]:
    """[(model or None, the problems found in its file, (stat signature, hash) or None)] for each
    (path, variant, relative path, hash: False, or the stat to hash it by) of WORK; in a worker, the
    models go back pickled, their texts as UTF-8 with their digests (models.Body). A file hashed
    here whose model the cache holds (CACHED(rel, variant, hash)) is not parsed: its model is None."""
    site, loader, args, cached = job
    outcomes = []
    for path, which, rel, to_hash in work:
        hashed = None
        if to_hash is not False:
            try:
                hashed = hashed_file(path, to_hash)  # before it is parsed: a later edit shows in its stat
            except OSError:
                pass  # the loader reports why it cannot be read
            else:
                if cached(rel, which, hashed[1]):
                    outcomes.append((None, [], hashed))
                    continue
        problems = ErrorCollector()
        model = loader(site, path, which, *args, problems)
        getattr(model, "address_slug", None)  # made here, on this core, and sent with the model
        outcomes.append((model, problems.items, hashed))
    return outcomes


def _file_id(path: Path, which: Variant) -> str:
    """An event's or list's id: its file name without .yaml, and without the language of a translation."""
    return Path(which.original).stem if which.original else path.stem


def _completed(models: list, partial: set[str], inherited: tuple[str, ...], agreed: tuple[str, ...],
               errors: ErrorCollector):
    """Translations with what they leave out taken from their original (loaded among MODELS); a
    translation that says otherwise than its original about a fact in AGREED is warned about."""
    by_source = {m.source: m for m in models}
    for model in models:
        if model.source not in partial:
            yield model  # an original, or a translation with no original: complete as written
            continue
        if model.original not in by_source:
            continue  # the original has errors of its own, reported there
        original = by_source[model.original]
        for name in agreed:
            if getattr(model, name) is not None and getattr(model, name) != getattr(original, name):
                errors.warning(Loc(model.source), N_("'{key}' here is not the same as in {original}"),
                               N_("delete the '{key}' line: a translation takes it from its original, so the "
                                  "versions cannot disagree"), key=name, original=model.original)
        missing = {name: getattr(original, name) for name in inherited if getattr(model, name) is None}
        if "event" in missing and hasattr(model, "event_at"):
            missing["event_at"] = (0, 0)  # a problem with it is the original's, reported there
        merged = dataclasses.replace(model, **missing)
        if isinstance(merged, Event) and merged.end <= merged.start:
            errors.error(Loc(merged.source), N_("'end' should be after 'start'"),
                         N_("check the date and time of 'start' and 'end' here and in {original}"),
                         original=model.original)
            continue
        yield merged


def _at(loc: Loc) -> tuple[int, int]:
    return loc.line, loc.col


def _media(site: Path, folder: Path, errors: ErrorCollector):
    if not folder.is_dir():
        return
    found = [p for p in sorted(folder.rglob("*"))
             if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    for path in refuse_outside(site, found, errors):
        yield MediaFile(relpath(site, path), "media/" + "/".join(path.relative_to(folder).parts))


def _front_matter(site: Path, path: Path, errors: ErrorCollector):
    source = read_text(site, path, errors)
    if source is None:
        return None, None
    doc = split_front_matter(source, errors)
    if doc is None:
        return None, None
    data = load_yaml(doc.front_matter, doc.path, errors, line_offset=doc.front_matter_offset)
    if data is None and doc.front_matter.strip() == "":
        errors.error(Loc(doc.path, 1, 1), N_("the front matter is empty"), N_("add at least a 'title:' line"))
        return None, None
    fields = Fields(data, doc.path, errors, Loc(doc.path, 2, 1), what=Msg(N_("the front matter")))
    if not fields.valid or data is None:
        return None, None
    return doc, fields


def _image(fields: Fields, media: set[str]) -> tuple[str | None, str | None]:
    image = fields.url("image")
    alt = fields.str("image_alt")
    if image is None:
        return None, alt
    if "://" not in image:
        normal = _content_path(image)
        if normal is None or normal not in media:
            fields.errors.error(fields.value_loc("image"), N_("the image '{value}' does not exist"),
                                N_("put the file into content/media/ and write its path as media/NAME"),
                                value=image)
            return None, alt
        image = normal
    if not alt:
        fields.errors.error(fields.key_loc("image"), N_("an image needs 'image_alt', a short description for people "
                                                        "who cannot see it"),
                            N_("add a line 'image_alt: ...' describing the picture"))
    return image, alt


def _content_path(value: str) -> str | None:
    """'media/a.jpg', '/media/a.jpg' or '../media/a.jpg' -> 'media/a.jpg'; None if it leaves content/."""
    parts = []
    for part in PurePosixPath(value.strip().lstrip("/")).parts:
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue  # '../media/x' from a post folder: tolerated, resolved against content/
        parts.append(part)
    return "/".join(parts) or None


def _post(site: Path, path: Path, which: Variant, tz: tzinfo, media: set[str], errors: ErrorCollector) -> Post | None:
    doc, fields = _front_matter(site, path, errors)
    if fields is None:
        return None
    count = len(errors.items)
    title = fields.str("title", required=True)
    moment = fields.datetime("date", tz, required=not which.partial)
    updated = fields.datetime("updated", tz)
    if updated and moment and updated < moment:
        errors.error(fields.value_loc("updated"), N_("'updated' is before 'date'"),
                     N_("'updated' is when the post was last changed; it cannot be earlier than 'date'"))
    image, alt = _image(fields, media)
    post = Post(
        source=doc.path, title=title or "", date=moment, body=Body(doc.body, doc.path, doc.body_offset),
        updated=updated, summary=fields.str("summary"), tags=tuple(fields.str_list("tags")),
        category=fields.str("category"), author=fields.str("author"), image=image, image_alt=alt,
        event=fields.str("event"), draft=fields.bool("draft", False), slug=fields.str("slug"),
        title_line=fields.key_loc("title").line, event_at=_at(fields.value_loc("event")),
        language=which.language, original=which.original, marked=doc.marked,
    )
    fields.finish(POST_KEYS)
    return None if _has_new_errors(errors, count) else post


def _has_new_errors(errors: ErrorCollector, count: int) -> bool:
    return any(e.severity == "error" for e in errors.items[count:])


def _page(site: Path, path: Path, which: Variant, tz: tzinfo, errors: ErrorCollector) -> Page | None:
    doc, fields = _front_matter(site, path, errors)
    if fields is None:
        return None
    count = len(errors.items)
    page = Page(source=doc.path, title=fields.str("title", required=True) or "",
                body=Body(doc.body, doc.path, doc.body_offset), summary=fields.str("summary"),
                slug=fields.str("slug"), updated=fields.datetime("updated", tz), draft=fields.bool("draft", False),
                title_line=fields.key_loc("title").line,
                eligibility=fields.bool("eligibility", False) if which.says(fields, "eligibility") else None,
                language=which.language, original=which.original, marked=doc.marked)
    fields.finish(PAGE_KEYS)
    return None if _has_new_errors(errors, count) else page


def _yaml_file(site: Path, path: Path, errors: ErrorCollector, what: str) -> Fields | None:
    """The file's fields; ``fields.marked``: whether it holds a placeholder (SourceText.marked)."""
    source = read_text(site, path, errors)
    if source is None:
        return None
    data = load_yaml(source.text, source.path, errors)
    if data is None:
        if not source.text.strip():
            errors.error(Loc(source.path, 1, 1), N_("this file is empty"),
                         N_("fill it in, or delete it"))
        return None
    fields = Fields(data, source.path, errors, what=what)
    fields.marked = source.marked
    return fields if fields.valid else None


def _event(site: Path, path: Path, which: Variant, tz: tzinfo, media: set[str],
           errors: ErrorCollector) -> Event | None:
    fields = _yaml_file(site, path, errors, Msg(N_("an event file")))
    if fields is None:
        return None
    count = len(errors.items)
    title = fields.str("title", required=True)
    start = fields.datetime("start", tz, required=not which.partial)
    end = fields.datetime("end", tz, required=not which.partial)
    if start and end and end <= start:
        errors.error(fields.value_loc("end"), N_("'end' should be after 'start'"),
                     N_("check the date and time of 'end'"))
    venue = None
    venue_fields = fields.mapping("venue", required=not which.partial)
    if venue_fields:
        venue = Venue(name=venue_fields.str("name", required=True), address=venue_fields.str("address", required=True),
                      map=venue_fields.url("map"))
        venue_fields.finish(("name", "address", "map"))
    results = None
    results_fields = fields.mapping("results")
    if results_fields:
        results = Results(donors=results_fields.int("donors", maximum=10**7),
                          units=results_fields.int("units", maximum=10**7))
        results_fields.finish(("donors", "units"))
    contact = None
    contact_fields = fields.mapping("contact")
    if contact_fields:
        contact = Contact(name=contact_fields.str("name"), phone=contact_fields.str("phone"),
                          email=contact_fields.str("email"))
        contact_fields.finish(("name", "phone", "email"))
    description = None
    text = fields.text("description")
    if text:
        # A '|' block starts on the line after the key.
        offset = fields.value_loc("description").line
        description = Body(text, fields.path, offset if fields.data.get("description", "").count("\n") else offset - 1)
    image, alt = _image(fields, media)
    event = Event(
        id=_file_id(path, which), source=fields.path, title=title or "", start=start, end=end, venue=venue,
        organizers=tuple(fields.str_list("organizers")) if which.says(fields, "organizers") else None,
        status=fields.choice("status", STATUSES, None if which.partial else "scheduled"),
        target_units=fields.int("target_units", maximum=10**7), results=results,
        registration=fields.url("registration"), contact=contact, description=description,
        image=image, image_alt=alt, slug=fields.str("slug"), title_line=fields.key_loc("title").line,
        language=which.language, original=which.original, marked=fields.marked,
    )
    fields.finish(EVENT_KEYS)
    return None if _has_new_errors(errors, count) else event


def _recognition(site: Path, path: Path, which: Variant, tz: tzinfo, errors: ErrorCollector) -> Recognition | None:
    fields = _yaml_file(site, path, errors, Msg(N_("a recognition file")))
    if fields is None:
        return None
    count = len(errors.items)
    title = fields.str("title", required=True)
    award = fields.str("award", required=not which.partial)
    when = fields.date("date", tz, required=not which.partial)
    people = [] if which.says(fields, "people") else None
    for person in fields.list_of_mappings("people", required=not which.partial):
        for key in list(person.data):
            if slugify(str(key)).replace("-", "_") in PERSONAL_KEYS:  # "Số điện thoại" -> so_dien_thoai
                person.used.add(key)
                errors.error(person.key_loc(key),
                             N_("'{key}' is personal data and must not be in a recognition list"),
                             N_("delete the '{key}' line: the site only shows names (with consent), units "
                                "and numbers of donations"), key=key)
        name = person.str("name", required=True)
        people.append(Person(name=name or "", unit=person.str("unit"), donations=person.int("donations", maximum=1000),
                             consent=person.bool("consent", False)))
        person.finish(PERSON_KEYS)
    recognition = Recognition(id=_file_id(path, which), source=fields.path, title=title or "",
                              award=award or (None if which.partial else ""), date=when,
                              people=tuple(people) if people is not None else None, event=fields.str("event"),
                              description=fields.str("description"), event_at=_at(fields.value_loc("event")),
                              language=which.language, original=which.original, marked=fields.marked)
    fields.finish(RECOGNITION_KEYS)
    return None if _has_new_errors(errors, count) else recognition


def _needs(site: Path, path: Path, which: Variant, tz: tzinfo, errors: ErrorCollector) -> Needs | None:
    fields = _yaml_file(site, path, errors, Msg(N_("the needs file")))
    if fields is None:
        return None
    count = len(errors.items)
    updated = fields.date("updated", tz, required=not which.partial)
    valid_days = fields.int("valid_days", minimum=1, maximum=365, default=None if which.partial else 14)
    message = fields.str("message", required=True)
    groups = [] if which.says(fields, "groups") else None
    group_fields = fields.mapping("groups")
    if group_fields:
        for key in list(group_fields.data):
            name = str(key).strip().upper()
            if name not in BLOOD_GROUPS:
                group_fields.used.add(key)
                errors.error(group_fields.key_loc(key), N_("'{key}' is not a blood group"),
                             N_("use O, A, B or AB (optionally with + or -)"), key=key)
                continue
            groups.append((name, group_fields.choice(key, NEED_LEVELS, "ok")))
        group_fields.finish()
    needs = Needs(source=fields.path, updated=updated, valid_days=valid_days, message=message or "",
                  groups=tuple(groups) if groups is not None else None, language=which.language,
                  original=which.original)
    fields.finish(("updated", "valid_days", "message", "groups"))
    return None if _has_new_errors(errors, count) else needs
