"""``thememine ingest``: transcripts → statements."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from thememine.cli._common import (
    SPLIT_HELP,
    SplitChoice,
    fail,
    file_progress,
    out_console,
    plural,
    report_read,
    shown,
    split_options,
)
from thememine.pipeline import IngestResult, ingest

Inputs = Annotated[
    list[Path],
    typer.Argument(
        help="A folder of transcripts (searched recursively) or transcript files.",
        show_default=False,
        metavar="CORPUS",
    ),
]
Out = Annotated[
    Path,
    typer.Option(
        "--out", "-o", help="Output folder (created if missing).", show_default=False, metavar="DIR"
    ),
]
Split = Annotated[SplitChoice, typer.Option("--split", help=SPLIT_HELP)]
MaxChars = Annotated[
    int, typer.Option("--max-chars", min=1, help="Longest turn kept whole in 'auto' mode.", metavar="N")
]
Window = Annotated[
    int, typer.Option("--window", min=1, help="Sentences per statement when a turn is cut.", metavar="N")
]
Force = Annotated[bool, typer.Option("--force", help="Replace results already in the output folder.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


def run_ingest(
    inputs: list[Path], out: Path, split: SplitChoice, max_chars: int, window: int, force: bool, quiet: bool
) -> IngestResult:
    """Ingest and tell the researcher what happened; exits non-zero if nothing could be read."""
    options = split_options(split, max_chars, window)
    with file_progress("Reading", quiet) as progress:
        result = ingest(inputs, out, options, force=force, on_file=progress)
    report_read(result.corpus)
    summary = result.summary
    if summary is None:
        fail("No transcript could be read, so nothing was written.")
    out_console.print(
        f"Read {plural(summary.documents, 'document')}: {plural(summary.turns, 'turn')}, "
        f"{plural(summary.statements, 'statement')} ({summary.filler} filler-only). Written to {shown(summary.out)}/"
    )
    return result


def ingest_command(
    inputs: Inputs,
    out: Out,
    split: Split = SplitChoice.auto,
    max_chars: MaxChars = 600,
    window: Window = 3,
    force: Force = False,
    quiet: Quiet = False,
) -> None:
    """Read transcripts and split them into statements.

    Writes statements.jsonl (one statement per line, with document, speaker, turn, offsets and
    timestamp), corpus.json (what was read and skipped) and documents/ (each transcript's text,
    which every offset points into). Reads .txt, .docx, .srt, .vtt and Whisper .json.
    """
    result = run_ingest(inputs, out, split, max_chars, window, force, quiet)
    if result.corpus.skipped:
        raise typer.Exit(1)
