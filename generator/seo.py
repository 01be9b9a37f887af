"""What a page's head tells programs: canonical URL, feed links, OpenGraph/Twitter tags, JSON-LD.

Templates reach this through the ``meta`` Jinja global (``partials/head_meta.html``). Everything is
computed from the Site and the page's Output, with absolute URLs: Facebook, Zalo and search
engines read these tags without the page around them.
"""
from __future__ import annotations

import functools
import json
import struct
from pathlib import Path

from babel.core import get_global
from babel.numbers import get_territory_currencies
from markupsafe import Markup, escape

from generator.graph import EventView, Output, PostView, Site
from generator.outputs import calendar, feeds
from generator.outputs.addresses import absolute, site_url

SHARE_IMAGE = "static/share.png"  # the theme's default sharing image (1200x630 PNG)
EVENT_STATUS = {"scheduled": "EventScheduled", "cancelled": "EventCancelled", "postponed": "EventPostponed"}
_RASTER = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
           ".webp": "image/webp"}


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # made once: json.dumps makes one a call
_SCRIPT_ESCAPES = (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def json_for_script(value) -> Markup:
    """JSON that is safe inside <script>: '<', '>' and '&' escaped, so '</script>' cannot end it.
    (One encoder for all, each character looked for before it is replaced: 7 µs a block, not 10.)"""
    text = _JSON.encode(value)
    for char, escaped in _SCRIPT_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return Markup(text)


def attribute_text(value) -> str:
    """VALUE escaped for an HTML attribute, as Jinja's autoescaping (markupsafe.escape) does it, the
    same bytes: for a plain text, five replaces, at half the cost of making a Markup for each of
    the twenty tags of a page's head (opengraph_tags); anything else through markupsafe."""
    if type(value) is not str:
        return str(escape(value))
    return (value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


@functools.lru_cache(maxsize=64)  # asked on every page
def og_locale(language: str) -> str:
    """'vi' -> 'vi_VN', 'en' -> 'en_US', 'pt-BR' -> 'pt_BR' (the likely territory from CLDR)."""
    parts = language.replace("-", "_").split("_")
    if len(parts) > 1 and len(parts[-1]) == 2:
        return f"{parts[0].lower()}_{parts[-1].upper()}"
    likely = get_global("likely_subtags").get(parts[0].lower(), "")
    territory = next((p for p in likely.split("_")[1:] if len(p) == 2 and p.isupper()), None)
    return f"{parts[0].lower()}_{territory}" if territory else parts[0].lower()


def _link_tags(feeds: list[dict]) -> Markup:
    return Markup("".join(f'<link rel="alternate" type="{escape(feed["type"])}" title="{escape(feed["title"])}" '
                          f'href="{escape(feed["href"])}">\n' for feed in feeds))


def png_size(path: Path) -> tuple[int, int] | None:
    try:
        with path.open("rb") as fp:
            head = fp.read(24)
    except OSError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


class Metadata:
    """The ``meta`` global: one instance per build."""

    def __init__(self, site: Site, static_files: dict[str, Path]):
        self.site = site
        self.config = site.config
        share = static_files.get(SHARE_IMAGE)
        self.default_image_size = png_size(share) if share else None
        self.has_default_image = share is not None
        self._organization: dict | None = None
        self._site_feeds: list[dict] | None = None
        self._site_feed_tags: Markup | None = None
        self._image: tuple = (None, None)  # (the output last asked about, its image): asked twice per page

    # -- addresses ---------------------------------------------------------------------------
    def abs(self, url: str) -> str:
        return absolute(self.config, url)

    def canonical(self, output: Output) -> str | None:
        """The page's own absolute URL; none for the 404 page, which is served at any address."""
        return None if output.template == "404.html" else self.abs(output.url)

    def versions(self, output: Output) -> tuple:
        """The page in each language, for the language switcher (languages.Version); () on a
        one-language site."""
        return output.values.get("versions", ())

    def hreflang(self, output: Output) -> list[tuple[str, str]]:
        """(hreflang, absolute URL) of every version of the page, itself included, and x-default
        (the default language's), when the page exists in more than one language."""
        versions = self.versions(output)
        found = [v for v in versions if v.translated]
        if len(found) < 2 or output.template == "404.html":
            return []
        links = [(v.language, self.abs(v.url)) for v in found]
        default = versions[0]  # the default language comes first
        return links + [("x-default", self.abs(default.url))] if default.translated else links

    def feed_links(self, output: Output) -> list[dict]:
        """<link rel="alternate"> targets: the news feeds everywhere, a tag's own feeds on its pages."""
        links = []
        term = output.values.get("term")
        if output.template == "tag.html" and term is not None:
            own = feeds.feeds_of(self.site, term.url)
            title = f"{term.name} – {self.config.title}"
            links += [{"type": "application/atom+xml", "title": f"{title} (Atom)", "href": self.abs(own["atom"])},
                      {"type": "application/rss+xml", "title": f"{title} (RSS)", "href": self.abs(own["rss"])}]
        if self._site_feeds is None:  # the same on every page
            main = feeds.feeds_of(self.site, self.site.url("home"))
            self._site_feeds = [
                {"type": "application/atom+xml", "title": f"{self.config.title} (Atom)", "href": self.abs(main["atom"])},
                {"type": "application/rss+xml", "title": f"{self.config.title} (RSS)", "href": self.abs(main["rss"])},
                {"type": "text/calendar", "title": f"{self.config.title} (iCalendar)",
                 "href": self.abs(calendar.subscription_url(self.site))},
            ]
        return links + self._site_feeds

    def feed_link_tags(self, output: Output) -> Markup:
        """``feed_links`` as <link> elements, one a line (those of every page made once)."""
        links = self.feed_links(output)
        if self._site_feed_tags is None:
            self._site_feed_tags = _link_tags(self._site_feeds)
        own = links[:len(links) - len(self._site_feeds)]  # a tag's own, before the site's
        return Markup(_link_tags(own) + self._site_feed_tags) if own else self._site_feed_tags

    # -- calendars -----------------------------------------------------------------------------
    def ics_url(self, event: EventView) -> str:
        return calendar.ics_url(self.site, event)

    def ics_name(self, event: EventView) -> str:
        return calendar.ics_path(self.site, event).rsplit("/", 1)[-1]

    def google_calendar_url(self, event: EventView) -> str:
        return calendar.google_calendar_url(self.site, event)

    def subscription_url(self) -> str:
        return self.abs(calendar.subscription_url(self.site))

    def webcal_url(self) -> str:
        return "webcal://" + self.subscription_url().split("://", 1)[1]

    # -- sharing -------------------------------------------------------------------------------
    def _subject(self, output: Output):
        if output.template == "post.html":
            return output.values.get("post")
        if output.template == "event.html":
            return output.values.get("event")
        if output.template == "page.html":
            return output.values.get("page")
        return None

    def image(self, output: Output) -> dict | None:
        """{url, width, height, type, alt} for og:image: the page's own picture, else the default."""
        asked, image = self._image
        if asked is not output:
            image = self._image_of(output)
            self._image = (output, image)
        return image

    def _image_of(self, output: Output) -> dict | None:
        subject = self._subject(output)
        shared = getattr(subject, "share_image", None)  # the 1200x630 copy images.py makes, if any
        alt = getattr(subject, "image_alt", None) or self.config.title
        if shared is not None:
            return {"url": self.abs(shared.url), "width": shared.width, "height": shared.height,
                    "type": "image/jpeg" if shared.url.lower().endswith((".jpg", ".jpeg")) else None, "alt": alt}
        own = getattr(subject, "image", None)
        kind = _RASTER.get(Path(own.split("?")[0]).suffix.lower()) if own else None
        if own and kind:  # Facebook and Zalo do not show SVG: those fall back to the default
            return {"url": self.abs(own), "width": None, "height": None, "type": kind, "alt": alt}
        if not self.has_default_image:
            return None
        width, height = self.default_image_size or (None, None)
        return {"url": self.abs(site_url(self.config, SHARE_IMAGE)), "width": width, "height": height,
                "type": "image/png", "alt": self.config.title}

    def opengraph(self, output: Output, description: str) -> list[tuple[str, str, str]]:
        """(attribute, name, content) for every OpenGraph and Twitter tag of the page."""
        config = self.config
        subject = self._subject(output)
        title = output.title or config.title
        tags = [("property", "og:site_name", config.title), ("property", "og:title", title),
                ("property", "og:locale", og_locale(config.language))]
        tags += [("property", "og:locale:alternate", og_locale(code)) for code, _ in self.hreflang(output)
                 if code not in ("x-default", config.language)]
        if description:
            tags.append(("property", "og:description", description))
        canonical = self.canonical(output)
        if canonical:
            tags.append(("property", "og:url", canonical))
        tags.append(("property", "og:type", "article" if isinstance(subject, PostView) else "website"))
        if isinstance(subject, PostView):
            tags.append(("property", "article:published_time", subject.date.astimezone(config.timezone).isoformat()))
            if subject.updated:
                tags.append(("property", "article:modified_time",
                             subject.updated.astimezone(config.timezone).isoformat()))
            tags += [("property", "article:tag", t.name) for t in subject.tags]
        image = self.image(output)
        if image:
            tags.append(("property", "og:image", image["url"]))
            if image["url"].startswith("https://"):
                tags.append(("property", "og:image:secure_url", image["url"]))
            if image["type"]:
                tags.append(("property", "og:image:type", image["type"]))
            if image["width"] and image["height"]:
                tags += [("property", "og:image:width", str(image["width"])),
                         ("property", "og:image:height", str(image["height"]))]
            tags.append(("property", "og:image:alt", image["alt"]))
        tags += [("name", "twitter:card", "summary_large_image" if image else "summary"),
                 ("name", "twitter:title", title)]
        if description:
            tags.append(("name", "twitter:description", description))
        if image:
            tags += [("name", "twitter:image", image["url"]), ("name", "twitter:image:alt", image["alt"])]
        return tags

    def opengraph_tags(self, output: Output, description: str) -> Markup:
        """``opengraph`` as <meta> elements, one a line: what a loop over it in the template writes,
        made in one go (the loop cost ~40 µs of a ~300 µs post page: each value a template writes
        goes up through every template the page is made of)."""
        return Markup("".join([f'<meta {attribute}="{name}" content="{attribute_text(content)}">\n'  # (names are ours)
                               for attribute, name, content in self.opengraph(output, description)]))

    # -- structured data -----------------------------------------------------------------------
    def organization(self) -> dict:
        """The publisher, the same on every page: made once (not to be changed by callers)."""
        if self._organization is None:
            self._organization = self._make_organization()
        return self._organization

    def _make_organization(self) -> dict:
        org = self.config.organization
        data = {"@type": "Organization", "name": org.name or self.config.title, "url": self.abs(self.site.url("home"))}
        if org.logo:
            data["logo"] = self.abs(org.logo if "://" in org.logo else site_url(self.config, org.logo))
        if org.email:
            data["email"] = org.email
        if org.phone:
            data["telephone"] = org.phone
        if org.address:
            data["address"] = {"@type": "PostalAddress", "streetAddress": org.address}
        same_as = [u for u in (org.facebook, org.zalo, org.website) if u]
        if same_as:
            data["sameAs"] = same_as
        return data

    def json_ld(self, output: Output, labels: dict, description: str = "") -> list[Markup]:
        """The page's JSON-LD blocks, each serialised for a <script type="application/ld+json">."""
        blocks = []
        subject = self._subject(output)
        if output.template == "home.html":
            blocks.append({"@context": "https://schema.org", **self.organization()})
        elif isinstance(subject, PostView):
            blocks.append(self._article(output, subject, description))
        elif isinstance(subject, EventView):
            blocks.append(self._event(output, subject, description))
        crumbs = self.breadcrumbs(output, labels)
        if len(crumbs) > 1:
            blocks.append({"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
                {"@type": "ListItem", "position": n, "name": name, "item": self.abs(url)}
                for n, (name, url) in enumerate(crumbs, start=1)]})
        return [json_for_script(block) for block in blocks]

    def _images(self, output: Output) -> list[str]:
        subject = self._subject(output)
        own = getattr(subject, "image", None)
        image = self.image(output)
        urls = [self.abs(own)] if own else []
        if image and image["url"] not in urls:
            urls.append(image["url"])
        return urls

    def _article(self, output: Output, post: PostView, description: str) -> dict:
        tz = self.config.timezone
        publisher = self.organization()
        data = {
            "@context": "https://schema.org", "@type": "NewsArticle",
            "headline": post.title if len(post.title) <= 110 else post.title[:109] + "…",
            "datePublished": post.date.astimezone(tz).isoformat(),
            "dateModified": (post.updated or post.date).astimezone(tz).isoformat(),
            "mainEntityOfPage": {"@type": "WebPage", "@id": self.abs(output.url)},
            "url": self.abs(output.url),
            "author": ({"@type": "Person", "name": post.author} if post.author else
                       {"@type": "Organization", "name": publisher["name"], "url": publisher["url"]}),
            "publisher": publisher,
            "inLanguage": self.config.language,
        }
        images = self._images(output)
        if images:
            data["image"] = images
        if description:
            data["description"] = description
        if post.tags:
            data["keywords"] = [t.name for t in post.tags]
        return data

    def _event(self, output: Output, event: EventView, description: str) -> dict:
        tz = self.config.timezone
        # where the drives are: the default language's country, also on a translation's pages
        territory = og_locale(self.config.default_language or self.config.language).partition("_")[2]
        address = {"@type": "PostalAddress", "streetAddress": event.venue.address}
        if territory:
            address["addressCountry"] = territory
        organizers = [{"@type": "Organization", "name": name} for name in event.organizers]
        data = {
            "@context": "https://schema.org", "@type": "Event", "name": event.title,
            "startDate": event.start.astimezone(tz).isoformat(),
            "endDate": event.end.astimezone(tz).isoformat(),
            "eventStatus": "https://schema.org/" + EVENT_STATUS.get(event.status, "EventScheduled"),
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "location": {"@type": "Place", "name": event.venue.name, "address": address},
            "organizer": organizers or [self.organization()],
            "url": self.abs(output.url),
            "isAccessibleForFree": True,
        }
        if event.venue.map:
            data["location"]["hasMap"] = event.venue.map
        images = self._images(output)
        if images:
            data["image"] = images
        if description:
            data["description"] = description
        currencies = get_territory_currencies(territory) if territory else []
        if event.registration and currencies:  # where to sign up; donating is free
            data["offers"] = {"@type": "Offer", "url": event.registration, "price": 0, "priceCurrency": currencies[0],
                              "availability": "https://schema.org/InStock"}
        return data

    def breadcrumbs(self, output: Output, labels: dict) -> list[tuple[str, str]]:
        """[(name, url)] from the home page to this page; just the home page for the home page itself."""
        site = self.site
        home = (labels.get("home") or self.config.title, site.url("home"))
        template = output.template
        trail: list[tuple[str, str]] = []
        if template in ("home.html", "404.html"):
            return [home]
        if template == "post.html":
            trail = [(labels["news"], site.url("news"))]
        elif template == "event.html":
            trail = [(labels["events"], site.url("events"))]
        elif template == "tag.html" and site.url("tags"):
            trail = [(labels["tags"], site.url("tags"))]
        elif template == "category.html" and site.url("categories"):
            trail = [(labels["categories"], site.url("categories"))]
        elif template == "archive.html":
            trail = [(labels["archives"], site.url("archives"))]
        names = {"news.html": "news", "events.html": "events", "recognition.html": "recognition",
                 "archives.html": "archives", "tags.html": "tags", "categories.html": "categories"}
        pager = output.values.get("pager")
        if template in names:
            url = pager.first_url if pager else output.url
            if pager and pager.number > 1:
                return [home, (labels[names[template]], url), (f"{labels[names[template]]} ({pager.number})", output.url)]
            return [home, (labels[names[template]], url)]
        term = output.values.get("term")
        title = term.name if term is not None else (output.title or self.config.title)
        if pager and pager.number > 1:
            return [home, *trail, (title, pager.first_url), (f"{title} ({pager.number})", output.url)]
        return [home, *trail, (title, output.url)]
