"""``thememine pseudonymise``: a shareable, pseudonymised corpus, with the key kept apart."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from thememine.cli._common import (
    SplitChoice,
    err_console,
    fail,
    file_progress,
    out_console,
    plural,
    report_read,
    shown,
    split_options,
)
from thememine.cli.ingest import Force, Inputs, MaxChars, Out, Quiet, Split, Window
from thememine.errors import ThememineError
from thememine.pipeline import PseudonymiseResult, pseudonymise

if TYPE_CHECKING:
    from thememine.pseudonymise.leaks import FolderCheck

MAX_FILES_SHOWN = 10  # files named in a leak message; audit.json has them all


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
    check_leaks: bool = True,
) -> PseudonymiseResult:
    """Pseudonymise and say what was written; with ``check_leaks``, report the leak check (exit 1
    on a hit unless ``allow_leaks``). ``run`` checks at its end instead, after the later steps."""
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
    report_read(result.corpus)
    if result.audit is None:
        fail("No transcript could be read, so nothing was written.")
    counts = ", ".join(f"{n} {label}" for label, n in result.audit.replacements.items())
    uncertain = sum(result.audit.uncertain_per_document.values())
    out_console.print(
        f"Pseudonymised {plural(len(result.corpus.documents), 'document')}: {counts or 'nothing replaced'}. "
        f"{plural(uncertain, 'uncertain item')} to review. Written to {shown(out)}/"
    )
    out_console.print(
        f"Key: {shown(key)} (encrypted). Review: {shown(result.review[0]) if result.review else '-'} "
        "(holds personal data)"
    )
    if check_leaks and result.check is not None:
        report_leak_check(out, result.check, allow_leaks)
    return result


def report_leak_check(out: Path, check: FolderCheck, allow_leaks: bool) -> None:
    """Say what the leak check over the output folder found; exit 1 on any hit unless ``allow_leaks``.

    Only counts, labels and the output's file names (with any original form in them masked).
    """
    from thememine.runfolder import AUDIT_FILE

    if check.ok:
        out_console.print("Leak check: no original form found in the output.")
        return
    if check.leaks:
        files = check.per_file()
        named = ", ".join(shown(name) for name in list(files)[:MAX_FILES_SHOWN])
        more = f" and {len(files) - MAX_FILES_SHOWN} more" if len(files) > MAX_FILES_SHOWN else ""
        labels = ", ".join(f"{n} {label}" for label, n in check.per_label().items())
        err_console.print(
            f"[bold red]Leak check:[/] {plural(len(check.leaks), 'original form')} ({labels}) still in "
            f"{plural(len(files), 'file')} of the output: {named}{more}. Counts per file and label are in "
            f"{shown(out / AUDIT_FILE)}. Do not share the folder as it is: add the missing forms to the "
            "configuration (--config) or the review decisions and run again."
        )
    if check.unread:
        err_console.print(
            f"[bold red]Leak check:[/] {plural(len(check.unread), 'file')} could not be checked "
            f"({'; '.join(shown(item) for item in check.unread[:MAX_FILES_SHOWN])}). Remove or repair them, then run again."
        )
    if not allow_leaks:
        raise typer.Exit(1)


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
    data, are written apart. A leak check searches the output folder (every file and file name)
    for every original form in the key.
    """
    from thememine.runfolder import derived_files

    derived = derived_files(out) if out.is_dir() else []
    if derived:  # they would keep the statements of an interview no longer in the corpus
        fail(
            f"{out} holds themes, decisions, exports or a report made from its earlier statements "
            f"({', '.join(derived)}). Pseudonymising again would leave them behind, with the statements "
            "of any interview no longer in the corpus. Run `thememine run` on the corpus with --force "
            "instead: it pseudonymises, fits the themes again (your decisions are carried over) and "
            "writes the exports and the report anew. Or choose a new output folder."
        )
    result = run_pseudonymise(
        inputs, out, key, style, ner, split, max_chars, window, force, quiet, allow_leaks, review_dir,
        config, review_decisions,
    )  # fmt: skip
    if result.corpus.skipped:
        raise typer.Exit(1)
