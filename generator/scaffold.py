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

from generator import starter
from generator.errors import N_
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
    return " ".join(title.split())  # newlines and tabs from a pasted title become single spaces


def new_content(site_dir: Path, kind: str, title: str, moment: Moment, language: str) -> Path:
    """Writes the skeleton of a new post, event or page; returns its path. Never overwrites."""
    title = clean_title(title)
    if not title:
        raise ScaffoldProblem(N_("the title is empty"), N_("write the title in quotes, e.g. "
                                                           "outreach new post \"Ngày hội hiến máu\""), code=2)
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
    texts = starter.SKELETONS["vi" if language.split("-")[0] == "vi" else "en"]
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
