"""``thememine detect``: show what the pseudonymiser would find in transcripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from thememine.cli._common import err_console, out_console, report_read, shown


def detect_command(
    files: Annotated[list[Path], typer.Argument(help="Transcript files or folders.", metavar="FILE")],
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per detection.")] = False,
    ner: Annotated[
        str,
        typer.Option(
            "--ner",
            help="NER model: 'e5' (shipped Danish model), 'spacy:FOLDER', 'dacy:FOLDER' or 'none'.",
            metavar="MODEL",
        ),
    ] = "e5",
    show_text: Annotated[
        bool,
        typer.Option(
            "--show-text", help="Also print the detected text (personal data: keep it off screens you share)."
        ),
    ] = False,
    uncertain: Annotated[
        bool, typer.Option("--uncertain", help="Also list detections below the thresholds.")
    ] = False,
) -> None:
    """List detections (label, offsets, score, recognizer, reason) per document.

    Offsets are character positions in the document text that `thememine ingest` writes.
    """
    from thememine.ingest import read_corpus
    from thememine.pseudonymise import Detector
    from thememine.pseudonymise.load import load_tagger

    detector = Detector(tagger=load_tagger(ner))
    corpus = read_corpus(files)
    report_read(corpus)
    analyses = detector.analyze_many([document.text for document in corpus.documents])
    for document, analysis in zip(corpus.documents, analyses, strict=True):
        rows = [(d, "accepted") for d in analysis.detections]
        if uncertain:
            rows += [(d, "uncertain") for d in analysis.uncertain]
        rows.sort(key=lambda row: row[0].start)
        if not jsonl:
            out_console.print(
                f"[bold]{shown(document.path)}[/] ({shown(document.id)}): {len(analysis.detections)} detections"
            )
        for detection, status in rows:
            record = {
                "doc_id": document.id,
                "label": detection.label,
                "start": detection.start,
                "end": detection.end,
                "score": detection.score,
                "recognizer": detection.recognizer,
                "why": detection.why,
                "status": status,
            }
            if show_text:
                record["text"] = document.text[detection.start : detection.end]
            if jsonl:
                typer.echo(json.dumps(record, ensure_ascii=False))
            else:
                text = f"  {record['text']!r}" if show_text else ""
                mark = "?" if status == "uncertain" else " "
                out_console.print(
                    f" {mark} {detection.label:<12} {detection.start:>6}-{detection.end:<6} {detection.score:.2f} "
                    f"{detection.recognizer:<8}{text}",
                    markup=False,
                )
    if corpus.skipped:
        err_console.print("Some files could not be read; see above.")
        raise typer.Exit(1)
