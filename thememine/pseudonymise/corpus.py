"""Pseudonymising a whole corpus: detect, link mentions across documents, rewrite.

The leak check runs on the written output folder, every file of it (``leaks.check_folder``).

Documents get neutral ids (``doc01``) because file and folder names often hold names; the key
keeps which file each came from, so a re-run with the same key gives each file its id again. Folder
names become document groups only after pseudonymisation ("Mette Holm/" is a person). Speaker
labels that are names become persons like any mention; generic labels (``I``, ``IP1``) stay.

A form found once is replaced everywhere, because the detectors may miss it in another sentence;
but only where it names someone (:func:`thememine.pseudonymise.ordinary.spread_rule`): a model's
false hit on "og" or "borger" must not spread, and "Per" spreads to "Per" but not to "per time".
Possessives ("Mettes", "Jens Ravns") are one person with their stem ("Mette", "Jens Ravn").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from thememine.ingest.labels import is_generic_label
from thememine.ingest.model import Document, Statement, TimeMark, Turn
from thememine.pseudonymise.detection import LOCATION, ORGANISATION, PERSON, Detection, resolve_overlaps
from thememine.pseudonymise.engine import Analysis, Detector
from thememine.pseudonymise.gazetteer import institutions, names, places
from thememine.pseudonymise.leaks import MIN_LENGTH as MIN_FORM
from thememine.pseudonymise.ordinary import (
    ZIPF_ORDINARY,
    Kind,
    Spread,
    form_kind,
    opens_sentence,
    person_parts,
    spread_rule,
    zipf,
)
from thememine.pseudonymise.recognizers.lists import ListRecognizer
from thememine.pseudonymise.rewrite import OffsetMap, rewrite
from thememine.pseudonymise.surrogates import SurrogateMap
from thememine.runfolder import statement_id


@dataclass
class PseudonymisedCorpus:
    """The rewritten documents and statements, with what was found and what is uncertain."""

    documents: list[Document]
    statements: list[Statement]
    detections: dict[str, list[Detection]]  # by new document id, offsets into the ORIGINAL text
    uncertain: dict[str, list[Detection]]
    originals: dict[str, Document]  # new id → original document (for review, never written to output)

    def counts(self) -> dict[str, dict[str, int]]:
        """Replacements per label per document (no personal data)."""
        return {doc_id: dict(Counter(d.label for d in found)) for doc_id, found in self.detections.items()}


def speaker_detections(document: Document) -> list[Detection]:
    """Speaker labels that are names, as persons (label spans in the text)."""
    found = []
    for turn in document.turns:
        named = turn.speaker is not None and not is_generic_label(turn.speaker)
        if named and turn.label_start is not None and turn.label_end is not None:
            found.append(
                Detection(PERSON, turn.label_start, turn.label_end, 1.0, "speaker-label", "speaker label")
            )
    return found


def neutral_ids(documents: Sequence[Document], known: Sequence[tuple[str, str]] = ()) -> list[str]:
    """``doc01``, ``doc02`` … in corpus order; a file the key already knows keeps its id.

    ``known`` pairs earlier ids with their source (path, or ``sha256:`` + content hash): the same
    file gets the same id in every run with one key, so statement ids and decisions stay valid when
    interviews are added or withdrawn.
    """
    earlier: dict[str, str] = {}
    for doc_id, source in known:
        earlier.setdefault(source, doc_id)
    taken = {doc_id for doc_id, _ in known}
    ids: list[str | None] = []
    for document in documents:
        found = earlier.get(document.path) or earlier.get(f"sha256:{document.sha256}")
        if found is not None and found not in ids:
            ids.append(found)
        else:
            ids.append(None)
    number = 0
    result: list[str] = []
    for found_id in ids:
        if found_id is None:
            number += 1
            while f"doc{number:02d}" in taken or f"doc{number:02d}" in ids:
                number += 1
            found_id = f"doc{number:02d}"
            taken.add(found_id)
        result.append(found_id)
    return result


_POSSESSIVE_ENDINGS = ("'s", "’s", "s")


def possessive_stems(
    documents: Sequence[Document], found: Sequence[list[Detection]]
) -> list[list[Detection]]:
    """Names written in the genitive are their stem: "Mettes" → "Mette" + "s", "Jens Ravns" → "Jens
    Ravn" + "s", "Fontænehusets" → "Fontænehuset" + "s", when the stem names someone (written
    alone elsewhere, or for a person a name in the gazetteer) and the whole is no name of its own
    ("Jens", "Lars", "Thomas" stay whole). The ending stays in the text, so rewriting keeps it
    grammatical and the name keeps one pseudonym.

    A place that is no town the gazetteer knows and is a workplace elsewhere in the corpus, or ends
    like an institution's name ("Fontænehuset", "Skovgården"), is a workplace: its surrogate then
    says it is one, where a place's would be a town.

    A place or organisation that is a person's name or part of it ("Frejas" tagged as an
    organisation, "Vestergaard" as a place, where "Freja" and "Henrik Vestergaard" are persons) is
    that person.
    """
    gazetteer = names()
    forms: dict[str, set[str]] = {}
    for document, ds in zip(documents, found, strict=True):
        for d in ds:
            form = " ".join(document.text[d.start : d.end].split())
            forms.setdefault(form.casefold(), set()).add(d.label)
            if d.label == PERSON:
                for part in person_parts(form):
                    forms.setdefault(part.casefold(), set()).add(PERSON)
    result = []
    for document, ds in zip(documents, found, strict=True):
        kept = []
        for detection in ds:
            surface = document.text[detection.start : detection.end]
            words = surface.split()
            last = words[-1] if words else ""
            if detection.label == LOCATION and is_workplace(" ".join(words), forms):
                detection = replace(detection, label=ORGANISATION, why=f"{detection.why}; a workplace")
            # the whole is no name of its own ("Jens", "Lars", "Thomas" end in s and are names)
            if detection.label in NAME_LABELS and not gazetteer.is_name(last):
                for ending in _POSSESSIVE_ENDINGS:
                    stem = surface[: -len(ending)]
                    if not surface.endswith(ending) or len(stem.split()[-1] if stem.split() else "") < 2:
                        continue
                    labels = forms.get(" ".join(stem.split()).casefold(), set())
                    person_stem = PERSON in labels or (
                        detection.label == PERSON and gazetteer.is_name(stem.split()[-1])
                    )
                    if person_stem or detection.label in labels:
                        label = PERSON if person_stem else detection.label
                        detection = replace(detection, label=label, end=detection.end - len(ending))
                        break
            if detection.label != PERSON and PERSON in forms.get(" ".join(words).casefold(), set()):
                detection = replace(detection, label=PERSON, why=f"{detection.why}; a person's name")
            kept.append(detection)
        result.append(kept)
    return result


NAME_LABELS = frozenset([PERSON, LOCATION, ORGANISATION])


def is_workplace(form: str, labels: dict[str, set[str]]) -> bool:
    """Whether a form detected as a place names a workplace: no place the gazetteer knows, and
    detected as a workplace elsewhere (``labels``: labels by casefolded form), or one word ending
    like an institution's name ("Fontænehuset"), or a known company ("Bygma", taken for a place in
    "tilbage til Bygma i Skanderborg")."""
    folded = form.casefold()
    if not folded or folded in places():
        return False
    return (
        ORGANISATION in labels.get(folded, set())
        or folded in institutions().companies
        or (" " not in folded and institutions().tail(folded) is not None)
    )


def spread_everywhere(mapping: SurrogateMap, texts: Sequence[str]) -> list[list[Detection]]:
    """Every form of the key, and every part of a person's full name, where it names someone.

    Forms that are function or generic words never spread; names that are also words and ordinary
    words spread only where written with a capital ("Per", not "per time"). A surname or first name
    alone ("Bjerre" after "Kim Bjerre") is found too: it belongs to that person when no other
    person shares it.
    """
    entries: dict[tuple[str, str], Spread] = {}
    for entity in mapping.entities:
        forms = [(form, False) for form in entity.variants]
        if entity.label == PERSON:
            forms += [(part, True) for variant in entity.variants for part in person_parts(variant)]
        for form, part in forms:
            form = " ".join(form.split())
            if len(form) < MIN_FORM:
                continue
            rule = spread_rule(entity.label, form, part_of_name=part)
            if rule is not Spread.NEVER:
                key = (entity.label, form.casefold())
                entries[key] = max(entries.get(key, rule), rule, key=_SPREAD_ORDER.index)
    anywhere = ListRecognizer(
        "corpus-wide",
        [(label, form) for (label, form), rule in entries.items() if rule is Spread.ANY],
        "found elsewhere in the corpus",
    )
    capitalised = ListRecognizer(
        "corpus-wide",
        [(label, form) for (label, form), rule in entries.items() if rule is Spread.CAPITALISED],
        "found elsewhere in the corpus, written with a capital here",
    )
    inside = ListRecognizer(
        "corpus-wide",
        [(label, form) for (label, form), rule in entries.items() if rule is Spread.INSIDE_SENTENCE],
        "found elsewhere in the corpus, written with a capital inside a sentence here",
    )
    found = []
    for text in texts:
        lower = lower_case_transcript(text)
        found.append(
            [
                *anywhere.analyze(text),
                *(
                    d
                    for d in capitalised.analyze(text)
                    if text[d.start].isupper() or (lower and (_speaks(text, d.end) or _genitive(text, d)))
                ),
                *(
                    d
                    for d in inside.analyze(text)
                    if (text[d.start].isupper() and (not opens_sentence(text, d.start) or _acts(text, d.end)))
                    or (lower and (_speaks(text, d.end) or _genitive(text, d)))
                ),
            ]
        )
    return found


_WORD3 = re.compile(r"\b[^\W\d_]{3,}\b")
LOWER_CASE_SHARE = 0.03  # below this share of capitalised words, a transcript is speech-to-text


def lower_case_transcript(text: str) -> bool:
    """Speech-to-text output without capitals, where case cannot tell "Bo" from "bo"."""
    words = _WORD3.findall(text)
    return bool(words) and sum(w[0].isupper() for w in words) / len(words) < LOWER_CASE_SHARE


# Verbs that follow a person and not a pronoun or a noun: "sine ringer til mig", "Hans er god".
_PERSON_VERBS = (
    "er", "var", "har", "havde", "sagde", "siger", "kom", "kommer", "ringede", "ringer", "mener", "synes",
    "tror", "fortalte", "spurgte", "svarede",
)  # fmt: skip
# In a lower-case transcript, a name that is also a word is the name where such a verb, or one of
# writing, follows it ("sine ringer til mig", "bo sagde"); "sines" is no pronoun. The word is
# followed by other words ("sine piller", "at bo selv", "per time").
_SPEAKS = re.compile(r"\s+(?:" + "|".join((*_PERSON_VERBS, "skrev", "skriver")) + r")\b")


def _speaks(text: str, end: int) -> bool:
    return bool(_SPEAKS.match(text, end))


def _genitive(text: str, detection: Detection) -> bool:
    """A genitive that no word has: "sines opkald" (but "det lykkes", "det tages" are verbs)."""
    if text[detection.end : detection.end + 1] != "s":
        return False
    return zipf(text[detection.start : detection.end + 1].casefold()) < ZIPF_ORDINARY


# After a capitalised name that is also a pronoun, a verb (modal verbs, "og" and "selv" too) or a
# genitive apostrophe says it is the name: "Hans er god", "Hans' pointe"; the pronoun is followed by a
# noun: "Hans mor".
_MORE_VERBS = ("kan", "kunne", "skal", "skulle", "vil", "ville", "må", "gik", "går", "får", "fik", "blev", "bliver", "og", "selv")  # fmt: skip
_NAME_ACTS = re.compile(
    r"(?:'|’|\s+(?:" + "|".join((*_PERSON_VERBS, *_MORE_VERBS)) + r")\b)",
    re.IGNORECASE,
)


def _acts(text: str, end: int) -> bool:
    return bool(_NAME_ACTS.match(text, end))


# "Yasmin el-Hassan", "Pieter van der Berg", "Omar bin Laden": a surname after a particle
_PARTICLE_TAIL = re.compile(
    r"[ ](?:el|al|abu|bin|ibn|van|von|de|da|di|du|le|la)(?:[ ](?:der|den|de|la))?[- ][^\W\d_]{2,}(?:-[^\W\d_]+)*",
    re.IGNORECASE,
)


def particle_surnames(
    documents: Sequence[Document], found: Sequence[list[Detection]]
) -> list[list[Detection]]:
    """A person's span takes in a surname with a particle after it ("Yasmin" + " el-Hassan")."""
    result = []
    for document, ds in zip(documents, found, strict=True):
        kept = []
        for detection in ds:
            if detection.label == PERSON and (tail := _PARTICLE_TAIL.match(document.text, detection.end)):
                detection = replace(detection, end=tail.end(), why=f"{detection.why}; surname with particle")
            kept.append(detection)
        result.append(resolve_overlaps(kept))
    return result


_SPREAD_ORDER = [Spread.NEVER, Spread.INSIDE_SENTENCE, Spread.CAPITALISED, Spread.ANY]


def pseudonymise_corpus(
    documents: Sequence[Document],
    statements: Sequence[Statement],
    detector: Detector,
    mapping: SurrogateMap,
    analyses: Sequence[Analysis] | None = None,
    on_document: Callable[[int, int, str], None] | None = None,
    known_ids: Sequence[tuple[str, str]] = (),
) -> PseudonymisedCorpus:
    """Rewrite every document and statement with corpus-wide surrogates.

    Detection runs document by document unless ``analyses`` are given; ``on_document(done, total,
    what)`` is told before each document and once at the end (detection is the slow step).
    """
    if analyses is None:
        analyses = []
        for done, document in enumerate(documents):
            if on_document is not None:
                on_document(done, len(documents), f"finding personal data in {Path(document.path).name}")
            analyses.append(detector.analyze(document.text))
        if on_document is not None:
            on_document(len(documents), len(documents), "")
    found: list[list[Detection]] = []
    for document, analysis in zip(documents, analyses, strict=True):
        found.append(resolve_overlaps([*analysis.detections, *speaker_detections(document)]))
    found = possessive_stems(documents, particle_surnames(documents, found))
    mentions = [
        (d.label, document.text[d.start : d.end])
        for document, ds in zip(documents, found, strict=True)
        for d in ds
    ]
    mentions += [
        (PERSON, t.speaker)
        for doc in documents
        for t in doc.turns
        if t.speaker and not is_generic_label(t.speaker)
    ]
    mapping.link_all(mentions)
    # A form found once is replaced everywhere: the detectors may miss it in another sentence.
    spread = spread_everywhere(mapping, [document.text for document in documents])
    found = [resolve_overlaps([*ds, *more]) for ds, more in zip(found, spread, strict=True)]
    found = possessive_stems(documents, found)

    new_ids = neutral_ids(documents, known_ids)
    groups = {
        group: pseudonymise_name(group, detector, mapping) for group in {d.group for d in documents} if group
    }
    by_old = {
        document.id: (new_id, i) for i, (document, new_id) in enumerate(zip(documents, new_ids, strict=True))
    }
    result = PseudonymisedCorpus([], [], {}, {}, {})
    offset_maps: list[OffsetMap] = []
    for document, new_id, detections, analysis in zip(documents, new_ids, found, analyses, strict=True):
        text, replacements = rewrite(
            document.text, detections, lambda d, surface: mapping.surrogate(d.label, surface)
        )
        shift = OffsetMap(replacements)
        offset_maps.append(shift)
        turns = [_turn(turn, shift, mapping) for turn in document.turns]
        marks = [TimeMark(shift(m.start), shift(m.end, is_end=True), m.seconds) for m in document.marks]
        header = [
            replace(h, start=shift(h.start), end=shift(h.end, is_end=True), value_start=shift(h.value_start))
            for h in document.header
        ]
        result.documents.append(
            Document(
                id=new_id,
                path="",
                format=document.format,
                text=text,
                turns=turns,
                marks=marks,
                header=header,
                encoding=None,
                group=groups.get(document.group) if document.group else None,
                sha256="",
                dropped_cues=document.dropped_cues,  # cue numbers only: no personal data
            )
        )
        result.detections[new_id] = detections
        result.uncertain[new_id] = analysis.uncertain
        result.originals[new_id] = document
    texts = {d.id: d.text for d in result.documents}
    for statement in statements:
        new_id, index = by_old[statement.doc_id]
        start, end = offset_maps[index].span(statement.start, statement.end)
        speaker = statement.speaker
        if speaker and not is_generic_label(speaker):
            speaker = mapping.surrogate(PERSON, speaker)
        result.statements.append(
            replace(
                statement,
                id=statement_id(new_id, statement.turn, statement.index),
                doc_id=new_id,
                speaker=speaker,
                start=start,
                end=end,
                text=texts[new_id][start:end],
                surrogates=offset_maps[index].inside(start, end),
            )
        )
    return result


def pseudonymise_name(name: str, detector: Detector, mapping: SurrogateMap) -> str:
    """A folder name as a document group, with what identifies someone replaced ("Mette Holm" →
    "[PERSON_3]"; "jobcenter" stays). Underscores and hyphens between words count as spaces."""
    text = re.sub(r"[_]+", " ", name).strip()
    found = list(detector.analyze(text).detections)
    # a name already in the key counts, even where the folder name gives the detectors no context
    found += [d for ds in spread_everywhere(mapping, [text]) for d in ds]
    found += [
        Detection(PERSON, m.start(), m.end(), 0.6, "names", "name in a folder name")
        for m in re.finditer(r"[^\W\d_]{2,}", text)
        if form_kind(m.group()) is Kind.NAME and names().is_name(m.group())
    ]
    kept = resolve_overlaps(found)
    if not kept:
        return name
    rewritten, _ = rewrite(text, kept, lambda d, surface: mapping.surrogate(d.label, surface))
    return rewritten


def _turn(turn: Turn, shift: OffsetMap, mapping: SurrogateMap) -> Turn:
    speaker = turn.speaker
    if speaker and not is_generic_label(speaker):
        speaker = mapping.surrogate(PERSON, speaker)
    label_start = shift(turn.label_start) if turn.label_start is not None else None
    label_end = shift(turn.label_end, is_end=True) if turn.label_end is not None else None
    start, end = shift.span(turn.start, turn.end)
    return replace(turn, speaker=speaker, label_start=label_start, label_end=label_end, start=start, end=end)
