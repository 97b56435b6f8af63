"""Pseudonymisation: detection (what identifies someone) apart from rewriting (what replaces it)."""

from __future__ import annotations

from thememine.pseudonymise.detection import LABELS, Detection, resolve_overlaps

__all__ = ["LABELS", "Detection", "resolve_overlaps"]
