"""Workplaces and institutions named with a place: "Jobcenter Horsens", "Horsens Kommune",
"Regionspsykiatrien Horsens", "Psykiatrisk Center Vejle", "Fontænehuset Horsens".

A bare generic name ("jobcentret", "kommunen", "psykiatrien") does not identify anyone and is left.
"""

from __future__ import annotations

from typing import ClassVar

from thememine.data import spacy_stop_words
from thememine.pseudonymise.detection import ORGANISATION
from thememine.pseudonymise.gazetteer import institutions
from thememine.pseudonymise.recognizers.base import Pattern, PatternRecognizer, Verdict

_PLACE = r"[A-ZÆØÅ][a-zæøå]+(?:-[A-ZÆØÅ][a-zæøå]+)?"
_INSTITUTION_BEFORE = (
    r"Jobcenter|Jobcentret|Ydelseskontor|Borgerservice|Kommune|Region|Regionspsykiatrien|Distriktspsykiatrien|"
    r"Socialpsykiatrien|Psykiatrien|Psykiatrisk Center|Psykiatrisk Afdeling|Ambulatorium|Sygehus|Hospital|"
    r"Fontænehuset|Væresteds?|Bostedet|Botilbuddet|Misbrugscenter|A-kasse|Politi|Familieafdelingen|"
    r"Jobcenter Team|Sundhedscenter|Rehabiliteringscenter|Center for [A-ZÆØÅa-zæøå]+"
)
_INSTITUTION_AFTER = (
    r"Kommune|Sygehus|Hospital|Universitetshospital|Jobcenter|Politi|Gymnasium|Skole|Friskole|Højskole"
)


class OrganisationRecognizer(PatternRecognizer):
    name: ClassVar[str] = "organisation"
    label: ClassVar[str] = ORGANISATION
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern("institution and place", rf"\b(?:{_INSTITUTION_BEFORE}) {_PLACE}(?: {_PLACE})?\b", 0.8),
        Pattern("place and institution", rf"\b{_PLACE} (?:{_INSTITUTION_AFTER})\b", 0.8),
        # "Syddansk Universitet", "aalborg universitet", "Københavns Professionshøjskole" in any case
        # (speech-to-text writes them in lower case); "et universitet" is rejected by validate
        Pattern(
            "named university or college",
            r"(?i)\b[a-zæøå][\wæøå-]+ (?:universitet|universitetshospital|professionshøjskole)\b",
            0.75,
        ),
        Pattern(
            "named bosted",
            r"\b(?:bostedet|botilbuddet|værestedet|opgangsfællesskabet|cafeen|caféen) (?P<value>[A-ZÆØÅ][a-zæøå]+)\b",
            0.75,
        ),
    )

    def validate(self, text: str, start: int, end: int) -> Verdict:
        """Title-cased prose ("Psykiatrien Er ...") is no institution: its last word is a stop word.
        Nor is a kind of institution alone ("Psykiatrisk Hospital"): it names none."""
        words = text[start:end].split()
        if words[-1].casefold() in spacy_stop_words() or words[0].casefold() in spacy_stop_words():
            return Verdict.REJECT
        if institutions().kinds_only(words):
            return Verdict.REJECT
        return Verdict.NO_OPINION
