"""``thememine export``: a theme run as a REFI-QDA project (.qdpx) and codebook (.qdc)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from thememine.cli._common import fail, out_console, plural, shown
from thememine.errors import ThememineError

RunDir = Annotated[
    Path,
    typer.Argument(
        help="A theme run folder (from `thememine run`, or `ingest`/`pseudonymise` then `themes`).",
        show_default=False,
        metavar="RUN_DIR",
    ),
]
ExportOut = Annotated[
    Path | None,
    typer.Option(
        "--out", "-o", help="Folder for the .qdpx and .qdc files (default: RUN_DIR).", metavar="DIR"
    ),
]
AllThemes = Annotated[
    bool,
    typer.Option("--all-themes", help="Export candidate themes too, not only confirmed ones."),
]
Name = Annotated[
    str | None,
    typer.Option(
        "--name",
        help="Project and file name (default: the run folder's name). Keep it the same between "
        "exports: it seeds the GUIDs, so that QDA programs recognise the codes again.",
    ),
]

Force = Annotated[bool, typer.Option("--force", help="Replace NAME.qdpx and NAME.qdc if they exist already.")]


def export_command(
    run_dir: RunDir,
    out: ExportOut = None,
    all_themes: AllThemes = False,
    name: Name = None,
    force: Force = False,
) -> None:
    """Export the themes as REFI-QDA files for NVivo, ATLAS.ti, MAXQDA or QualCoder.

    Writes NAME.qdpx (the pseudonymised documents, with each statement coded with its theme)
    and NAME.qdc (the themes as a codebook). Existing files are replaced only with --force.
    """
    from thememine.exchange.export import export_run

    try:
        result = export_run(run_dir, out, name, all_themes, force)
    except ThememineError as err:
        fail(str(err))
    except OSError as err:
        fail(f"Could not write the export: {err.strerror or err}. Check the folder and free space.")
    out_console.print(
        f"Exported {plural(result.codes, 'theme')}, {plural(result.sources, 'document')} and "
        f"{plural(result.codings, 'coded statement')}:"
    )
    out_console.print(f"  {shown(result.qdpx)}")
    out_console.print(f"  {shown(result.qdc)}")
