"""Rule-based recognizers, one per kind of identifier."""

from __future__ import annotations

from thememine.pseudonymise.recognizers.base import Pattern, PatternRecognizer, Verdict
from thememine.pseudonymise.recognizers.cpr import CprRecognizer
from thememine.pseudonymise.recognizers.phone import PhoneRecognizer

__all__ = ["CprRecognizer", "Pattern", "PatternRecognizer", "PhoneRecognizer", "Verdict"]
