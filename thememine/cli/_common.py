"""What every command shares: the error console, progress bars and exits with plain messages."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from thememine.ingest import Skipped, SplitOptions

err_console = Console(stderr=True, highlight=False, soft_wrap=True)
out_console = Console(highlight=False, soft_wrap=True)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 document``, ``2 documents``."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def shown(text: object) -> str:
    """A file or folder name (or a message with names in it) as the terminal may show it.

    A name can hold a newline, a terminal's escape codes or a right-to-left override: printed
    raw, it could fake a line of output, recolour or clear the terminal, or reverse what follows.
    Such characters are shown escaped as Python writes them (``\\n``, ``\\x1b``, ``\\u202e``), and
    square brackets so that the console does not take them for markup.
    """
    return escape("".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text)))


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` to stderr and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {shown(message)}")
    raise typer.Exit(code)


def report_skipped(skipped: Sequence[Skipped]) -> None:
    """One line per skipped file on stderr, then a count."""
    for item in skipped:
        err_console.print(f"[bold red]error:[/] {shown(item.path)}: {shown(item.reason)}")
    if skipped:
        noun = "file was" if len(skipped) == 1 else "files were"
        err_console.print(f"{len(skipped)} {noun} skipped: {', '.join(shown(s.path) for s in skipped)}")


@contextmanager
def file_progress(label: str, quiet: bool = False) -> Iterator[Callable[[int, int, str], None]]:
    """A progress bar over files; yields the callback that :func:`thememine.pipeline.ingest` takes."""
    if quiet:
        yield lambda done, total, name: None
        return
    columns = (
        TextColumn(f"{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[name]}"),
    )
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(label, total=None, name="")

        def update(done: int, total: int, name: str) -> None:
            progress.update(task, completed=done, total=total, name=shown(Path(name).name))

        yield update
        progress.update(task, completed=progress.tasks[0].total or 0)


SPLIT_HELP = (
    "How turns become statements: 'auto' keeps a turn whole up to --max-chars and cuts longer "
    "turns into windows of --window sentences; 'turn' keeps every turn whole; 'sentence' cuts "
    "every turn into windows of --window sentences."
)


class SplitChoice(StrEnum):
    """The ``--split`` choices (see :class:`thememine.ingest.SplitOptions`)."""

    auto = "auto"
    turn = "turn"
    sentence = "sentence"


def split_options(split: SplitChoice, max_chars: int, window: int) -> SplitOptions:
    return SplitOptions(mode=split.value, max_chars=max_chars, window=window)
