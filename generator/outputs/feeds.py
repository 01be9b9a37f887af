"""News feeds: Atom (primary) and RSS 2.0, for all news and for each tag.

Where they go: ``atom.xml`` and ``rss.xml`` at the site root, and the same two files in every tag
folder (``chu-de/<tag>/atom.xml``). Written with feedgen, which builds the XML with lxml and so
escapes and orders elements the way validators expect.

Same content, same bytes: feedgen stamps the clock into a feed's and each entry's ``updated`` by
default; both are always set here from the posts themselves (their ``updated``, else ``date``).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

from generator.cache import Store, digest, fingerprint
from generator.graph import PostView, Site
from generator.outputs.addresses import absolute, absolute_html, output_folder, site_url, source_id

ATOM = "atom.xml"
RSS = "rss.xml"


def feed_posts(site: Site, posts: tuple[PostView, ...]) -> list[PostView]:
    """What a feed lists: published posts, newest first, as many as config.feeds.items.

    Drafts and future posts shown by --drafts/--future previews stay out: feed readers keep what
    they once saw, so a preview must not leak into them.
    """
    shown = [p for p in posts if not p.draft and not p.future]
    return shown[: site.config.feeds.items]


def modified(post: PostView) -> datetime:
    return post.updated or post.date


def feed_updated(site: Site, posts: list[PostView]) -> datetime:
    """A feed changes when its newest entry does; an empty feed falls back to a fixed moment."""
    if posts:
        return max(modified(p) for p in posts).astimezone(site.config.timezone)
    return datetime(2000, 1, 1, tzinfo=timezone.utc).astimezone(site.config.timezone)


def feeds_of(site: Site, page_url: str) -> dict[str, str]:
    """{'atom': url, 'rss': url} of the feed that belongs to a page URL, with the base path."""
    folder = output_folder(site.config, page_url)
    return {"atom": site_url(site.config, folder + ATOM), "rss": site_url(site.config, folder + RSS)}


def _feed(site: Site, posts: list[PostView], title: str, page_url: str) -> dict[str, bytes]:
    urls = feeds_of(site, page_url)
    folder = output_folder(site.config, page_url)
    atom = _generator(site, posts, title, page_url, urls["atom"], "application/atom+xml").atom_str(pretty=True)
    rss = _generator(site, posts, title, page_url, urls["rss"], "application/rss+xml").rss_str(pretty=True)
    return {folder + ATOM: atom, folder + RSS: rss}


def _generator(site: Site, posts: list[PostView], title: str, page_url: str, self_url: str,
               self_type: str) -> FeedGenerator:
    from feedgen.feed import FeedGenerator  # (with lxml: 20 ms of start-up a build that makes no feed need not pay)
    config = site.config
    tz = config.timezone
    fg = FeedGenerator()
    fg.id(absolute(config, page_url))
    fg.title(title)
    fg.subtitle(config.description or config.title)  # RSS requires a channel description
    fg.link(href=absolute(config, self_url), rel="self", type=self_type)
    fg.link(href=absolute(config, page_url), rel="alternate")  # last: feedgen's RSS <link> is the last one
    fg.language(config.language)
    fg.author(name=config.organization.name or config.title)
    fg.generator("Outreach")
    fg.updated(feed_updated(site, posts))  # never the clock (feedgen's default)
    for post in posts:
        entry = fg.add_entry(order="append")  # feedgen prepends by default; posts are newest first
        entry.id(source_id(config, post.source, post.date.astimezone(tz)))
        entry.guid(source_id(config, post.source, post.date.astimezone(tz)), permalink=False)
        entry.title(post.title)
        entry.link(href=absolute(config, post.url), rel="alternate")
        entry.published(post.date.astimezone(tz))
        entry.updated(modified(post).astimezone(tz))
        if post.author:
            entry.author(name=post.author)
        for tag in post.tags:
            entry.category(term=tag.name, label=tag.name)
        if post.summary:
            entry.summary(post.summary)
        if config.feeds.full_content and post.html:
            entry.content(absolute_html(config, post.html), type="html")
    return fg


def generate(site: Site, store: Store | None = None) -> dict[str, bytes]:
    """Every feed of SITE. With a cache STORE, a feed is made again only if what it shows changed
    (the config, its title and address, its posts): feedgen costs ~1 ms an entry, and a new post
    changes only the feeds that list it."""
    wanted = [(feed_posts(site, site.posts), site.config.title, site.url("home"))]
    for taxonomy in site.tags:
        posts = feed_posts(site, taxonomy.posts)
        if posts:
            wanted.append((posts, f"{taxonomy.term.name} – {site.config.title}", taxonomy.term.url))
    files: dict[str, bytes] = {}
    memo: dict = {}  # each post is hashed once, however many feeds list it
    config = fingerprint(site.config, memo) if store is not None else b""
    for posts, title, page_url in wanted:
        key = digest(config, fingerprint(tuple(posts), memo), title, page_url) if store is not None else None
        made = store.get(key) if key is not None else None
        if made is None:
            made = _feed(site, posts, title, page_url)
            if key is not None:
                store.put(key, made)
        files.update(made)
    return files
