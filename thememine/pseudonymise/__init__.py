"""Pseudonymisation: detection (what identifies someone) apart from rewriting (what replaces it)."""

from __future__ import annotations

from thememine.pseudonymise.detection import LABELS, Detection, resolve_overlaps
from thememine.pseudonymise.engine import Analysis, Detector, detect
from thememine.pseudonymise.ner import Entity, NerRecognizer, SpacyTagger, Tagger

__all__ = [
    "LABELS",
    "Analysis",
    "Detection",
    "Detector",
    "Entity",
    "NerRecognizer",
    "SpacyTagger",
    "Tagger",
    "detect",
    "resolve_overlaps",
]
