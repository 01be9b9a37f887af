"""config.yaml -> a frozen SiteConfig, with every error located."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import difflib

from generator.errors import ErrorCollector, Loc, N_
from generator.i18n import known_locale
from generator.schema import Fields
from generator.sources import read_text
from generator.yamlio import load_yaml

CONFIG_FILE = "config.yaml"
DEFAULT_MILESTONES = (5, 10, 20, 30, 40, 50, 70, 100)
DEFAULT_PERMALINKS = {
    "post": "/tin-tuc/{slug}/",
    "event": "/su-kien/{slug}/",
    "page": "/{slug}/",
    "news": "/tin-tuc/",
    "tag": "/chu-de/{slug}/",
    "category": "/chuyen-muc/{slug}/",
    "archive": "/luu-tru/{year}/",
    "archives": "/luu-tru/",
    "events": "/su-kien/",
    "recognition": "/vinh-danh/",
    "search": "/tim-kiem/",
    "paginate": "trang/{n}/",
}
# A second language's lists and pages live below /<code>/; unless its own 'permalinks' say otherwise,
# a Vietnamese one keeps the addresses above and any other language gets these English words.
TRANSLATED_PERMALINKS = {
    "post": "/news/{slug}/",
    "event": "/drives/{slug}/",
    "page": "/{slug}/",
    "news": "/news/",
    "tag": "/topics/{slug}/",
    "category": "/sections/{slug}/",
    "archive": "/archive/{year}/",
    "archives": "/archive/",
    "events": "/drives/",
    "recognition": "/honour-roll/",
    "search": "/search/",
    "paginate": "page/{n}/",
}
LANGUAGE_KEYS = ("title", "description", "menu", "permalinks")  # what a language may set for itself
_PLACEHOLDERS = {
    "post": {"slug", "year", "month", "day"},
    "event": {"slug", "year", "month", "day"},
    "page": {"slug"},
    "tag": {"slug"},
    "category": {"slug"},
    "archive": {"year"},
    "paginate": {"n"},
}
_REQUIRED_PLACEHOLDER = {"post": "slug", "event": "slug", "page": "slug", "tag": "slug",
                         "category": "slug", "archive": "year", "paginate": "n"}
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


@dataclass(frozen=True)
class Organization:
    name: str = ""
    logo: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    facebook: str | None = None
    zalo: str | None = None
    website: str | None = None


@dataclass(frozen=True)
class MenuItem:
    title: str
    url: str


@dataclass(frozen=True)
class FeedSettings:
    items: int = 20
    full_content: bool = False


@dataclass(frozen=True)
class LanguageSettings:
    """What a second language sets for itself under 'languages:' (None: not set)."""
    code: str
    title: str | None = None
    description: str | None = None
    menu: tuple[MenuItem, ...] | None = None
    permalinks: tuple[tuple[str, str], ...] = ()  # as written, before the /<code>/ prefix


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str  # always ends with '/'
    language: str
    timezone_name: str
    description: str = ""
    organization: Organization = Organization()
    menu: tuple[MenuItem, ...] = ()
    paginate: int = 10
    milestones: tuple[int, ...] = DEFAULT_MILESTONES
    permalinks: dict = field(default_factory=lambda: dict(DEFAULT_PERMALINKS))
    feeds: FeedSettings = FeedSettings()
    trust_html: bool = False
    search: bool = True  # build the Pagefind index, the search page and the search box
    languages: tuple[str, ...] = ()  # as configured: () or the default language first
    language_settings: tuple[LanguageSettings, ...] = ()
    # For the config of a second language (see for_language): its home, e.g. '/en/', and the default.
    root: str = "/"
    default_language: str | None = None

    @property
    def all_languages(self) -> tuple[str, ...]:
        """Every language the site is built in, the default first."""
        return self.languages or (self.language,)

    @property
    def is_default_language(self) -> bool:
        return self.default_language is None

    def for_language(self, code: str) -> "SiteConfig":
        """The settings one language's pages are made with: for a second language, its own title,
        description, menu and permalinks, every address below /<code>/."""
        assert self.default_language is None, "ask the site's own config, not a language's"
        default = self.language
        if code == default:
            return self
        own = next((s for s in self.language_settings if s.code == code), LanguageSettings(code))
        links = dict(DEFAULT_PERMALINKS if code.split("-")[0] == "vi" else TRANSLATED_PERMALINKS)
        links.update(own.permalinks)
        root = f"/{code.lower()}/"
        links = {kind: pattern if kind == "paginate" else root.rstrip("/") + pattern for kind, pattern in links.items()}
        return dataclasses.replace(
            self, language=code, default_language=default, root=root, permalinks=links,
            title=own.title if own.title is not None else self.title,
            description=own.description if own.description is not None else self.description,
            menu=own.menu if own.menu is not None else ())

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone_name)

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. '/' or '/hien-mau/'."""
        return urlsplit(self.base_url).path or "/"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def absolute(self, url: str) -> str:
        """An absolute URL for a site URL that already includes the base path."""
        return self.origin + url if url.startswith("/") else url


KNOWN_KEYS = ("title", "base_url", "language", "timezone", "description", "organization", "menu",
              "paginate", "milestones", "permalinks", "feeds", "trust_html", "search", "languages")


def load_config(site: Path, errors: ErrorCollector) -> SiteConfig | None:
    path = site / CONFIG_FILE
    if not path.is_file():
        errors.error(Loc(CONFIG_FILE), N_("there is no config.yaml in this folder"),
                     N_("run the command inside the site folder, or give it with --site DIR"))
        return None
    source = read_text(site, path, errors)
    if source is None:
        return None
    count = len(errors.items)
    data = load_yaml(source.text, CONFIG_FILE, errors)
    if data is None and len(errors.items) > count:
        return None  # unreadable YAML: the parse error says it all
    if data is None:
        errors.error(Loc(CONFIG_FILE, 1, 1), N_("config.yaml is empty"),
                     N_("add at least title, base_url, language and timezone"))
        return None
    fields = Fields(data, CONFIG_FILE, errors, what="config.yaml")
    if not fields.valid:
        return None
    title = fields.str("title", required=True)
    base_url = _base_url(fields)
    language = fields.str("language", required=True)
    if language and not _LANGUAGE.match(language):
        errors.error(fields.value_loc("language"), N_("'{value}' is not a language code"),
                     N_("use a code such as vi or en"), value=language)
    timezone = _timezone(fields)
    description = fields.str("description", default="")
    organization = _organization(fields)
    menu = _menu(fields)
    paginate = fields.int("paginate", minimum=1, maximum=1000, default=10)
    milestones = _milestones(fields)
    permalinks = _permalinks(fields)
    feeds = FeedSettings()
    feed_fields = fields.mapping("feeds")
    if feed_fields:
        feeds = FeedSettings(items=feed_fields.int("items", minimum=1, maximum=1000, default=20),
                             full_content=feed_fields.bool("full_content", False))
        feed_fields.finish(("items", "full_content"))
    trust_html = fields.bool("trust_html", False)
    search = fields.bool("search", True)
    languages, language_settings = _languages(fields, language, bool(menu))
    fields.finish(KNOWN_KEYS)
    if None in (title, base_url, language, timezone) or (language and not _LANGUAGE.match(language)):
        return None  # content cannot be read without these; other mistakes are reported with the content's
    return SiteConfig(title=title, base_url=base_url, language=language, timezone_name=timezone,
                      description=description, organization=organization, menu=menu, paginate=paginate,
                      milestones=milestones, permalinks=permalinks, feeds=feeds, trust_html=trust_html, search=search,
                      languages=languages, language_settings=language_settings)


def _languages(fields: Fields, language: str | None,
               has_menu: bool) -> tuple[tuple[str, ...], tuple[LanguageSettings, ...]]:
    """'languages: [vi, en]', or a mapping from each code to what that language sets for itself:
    'languages: {vi: {}, en: {title: ..., menu: [...]}}'. The default language comes first."""
    raw = fields.raw("languages")
    if raw is None:
        return (), ()
    codes: list[str] = []
    settings: list[LanguageSettings] = []
    if isinstance(raw, dict):
        table = fields.mapping("languages")
        if table is None:
            return (), ()
        for code in list(table.data):
            code = str(code)
            codes.append(code)
            own = table.mapping(code) if table.data.get(code) is not None else None
            table.used.add(code)
            if own is None:
                continue
            menu = _menu(own) if own.has("menu") else None
            links = _permalinks(own, DEFAULT_PERMALINKS if code.split("-")[0] == "vi" else TRANSLATED_PERMALINKS)
            given = {kind: links[kind] for kind in (own.data.get("permalinks") or {}) if kind in links}
            entry = LanguageSettings(code, own.str("title"), own.str("description"), menu, tuple(sorted(given.items())))
            own.finish(LANGUAGE_KEYS)
            if code == language and entry != LanguageSettings(code):
                fields.errors.error(table.key_loc(code), N_("the default language '{code}' is set by the keys at the top "
                                                            "of config.yaml"),
                                    N_("move these settings to the top of config.yaml, or leave '{code}: {{}}' empty"),
                                    code=code)
                continue
            settings.append(entry)
        table.finish()
    else:
        codes = fields.str_list("languages")
    where = fields.value_loc("languages")
    for index, code in enumerate(codes):
        if not _LANGUAGE.match(code) or not known_locale(code):
            fields.errors.error(where, N_("'{value}' is not a language code"), N_("use a code such as vi or en"),
                                value=code)
            return (), ()
        if code in codes[:index]:
            fields.errors.error(where, N_("the language '{value}' is listed twice"), N_("list each language once"),
                                value=code)
            return (), ()
    if codes and language and codes[0] != language:
        fields.errors.error(where, N_("the first of 'languages' should be the site language '{language}'"),
                            N_("list the default language first"), language=language)
        return (), ()
    for code in codes[1:]:
        own = next((s for s in settings if s.code == code), None)
        if has_menu and (own is None or own.menu is None):
            fields.errors.warning(where, N_("the '{code}' pages have no menu"),
                                  N_("give the language its own menu: 'languages: {{{code}: {{menu: [...]}}}}'"),
                                  code=code)
    return tuple(codes), tuple(settings)


def _base_url(fields: Fields) -> str | None:
    value = fields.str("base_url", required=True)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        fields.errors.error(fields.value_loc("base_url"), N_("'base_url' should be the site's full address"),
                            N_("write it like https://hienmau.example.vn/"))
        return None
    return value if value.endswith("/") else value + "/"


def _timezone(fields: Fields) -> str | None:
    name = fields.str("timezone", required=True)
    if name is None:
        return None
    try:
        ZoneInfo(name)
        return name
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
        suggestion = difflib.get_close_matches(name, sorted(available_timezones()), n=1)
        fields.errors.error(fields.value_loc("timezone"), N_("'{value}' is not a time zone"),
                            N_("did you mean '{suggestion}'?") if suggestion else
                            N_("use a name such as Asia/Ho_Chi_Minh"),
                            value=name, suggestion=suggestion[0] if suggestion else "")
        return None


def _organization(fields: Fields) -> Organization:
    org = fields.mapping("organization")
    if org is None:
        return Organization()
    result = Organization(name=org.str("name", default="") or "", logo=org.str("logo"), email=org.str("email"),
                          phone=org.str("phone"), address=org.str("address"), facebook=org.url("facebook"),
                          zalo=org.url("zalo"), website=org.url("website"))
    org.finish(("name", "logo", "email", "phone", "address", "facebook", "zalo", "website"))
    return result


def _menu(fields: Fields) -> tuple[MenuItem, ...]:
    items = []
    for item in fields.list_of_mappings("menu"):
        title, url = item.str("title", required=True), item.url("url", required=True)
        item.finish(("title", "url"))
        if title and url:
            items.append(MenuItem(title, url))
    return tuple(items)


def _milestones(fields: Fields) -> tuple[int, ...]:
    raw = fields.raw("milestones")
    if raw is None:
        return DEFAULT_MILESTONES
    if not isinstance(raw, list) or not raw or not all(isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in raw):
        fields.errors.error(fields.value_loc("milestones"), N_("'milestones' should be a list of whole numbers above 0"),
                            N_("write it like [5, 10, 20, 30, 40, 50, 70, 100]"))
        return DEFAULT_MILESTONES
    return tuple(sorted(set(raw)))


def _permalinks(fields: Fields, defaults: dict = DEFAULT_PERMALINKS) -> dict:
    result = dict(defaults)
    links = fields.mapping("permalinks")
    if links is None:
        return result
    for kind in defaults:
        pattern = links.str(kind)
        if pattern is None:
            continue
        names = set(re.findall(r"{(\w+)}", pattern))
        allowed = _PLACEHOLDERS.get(kind, set())
        required = _REQUIRED_PLACEHOLDER.get(kind)
        leading = kind != "paginate"
        bad = (names - allowed) or (required and required not in names) or ".." in pattern \
            or "\\" in pattern or not pattern.endswith("/") or (leading and not pattern.startswith("/")) \
            or (not leading and pattern.startswith("/"))
        if bad:
            example = defaults[kind]
            fields.errors.error(links.value_loc(kind), N_("the permalink for '{kind}' cannot be '{value}'"),
                                N_("write it like '{example}'"),
                                kind=kind, value=pattern, example=example)
            continue
        result[kind] = pattern
    links.finish(tuple(defaults))
    return result
