"""Content images: a few widths in WebP and the original format, and a 1200×630 sharing image.

Two steps, so that ``check`` stays cheap and rendering stays pure:

1. ``plan_images`` reads only the headers of the images the content uses (lead images of posts
   and drives, Markdown images that point into content/media) and decides every derived file:
   its name (with the source's content hash, so a replaced photo gets new URLs), width, height
   and format. The plan is plain data; templates turn it into ``<picture>`` markup.
2. ``materialize`` encodes the derived files, through a cache (SITE/.cache/images) keyed by the
   source's hash, the size, the format and the encoder settings, so unchanged images are not
   processed again. Encoding is deterministic: deleting the cache gives the same bytes.

JPEG, PNG and WebP are resized. SVG and GIF (often animated) are copied through unchanged; they
still get width and height attributes when their header tells them. Derived files carry no
metadata (no EXIF, so no camera GPS position); orientation from EXIF is applied first.
"""
from __future__ import annotations

import hashlib
import io
import os
import posixpath
import re
import struct
import tempfile
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

from markupsafe import Markup

from generator.errors import ErrorCollector, Loc, N_
from generator.urls import media_url

WIDTHS = (480, 800, 1200)
SHARE_SIZE = (1200, 630)
# The theme's content column is 46rem wide at most, with 1rem of padding each side on phones.
DEFAULT_SIZES = "(min-width: 48rem) 46rem, calc(100vw - 2rem)"
RESIZED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}  # Pillow format -> extension of its copies
ENCODER = {  # bump CACHE_VERSION when any of these change
    "JPEG": {"quality": 82, "optimize": True, "progressive": True},
    "WEBP": {"quality": 80, "method": 4},
    "PNG": {"optimize": True},
}
CACHE_VERSION = "1"
CACHE_FOLDER = ".cache/images"
HASH_LENGTH = 10


@dataclass(frozen=True)
class Variant:
    """One derived file."""
    path: str  # output path, 'media/anh-480w.3f2a9c1e5b.webp'
    url: str  # with the site's base path
    width: int
    height: int
    format: str  # 'WEBP' | 'JPEG' | 'PNG'
    fit: bool = False  # cropped to fill the size (the sharing image) rather than scaled


@dataclass(frozen=True)
class SharedImage:
    """The 1200×630 image a post or drive is shared with (og:image); ``url`` has the base path."""
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class ImageInfo:
    source: str  # 'content/media/anh.jpg'
    url: str  # the original, as published
    width: int | None
    height: int | None
    format: str  # Pillow's name, or 'SVG'
    digest: str  # sha256 of the source bytes
    variants: tuple[Variant, ...] = ()  # resized copies, smallest first per format
    share: Variant | None = None

    def srcset(self, fmt: str) -> str:
        return ", ".join(f"{v.url} {v.width}w" for v in self.variants if v.format == fmt and not v.fit)

    @property
    def fallback(self) -> Variant | None:
        """The <img src>: the original format, closest to 800 pixels wide."""
        own = [v for v in self.variants if v.format == self.format and not v.fit]
        if not own:
            return None
        return min(own, key=lambda v: (abs(v.width - 800), -v.width))

    @property
    def shared(self) -> SharedImage | None:
        return SharedImage(self.share.url, self.share.width, self.share.height) if self.share else None


@dataclass(frozen=True)
class ImagePlan:
    images: dict = field(default_factory=dict)  # published URL -> ImageInfo
    share_for: frozenset = frozenset()  # URLs that need a sharing image

    def get(self, url: str | None) -> ImageInfo | None:
        return self.images.get(url) if url else None

    def variants(self) -> list[tuple[ImageInfo, Variant]]:
        found = []
        for info in self.images.values():
            for variant in info.variants + ((info.share,) if info.share else ()):
                found.append((info, variant))
        return sorted(found, key=lambda pair: pair[1].path)

    # -- markup --------------------------------------------------------------------------------
    def picture(self, url: str | None, alt: str | None, lazy: bool = True, sizes: str = DEFAULT_SIZES,
                css_class: str | None = None, keep: dict | None = None) -> Markup:
        """<picture> with WebP and original-format srcsets, or a plain <img> for SVG, GIF and remote images.

        KEEP: other attributes of the <img> (a Markdown image's title, say), written as they are."""
        if not url:
            return Markup("")
        info = self.get(url)
        attrs: list[tuple[str, str | int]] = list((keep or {}).items())
        if css_class:
            attrs.append(("class", css_class))
        fallback = info.fallback if info else None
        attrs.append(("src", fallback.url if fallback else url))
        if fallback:
            attrs += [("srcset", info.srcset(info.format)), ("sizes", sizes)]
        if info and info.width and info.height:
            width, height = (fallback.width, fallback.height) if fallback else (info.width, info.height)
            attrs += [("width", width), ("height", height)]
        attrs.append(("alt", alt or ""))
        if lazy:
            attrs.append(("loading", "lazy"))
        attrs.append(("decoding", "async"))
        img = Markup("<img{}>").format(Markup("").join(Markup(' {}="{}"').format(k, v) for k, v in attrs))
        if not fallback or info.format == "WEBP":
            return img
        return Markup('<picture><source type="image/webp" srcset="{}" sizes="{}">{}</picture>').format(
            info.srcset("WEBP"), sizes, img)

    def rewrite_html(self, html: str, eager_first: bool = False) -> str:
        """Markdown output: every <img> pointing at a planned image becomes responsive."""
        count = 0

        def swap(match: re.Match) -> str:
            nonlocal count
            attrs = _attributes(match.group(0))
            src = attrs.get("src")
            if src is None or self.get(src) is None or "srcset" in attrs:
                return match.group(0)  # not ours, or already responsive (trusted raw HTML)
            count += 1
            lazy = not (eager_first and count == 1)
            keep = {k: v for k, v in attrs.items() if k in _KEPT}
            return str(self.picture(src, attrs.get("alt", ""), lazy=lazy, keep=keep))

        return _IMG.sub(swap, html)


_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_KEPT = ("id", "class", "title", "lang", "dir", "style")  # carried over when an <img> is made responsive


class _AttributeReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        self.attrs = {k: (v or "") for k, v in attrs}

    handle_startendtag = handle_starttag


def _attributes(tag: str) -> dict[str, str]:
    reader = _AttributeReader()
    reader.feed(tag)
    reader.close()
    return reader.attrs


# -- planning ------------------------------------------------------------------------------------

def used_image_urls(html: str) -> list[str]:
    return [src for src in (_attributes(tag).get("src") for tag in _IMG.findall(html)) if src]


def plan_images(site_dir: Path, media: dict[str, str], lead: list[str], bodies: list[str],
                errors: ErrorCollector) -> ImagePlan:
    """MEDIA maps each published media URL to its source path ('content/media/a.jpg'); LEAD are the
    URLs of post and drive images (they also get a sharing image); BODIES the rendered Markdown."""
    wanted: dict[str, bool] = {}
    for url in lead:
        if url in media:
            wanted[url] = True
    for body in bodies:
        for url in used_image_urls(body):
            if url in media:
                wanted.setdefault(url, False)
    images: dict[str, ImageInfo] = {}
    for url in sorted(wanted):
        info = _inspect(site_dir, media[url], url, wanted[url], errors)
        if info is not None:
            images[url] = info
    return ImagePlan(images, frozenset(u for u, share in wanted.items() if share))


def _inspect(site_dir: Path, source: str, url: str, share: bool, errors: ErrorCollector) -> ImageInfo | None:
    path = site_dir / source
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix == ".svg":
        width, height = _svg_size(data)
        return ImageInfo(source, url, width, height, "SVG", digest)
    if suffix == ".gif":
        width, height = _gif_size(data)
        info = ImageInfo(source, url, width, height, "GIF", digest)
        if share and _readable(data):
            info = replace(info, share=_share_variant(url, source, digest))
        return info
    if suffix not in (".jpg", ".jpeg", ".png", ".webp"):
        return ImageInfo(source, url, None, None, suffix.lstrip(".").upper(), digest)
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format or ""
            width, height = image.size
            if _orientation(image) in (5, 6, 7, 8):
                width, height = height, width
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        errors.error(Loc(source), N_("the image cannot be read: {problem}"),
                     N_("open it in an image editor and save it again as JPEG or PNG"), problem=str(exc))
        return None
    if image_format not in RESIZED:
        return ImageInfo(source, url, width, height, image_format, digest)
    variants = []
    for target in _widths(width):
        target_height = max(1, round(height * target / width))
        for fmt in (("WEBP",) if image_format == "WEBP" else ("WEBP", image_format)):
            variants.append(_variant(url, source, digest, f"-{target}w", fmt, target, target_height))
    variants.sort(key=lambda v: (v.format, v.width))
    return ImageInfo(source, url, width, height, image_format, digest, tuple(variants),
                     _share_variant(url, source, digest) if share else None)


def _widths(width: int) -> list[int]:
    widths = [w for w in WIDTHS if w < width]
    if width <= WIDTHS[-1]:
        widths.append(width)  # never enlarged; the full size is one of the choices
    else:
        widths.append(WIDTHS[-1])
    return sorted(set(widths))


def _variant(url: str, source: str, digest: str, suffix: str, fmt: str, width: int, height: int,
             fit: bool = False) -> Variant:
    """A derived file beside its original: 'content/media/a.jpg' -> 'media/a-480w.3f2a9c1e5b.webp'."""
    stem = posixpath.splitext(posixpath.basename(source))[0]
    file_name = f"{stem}{suffix}.{digest[:HASH_LENGTH]}.{RESIZED[fmt]}"
    out_path = posixpath.join(posixpath.dirname(source.split("/", 1)[1]), file_name)  # without 'content/'
    out_url = posixpath.join(posixpath.dirname(url), file_name)
    return Variant(out_path, out_url, width, height, fmt, fit)


def _share_variant(url: str, source: str, digest: str) -> Variant:
    return _variant(url, source, digest, "-share", "JPEG", *SHARE_SIZE, fit=True)


def _orientation(image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))
    except Exception:  # a broken EXIF block is ignored, as browsers do
        return 1


def _readable(data: bytes) -> bool:
    from PIL import Image
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
        return True
    except Exception:
        return False


def _gif_size(data: bytes) -> tuple[int | None, int | None]:
    if len(data) >= 10 and data[:6] in (b"GIF87a", b"GIF89a"):
        width, height = struct.unpack("<HH", data[6:10])
        if width and height:
            return width, height
    return None, None


_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE | re.DOTALL)


def _svg_size(data: bytes) -> tuple[int | None, int | None]:
    root = _SVG_ROOT.search(data[:4096])
    if not root:
        return None, None
    attrs = _attributes(root.group(0).decode("utf-8", "replace"))

    def number(value: str | None) -> float | None:
        match = re.fullmatch(r"\s*([0-9.]+)\s*(px)?\s*", value or "")
        return float(match.group(1)) if match else None

    width, height = number(attrs.get("width")), number(attrs.get("height"))
    if not (width and height):
        box = (attrs.get("viewbox") or "").replace(",", " ").split()
        if len(box) == 4:
            try:
                width, height = float(box[2]), float(box[3])
            except ValueError:
                width = height = None
    if width and height:
        return round(width), round(height)
    return None, None


# -- encoding ------------------------------------------------------------------------------------

def materialize(plan: ImagePlan, site_dir: Path) -> dict[str, Path | bytes]:
    """Every derived file: output path -> a cached file (or bytes when the cache cannot be written)."""
    cache = site_dir / CACHE_FOLDER
    files: dict[str, Path | bytes] = {}
    by_source: dict[str, list[Variant]] = {}
    infos: dict[str, ImageInfo] = {}
    for info, variant in plan.variants():
        by_source.setdefault(info.source, []).append(variant)
        infos[info.source] = info
    for source, variants in sorted(by_source.items()):
        info = infos[source]
        missing = []
        for variant in variants:
            cached = cache / _cache_name(info, variant)
            if cached.is_file():
                files[variant.path] = cached
            else:
                missing.append((variant, cached))
        if not missing:
            continue
        image = _open_upright(site_dir / source)
        for variant, cached in missing:
            data = encode(image, variant)
            files[variant.path] = _store(cached, data)
    return dict(sorted(files.items()))


def _cache_name(info: ImageInfo, variant: Variant) -> str:
    settings = ENCODER[variant.format]
    key = f"{CACHE_VERSION}|{info.digest}|{variant.width}x{variant.height}|{variant.format}|{variant.fit}|{sorted(settings.items())}"
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{digest[:2]}/{digest}.{RESIZED[variant.format]}"


def _store(cached: Path, data: bytes) -> Path | bytes:
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=cached.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, cached)  # parallel builds may race; both write the same bytes
        return cached
    except OSError:
        return data  # a read-only site folder: build without the cache


def _open_upright(path: Path):
    from PIL import Image, ImageOps
    with Image.open(path) as image:
        image.seek(0)
        upright = ImageOps.exif_transpose(image)
        upright.load()
        icc = image.info.get("icc_profile")
    if icc:
        upright.info["icc_profile"] = icc
    return upright


def encode(image, variant: Variant) -> bytes:
    """Resizes (or crops to fill, for the sharing image) and encodes one variant, without metadata."""
    from PIL import Image, ImageOps
    icc = image.info.get("icc_profile")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if variant.format == "JPEG":
        work = image.convert("RGBA") if has_alpha else image.convert("RGB")
        if has_alpha:
            white = Image.new("RGB", work.size, (255, 255, 255))
            white.paste(work, mask=work.getchannel("A"))
            work = white
    else:
        work = image.convert("RGBA" if has_alpha else "RGB")
    size = (variant.width, variant.height)
    if variant.fit:
        work = ImageOps.fit(work, size, Image.Resampling.LANCZOS)
    elif work.size != size:
        work = work.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    out = io.BytesIO()
    options = dict(ENCODER[variant.format])
    if icc:
        options["icc_profile"] = icc
    work.save(out, variant.format, **options)
    return out.getvalue()



# -- the build's entry point ---------------------------------------------------------------------

def prepare(site_dir: Path, content, plan, rendered: dict, errors: ErrorCollector) -> tuple[ImagePlan, dict]:
    """Plans the images the content uses and makes its Markdown images responsive.

    Returns (ImagePlan, rendered with rewritten HTML). A body's first image loads eagerly when its
    post or drive has no lead image (it is then likely on the first screen); the others lazily.
    """
    media = {media_url(plan, m.path): m.source for m in content.media}
    owners = [p for p in content.posts if p.source in plan.published]
    owners += [e for e in content.events if e.source in plan.published]
    lead = [media_url(plan, o.image) for o in owners if o.image and "://" not in o.image]
    with_lead = {o.source for o in owners if o.image}
    illustrated = {path for path, body in rendered.items() if body.has_images()}  # few bodies are read at all
    images = plan_images(site_dir, media, lead, [rendered[path].html for path in sorted(illustrated)], errors)
    if not images.images:
        return images, rendered
    rewritten = {path: body.with_html(images.rewrite_html(body.html, eager_first=path not in with_lead))
                 if path in illustrated else body for path, body in rendered.items()}
    return images, rewritten
