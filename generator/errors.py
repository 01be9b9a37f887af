"""Content errors with file, line and column, and the collector that gathers all of them.

Messages are English msgids with ``{placeholders}``; they are translated when reported, so the
language of the site (known only after config.yaml is read) decides what the writer sees.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable


def N_(message: str) -> str:
    """Marks a message for translation without translating it yet."""
    return message


class Msg(str):
    """A parameter of a message that is itself translatable text ("a list", "an event file")."""


@dataclass(frozen=True)
class Loc:
    path: str  # relative to the site folder, with forward slashes
    line: int = 0  # 1-based; 0 when the problem concerns the whole file
    col: int = 0


@dataclass(frozen=True)
class ContentError:
    loc: Loc
    message: str
    hint: str = ""
    params: tuple[tuple[str, object], ...] = ()
    severity: str = "error"  # "error" or "warning"

    def text(self, translate: Callable[[str], str] = lambda s: s) -> tuple[str, str]:
        values = {k: translate(v) if isinstance(v, Msg) else v for k, v in self.params}
        message = translate(self.message).format(**values)
        hint = translate(self.hint).format(**values) if self.hint else ""
        return message, hint

    def format(self, translate: Callable[[str], str] = lambda s: s) -> str:
        message, hint = self.text(translate)
        where = self.loc.path
        if self.loc.line:
            where += f":{self.loc.line}:{self.loc.col or 1}"
        label = translate("warning") if self.severity == "warning" else translate("error")
        out = f"{where}: {label}: {message}"
        if hint:
            out += f"\n    {translate('fix')}: {hint}"
        return out

    def sort_key(self):
        return (self.loc.path, self.loc.line, self.loc.col, self.message)


def _once(items: Iterable[ContentError]) -> list[ContentError]:
    """Sorted, each problem once: the graph of every language sees what their pages share."""
    unique = {(e.loc, e.message, e.hint, repr(e.params)): e for e in items}  # params may hold YAML lists
    return sorted(unique.values(), key=ContentError.sort_key)


@dataclass
class ErrorCollector:
    items: list[ContentError] = field(default_factory=list)

    def error(self, loc: Loc, message: str, hint: str = "", **params) -> None:
        self.items.append(ContentError(loc, message, hint, tuple(params.items())))

    def warning(self, loc: Loc, message: str, hint: str = "", **params) -> None:
        self.items.append(ContentError(loc, message, hint, tuple(params.items()), "warning"))

    def extend(self, items: Iterable[ContentError]) -> None:
        self.items.extend(items)

    @property
    def errors(self) -> list[ContentError]:
        return _once(e for e in self.items if e.severity == "error")

    @property
    def warnings(self) -> list[ContentError]:
        return _once(e for e in self.items if e.severity == "warning")

    def has_errors(self) -> bool:
        return any(e.severity == "error" for e in self.items)


class BuildFailed(Exception):
    """Raised when content errors stop a build; carries every error found."""

    def __init__(self, errors: list[ContentError], warnings: list[ContentError] = (), language: str = "en"):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = list(errors)
        self.warnings = list(warnings)
        self.language = language


class UsageError(Exception):
    """A wrong command-line request (bad output folder, missing site): exit code 2."""
