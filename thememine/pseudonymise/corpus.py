"""Pseudonymising a whole corpus: detect, link mentions across documents, rewrite, check for leaks.

Documents get neutral ids (``jobcenter__doc01``) because file names often hold names; the key
keeps which file each came from. Speaker labels that are names become persons like any mention;
generic labels (``I``, ``IP1``) stay.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from thememine.ingest.labels import is_generic_label
from thememine.ingest.model import Document, Statement, TimeMark, Turn
from thememine.pseudonymise.detection import PERSON, Detection, resolve_overlaps
from thememine.pseudonymise.engine import Analysis, Detector
from thememine.pseudonymise.leaks import MIN_LENGTH as MIN_FORM
from thememine.pseudonymise.leaks import Leak, find_leaks
from thememine.pseudonymise.recognizers.lists import ListRecognizer
from thememine.pseudonymise.rewrite import OffsetMap, rewrite
from thememine.pseudonymise.surrogates import SurrogateMap


@dataclass
class PseudonymisedCorpus:
    """The rewritten documents and statements, with what was found, uncertain, and leaked."""

    documents: list[Document]
    statements: list[Statement]
    detections: dict[str, list[Detection]]  # by new document id, offsets into the ORIGINAL text
    uncertain: dict[str, list[Detection]]
    originals: dict[str, Document]  # new id → original document (for review, never written to output)
    leaks: list[Leak] = field(default_factory=list)

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


def neutral_ids(documents: Sequence[Document]) -> list[str]:
    """``group__doc01`` … in corpus order; ``doc01`` for documents without a group."""
    counters: Counter[str] = Counter()
    ids = []
    for document in documents:
        prefix = document.group or ""
        counters[prefix] += 1
        base = f"doc{counters[prefix]:02d}"
        ids.append(f"{prefix}__{base}" if prefix else base)
    return ids


def pseudonymise_corpus(
    documents: Sequence[Document],
    statements: Sequence[Statement],
    detector: Detector,
    mapping: SurrogateMap,
    analyses: Sequence[Analysis] | None = None,
    on_document: Callable[[int, int, str], None] | None = None,
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
    everywhere = ListRecognizer(
        "corpus-wide",
        [(e.label, v) for e in mapping.entities for v in e.variants if len(v) >= MIN_FORM],
        "found elsewhere in the corpus",
    )
    found = [
        resolve_overlaps([*ds, *everywhere.analyze(doc.text)])
        for doc, ds in zip(documents, found, strict=True)
    ]

    new_ids = neutral_ids(documents)
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
        result.documents.append(
            Document(
                id=new_id,
                path="",
                format=document.format,
                text=text,
                turns=turns,
                marks=marks,
                encoding=None,
                group=document.group,
                sha256="",
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
                id=f"{new_id}:{statement.turn}:{statement.index}",
                doc_id=new_id,
                speaker=speaker,
                start=start,
                end=end,
                text=texts[new_id][start:end],
            )
        )
    result.leaks = find_leaks(mapping, texts)
    return result


def _turn(turn: Turn, shift: OffsetMap, mapping: SurrogateMap) -> Turn:
    speaker = turn.speaker
    if speaker and not is_generic_label(speaker):
        speaker = mapping.surrogate(PERSON, speaker)
    label_start = shift(turn.label_start) if turn.label_start is not None else None
    label_end = shift(turn.label_end, is_end=True) if turn.label_end is not None else None
    start, end = shift.span(turn.start, turn.end)
    return replace(turn, speaker=speaker, label_start=label_start, label_end=label_end, start=start, end=end)
