"""The Jinja environment (autoescape, StrictUndefined) and Site -> {output path: bytes}."""
from __future__ import annotations

import json
from datetime import date, datetime
from urllib.parse import quote

import jinja2
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from generator.assets import Assets
from generator.errors import ErrorCollector, Loc, N_
from generator.flyer import first_list, qr_svg
from generator.graph import Site
from generator.i18n import load_catalogue
from generator.seo import Metadata, json_for_script
from generator.theme import Theme


def _translations(theme: Theme, language: str) -> NullTranslations:
    """The theme's catalogue: the bundled one, with the site's own entries on top."""
    catalogues = [c for c in (load_catalogue(str(folder), "theme", language)
                              for folder in reversed(theme.locale_folders())) if isinstance(c, Translations)]
    if not catalogues:
        return NullTranslations()
    merged = Translations()
    merged._catalog = {}  # a fresh object: the loaded catalogues are cached and shared
    merged.plural = catalogues[0].plural
    for catalogue in catalogues:
        merged.merge(catalogue)
    return merged


def environment(site: Site, theme: Theme) -> jinja2.Environment:
    config = site.config
    locale = config.language.replace("-", "_")
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(f)) for f in theme.folders]),
        autoescape=True, undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.i18n"],
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.install_gettext_translations(_translations(theme, config.language.split("-")[0]), newstyle=True)
    tz = config.timezone

    def local(value):
        return value.astimezone(tz) if isinstance(value, datetime) else value

    env.filters.update(
        # "Thứ Ba, 05/12/2023" in Vietnamese; the pattern is the theme's choice, per language.
        date=lambda value, pattern="EEEE, dd/MM/yyyy": format_date(local(value), pattern, locale=locale),
        datetime=lambda value, pattern="HH:mm, EEEE, dd/MM/yyyy": format_datetime(local(value), pattern, tzinfo=tz,
                                                                                   locale=locale),
        time=lambda value, pattern="HH:mm": format_time(local(value), pattern, tzinfo=tz, locale=locale),
        isodate=lambda value: local(value).isoformat() if isinstance(value, datetime) else value.isoformat(),
        number=lambda value: format_decimal(value, locale=locale),
        absolute=config.absolute,
        urlquote=lambda value: quote(str(value), safe=""),
        tojson_safe=json_for_script,  # for <script> blocks: escapes <, > and &
    )
    env.globals.update(site=site, config=config)
    env.globals.update(meta=Metadata(site, theme.static_files()))  # head tags and JSON-LD (seo.py)
    env.globals.update(
        asset=Assets.for_theme(theme).url_function(config.base_path),  # 'style.css' -> fingerprinted URL
        picture=site.images.picture,  # responsive <picture> for a content image (images.py)
        qr_svg=qr_svg, first_list=first_list,  # the drive flyer (flyer.py)
    )
    return env


def render_pages(site: Site, theme: Theme, errors: ErrorCollector) -> dict[str, bytes]:
    env = environment(site, theme)
    files: dict[str, bytes] = {}
    templates: dict[str, jinja2.Template] = {}
    for out in site.outputs:
        try:
            template = templates.get(out.template) or env.get_template(out.template)
            templates[out.template] = template
            html = template.render(output=out, **out.values)
        except jinja2.TemplateSyntaxError as exc:
            errors.error(Loc(_template_path(theme, exc.name or out.template), exc.lineno or 0, 1),
                         N_("template error: {problem}"), N_("fix the template; the theme is in templates/"),
                         problem=exc.message or str(exc))
            break
        except jinja2.TemplateNotFound as exc:
            errors.error(Loc("templates/" + str(exc.name)), N_("the template '{name}' is missing"),
                         N_("add it to templates/, or delete templates/ to use the bundled theme"), name=exc.name)
            break
        except jinja2.UndefinedError as exc:
            errors.error(Loc("templates/" + out.template), N_("template error while making {url}: {problem}"),
                         N_("fix the template; the theme is in templates/"), url=out.url, problem=str(exc))
            continue
        files[out.path] = html.encode("utf-8")
    return files


def _template_path(theme: Theme, name: str) -> str:
    for folder in theme.folders:
        if (folder / name).is_file():
            return f"templates/{name}" if folder.name == "templates" else str(folder / name)
    return f"templates/{name}"
