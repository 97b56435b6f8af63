"""Pseudonymisation starts without the heavy libraries it does not need (each costs a second or more)."""

from __future__ import annotations

import subprocess
import sys

from thememine.data import spacy_stop_words

LEAN = """
import sys
from thememine.cli import app
from thememine.pseudonymise import Detector
found = Detector().analyze("Mette Hansen bor i Aarhus, tlf. 20 30 40 50.").detections
assert {d.label for d in found} >= {"PERSON", "LOCATION", "PHONE"}, found
print(" ".join(sorted(m for m in ("spacy", "sklearn", "bertopic", "torch") if m in sys.modules)))
"""


def test_the_shipped_stop_words_are_spacys() -> None:
    from spacy.lang.da.stop_words import STOP_WORDS

    assert spacy_stop_words() == frozenset(STOP_WORDS)


def test_the_cli_and_the_rule_based_detector_load_no_spacy_sklearn_or_torch() -> None:
    done = subprocess.run([sys.executable, "-c", LEAN], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
