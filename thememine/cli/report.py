"""``thememine report``: one self-contained HTML file about a run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from thememine.cli._common import fail, out_console, shown
from thememine.report import build_report
from thememine.runfolder import REPORT_FILE

RunDir = Annotated[
    Path,
    typer.Argument(
        help="A run folder (from `thememine run`, `pseudonymise`, `ingest` or `themes`).",
        show_default=False,
        metavar="RUN_DIR",
    ),
]
ReportOut = Annotated[
    Path | None,
    typer.Option(
        "--out", "-o", help=f"The HTML file to write (default: RUN_DIR/{REPORT_FILE}).", metavar="FILE"
    ),
]


def report_command(run_dir: RunDir, out: ReportOut = None) -> None:
    """Write an HTML report of a run: settings, pseudonymisation counts, themes, map and tables.

    The file needs no network and holds no original personal data: only the run folder's
    (pseudonymised) statements and counts.
    """
    if out is not None and out.is_dir():
        fail(f"{out} is a folder; give --out a file name such as {out / REPORT_FILE}.")
    written = build_report(run_dir, out)
    out_console.print(f"Report written to {shown(written)}. Open it in a browser; it needs no network.")
