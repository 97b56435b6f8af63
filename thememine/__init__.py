"""thememine: pseudonymise Danish interview transcripts, embed their statements, suggest themes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from thememine.pseudonymise import Detection, detect

__all__ = ["Detection", "__version__", "detect"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `thememine --version` and ingestion do not load the pseudonymiser.
    if name in ("detect", "Detection"):
        from thememine import pseudonymise

        return getattr(pseudonymise, name)
    raise AttributeError(f"module 'thememine' has no attribute {name!r}")
