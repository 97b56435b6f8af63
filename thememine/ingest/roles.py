"""Who asks and who answers: the interviewer's turns are context, not the participants' data.

A speaker is the interviewer when the label says so (``I``, ``Interviewer``, ``Moderator``,
``Facilitator``; see ``interviewer_labels_da.txt``). When no label says so (diarised
``SPEAKER_00``, names, codes), the speaker who asks clearly more questions than every other speaker
is: the share of their turns that end in "?" or open like a question ("hvad", "vil du"; see
``question_openings_da.txt``) is at least :data:`MIN_QUESTION_SHARE`, and at least
:data:`QUESTION_MARGIN` times and :data:`QUESTION_LEAD` above the next speaker's.

Roles are decided on the original labels and the words, before pseudonymisation, and travel with
each statement.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from thememine.data import read_lines
from thememine.ingest.model import Document, Role

INTERVIEWER: Role = "interviewer"
PARTICIPANT: Role = "participant"

MIN_QUESTION_TURNS = 3  # fewer turns tell nothing about who asks
MIN_QUESTION_SHARE = 0.3  # the interviewer asks in at least this share of their turns …
QUESTION_MARGIN = 2.0  # … at least twice as often as anyone else …
QUESTION_LEAD = 0.2  # … and at least 20 points more often
_LEADING = frozenset({"og", "men", "så", "jamen", "nå", "okay", "godt", "altså", "tak"})
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_QUESTION_END = re.compile(r"\?[\"'»”’)\]]*\s*$")


@cache
def _interviewer_labels() -> re.Pattern[str]:
    return re.compile(
        "|".join(f"(?:{line})" for line in read_lines("interviewer_labels_da.txt")), re.IGNORECASE
    )


@cache
def _openings() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(line.split()) for line in read_lines("question_openings_da.txt"))


@cache
def _skippable() -> frozenset[str]:
    openers = {opening[0] for opening in _openings()}  # "hvad" is a back-channel too, but opens questions
    return (frozenset(read_lines("fillers_da.txt")) | _LEADING) - openers


def is_interviewer_label(label: str) -> bool:
    """True for labels that name the one who asks (``I``, ``Interviewer``, ``Moderator``)."""
    return _interviewer_labels().fullmatch(label.strip()) is not None


def is_question(text: str) -> bool:
    """True when a turn ends in "?" or opens like a Danish question (after fillers)."""
    if _QUESTION_END.search(text):
        return True
    words = [word.casefold() for word in _WORD.findall(text[:200])]
    at = 0
    while at < len(words) and words[at] in _skippable():
        at += 1
    return any(tuple(words[at : at + len(opening)]) == opening for opening in _openings())


def speaker_roles(document: Document) -> dict[str, Role]:
    """Each speaker's role in ``document`` (speakers without a label are participants)."""
    speakers = document.speakers
    by_label = {speaker for speaker in speakers if is_interviewer_label(speaker)}
    if not by_label and len(speakers) >= 2:
        by_label = _most_questions(document)
    return {speaker: INTERVIEWER if speaker in by_label else PARTICIPANT for speaker in speakers}


def _most_questions(document: Document) -> set[str]:
    turns: Counter[str] = Counter()
    questions: Counter[str] = Counter()
    for turn in document.turns:
        if turn.speaker is None or turn.end <= turn.start:
            continue
        turns[turn.speaker] += 1
        questions[turn.speaker] += is_question(document.text[turn.start : turn.end])
    shares = sorted(
        ((questions[s] / n, s) for s, n in turns.items() if n >= MIN_QUESTION_TURNS), reverse=True
    )
    if len(shares) < 2:
        return set()
    (top, asker), (second, _) = shares[0], shares[1]
    if top >= MIN_QUESTION_SHARE and top >= QUESTION_MARGIN * second and top - second >= QUESTION_LEAD:
        return {asker}
    return set()
