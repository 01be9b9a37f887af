"""Typed reading of one YAML mapping: every problem is recorded with its line, nothing is guessed.

``Fields`` is the MkDocs-style option reader our models use: each accessor returns a clean value
(or None) and records an error pointing at the key or value; ``finish()`` flags unknown keys with
a "did you mean" hint.
"""
from __future__ import annotations

import difflib
import re
from datetime import date, datetime, time, tzinfo
from urllib.parse import urlsplit

from generator.errors import ErrorCollector, Loc, Msg, N_
from generator.yamlio import YamlList, YamlMap

SAFE_URL_SCHEMES = ("http", "https", "mailto", "tel")
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2})[:h](\d{2}))?$")


def _type_name(value) -> str:
    if value is None:
        return Msg("empty")
    if isinstance(value, bool):
        return Msg("true or false")
    if isinstance(value, int):
        return Msg("a whole number")
    if isinstance(value, float):
        return Msg("a decimal number")
    if isinstance(value, str):
        return Msg("text")
    if isinstance(value, list):
        return Msg("a list")
    if isinstance(value, dict):
        return Msg("a group of 'key: value' lines")
    return type(value).__name__


def parse_datetime(value, tz: tzinfo) -> datetime | None:
    """'2023-12-05', '2023-12-05 07:30', ISO 8601 with offset, or '05/12/2023 07:30' -> aware datetime."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        text = value.strip()
        match = _VN_DATE.match(text)
        try:
            if match:
                d, m, y, hh, mm = match.groups()
                moment = datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0))
            else:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def unsafe_scheme(url: str) -> str | None:
    """The scheme that makes URL unsafe to publish ('' if unparsable), or None when it is safe.

    Only http(s), mailto, tel and relative links pass; browsers ignore spaces and control
    characters inside a scheme ("java\tscript:"), so they are removed before looking.
    """
    if url.isascii() and url.isprintable() and " " not in url:
        stripped = url  # nothing to remove (the usual link): no look at each character
    else:
        stripped = "".join(ch for ch in url if ch.isprintable() and not ch.isspace())
    try:
        parts = urlsplit(stripped)
    except ValueError:
        return ""
    if parts.scheme and parts.scheme.lower() not in SAFE_URL_SCHEMES:
        return parts.scheme
    return None


class Fields:
    """Reads typed values from one mapping, recording every problem in ERRORS."""

    def __init__(self, data, path: str, errors: ErrorCollector, loc: Loc | None = None, what: str = ""):
        self.path = path
        self.errors = errors
        self.valid = True
        self.marked = False  # the file holds a placeholder (set by the loader: SourceText.marked)
        if isinstance(data, YamlMap):
            self.data = data
        else:
            self.data = YamlMap(loc or Loc(path, 1, 1))
            if data is not None:
                self.valid = False
                where = getattr(data, "loc", None) or loc or Loc(path, 1, 1)
                errors.error(where, N_("{what} should be a group of 'key: value' lines, not {found}"),
                             N_("write one 'key: value' per line"), what=what if isinstance(what, Msg) else (what or Msg(N_("this"))),
                             found=_type_name(data))
        self.used: set[str] = set()

    # -- helpers -------------------------------------------------------------------------------
    @property
    def loc(self) -> Loc:
        return self.data.loc

    def key_loc(self, key: str) -> Loc:
        return self.data.key_loc(key)

    def value_loc(self, key: str) -> Loc:
        return self.data.value_loc(key)

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def _get(self, key: str, required: bool):
        self.used.add(key)
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip() and required):
            if required:
                self.errors.error(self.loc if key not in self.data else self.key_loc(key),
                                  N_("'{key}' is required"), N_("add a line '{key}: ...'"), key=key)
            return None
        return value

    def _wrong_type(self, key: str, expected: str, value) -> None:
        self.errors.error(self.value_loc(key), N_("'{key}' should be {expected}, not {found}"),
                          N_("change the value after '{key}:'"), key=key, expected=expected,
                          found=_type_name(value))

    # -- accessors -----------------------------------------------------------------------------
    def str(self, key: str, required: bool = False, default: str | None = None) -> str | None:
        value = self._get(key, required)
        if value is None:
            return default
        if isinstance(value, bool) or isinstance(value, (list, dict)):
            self._wrong_type(key, Msg("text"), value)
            return default
        return str(value).strip() if not isinstance(value, str) else value.strip()

    def text(self, key: str, required: bool = False) -> str | None:
        """Multi-line text (Markdown): keeps inner newlines."""
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self._wrong_type(key, Msg("text"), value)
            return None
        return value

    def int(self, key: str, required: bool = False, minimum: int = 0, maximum: int = 10**9,
            default: int | None = None) -> int | None:
        value = self._get(key, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value.strip())
            else:
                self._wrong_type(key, Msg("a whole number"), value)
                return default
        if not minimum <= value <= maximum:
            self.errors.error(self.value_loc(key), N_("'{key}' should be between {minimum} and {maximum}"),
                              N_("change the number after '{key}:'"), key=key, minimum=minimum, maximum=maximum)
            return default
        return value

    def bool(self, key: str, default: bool = False) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self._wrong_type(key, Msg("true or false"), value)
            return default
        return value

    def datetime(self, key: str, tz: tzinfo, required: bool = False) -> datetime | None:
        value = self._get(key, required)
        if value is None:
            return None
        moment = parse_datetime(value, tz)
        if moment is None:
            self.errors.error(self.value_loc(key), N_("'{key}' is not a date this tool understands: '{value}'"),
                              N_("write the date as YYYY-MM-DD HH:MM (2023-12-05 07:30) or DD/MM/YYYY HH:MM (05/12/2023 07:30)"),
                              key=key, value=value)
        return moment

    def date(self, key: str, tz: tzinfo, required: bool = False) -> date | None:
        moment = self.datetime(key, tz, required)
        return moment.date() if moment else None

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, str) or value.strip().lower() not in choices:
            suggestion = difflib.get_close_matches(str(value).lower(), choices, n=1)
            hint = N_("did you mean '{suggestion}'?") if suggestion else N_("use one of: {choices}")
            self.errors.error(self.value_loc(key), N_("'{key}' cannot be '{value}'"), hint, key=key,
                              value=value, suggestion=suggestion[0] if suggestion else "",
                              choices=", ".join(choices))
            return default
        return value.strip().lower()

    def url(self, key: str, required: bool = False) -> str | None:
        value = self.str(key, required)
        if value is None:
            return None
        scheme = unsafe_scheme(value)
        if scheme is not None:
            self.errors.error(self.value_loc(key), N_("'{key}' is not a safe web address ('{scheme}:' links are not allowed)"),
                              N_("use an address that starts with https://, http://, mailto: or tel:"),
                              key=key, scheme=scheme or "?")
            return None
        return value

    def str_list(self, key: str, required: bool = False) -> list[str]:
        value = self._get(key, required)
        if value is None:
            return []
        if isinstance(value, str):  # "tags: hiến máu" — one item is fine
            return [value.strip()] if value.strip() else []
        if not isinstance(value, list):
            self._wrong_type(key, Msg("a list"), value)
            return []
        out = []
        for index, item in enumerate(value):
            if item is None:
                continue
            if isinstance(item, (list, dict, bool)):
                loc = value.item_loc(index) if isinstance(value, YamlList) else self.value_loc(key)
                self.errors.error(loc, N_("each item of '{key}' should be text"),
                                  N_("write each item as plain text"), key=key)
                continue
            out.append(str(item).strip())
        return [item for item in out if item]

    def mapping(self, key: str, required: bool = False) -> "Fields | None":
        value = self._get(key, required)
        if value is None:
            return None
        sub = Fields(value, self.path, self.errors, self.value_loc(key), what=f"'{key}'")
        return sub if sub.valid else None

    def list_of_mappings(self, key: str, required: bool = False) -> list["Fields"]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list):
            self._wrong_type(key, Msg("a list"), value)
            return []
        out = []
        for index, item in enumerate(value):
            loc = value.item_loc(index) if isinstance(value, YamlList) else self.value_loc(key)
            sub = Fields(item, self.path, self.errors, loc, what=f"'{key}'")
            if sub.valid:
                out.append(sub)
        return out

    def raw(self, key: str):
        self.used.add(key)
        return self.data.get(key)

    def finish(self, known: tuple[str, ...] | None = None) -> None:
        """Flags keys nobody asked for, with a 'did you mean' hint."""
        names = tuple(known) if known is not None else tuple(self.used)
        for key in self.data:
            if key in self.used or key in names:
                continue
            suggestion = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
            if suggestion:
                self.errors.error(self.key_loc(key), N_("unknown key '{key}'"), N_("did you mean '{suggestion}'?"),
                                  key=key, suggestion=suggestion[0])
            else:
                self.errors.error(self.key_loc(key), N_("unknown key '{key}'"),
                                  N_("remove it, or use one of: {choices}"), key=key,
                                  choices=", ".join(sorted(names)))
