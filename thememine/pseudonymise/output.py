"""Writing a pseudonymised corpus: the shareable output, the key apart, the review apart.

The output folder gets only pseudonymised text and counts: ``documents/``, ``statements.jsonl``,
``corpus.json`` and ``audit.json``. The key (encrypted) and the review files, which show the
original personal data so that a researcher can check them, are written outside it.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from thememine.io import atomic_write_text, read_jsonl, remove_leftovers
from thememine.pseudonymise.corpus import PseudonymisedCorpus
from thememine.pseudonymise.leaks import FolderCheck
from thememine.runfolder import (
    LOG_FILE,
    STATEMENTS_FILE,
    AuditRecord,
    CorpusRecord,
    DocumentEntry,
    Step,
    document_file,
    read_audit,
    read_log,
    recover,
    stale_documents,
    step,
)

CONTEXT = 45


def audit(result: PseudonymisedCorpus, settings: dict[str, Any]) -> AuditRecord:
    """Counts per label and document and uncertain items: never the personal data itself. The leak
    check's counts are added once the whole folder is written (:func:`record_leak_check`)."""
    totals: Counter[str] = Counter()
    for counts in result.counts().values():
        totals.update(counts)
    return AuditRecord(
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        settings=settings,
        replacements=dict(sorted(totals.items())),
        replacements_per_document=result.counts(),
        uncertain_per_document={doc: len(items) for doc, items in result.uncertain.items()},
    )


def write_output(
    writing: Step, result: PseudonymisedCorpus, settings: dict[str, Any], skipped: int = 0
) -> AuditRecord:
    """Stage the shareable, pseudonymised results with ``writing``; returns the audit.

    Documents of an earlier run that are not in this corpus (an interview withdrawn) are removed.
    ``skipped``: how many input files were not read; only the count is written (their names could
    identify someone).
    """
    for document in result.documents:
        writing.write_json(document_file(document.id), document.to_dict())
    for stale in stale_documents(writing.folder, [d.id for d in result.documents]):
        writing.remove(stale)
    writing.write_jsonl(STATEMENTS_FILE, (s.to_dict() for s in result.statements))
    per_doc = Counter(s.doc_id for s in result.statements)
    manifest = CorpusRecord(
        pseudonymised=True,
        documents=[
            DocumentEntry(
                id=d.id,
                format=d.format,
                group=d.group,
                characters=len(d.text),
                turns=len(d.turns),
                statements=per_doc[d.id],
                speakers=d.speakers,
                file=document_file(d.id),
                dropped_cues=len(d.dropped_cues),
            )
            for d in result.documents
        ],
        skipped_files=skipped,
    )
    writing.write_corpus(manifest)
    report = audit(result, settings)
    writing.write_audit(report)
    return report


def record_leak_check(out: Path, check: FolderCheck) -> AuditRecord:
    """Put the folder-wide leak check (counts per label and file, never the text) into ``audit.json``.

    Written as a step of its own; returns the updated audit.
    """
    with step(out) as writing:
        report = read_audit(out) or AuditRecord()
        report.leaks = len(check.leaks)
        report.leaks_per_label = check.per_label()
        report.leaks_per_file = check.per_file()
        report.leak_check = {"checked": datetime.now(UTC).isoformat(timespec="seconds"), **check.to_audit()}
        writing.write_audit(report)
    return report


def forget_withdrawn(out: Path) -> int:
    """Take the ids of statements no longer in ``statements.jsonl`` out of ``decisions.log``.

    An interview withdrawn from the corpus leaves no trace: a move of one of its statements is
    dropped, its ids leave a deletion's list, and an undo's message that names one is dropped.
    Returns how many ids were taken out. The log is written again whole, as a step of its own.
    """
    recover(out)
    if not (out / LOG_FILE).is_file():
        return 0
    current = {str(row["id"]) for row in read_jsonl(out / STATEMENTS_FILE)}
    with step(out) as writing:
        log = read_log(out)
        gone = {
            str(i)
            for record in log
            for i in ([record["statement"]] if "statement" in record else [])
            + list(record.get("statements", []))
            if str(i) not in current
        }
        if not gone:
            return 0
        named = re.compile(r"(?<![\w:])(?:" + "|".join(map(re.escape, sorted(gone))) + r")(?![\w:])")
        kept = []
        for record in log:
            if "statement" in record and str(record["statement"]) in gone:
                continue
            if isinstance(record.get("statements"), list):
                record = {**record, "statements": [i for i in record["statements"] if str(i) not in gone]}
            if isinstance(record.get("undid"), list):
                record = {**record, "undid": [m for m in record["undid"] if not named.search(str(m))]}
            kept.append(record)
        writing.write_jsonl(LOG_FILE, kept)
    return len(gone)


REVIEW_FIELDS = (
    "doc_id", "source", "status", "label", "start", "end", "score", "recognizer", "why", "text", "context",
    "decision", "output",
)  # fmt: skip


def review_rows(result: PseudonymisedCorpus) -> list[dict[str, Any]]:
    """Every detection with its context in the original text; uncertain ones flagged."""
    rows = []
    for doc_id, original in result.originals.items():
        items = [(d, "replaced") for d in result.detections[doc_id]] + [
            (d, "uncertain") for d in result.uncertain[doc_id]
        ]
        for detection, status in sorted(items, key=lambda item: item[0].start):
            text = original.text
            before = text[max(0, detection.start - CONTEXT) : detection.start]
            after = text[detection.end : detection.end + CONTEXT]
            rows.append(
                {
                    "doc_id": doc_id,
                    "source": original.path,
                    "status": status,
                    "label": detection.label,
                    "start": detection.start,
                    "end": detection.end,
                    "score": detection.score,
                    "recognizer": detection.recognizer,
                    "why": detection.why,
                    "text": text[detection.start : detection.end],
                    "context": " ".join(
                        f"{before}[[{text[detection.start : detection.end]}]]{after}".split()
                    ),
                    "decision": "",
                }
            )
    return rows


def write_review(folder: Path, rows: list[dict[str, Any]], output: Path) -> tuple[Path, Path]:
    """``review.csv`` (for decisions) and ``review.html`` (to read). They hold personal data.

    One key may serve several output folders, and its review files lie beside it: each row names
    its output folder, and the rows of other output folders are kept (a second run on the same key
    replaced the first run's review before). Rows of this output folder are all replaced.
    """
    here = str(output.resolve())
    rows = [*_other_outputs(folder / "review.csv", here), *({**row, "output": here} for row in rows)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REVIEW_FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    csv_path, html_path = folder / "review.csv", folder / "review.html"
    for path in (csv_path, html_path):  # the caller holds the key's lock: no other run writes them
        remove_leftovers(folder, path.name)
    atomic_write_text(csv_path, buffer.getvalue())
    atomic_write_text(html_path, _review_html(rows))
    csv_path.chmod(0o600)
    html_path.chmod(0o600)
    return csv_path, html_path


def _other_outputs(path: Path, here: str) -> list[dict[str, Any]]:
    """The rows of ``review.csv`` that belong to another output folder than ``here``."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            found = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error):
        return []  # none yet, or not readable: this run's review is written whole
    kept = []
    for row in found:
        if row.get("output") and row["output"] != here and set(row) >= set(REVIEW_FIELDS):
            row["score"] = _score(row["score"])
            kept.append(row)
    return kept


def _score(text: str) -> float:
    """A score read back from ``review.csv`` (0 if it was edited into something else)."""
    try:
        return float(text)
    except ValueError:
        return 0.0


def _review_html(rows: list[dict[str, Any]]) -> str:
    body = []
    for row in rows:
        context = html.escape(row["context"]).replace("[[", "<mark>").replace("]]", "</mark>")
        css = ' class="uncertain"' if row["status"] == "uncertain" else ""
        body.append(
            f"<tr{css}><td>{html.escape(row['doc_id'])}</td><td>{row['status']}</td><td>{row['label']}</td>"
            f"<td>{row['score']:.2f}</td><td>{html.escape(row['recognizer'])}</td><td>{context}</td></tr>"
        )
    uncertain = sum(row["status"] == "uncertain" for row in rows)
    return f"""<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>thememine review</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }}
tr.uncertain {{ background: #fff6d6; }} mark {{ background: #ffd54f; }}
</style></head><body>
<h1>Pseudonymisation review</h1>
<p><strong>This page shows the original personal data. Keep it with the key, not with the shared output.</strong></p>
<p>{len(rows)} detections, {uncertain} uncertain (highlighted). Record decisions in the <code>decision</code>
column of review.csv (<code>confirm</code>, <code>reject</code>, or <code>add LABEL</code> on a row you add), then run
<code>thememine pseudonymise ... --review-decisions review.csv</code>.</p>
<table><thead><tr><th>document</th><th>status</th><th>label</th><th>score</th><th>recognizer</th><th>context</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table></body></html>
"""
