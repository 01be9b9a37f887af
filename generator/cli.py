"""The command line: parses options, calls build.py, formats errors, sets exit codes. Nothing else.

Exit codes: 0 success, 1 content errors (all listed), 2 wrong usage.
"""
from __future__ import annotations

import json
import os
import sys
import threading
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click

from generator import __version__
from generator.errors import BuildFailed, ContentError, ErrorCollector
from generator.i18n import guess_language, tool_messages
from generator.progress import Progress
from generator.scaffold import (KINDS, Moment, ScaffoldProblem, init_site, new_content, new_translation,
                                placeholder, translation_language)

if TYPE_CHECKING:
    from generator.write import OutputProblem

# The rendering stack (generator.build and what it imports: ~0.15 s) is imported by the commands
# that need it, so that `build` first starts the walk over its inputs (uptodate.walk_apart).


def _echo_problems(items: list[ContentError], language: str) -> None:
    translate = tool_messages(language).gettext
    for item in items:
        click.echo(item.format(translate), err=True)


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use ISO 8601, e.g. 2023-12-01T08:00+07:00", param_hint="--now")


site_option = click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
                           show_default=True, help="The site folder (holds config.yaml and content/).")
now_option = click.option("--now", "now", metavar="DATETIME", default=None,
                          help="Build as if it were this moment (ISO 8601): decides which posts are "
                               "future and which drives are upcoming. Default: the current time.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="outreach")
def cli():
    """Outreach: build the website of a community campaign from Markdown and YAML."""


@cli.command()
@site_option
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the site. Default: SITE/output.")
@click.option("--drafts", is_flag=True, help="Also publish posts marked draft: true.")
@click.option("--future", is_flag=True, help="Also publish posts dated in the future.")
@click.option("--base-url", "base_url", default=None, help="Override base_url from config.yaml.")
@now_option
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Ignore and do not update the build cache (SITE/.cache/outreach); same output, slower.")
def build(site_dir: Path, output_dir: Path | None, drafts: bool, future: bool, base_url: str | None,
          now: str | None, quiet: bool, no_cache: bool):
    """Build the site into the output folder (replaced whole, or not at all)."""
    if base_url and not base_url.startswith(("http://", "https://")):
        raise click.BadParameter("give a full address such as https://hienmau.example.vn/", param_hint="--base-url")
    _require_site(site_dir)
    # the stat of every input, which a build with its cache takes first, in a forked child while
    # this process imports the rest
    from generator.uptodate import walk_apart
    walked = None if no_cache else walk_apart(site_dir.resolve())
    from generator.build import build as run_build
    from generator.urls import BuildOptions
    from generator.write import OutputProblem
    try:
        # a one-line progress display on a terminal, once the build has taken over a second
        with Progress(sys.stderr, tool_messages(guess_language(site_dir)).gettext, enabled=not quiet) as progress:
            result = run_build(site_dir, output_dir, BuildOptions(drafts=drafts, future=future), _parse_now(now),
                               base_url, stage=progress.stage, use_cache=not no_cache, walked=walked)
    except BuildFailed as failed:
        _echo_problems(failed.errors + failed.warnings, failed.language)
        translate = tool_messages(failed.language).gettext
        click.echo(translate("Build failed: {count} error(s). Nothing was changed in the output folder.")
                   .format(count=len(failed.errors)), err=True)
        sys.exit(1)
    except OutputProblem as problem:
        _usage_problem(problem, guess_language(site_dir))
    except OSError as exc:  # disk full, read-only target...: the old output is untouched
        translate = tool_messages(guess_language(site_dir)).gettext
        click.echo(translate("Could not write the site ({reason}). Nothing was changed in the output folder.")
                   .format(reason=exc.strerror or exc), err=True)
        sys.exit(1)
    _echo_problems(result.warnings, result.language)
    if not quiet and result.up_to_date:
        translate = tool_messages(result.language).gettext
        click.echo(translate("Nothing changed since the last build: {output} is up to date ({pages} pages, "
                             "checked in {seconds:.2f} s).").format(pages=result.pages, seconds=result.seconds,
                                                                      output=output_dir or (site_dir / "output")))
    elif not quiet:
        translate = tool_messages(result.language).gettext
        click.echo(translate("Built {pages} pages and copied {copied} files in {seconds:.2f} s into {output}.").format(
            pages=result.pages, copied=result.copied, seconds=result.seconds,
            output=output_dir or (site_dir / "output")))


@cli.command()
@site_option
@click.option("--drafts", is_flag=True, help="Also check posts marked draft: true as if published.")
@click.option("--future", is_flag=True, help="Also check future posts as if published.")
@now_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: print the problems as a JSON list of {path, line, col, severity, message, hint} "
                   "on standard output, for editors and CI.")
def check(site_dir: Path, drafts: bool, future: bool, now: str | None, output_format: str):
    """Check everything a build reads, without writing anything."""
    _require_site(site_dir)
    from generator.build import check as run_check
    from generator.urls import BuildOptions
    try:
        result = run_check(site_dir, BuildOptions(drafts=drafts, future=future), _parse_now(now))
    except BuildFailed as failed:
        if output_format == "json":
            _echo_json(failed.errors + failed.warnings, failed.language)
            sys.exit(1)
        _echo_problems(failed.errors + failed.warnings, failed.language)
        translate = tool_messages(failed.language).gettext
        click.echo(translate("{count} error(s) found.").format(count=len(failed.errors)), err=True)
        sys.exit(1)
    if output_format == "json":
        _echo_json(result.warnings, result.language)
        return
    _echo_problems(result.warnings, result.language)
    translate = tool_messages(result.language).gettext
    click.echo(translate("No errors: {pages} pages would be built.").format(pages=result.pages))


def _echo_json(items: list[ContentError], language: str) -> None:
    from generator.checks import problem_dict
    translate = tool_messages(language).gettext
    click.echo(json.dumps([problem_dict(item, translate) for item in items], ensure_ascii=False, indent=2))


@cli.command()
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("title")
@site_option
@click.option("--date", "when", metavar="DATE", default=None,
              help="Date (YYYY-MM-DD, optionally with HH:MM) instead of today in the site's time zone.")
@click.option("--translation-of", "original", metavar="FILE", type=click.Path(path_type=Path), default=None,
              help="Make the translation of FILE (e.g. content/posts/x.md) beside it, titled TITLE.")
@click.option("--lang", "language", metavar="CODE", default=None,
              help="The language of the translation (default: the site's second language).")
def new(kind: str, title: str, site_dir: Path, when: str | None, original: Path | None, language: str | None):
    """Create a post, event or page with hints for every field: new post "Title".

    With --translation-of, its translation: new page "About" --translation-of content/pages/gioi-thieu.md"""
    _require_site(site_dir)
    from generator.config import load_config
    errors = ErrorCollector()
    config = load_config(site_dir.resolve(), errors)
    if config is None:
        language = guess_language(site_dir)
        _echo_problems(errors.errors, language)
        click.echo(tool_messages(language).gettext("Fix config.yaml first: a new file needs the site's time zone.")
                   , err=True)
        sys.exit(1)
    translate = tool_messages(config.language).gettext
    try:
        if original is not None or language is not None:
            language = translation_language(config.all_languages, original, language)
            path = new_translation(site_dir, kind, title, original, language)
        else:
            language = config.language
            path = new_content(site_dir, kind, title, _parse_moment(when, config.timezone), language)
    except ScaffoldProblem as problem:
        _scaffold_problem(problem, config.language)
    click.echo(translate("Created {path}").format(path=path))
    if kind == "event":
        click.echo(translate("Replace every {marker} in it, then preview with: outreach serve")
                   .format(marker=placeholder(language)))
    else:
        click.echo(translate("It is a draft: preview it with 'outreach serve', and delete the line 'draft: true' "
                             "to publish it."))


def _parse_moment(value: str | None, timezone) -> Moment:
    if not value:
        now = datetime.now(timezone)
        return Moment(now.date(), now.strftime("%H:%M"))
    text = value.strip().replace("T", " ")
    try:
        if len(text) <= 10:
            return Moment(date.fromisoformat(text))
        moment = datetime.fromisoformat(text)
        return Moment(moment.date(), moment.strftime("%H:%M"))
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD or YYYY-MM-DD HH:MM, e.g. 2026-12-05 08:00", param_hint="--date")


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--with-templates", is_flag=True, help="Also copy the bundled theme into DIRECTORY/templates, to change it.")
def init(directory: Path, with_templates: bool):
    """Create a new site (in Vietnamese) with starter content in DIRECTORY, which must be missing or empty."""
    language = "vi"  # the starter content is Vietnamese, and so are this command's messages
    translate = tool_messages(language).gettext
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    try:
        init_site(directory, with_templates, today)
    except ScaffoldProblem as problem:
        _scaffold_problem(problem, language)
    click.echo(translate("Created a new site in {folder}.").format(folder=directory))
    click.echo(translate("Next steps:"))
    for command, what in ((f"cd {directory}", ""),
                          ("outreach serve", translate("preview it on this computer, it reloads as you save")),
                          ('outreach new post "..."', translate("write a new post (also: new event, new page)")),
                          ("outreach build", translate("make the site in output/, to copy to the web host"))):
        click.echo(f"  {command:<26} {what}".rstrip())


@cli.command()
@site_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. 127.0.0.1: this computer only; 0.0.0.0: the whole network.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
def serve(site_dir: Path, host: str, port: int):
    """Preview the site with drafts: build, serve, rebuild on every save and reload the browser."""
    _require_site(site_dir)
    from generator.server import PortProblem, serve as run_serve  # watchdog is needed by this command only
    try:
        run_serve(site_dir, host, port, lambda text, err: click.echo(text, err=err))
    except PortProblem as problem:
        _usage_problem(problem, guess_language(site_dir))


def _scaffold_problem(problem: ScaffoldProblem, language: str) -> None:
    translate = tool_messages(language).gettext
    params = {k: str(v) for k, v in problem.params.items()}
    click.echo(translate("Error: {message}").format(message=translate(problem.message).format(**params)), err=True)
    if problem.hint:
        click.echo("    " + translate("fix") + ": " + translate(problem.hint).format(**params), err=True)
    sys.exit(problem.code)


def _require_site(site_dir: Path) -> None:
    if not (site_dir / "config.yaml").is_file():
        language = "en"
        raise click.UsageError(tool_messages(language).gettext(
            "{site} is not a site folder (it has no config.yaml). Run the command inside the site "
            "folder or give it with --site DIR.").format(site=site_dir.resolve()))


def _usage_problem(problem: OutputProblem, language: str) -> None:
    translate = tool_messages(language).gettext
    params = {k: str(v) for k, v in problem.params.items()}
    click.echo(translate("Error: {message}").format(message=translate(problem.message).format(**params)), err=True)
    if problem.hint:
        click.echo("    " + translate("fix") + ": " + translate(problem.hint).format(**params), err=True)
    sys.exit(2)


def main() -> None:
    try:
        cli(prog_name="outreach")
    except SystemExit as stop:
        _leave(stop.code)
    _leave(0)


def _leave(code) -> None:
    """Ends the process with CODE once its output is flushed, without freeing its objects one by
    one: after a build of 10k posts that took 0.2 s, for memory the system takes back at once.
    A process with a thread still running (none should be) ends the ordinary way."""
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be said
        pass
    parallel = sys.modules.get("generator.parallel")
    if parallel is not None:  # the children whose results were taken, exited long since: reaped, so
        parallel.reap(wait=True)  # that what they used is counted as the command's (wait4, time)
    os._exit(code)
