"""A rich progress bar over statements, with their rate (statements/s)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

_console = Console(stderr=True, highlight=False, soft_wrap=True)


class RateColumn(ProgressColumn):
    """``123.4 statements/s`` once rich has a speed estimate."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.1f} statements/s", style="progress.data.speed")


@contextmanager
def statement_progress(
    total: int, label: str = "Embedding", enabled: bool = True
) -> Iterator[Callable[[int], None]]:
    """A transient bar on stderr; yields ``advance(n)``. Shows nothing when disabled or empty."""
    if not enabled or total <= 0:
        yield lambda done: None
        return
    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=_console, transient=True) as progress:
        task = progress.add_task(label, total=total)

        def advance(done: int) -> None:
            progress.advance(task, done)

        yield advance
