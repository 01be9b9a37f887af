"""Where templates, theme assets and theme translations come from.

A site's own templates/ folder comes first; anything it lacks falls back to the bundled theme
(shipped in the package as generator/theme, built from the repository's templates/ folder).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGE_THEME = Path(__file__).parent / "theme"
SOURCE_THEME = Path(__file__).parent.parent / "templates"  # a source checkout or an editable install


def bundled_theme() -> Path:
    if PACKAGE_THEME.is_dir():
        return PACKAGE_THEME
    return SOURCE_THEME


@dataclass(frozen=True)
class Theme:
    folders: tuple[Path, ...]  # most specific first

    @classmethod
    def for_site(cls, site: Path) -> "Theme":
        own = site / "templates"
        bundled = bundled_theme().resolve()
        folders = []
        if own.is_dir() and own.resolve() != bundled:
            folders.append(own)
        folders.append(bundled)
        return cls(tuple(folders))

    def static_files(self) -> dict[str, Path]:
        """Output path ('static/style.css') -> file, the site's own files winning."""
        files: dict[str, Path] = {}
        for folder in reversed(self.folders):
            static = folder / "static"
            if not static.is_dir():
                continue
            for path in sorted(static.rglob("*")):
                if path.is_file() and not any(p.startswith(".") for p in path.relative_to(static).parts):
                    files["static/" + path.relative_to(static).as_posix()] = path
        return dict(sorted(files.items()))

    def locale_folders(self) -> tuple[Path, ...]:
        return tuple(f / "locale" for f in self.folders if (f / "locale").is_dir())
