"""Writing a pseudonymised corpus: the shareable output, the key apart, the review apart.

The output folder gets only pseudonymised text and counts: ``documents/``, ``statements.jsonl``,
``corpus.json`` and ``audit.json``. The key (encrypted) and the review files, which show the
original personal data so that a researcher can check them, are written outside it.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from thememine import __version__
from thememine.ingest.store import CORPUS_FILE, DOCUMENTS_DIR, STATEMENTS_FILE
from thememine.io import atomic_write_json, atomic_write_jsonl, atomic_write_text
from thememine.pseudonymise.corpus import PseudonymisedCorpus
from thememine.pseudonymise.leaks import FolderCheck

AUDIT_FILE = "audit.json"
OWNED = (CORPUS_FILE, STATEMENTS_FILE, DOCUMENTS_DIR, AUDIT_FILE)
CONTEXT = 45


def audit(result: PseudonymisedCorpus, settings: dict[str, Any]) -> dict[str, Any]:
    """Counts per label and document and uncertain items: never the personal data itself. The leak
    check's counts are added once the whole folder is written (:func:`record_leak_check`)."""
    totals: Counter[str] = Counter()
    for counts in result.counts().values():
        totals.update(counts)
    return {
        "thememine_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": settings,
        "replacements": dict(sorted(totals.items())),
        "replacements_per_document": result.counts(),
        "uncertain_per_document": {doc: len(items) for doc, items in result.uncertain.items()},
    }


def write_output(out: Path, result: PseudonymisedCorpus, settings: dict[str, Any]) -> dict[str, Any]:
    """Write the shareable, pseudonymised results into ``out``; returns the audit.

    Documents of an earlier run that are not in this corpus (an interview withdrawn) are removed.
    """
    out.mkdir(parents=True, exist_ok=True)
    for document in result.documents:
        atomic_write_json(out / DOCUMENTS_DIR / f"{document.id}.json", document.to_dict())
    current = {f"{document.id}.json" for document in result.documents}
    for stale in (out / DOCUMENTS_DIR).glob("*.json"):
        if stale.name not in current:
            stale.unlink()
    atomic_write_jsonl(out / STATEMENTS_FILE, (s.to_dict() for s in result.statements))
    per_doc = Counter(s.doc_id for s in result.statements)
    manifest = {
        "thememine_version": __version__,
        "pseudonymised": True,
        "documents": [
            {
                "id": d.id,
                "format": d.format,
                "group": d.group,
                "characters": len(d.text),
                "turns": len(d.turns),
                "statements": per_doc[d.id],
                "speakers": d.speakers,
                "dropped_cues": len(d.dropped_cues),
                "file": f"{DOCUMENTS_DIR}/{d.id}.json",
            }
            for d in result.documents
        ],
    }
    atomic_write_json(out / CORPUS_FILE, manifest)
    report = audit(result, settings)
    atomic_write_json(out / AUDIT_FILE, report)
    return report


def record_leak_check(out: Path, check: FolderCheck) -> dict[str, Any]:
    """Put the folder-wide leak check (counts per label and file, never the text) into ``audit.json``.

    Written atomically; returns the updated audit.
    """
    path = out / AUDIT_FILE
    try:
        report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report = {"thememine_version": __version__}
    report["leaks"] = len(check.leaks)
    report["leaks_per_label"] = check.per_label()
    report["leaks_per_file"] = check.per_file()
    report["leak_check"] = {"checked": datetime.now(UTC).isoformat(timespec="seconds"), **check.to_audit()}
    atomic_write_json(path, report)
    return report


def derived_files(out: Path) -> list[str]:
    """Files in ``out`` made from its statements by later steps: themes, decisions, codes, exports,
    report. They would keep the statements of an interview no longer in the corpus."""
    from thememine.report.build import REPORT_FILE
    from thememine.themes.history import HISTORY_DIR
    from thememine.themes.store import (
        ASSIGNMENTS_FILE,
        CODES_FILE,
        EMBEDDINGS_FILE,
        LOG_FILE,
        STATE_FILE,
        THEMES_FILE,
    )

    names = (STATE_FILE, THEMES_FILE, ASSIGNMENTS_FILE, CODES_FILE, EMBEDDINGS_FILE, LOG_FILE, HISTORY_DIR)
    found = [name for name in (*names, REPORT_FILE) if (out / name).exists()]
    return found + sorted(p.name for p in out.glob("*") if p.suffix in (".qdpx", ".qdc") and p.is_file())


def forget_withdrawn(out: Path) -> int:
    """Take the ids of statements no longer in ``statements.jsonl`` out of ``decisions.log``.

    An interview withdrawn from the corpus leaves no trace: a move of one of its statements is
    dropped, its ids leave a deletion's list, and an undo's message that names one is dropped.
    Returns how many ids were taken out. The log is written again whole, under the run's lock.
    """
    from thememine.io import read_jsonl
    from thememine.themes.history import locked
    from thememine.themes.store import LOG_FILE, read_log

    if not (out / LOG_FILE).is_file():
        return 0
    current = {str(row["id"]) for row in read_jsonl(out / STATEMENTS_FILE)}
    with locked(out):
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
        atomic_write_jsonl(out / LOG_FILE, kept)
    return len(gone)


REVIEW_FIELDS = (
    "doc_id", "source", "status", "label", "start", "end", "score", "recognizer", "why", "text", "context",
    "decision",
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


def write_review(folder: Path, rows: list[dict[str, Any]]) -> tuple[Path, Path]:
    """``review.csv`` (for decisions) and ``review.html`` (to read). They hold personal data."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REVIEW_FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    csv_path, html_path = folder / "review.csv", folder / "review.html"
    atomic_write_text(csv_path, buffer.getvalue())
    atomic_write_text(html_path, _review_html(rows))
    csv_path.chmod(0o600)
    html_path.chmod(0o600)
    return csv_path, html_path


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
