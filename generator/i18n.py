"""Translation catalogues (.po files read with Babel at run time) and locale-aware formatting."""
from __future__ import annotations

import functools
import io
from pathlib import Path

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
