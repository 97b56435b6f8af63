"""What every command shares: the error console, progress bars and exits with plain messages."""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from thememine.errors import ThememineError
from thememine.ingest import Corpus, Skipped, SplitOptions

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


class PlainErrors(TyperGroup):
    """The ``thememine`` command group, the one place where errors become messages.

    An error thememine raises on purpose (a :class:`ThememineError` already says what to do) and an
    error of the file system (a full disk, a folder that may not be written) end any command with
    ``error: …`` on stderr and exit 1, never with a traceback. Anything else is a bug in thememine
    and keeps its traceback (without locals, which would hold transcript text).
    """

    def invoke(self, ctx: Any) -> Any:  # typer's own click Context; its module is private
        try:
            return super().invoke(ctx)
        except ThememineError as err:
            fail(str(err))
        except OSError as err:
            if err.errno == errno.EPIPE:  # output piped into `head`: click ends quietly
                raise
            fail(os_error_message(err))
        except MemoryError:
            fail(
                "thememine ran out of memory. Close other programs, or read the corpus in smaller "
                "parts (fewer files per run)."
            )


# What to do about the errors of the file system that a researcher meets.
_OS_HINTS = {
    errno.ENOSPC: "The disk is full: free some space (or choose another folder), then run the command again",
    errno.EDQUOT: "Your disk quota is used up: free some space, then run the command again",
    errno.EACCES: "Check that you may read and write there, or choose another folder",
    errno.EPERM: "Check that you may read and write there, or choose another folder",
    errno.EROFS: "The disk is read-only: choose another folder",
    errno.EEXIST: "A file stands where a folder is needed: choose another path",
    errno.ENOTDIR: "A file stands where a folder is needed: choose another path",
    errno.EISDIR: "That is a folder, and a file is needed there: give a file name",
    errno.ENOENT: "Check the path",
}


def os_error_message(err: OSError) -> str:
    """``path: reason. What to do`` for an error of the file system."""
    reason = err.strerror or type(err).__name__
    hint = _OS_HINTS.get(err.errno or 0, "Check the path, its permissions and the free space")
    where = f"{err.filename}: " if isinstance(err.filename, str) else ""
    return f"{where}{reason}. {hint}."


def report_read(corpus: Corpus) -> None:
    """What reading left out, on stderr: cues dropped from files that were read, then skipped files."""
    for document in corpus.documents:
        if document.dropped_cues:
            numbers = ", ".join(str(n) for n in document.dropped_cues[:20])
            more = ", …" if len(document.dropped_cues) > 20 else ""
            count = plural(len(document.dropped_cues), "cue")
            which = "cue" if len(document.dropped_cues) == 1 else "cues"
            err_console.print(
                f"[bold yellow]warning:[/] {shown(document.path)}: {count} with a broken timing line "
                f"left out ({which} {numbers}{more}). Correct the timing (like 00:00:01,000 --> 00:00:04,000) "
                "and run again to include them."
            )
    report_skipped(corpus.skipped)


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
