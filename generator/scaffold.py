"""``outreach new`` (one content file from a skeleton) and ``outreach init`` (a whole starter site).

Skeletons carry a commented hint for every field, and build as they are: a new post or page is a
draft until the writer removes ``draft: true``; a new drive (drives have no draft flag) is valid
but says ``CẦN ĐIỀN`` where the writer must fill in, which every build reminds them of.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from string import Template

from babel import Locale

from generator import starter
from generator.errors import N_, ErrorCollector
from generator.i18n import language_suffix
from generator.sources import SourceText, split_front_matter
from generator.yamlio import load_yaml
from generator.slugs import slugify
from generator.theme import bundled_theme

KINDS = ("post", "event", "page")
FOLDERS = {"post": "content/posts", "event": "content/events", "page": "content/pages"}


class ScaffoldProblem(Exception):
    """Something `new` or `init` refuses to do; CODE is the exit code (1: content, 2: usage)."""

    def __init__(self, message: str, hint: str = "", code: int = 1, **params):
        super().__init__(message)
        self.message, self.hint, self.code, self.params = message, hint, code, params


@dataclass(frozen=True)
class Moment:
    """The date of the new content, and its time if the writer gave one."""
    day: date
    time: str | None = None  # 'HH:MM'


def yaml_text(value: str) -> str:
    """A YAML double-quoted string (JSON's quoting is valid YAML), Vietnamese kept readable."""
    return json.dumps(value, ensure_ascii=False)


def clean_title(title: str) -> str:
    """The title as one line (a pasted title's newlines and tabs become spaces); never empty."""
    title = " ".join(title.split())
    if not title:
        raise ScaffoldProblem(N_("the title is empty"), N_("write the title in quotes, e.g. "
                                                           "outreach new post \"Ngày hội hiến máu\""), code=2)
    return title


def new_content(site_dir: Path, kind: str, title: str, moment: Moment, language: str) -> Path:
    """Writes the skeleton of a new post, event or page; returns its path. Never overwrites."""
    title = clean_title(title)
    slug = slugify(title)
    if not slug:
        raise ScaffoldProblem(N_("no file name can be made from the title '{title}'"),
                              N_("use a title with letters or digits"), title=title)
    name = f"{slug}.md" if kind == "page" else f"{moment.day.isoformat()}-{slug}" + (".yaml" if kind == "event" else ".md")
    path = site_dir / FOLDERS[kind] / name
    if path.exists():
        raise ScaffoldProblem(N_("{path} already exists; it was left as it is"),
                              N_("open that file to edit it, or choose another title"),
                              path=path.relative_to(site_dir).as_posix())
    texts = starter.SKELETONS[_skeleton_language(language)]
    values = {"title": yaml_text(title), "date": moment.day.isoformat()}
    if kind == "post":
        values["time"] = moment.time or "08:00"
    text = Template(texts[kind]).substitute(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as out:  # 'x': never replace a file made meanwhile
            out.write(text)
    except FileExistsError:
        raise ScaffoldProblem(N_("{path} already exists; it was left as it is"),
                              N_("open that file to edit it, or choose another title"),
                              path=path.relative_to(site_dir).as_posix()) from None
    return path


# What a translation skeleton says, in the language of the translation (see content.INHERITED).
_TRANSLATION_HINTS = {
    "vi": {"head": "Bản {language} của {original}.\n# Những gì tệp này không ghi ({facts}) lấy từ tệp gốc, "
                   "nên chỉ cần viết phần chữ.",
           "draft": "xoá dòng này để đăng bản dịch", "text": "Văn bản gốc, để dịch từng đoạn:",
           "marker": "CẦN ĐIỀN", "post": "ngày, ảnh, đợt hiến máu, tác giả", "page": "trang điều kiện",
           "event": "ngày giờ, bản đồ, chỉ tiêu, kết quả, đăng ký, liên hệ, ảnh"},
    "en": {"head": "The {language} version of {original}.\n# What this file leaves out ({facts}) is taken from "
                   "the original, so write only the words.",
           "draft": "delete this line to publish the translation", "text": "The original text, to translate "
                                                                            "paragraph by paragraph:",
           "marker": "TO FILL IN", "post": "the date, image, drive, author", "page": "the eligibility flag",
           "event": "times, map, target, results, registration, contact, image"},
}


def translation_language(languages: tuple[str, ...], original: Path | None, language: str | None) -> str:
    """The language of a translation `new` is asked for: --lang, or the site's only second language."""
    others = languages[1:]
    if original is None:
        raise ScaffoldProblem(N_("--lang needs --translation-of: the file to translate"),
                              N_("e.g. outreach new page \"About\" --translation-of content/pages/gioi-thieu.md"), code=2)
    if not others:
        raise ScaffoldProblem(N_("the site has only one language"),
                              N_("add the languages to config.yaml first, e.g. 'languages: [vi, en]'"))
    if language is None and len(others) > 1:
        raise ScaffoldProblem(N_("choose the language of the translation with --lang: {choices}"), "", code=2,
                              choices=", ".join(others))
    language = language or others[0]
    if language not in others:
        raise ScaffoldProblem(N_("'{value}' is not a second language of this site"), N_("use one of: {choices}"),
                              code=2, value=language, choices=", ".join(others))
    return language


def _skeleton_language(language: str) -> str:
    """Skeletons and their hints are written in Vietnamese and English: 'vi' for Vietnamese, else 'en'."""
    return "vi" if language.split("-")[0] == "vi" else "en"


def placeholder(language: str) -> str:
    """What a skeleton in LANGUAGE writes where the writer must fill in (one of sources.PLACEHOLDERS)."""
    return _TRANSLATION_HINTS[_skeleton_language(language)]["marker"]


def new_translation(site_dir: Path, kind: str, title: str, original: Path, language: str) -> Path:
    """Writes the skeleton of ORIGINAL's translation into LANGUAGE beside it; returns its path.

    Posts and pages are drafts holding the original text to translate; a drive's venue and
    description are copied with a marker every build warns about until they are translated."""
    title = clean_title(title)
    folder = (site_dir / FOLDERS[kind]).resolve()
    source = (site_dir / original).resolve() if not original.is_absolute() else original.resolve()
    suffixes = (".yaml", ".yml") if kind == "event" else (".md", ".markdown")
    if not source.is_file() or folder not in source.parents or source.suffix not in suffixes:
        raise ScaffoldProblem(N_("{path} is not a {kind} file of this site"),
                              N_("give the original's path, e.g. {example}"), code=2, path=str(original), kind=kind,
                              example=f"{FOLDERS[kind]}/2027-01-09-ngay-hoi" + suffixes[0])
    stem, _, code = source.stem.rpartition(".")
    if stem and language_suffix(code):
        raise ScaffoldProblem(N_("{path} is a translation itself"), N_("give the path of its original, {original}"),
                              code=2, path=str(original), original=source.with_name(stem + source.suffix).name)
    path = source.with_name(f"{source.stem}.{language}{source.suffix}")
    rel = path.relative_to(site_dir.resolve()).as_posix()
    if path.exists():
        raise ScaffoldProblem(N_("{path} already exists; it was left as it is"),
                              N_("open that file to edit it, or choose another title"), path=rel)
    hints = _TRANSLATION_HINTS[_skeleton_language(language)]
    name = Locale.parse(language.replace("-", "_")).get_display_name(_skeleton_language(language))
    head = "# " + hints["head"].format(language=name, original=source.relative_to(site_dir.resolve()).as_posix(),
                                        facts=hints[kind])
    try:
        text = source.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError):
        raise ScaffoldProblem(N_("{path} cannot be read as UTF-8 text"),
                              N_("save it as UTF-8, or run 'outreach check' to see what is wrong with it"),
                              path=source.relative_to(site_dir.resolve()).as_posix()) from None
    marker = hints["marker"]
    if kind == "event":
        data = load_yaml(text, rel, ErrorCollector()) or {}
        venue = data.get("venue") if isinstance(data, dict) else None
        lines = [head, f"title: {yaml_text(title)}"]
        if isinstance(venue, dict):
            lines += ["venue:", f"  name: {yaml_text(marker + ': ' + str(venue.get('name', '')))}",
                      f"  address: {yaml_text(marker + ': ' + str(venue.get('address', '')))}"]
            if venue.get("map"):
                lines.append(f"  map: {yaml_text(str(venue['map']))}")
        description = data.get("description") if isinstance(data, dict) else None
        if isinstance(description, str) and description.strip():
            lines.append("description: |")
            lines.append(f"  {marker}: {hints['text']}")
            lines += [("  " + line) if line.strip() else "" for line in description.strip("\n").split("\n")]
        body = "\n".join(lines) + "\n"
    else:
        doc = split_front_matter(SourceText(rel, text), ErrorCollector())
        original_text = doc.body.strip("\n") if doc else ""
        body = (f"---\n{head}\ntitle: {yaml_text(title)}\ndraft: true  # {hints['draft']}\n---\n"
                f"<!-- {hints['text']} -->\n\n{original_text}\n")
    try:
        with path.open("x", encoding="utf-8", newline="\n") as out:
            out.write(body)
    except FileExistsError:
        raise ScaffoldProblem(N_("{path} already exists; it was left as it is"),
                              N_("open that file to edit it, or choose another title"), path=rel) from None
    return path


def init_site(target: Path, with_templates: bool, today: date) -> list[str]:
    """Creates a working site in TARGET (missing or empty). Returns the files made, relative to it."""
    if target.exists() and not target.is_dir():
        raise ScaffoldProblem(N_("{folder} is a file, not a folder"), N_("choose another name for the new site"),
                              code=2, folder=str(target))
    if target.is_dir() and any(target.iterdir()):
        raise ScaffoldProblem(N_("the folder {folder} is not empty"),
                              N_("choose a new folder name; init never changes an existing folder"),
                              code=2, folder=str(target))
    drive = today + timedelta(days=30)
    event_id = f"{drive.isoformat()}-ngay-hoi-hien-mau"
    values = {"today": today.isoformat(), "year": str(today.year), "drive": drive.isoformat(),
              "event_id": event_id}
    files = {Template(rel).substitute(values): Template(text).substitute(values)
             for rel, text in starter.SITE.items()}
    target.mkdir(parents=True, exist_ok=True)
    made = []
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        made.append(rel)
    if with_templates:
        shutil.copytree(bundled_theme(), target / "templates",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
        made.append("templates/")
    return made
