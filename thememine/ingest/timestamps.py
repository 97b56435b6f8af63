"""Timestamps written into transcripts: ``[hh:mm:ss]``, ``[mm:ss]``, ``(hh:mm:ss)``, ``#hh:mm:ss.sss#``.

They are metadata, not speech: statements never contain them, and their time is kept.
"""

from __future__ import annotations

import re

from thememine.ingest.model import TimeMark

_CLOCK = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_MARK = re.compile(
    rf"\[(?P<square>{_CLOCK})\]"
    rf"|\((?P<round>{_CLOCK})\)"
    r"|#(?P<hash>\d{1,2}:\d{2}:\d{2}(?:[.,-]\d{1,3})?)#"
    # a bare hh:mm:ss only at the start of a line (exports such as "00:12:03  Mette: ...")
    r"|(?m:^[ \t]*(?P<bare>\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?)(?=[ \t]))"
)


def clock_to_seconds(clock: str) -> float:
    """``"01:02:03.5"`` → 3723.5. f4's ``"00:01:23-4"`` means 83.4 seconds."""
    clock = clock.replace(",", ".")
    whole, _, fraction = clock.replace("-", ".").partition(".")
    seconds = 0.0
    for part in whole.split(":"):
        seconds = seconds * 60 + int(part)
    if fraction:
        seconds += int(fraction) / 10 ** len(fraction)
    return seconds


def find_marks(text: str) -> list[TimeMark]:
    """Every timestamp written in ``text``, in order."""
    marks = []
    for match in _MARK.finditer(text):
        name = match.lastgroup
        assert name is not None
        start, end = match.span(name) if name == "bare" else match.span()
        marks.append(TimeMark(start=start, end=end, seconds=clock_to_seconds(match.group(name))))
    return marks


def format_seconds(seconds: float) -> str:
    """3723.5 → ``"01:02:03"``."""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
