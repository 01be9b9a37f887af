"""config.yaml -> a frozen SiteConfig, with every error located."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import difflib

from generator.errors import ErrorCollector, Loc, N_
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
    languages: tuple[str, ...] = ()

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
    languages = tuple(fields.str_list("languages"))
    if languages and language and languages[0] != language:
        errors.error(fields.value_loc("languages"), N_("the first of 'languages' should be the site language '{language}'"),
                     N_("list the default language first"), language=language)
    fields.finish(KNOWN_KEYS)
    if None in (title, base_url, language, timezone) or (language and not _LANGUAGE.match(language)):
        return None  # content cannot be read without these; other mistakes are reported with the content's
    return SiteConfig(title=title, base_url=base_url, language=language, timezone_name=timezone,
                      description=description, organization=organization, menu=menu, paginate=paginate,
                      milestones=milestones, permalinks=permalinks, feeds=feeds, trust_html=trust_html, search=search,
                      languages=languages)


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
    except (ZoneInfoNotFoundError, ValueError):
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


def _permalinks(fields: Fields) -> dict:
    result = dict(DEFAULT_PERMALINKS)
    links = fields.mapping("permalinks")
    if links is None:
        return result
    for kind in DEFAULT_PERMALINKS:
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
            example = DEFAULT_PERMALINKS[kind]
            fields.errors.error(links.value_loc(kind), N_("the permalink for '{kind}' cannot be '{value}'"),
                                N_("write it like '{example}'"),
                                kind=kind, value=pattern, example=example)
            continue
        result[kind] = pattern
    links.finish(tuple(DEFAULT_PERMALINKS))
    return result
