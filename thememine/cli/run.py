"""``thememine run``: the whole pipeline on a corpus."""

from __future__ import annotations

import typer

from thememine.cli._common import SplitChoice
from thememine.cli.ingest import Force, Inputs, MaxChars, Out, Quiet, Split, Window, run_ingest


def run_command(
    inputs: Inputs,
    out: Out,
    split: Split = SplitChoice.auto,
    max_chars: MaxChars = 600,
    window: Window = 3,
    force: Force = False,
    quiet: Quiet = False,
) -> None:
    """Run the pipeline on a corpus: ingest, then the later steps as they are added.

    The steps so far: reading the transcripts and splitting them into statements.
    """
    result = run_ingest(inputs, out, split, max_chars, window, force, quiet)
    if result.corpus.skipped:
        raise typer.Exit(1)
