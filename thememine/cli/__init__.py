"""The ``thememine`` command. Each command lives in its own module and calls library functions."""

from __future__ import annotations

from typing import Annotated

import typer

from thememine import __version__
from thememine.cli._common import PlainErrors
from thememine.cli.detect import detect_command
from thememine.cli.embed import embed_command
from thememine.cli.export import export_command
from thememine.cli.fit_themes import code_command, themes_command
from thememine.cli.ingest import ingest_command
from thememine.cli.models import models_app
from thememine.cli.pseudonymise import pseudonymise_command
from thememine.cli.reidentify import reidentify_command
from thememine.cli.report import report_command
from thememine.cli.review import review_command
from thememine.cli.run import run_command
from thememine.cli.themes import apply_command, theme_app

app = typer.Typer(
    name="thememine",
    help="Pseudonymise Danish interview transcripts, embed their statements and suggest themes.",
    cls=PlainErrors,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals would hold transcript text
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("ingest")(ingest_command)
app.command("pseudonymise")(pseudonymise_command)
app.command("reidentify")(reidentify_command)
app.command("run")(run_command)
app.command("detect")(detect_command)
app.command("embed")(embed_command)
app.command("themes")(themes_command)
app.command("code")(code_command)
app.command("export")(export_command)
app.command("report")(report_command)
app.command("apply")(apply_command)
app.command("review")(review_command)
app.add_typer(theme_app, name="theme")
app.add_typer(models_app, name="models")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"thememine {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Pseudonymise Danish interview transcripts, embed their statements and suggest themes."""


def main() -> None:
    app()
