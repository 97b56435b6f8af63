"""``thememine run``: the whole pipeline on a corpus."""

from __future__ import annotations

from pathlib import Path

import typer

from thememine.cli._common import SplitChoice, out_console, shown
from thememine.cli.fit_themes import (
    CacheDir,
    CodebookOption,
    EmbedderOption,
    IncludeInterviewer,
    Seed,
    Threshold,
    run_themes,
)
from thememine.cli.ingest import Force, Inputs, MaxChars, Out, Quiet, Split, Window
from thememine.cli.pseudonymise import (
    AllowLeaks,
    ConfigFile,
    Key,
    Ner,
    ReviewDecisions,
    ReviewDir,
    Style,
    report_leak_check,
    run_pseudonymise,
)
from thememine.pipeline import PseudonymiseResult
from thememine.runfolder import CODES_FILE, EXPORT_SUFFIXES, has_themes, step
from thememine.themes.coding import DEFAULT_THRESHOLD


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
    codebook: CodebookOption = None,
    embedder: EmbedderOption = "e5",
    seed: Seed = 42,
    cache: CacheDir = None,
    threshold: Threshold = DEFAULT_THRESHOLD,
    include_interviewer: IncludeInterviewer = False,
) -> None:
    """Run the pipeline on a corpus: read, split into statements, pseudonymise, embed, fit themes,
    write REFI-QDA files and an HTML report.

    The output folder holds only pseudonymised results (statements, documents, audit) and the
    themes fitted on them (themes.yaml, assignments.csv, codes.csv with --codebook); the key and
    the review files are written apart. Run again with --force (e.g. after adding interviews), the
    themes are fitted again and your earlier decisions in the output folder are carried over.
    """
    # a re-run into a folder with themes carries the researcher's decisions over (never drops them)
    earlier_themes = has_themes(out)
    result = run_pseudonymise(
        inputs, out, key, style, ner, split, max_chars, window, force, quiet, allow_leaks, review_dir,
        config, review_decisions, check_leaks=False,
    )  # fmt: skip
    if result.audit is not None:
        if earlier_themes:  # an interview withdrawn since leaves no statement id in the decisions
            from thememine.pseudonymise.output import forget_withdrawn

            forget_withdrawn(out)
        run_themes(
            out, out, codebook, embedder, seed, earlier_themes, False, quiet, cache=cache, threshold=threshold,
            include_interviewer=include_interviewer,
        )  # fmt: skip
        if codebook is None:  # codes.csv of an earlier run coded the earlier statements
            with step(out) as writing:
                writing.remove(CODES_FILE)
        _export(out)
        _report(out)
        _check_leaks(out, result, allow_leaks)
    if result.corpus.skipped:
        raise typer.Exit(1)


def _check_leaks(out: Path, result: PseudonymiseResult, allow_leaks: bool) -> None:
    """The leak check over everything the run wrote (themes, REFI-QDA files, report), at the end."""
    from thememine.pseudonymise.leaks import check_folder
    from thememine.pseudonymise.output import record_leak_check

    if result.mapping is None:  # nothing was pseudonymised, so nothing can leak
        return
    check = check_folder(out, result.mapping, result.names)
    record_leak_check(out, check)
    report_leak_check(out, check, allow_leaks)


def _export(out: Path) -> None:
    """REFI-QDA files of every candidate theme, for NVivo, ATLAS.ti, MAXQDA and QualCoder."""
    from thememine.exchange.export import export_run

    # the run's own files, made again with the run (the run's --force guards its folder)
    exported = export_run(out, all_themes=True, force=True)
    kept = (exported.qdpx.name, exported.qdc.name)
    earlier = sorted(
        p.name for p in out.iterdir() if p.suffix in EXPORT_SUFFIXES and p.is_file() and p.name not in kept
    )
    with step(out) as writing:
        for name in earlier:  # exported from the earlier statements; `thememine export` makes it again
            writing.remove(name)
    for name in earlier:
        out_console.print(f"Removed {shown(name)}: it held the statements of the earlier run.")
    out_console.print(
        f"REFI-QDA: {shown(exported.qdpx)} ({exported.codings} codings in {exported.sources} documents) and "
        f"{shown(exported.qdc)} ({exported.codes} codes: every theme, candidates too; to share only the themes "
        f"you confirmed, export again with `thememine export {shown(out)} --force`)."
    )


def _report(out: Path) -> None:
    """The self-contained HTML report of the run."""
    from thememine.report import build_report

    path = build_report(out)
    out_console.print(f"Report: {shown(path)} (one HTML file; open it in any browser, it needs no network).")
    out_console.print(f"Review the themes in your browser: thememine review {shown(out)}")
