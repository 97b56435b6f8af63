"""``thememine apply`` and ``thememine theme …``: the researcher's decisions about themes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from thememine.cli._common import out_console, shown
from thememine.runfolder import THEMES_FILE
from thememine.themes.decisions import (
    CONFIRM,
    DELETE,
    MERGE,
    MOVE,
    RENAME,
    SPLIT,
    Decision,
    apply_in_folder,
    apply_themes_file,
    no_pending,
    parse_target,
    summary,
)
from thememine.themes.history import undo

RunDir = Annotated[
    Path,
    typer.Argument(help="A theme run folder (with themes.yaml).", show_default=False, metavar="RUN_DIR"),
]
ThemeId = Annotated[
    int, typer.Argument(help="A theme id, as in themes.yaml.", show_default=False, metavar="THEME")
]
ThemeIds = Annotated[
    list[int], typer.Argument(help="One or more theme ids.", show_default=False, metavar="THEME...")
]

theme_app = typer.Typer(
    help="Decide about one theme at a time: confirm, rename, merge, split, delete, move a statement.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals would hold transcript text
)


def _report(folder: Path, messages: Sequence[str]) -> None:
    if not messages:
        out_console.print(f"Nothing to apply: no decision is written in {shown(folder / THEMES_FILE)}.")
        return
    out_console.print(f"{summary(messages)}.")
    out_console.print(f"Saved; {shown(folder / THEMES_FILE)} is written again with empty actions.")


def apply_command(folder: RunDir) -> None:
    """Apply the decisions written into RUN_DIR/themes.yaml.

    Each decision is logged in decisions.log, the themes are described again (keywords, quotes,
    shares) and themes.yaml is written again with empty actions. If one decision is wrong,
    nothing is changed and the error says what to fix.
    """
    _report(folder, apply_themes_file(folder))


def decide(folder: Path, decisions: Sequence[Decision]) -> None:
    """Apply decisions given on the command line, unless themes.yaml holds decisions not yet applied."""
    _report(folder, apply_in_folder(folder, decisions, guard=no_pending(folder)))


@theme_app.command("confirm")
def confirm_command(folder: RunDir, themes: ThemeIds) -> None:
    """Confirm themes as they are."""
    decide(folder, [Decision(CONFIRM, t) for t in themes])


@theme_app.command("rename")
def rename_command(
    folder: RunDir,
    theme: ThemeId,
    label: Annotated[str, typer.Argument(help="The new label.", show_default=False)],
) -> None:
    """Give a theme your label (a renamed theme counts as confirmed)."""
    decide(folder, [Decision(RENAME, theme, label.strip())])


@theme_app.command("merge")
def merge_command(
    folder: RunDir,
    theme: ThemeId,
    others: Annotated[
        list[int],
        typer.Argument(help="The themes to merge into THEME.", show_default=False, metavar="OTHER..."),
    ],
    label: Annotated[
        str | None, typer.Option("--label", help="A label for the merged theme.", show_default=False)
    ] = None,
) -> None:
    """Merge the OTHER themes into THEME (`thememine theme merge RUN_DIR 2 5 7` keeps 2)."""
    decide(folder, [Decision(MERGE, theme, (label or "").strip(), others=tuple(others))])


@theme_app.command("split")
def split_command(
    folder: RunDir,
    theme: ThemeId,
    k: Annotated[int, typer.Option("--k", "-k", help="How many themes to make.", metavar="N")] = 2,
) -> None:
    """Cluster a theme's statements again into k new themes."""
    decide(folder, [Decision(SPLIT, theme, k=k)])


@theme_app.command("delete")
def delete_command(folder: RunDir, themes: ThemeIds) -> None:
    """Delete themes; their statements become unassigned."""
    decide(folder, [Decision(DELETE, t) for t in themes])


@theme_app.command("move")
def move_command(
    folder: RunDir,
    statement: Annotated[
        str,
        typer.Argument(help="A statement id (see assignments.csv).", show_default=False, metavar="STATEMENT"),
    ],
    to: Annotated[
        str,
        typer.Argument(
            help="The theme to move it to, or 'none' to leave it unassigned.",
            show_default=False,
            metavar="THEME",
        ),
    ],
) -> None:
    """Move one statement to another theme (or to none)."""
    decide(
        folder, [Decision(MOVE, parse_target(folder, to, f"the move of {statement}"), statement=statement)]
    )


@theme_app.command("undo")
def undo_command(folder: RunDir) -> None:
    """Take back the last decision (from the command line, themes.yaml or the review page).

    Run it again to go further back. Decisions made before the themes were last fitted cannot be
    undone.
    """
    message = undo(folder, guard=no_pending(folder))
    out_console.print(f"{summary([message])}.")
    out_console.print(f"Saved; {shown(folder / THEMES_FILE)} is written again.")
