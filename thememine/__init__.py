"""thememine: pseudonymise Danish interview transcripts, embed their statements, suggest themes."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
