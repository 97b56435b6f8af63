"""``thememine models``: the models thememine uses and where they are; ``export`` writes them in
Hugging Face's standard folders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from thememine.cli._common import out_console, shown

models_app = typer.Typer(
    help="List the models thememine uses and where they are; export them for other tools.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@models_app.callback()
def models_command(ctx: typer.Context) -> None:
    """List the models thememine uses, where their files are, and their licences."""
    if ctx.invoked_subcommand is not None:
        return
    from thememine.model_export import list_models

    for model in list_models():
        where = shown(model.path) if model.path is not None else "[red]not found[/]"
        out_console.print(f"[bold]{model.name}[/]  {model.about}")
        out_console.print(f"  files: {where}")
        out_console.print(f"  licence: {model.licence}; exports as a {model.exports_as}")


@models_app.command("export")
def export_command(
    name: Annotated[str, typer.Argument(help="ner-da-e5 or e5-small.", metavar="NAME")],
    folder: Annotated[Path, typer.Argument(help="Folder to write (new or empty).", metavar="DIR")],
    force: Annotated[bool, typer.Option("--force", help="Write into a folder that holds files.")] = False,
) -> None:
    """Write a model as a standard Hugging Face folder, with its card.

    ner-da-e5 loads with transformers.pipeline("token-classification", model=DIR); e5-small with
    SentenceTransformer(DIR). Both work offline. Each folder takes about 490 MB.
    """
    from thememine.model_export import export_model

    written = export_model(name, folder, force=force)
    out_console.print(f"Exported {shown(name)} to {shown(written)}/ (see its README.md).")
