"""Frozen, typed content models. Loading and validation live in content.py."""
from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Body:
    """Markdown text and where it starts in its file, so link errors get the file's own lines."""
    markdown: str
    path: str
    line_offset: int  # lines before the first line of the Markdown in the file

    @property
    def digest(self) -> str:
        """A hash of the Markdown: the Markdown and check caches are keyed by it. Made once per
        body and kept with it in the models cache: hashing 10k bodies (50 MB) each build is 0.2 s."""
        found = self.__dict__.get("_digest")
        if found is None:
            from generator.cache import digest  # cache.py's own imports are the standard library's
            found = digest(self.markdown)
            object.__setattr__(self, "_digest", found)
        return found

    def __reduce_ex__(self, protocol):  # for the build cache: see utf8_pickled
        return _body, (utf8_of(self, "markdown", protocol), self.path, self.line_offset, self.digest)

    def __getattr__(self, name):  # texts loaded from the cache are decoded when first read (below)
        return decoded(self, name)


class Addressed:
    """A post, page or drive: its web address is made from its 'slug:' or else its title."""

    @property
    def address_slug(self) -> str:
        """slugify(slug or title), made once and kept on the model, so in the models cache with it
        (10k titles transliterated on every build cost 0.15 s); '' if nothing usable is left."""
        found = self.__dict__.get("_address_slug")
        if found is None:
            from generator.slugs import slugify
            found = slugify(self.slug or self.title)
            object.__setattr__(self, "_address_slug", found)
        return found


def utf8_pickled(text: str) -> bytes:
    """TEXT as UTF-8, for pickling a long text. Pickling a str makes CPython keep a UTF-8 copy
    inside the str for the rest of its life: saving the cache of 10k bodies would add their 50 MB
    to the build's peak memory. ``str.encode`` makes a copy that is freed once written."""
    return text.encode("utf-8", "surrogatepass")


# Long texts loaded from the cache stay UTF-8 until read: a build that adds one post to 10k reads
# the Markdown and HTML of few of them, and decoding them all cost 0.3 s. Such an object is made
# without its text fields; the class's __getattr__ (asked only for a missing attribute) decodes one
# on first use and keeps it. Saved again unread, the bytes go back as they came. In the cache the
# texts are kept out of the pickles (protocol 5's out-of-band buffers): loaded, they are views of
# the mapped store file (cache._mapped), read from disk only if used.

def with_utf8(cls, utf8: dict[str, "bytes | memoryview"], **fields):
    """An instance of the frozen dataclass CLS whose text fields are in UTF8 (name -> bytes or a view)."""
    made = object.__new__(cls)
    made.__dict__.update(fields, _utf8=utf8)
    return made


def decoded(obj, name: str) -> str:
    utf8 = obj.__dict__.get("_utf8")
    if not utf8 or name not in utf8:
        raise AttributeError(name)
    text = str(utf8.pop(name), "utf-8", "surrogatepass")
    obj.__dict__[name] = text
    return text


def utf8_of(obj, name: str, protocol: int):
    """The text field NAME of OBJ as UTF-8, for pickling with PROTOCOL, without decoding it if it is
    still undecoded: from protocol 5 a PickleBuffer, which the cache writes out of band (and any
    other pickler as bytes); bytes before."""
    utf8 = obj.__dict__.get("_utf8")
    data = utf8[name] if utf8 and name in utf8 else utf8_pickled(getattr(obj, name))
    if protocol >= 5:
        return pickle.PickleBuffer(data)
    return data if isinstance(data, bytes) else bytes(data)


def _body(markdown, path: str, line_offset: int, known_digest: str) -> "Body":
    return with_utf8(Body, {"markdown": markdown}, path=path, line_offset=line_offset, _digest=known_digest)


@dataclass(frozen=True)
class Post(Addressed):
    source: str
    title: str
    date: datetime
    body: Body
    updated: datetime | None = None
    summary: str | None = None
    tags: tuple[str, ...] = ()
    category: str | None = None
    author: str | None = None
    image: str | None = None  # content-relative path, e.g. media/anh.jpg, or an http(s) URL
    image_alt: str | None = None
    event: str | None = None  # event id
    draft: bool = False
    slug: str | None = None  # explicit override
    title_line: int = 1
    event_at: tuple[int, int] = (1, 1)  # line and column of the 'event:' value
    language: str = ""  # the language code of this file ('' in models made outside a build)
    original: str | None = None  # for a translation (name.en.md): the source it translates
    marked: bool = False  # the file holds a placeholder, seen in its bytes when loaded (checks.py says where)


@dataclass(frozen=True)
class Venue:
    name: str
    address: str
    map: str | None = None


@dataclass(frozen=True)
class Results:
    donors: int | None = None
    units: int | None = None


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Event(Addressed):
    id: str  # file name without .yaml
    source: str
    title: str
    start: datetime
    end: datetime
    venue: Venue
    organizers: tuple[str, ...] = ()
    status: str = "scheduled"  # scheduled | cancelled | postponed
    target_units: int | None = None
    results: Results | None = None
    registration: str | None = None
    contact: Contact | None = None
    description: Body | None = None
    image: str | None = None
    image_alt: str | None = None
    slug: str | None = None
    title_line: int = 1
    language: str = ""  # the language code of this file ('' in models made outside a build)
    original: str | None = None  # for a translation (name.en.md): the source it translates
    marked: bool = False  # the file holds a placeholder, seen in its bytes when loaded (checks.py says where)


@dataclass(frozen=True)
class Person:
    name: str
    unit: str | None
    donations: int | None
    consent: bool


@dataclass(frozen=True)
class Recognition:
    id: str
    source: str
    title: str
    award: str
    date: date
    people: tuple[Person, ...]
    event: str | None = None
    description: str | None = None
    event_at: tuple[int, int] = (1, 1)  # line and column of the 'event:' value
    language: str = ""  # the language code of this file ('' in models made outside a build)
    original: str | None = None  # for a translation (name.en.md): the source it translates
    marked: bool = False  # the file holds a placeholder, seen in its bytes when loaded (checks.py says where)


@dataclass(frozen=True)
class Page(Addressed):
    source: str
    title: str
    body: Body
    summary: str | None = None
    slug: str | None = None
    updated: datetime | None = None
    draft: bool = False
    title_line: int = 1
    eligibility: bool = False  # the page every drive links to as 'who can donate'
    language: str = ""  # the language code of this file ('' in models made outside a build)
    original: str | None = None  # for a translation (name.en.md): the source it translates
    marked: bool = False  # the file holds a placeholder, seen in its bytes when loaded (checks.py says where)


@dataclass(frozen=True)
class Needs:
    source: str
    updated: date
    valid_days: int
    message: str
    groups: tuple[tuple[str, str], ...]  # (blood group, urgent|low|ok)
    language: str = ""  # the language code of this file ('' in models made outside a build)
    original: str | None = None  # for a translation (name.en.md): the source it translates


@dataclass(frozen=True)
class MediaFile:
    source: str  # e.g. content/media/anh.jpg
    path: str  # content-relative, e.g. media/anh.jpg


@dataclass(frozen=True)
class Content:
    """Everything a site's content/ folder holds, validated."""
    posts: tuple[Post, ...]
    events: tuple[Event, ...]
    recognitions: tuple[Recognition, ...]
    pages: tuple[Page, ...]
    media: tuple[MediaFile, ...]
    needs: Needs | None
    event_files: tuple[str, ...] = ()  # ids of every file in content/events, valid or not
    translated_needs: tuple[Needs, ...] = ()  # needs.<code>.yaml of the other languages


def translation_key(item) -> str:
    """What a file and its translations share: the source path of the original."""
    return item.original or item.source
