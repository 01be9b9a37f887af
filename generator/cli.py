"""The command line: parses options, calls build.py, formats errors, sets exit codes. Nothing else.

Exit codes: 0 success, 1 content errors (all listed), 2 wrong usage.
"""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from generator import __version__
from generator.build import build as run_build
from generator.build import check as run_check
from generator.build import guess_language
from generator.errors import BuildFailed, ContentError
from generator.i18n import tool_messages
from generator.urls import BuildOptions
from generator.write import OutputProblem


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
def build(site_dir: Path, output_dir: Path | None, drafts: bool, future: bool, base_url: str | None,
          now: str | None, quiet: bool):
    """Build the site into the output folder (replaced whole, or not at all)."""
    if base_url and not base_url.startswith(("http://", "https://")):
        raise click.BadParameter("give a full address such as https://hienmau.example.vn/", param_hint="--base-url")
    _require_site(site_dir)
    try:
        result = run_build(site_dir, output_dir, BuildOptions(drafts=drafts, future=future), _parse_now(now), base_url)
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
    if not quiet:
        translate = tool_messages(result.language).gettext
        click.echo(translate("Built {pages} pages and copied {copied} files in {seconds:.2f} s into {output}.").format(
            pages=result.pages, copied=result.copied, seconds=result.seconds,
            output=output_dir or (site_dir / "output")))


@cli.command()
@site_option
@click.option("--drafts", is_flag=True, help="Also check posts marked draft: true as if published.")
@click.option("--future", is_flag=True, help="Also check future posts as if published.")
@now_option
def check(site_dir: Path, drafts: bool, future: bool, now: str | None):
    """Check everything a build reads, without writing anything."""
    _require_site(site_dir)
    try:
        result = run_check(site_dir, BuildOptions(drafts=drafts, future=future), _parse_now(now))
    except BuildFailed as failed:
        _echo_problems(failed.errors + failed.warnings, failed.language)
        translate = tool_messages(failed.language).gettext
        click.echo(translate("{count} error(s) found.").format(count=len(failed.errors)), err=True)
        sys.exit(1)
    _echo_problems(result.warnings, result.language)
    translate = tool_messages(result.language).gettext
    click.echo(translate("No errors: {pages} pages would be built.").format(pages=result.pages))


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
    cli(prog_name="outreach")
