"""Translation catalogues (.po files read with Babel at run time) and locale-aware formatting."""
from __future__ import annotations

import functools
import io
import re
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"


@functools.lru_cache(maxsize=None)
def load_catalogue(directory: str, domain: str, language: str) -> NullTranslations:
    """Reads DIRECTORY/LANG/LC_MESSAGES/DOMAIN.po; a missing catalogue means 'untranslated'."""
    po = Path(directory) / language / "LC_MESSAGES" / f"{domain}.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=domain)


def tool_messages(language: str) -> NullTranslations:
    """The catalogue for the tool's own messages (errors, hints, summaries)."""
    return load_catalogue(str(LOCALE_DIR), "outreach", (language or "en").split("-")[0])


def guess_language(site_dir: Path) -> str:
    """The site language when config.yaml itself is broken, so errors still speak the writer's language."""
    try:
        text = (site_dir / "config.yaml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "en"
    match = re.search(r"^language:\s*[\"']?([A-Za-z-]+)", text, re.MULTILINE)
    return match.group(1) if match else "en"


# Date patterns (Babel/CLDR syntax) the theme asks for by name. Vietnamese as the campaign writes
# it ("Thứ Ba, 05/12/2023"), English the way British and Vietnamese English style guides do
# ("Tuesday 5 December 2023"); any other language gets CLDR's own formats for its locale.
DATE_FORMATS = {
    "vi": {"date": "EEEE, dd/MM/yyyy", "short": "dd/MM/yyyy", "datetime": "HH:mm, EEEE, dd/MM/yyyy", "time": "HH:mm"},
    "en": {"date": "EEEE d MMMM yyyy", "short": "d MMM yyyy", "datetime": "HH:mm, EEEE d MMMM yyyy", "time": "HH:mm"},
}
_CLDR_FORMATS = {"date": "full", "short": "medium", "datetime": "full", "time": "short"}


def date_pattern(language: str, name: str | None, kind: str) -> str:
    """The pattern for NAME ('date', 'short', 'datetime', 'time'; None: KIND's own) in LANGUAGE;
    anything else is taken as a pattern itself."""
    name = name or kind
    table = DATE_FORMATS.get(language.split("-")[0])
    if name in _CLDR_FORMATS:
        return table[name] if table else _CLDR_FORMATS[name]
    return name


def language_suffix(code: str) -> bool:
    """Whether CODE, the last dotted part of a file name ('x.en.md'), names a language."""
    return 2 <= len(code) <= 3 and code.isalpha() and code.islower() and known_locale(code)


def known_locale(code: str) -> bool:
    """Whether Babel has the data to write dates and numbers in the language CODE ('vi', 'pt-BR')."""
    try:
        Locale.parse(code.replace("-", "_"))
        return True
    except (UnknownLocaleError, ValueError):
        return False
