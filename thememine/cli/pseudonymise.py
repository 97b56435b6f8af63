"""``thememine pseudonymise``: a shareable, pseudonymised corpus, with the key kept apart."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from thememine.cli._common import (
    SplitChoice,
    err_console,
    fail,
    file_progress,
    out_console,
    plural,
    report_skipped,
    split_options,
)
from thememine.cli.ingest import Force, Inputs, MaxChars, Out, Quiet, Split, Window
from thememine.errors import ThememineError
from thememine.pipeline import PseudonymiseResult, pseudonymise


class StyleChoice(StrEnum):
    tags = "tags"
    names = "names"


Key = Annotated[
    Path,
    typer.Option(
        "--key",
        "-k",
        help="The encrypted re-identification key: created, or extended if it exists. Keep it outside "
        "the output folder. Passphrase from $THEMEMINE_KEY_PASSPHRASE or asked for.",
        metavar="KEYFILE",
        show_default=False,
    ),
]
Style = Annotated[
    StyleChoice | None,
    typer.Option(
        "--style",
        help="Surrogates: tags ([PERSON_3]) or realistic Danish names. Default: the key's, else tags.",
    ),
]
Ner = Annotated[
    str,
    typer.Option(
        "--ner",
        help="NER model: 'e5' (shipped Danish model), 'spacy:FOLDER', 'dacy:FOLDER' or 'none'.",
        metavar="MODEL",
    ),
]
AllowLeaks = Annotated[
    bool, typer.Option("--allow-leaks", help="Exit 0 even if the leak check finds originals.")
]
ConfigFile = Annotated[
    Path | None,
    typer.Option(
        "--config", help="TOML settings: participants, allow and deny lists, thresholds.", metavar="FILE"
    ),
]
ReviewDecisions = Annotated[
    Path | None,
    typer.Option(
        "--review-decisions",
        help="An edited review.csv: rows marked confirm, reject or 'add LABEL' apply to this run.",
        metavar="FILE",
    ),
]
ReviewDir = Annotated[
    Path | None,
    typer.Option("--review-dir", help="Where review.csv/.html go (default: beside the key).", metavar="DIR"),
]


def run_pseudonymise(
    inputs: list[Path],
    out: Path,
    key: Path,
    style: StyleChoice | None,
    ner: str,
    split: SplitChoice,
    max_chars: int,
    window: int,
    force: bool,
    quiet: bool,
    allow_leaks: bool,
    review_dir: Path | None,
    config: Path | None = None,
    review_decisions: Path | None = None,
) -> PseudonymiseResult:
    from thememine.pseudonymise.keyfile import get_passphrase

    try:
        passphrase = get_passphrase(confirm=not key.exists())
        with file_progress("Pseudonymising", quiet) as progress:
            result = pseudonymise(
                inputs, out, key, passphrase, style.value if style else None, ner,
                split_options(split, max_chars, window), force, review_dir, progress,
                config, review_decisions,
            )  # fmt: skip
    except ThememineError as err:
        fail(str(err))
    report_skipped(result.corpus.skipped)
    if result.audit is None:
        fail("No transcript could be read, so nothing was written.")
    counts = ", ".join(f"{n} {label}" for label, n in result.audit["replacements"].items())
    uncertain = sum(result.audit["uncertain_per_document"].values())
    out_console.print(
        f"Pseudonymised {plural(len(result.corpus.documents), 'document')}: {counts}. "
        f"{uncertain} uncertain items to review. Written to {out}/"
    )
    out_console.print(
        f"Key: {key} (encrypted). Review: {result.review[0] if result.review else '-'} (holds personal data)"
    )
    if result.leaks:
        err_console.print(
            f"[bold red]Leak check:[/] {result.leaks} original forms are still in the output "
            f"(see {out}/audit.json for labels and documents)."
        )
        if not allow_leaks:
            raise typer.Exit(1)
    else:
        out_console.print("Leak check: no original form found in the output.")
    return result


def pseudonymise_command(
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
    """Replace names, places, workplaces, CPR and phone numbers, e-mails, addresses and birth dates.

    The same person gets the same pseudonym in every interview. The output folder holds only
    pseudonymised text and counts; the key and the review files, which hold the original personal
    data, are written apart. A leak check searches the output for every original form.
    """
    result = run_pseudonymise(
        inputs, out, key, style, ner, split, max_chars, window, force, quiet, allow_leaks, review_dir,
        config, review_decisions,
    )  # fmt: skip
    if result.corpus.skipped:
        raise typer.Exit(1)
