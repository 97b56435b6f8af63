"""``thememine run``: the whole pipeline on a corpus."""

from __future__ import annotations

import typer

from thememine.cli._common import SplitChoice
from thememine.cli.ingest import Force, Inputs, MaxChars, Out, Quiet, Split, Window
from thememine.cli.pseudonymise import (
    AllowLeaks,
    ConfigFile,
    Key,
    Ner,
    ReviewDecisions,
    ReviewDir,
    Style,
    run_pseudonymise,
)


def run_command(
    inputs: Inputs,
    out: Out,
    key: Key,
    style: Style = None,
    ner: Ner = "e5",
    split: Split = SplitChoice.auto,
    max_chars: MaxChars = 600,
    window: Window = 3,
    force: Force = False,
    quiet: Quiet = False,
    allow_leaks: AllowLeaks = False,
    review_dir: ReviewDir = None,
    config: ConfigFile = None,
    review_decisions: ReviewDecisions = None,
) -> None:
    """Run the pipeline on a corpus: read, split into statements, pseudonymise.

    The output folder holds only pseudonymised results; the key and the review files are written
    apart. Embedding, themes and the report are added as they are built.
    """
    result = run_pseudonymise(
        inputs, out, key, style, ner, split, max_chars, window, force, quiet, allow_leaks, review_dir,
        config, review_decisions,
    )  # fmt: skip
    if result.corpus.skipped:
        raise typer.Exit(1)
