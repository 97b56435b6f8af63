"""Errors that a researcher reads: what went wrong, where, and what to do about it."""

from __future__ import annotations

from pathlib import Path


class ThememineError(Exception):
    """Base class for every error thememine raises on purpose."""


class InputError(ThememineError):
    """A single input file cannot be read; the run may carry on with the others."""

    def __init__(self, path: Path | str, problem: str, hint: str = "") -> None:
        self.path = str(path)
        self.problem = problem
        self.hint = hint
        super().__init__(self.message)

    @property
    def reason(self) -> str:
        """The problem and what to do, without the path."""
        return f"{self.problem}. {self.hint}" if self.hint else self.problem

    @property
    def message(self) -> str:
        return f"{self.path}: {self.reason}"


class OutputError(ThememineError):
    """The output location is unsafe or already holds results."""
