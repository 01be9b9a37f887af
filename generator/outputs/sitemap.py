"""sitemap.xml (every published page, absolute URLs, lastmod from the content) and robots.txt.

A site in several languages has one sitemap for all of them; a page that exists in more than one
language lists every version (itself included) as an ``xhtml:link`` hreflang alternate, as
search engines ask (https://developers.google.com/search/docs/specialty/international/localized-versions).

robots.txt is written at the output root. Crawlers read it only at the root of a host, so a site
published under a sub-path (base_url https://example.org/hien-mau/) should have its host serve
a robots.txt that names this sitemap too.
"""
from __future__ import annotations

from datetime import datetime
from html import escape  # (xml.sax.saxutils would bring in urllib.request: 12 ms of start-up)

from generator.graph import Output, PostView, Site
from generator.outputs.addresses import absolute, site_url

SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"


def _newest(posts) -> datetime | None:
    moments = [p.updated or p.date for p in posts if isinstance(p, PostView) and not p.draft and not p.future]
    return max(moments) if moments else None


def lastmod(site: Site, out: Output) -> datetime | None:
    """When a page's content last changed, as far as the content says; None when it does not say."""
    values = out.values
    if "post" in values:
        return values["post"].updated or values["post"].date
    if "page" in values:
        return values["page"].updated
    if "pager" in values:
        return _newest(values["pager"].items)
    if "posts" in values:
        return _newest(values["posts"])
    if out.template == "home.html":
        return _newest(site.posts)
    return None


def listed(out: Output) -> bool:
    """Search engines get published pages only: not the 404 page, nor a --drafts/--future preview."""
    if out.template == "404.html":
        return False
    item = out.values.get("post") or out.values.get("page")
    return not (item and (item.draft or getattr(item, "future", False)))


def alternates(out: Output) -> list:
    """The versions of OUT in each language (itself included) when there is more than one."""
    versions = [v for v in out.values.get("versions", ()) if v.translated]
    return versions if len(versions) > 1 else []


def sitemap(sites: tuple[Site, ...]) -> bytes:
    config = sites[0].config
    tz = config.timezone
    several = len(sites) > 1
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
             + (' xmlns:xhtml="http://www.w3.org/1999/xhtml">' if several else ">")]
    origin = config.origin  # (config.absolute, inlined: 14k pages at N=10,000)
    shown: dict[datetime, str] = {}  # a moment as written, by instant: a post's and its list pages'
    for site in sites:
        for out in site.outputs:
            if not listed(out):
                continue
            url = out.url
            lines.append(f"  <url><loc>{escape(origin + url if url.startswith('/') else url, quote=False)}</loc>")
            moment = lastmod(site, out)
            if moment is not None:
                text = shown.get(moment)
                if text is None:
                    text = shown[moment] = moment.astimezone(tz).isoformat()
                lines.append(f"    <lastmod>{text}</lastmod>")
            for version in alternates(out):
                lines.append(f'    <xhtml:link rel="alternate" hreflang="{escape(version.language)}" '
                             f'href="{escape(absolute(config, version.url))}"/>')
            lines.append("  </url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(site: Site) -> bytes:
    url = absolute(site.config, site_url(site.config, SITEMAP))
    return f"User-agent: *\nAllow: /\n\nSitemap: {url}\n".encode("utf-8")


def generate(sites: tuple[Site, ...]) -> dict[str, bytes]:
    return {SITEMAP: sitemap(sites), ROBOTS: robots(sites[0])}
