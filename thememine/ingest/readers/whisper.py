"""Whisper's JSON output (``openai-whisper``, faster-whisper, WhisperX with diarisation)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from thememine.errors import InputError
from thememine.ingest.encoding import decode_bytes
from thememine.ingest.structure import Parsed, Utterance, build_text, header_of
from thememine.limits import load_json


def _float(value: Any) -> float | None:
    """A finite number of seconds, or ``None`` (a missing, textual, infinite or absurd time)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        seconds = float(value)
    except OverflowError:
        return None
    return seconds if math.isfinite(seconds) else None


def _segments(payload: Any) -> list[dict[str, Any]] | None:
    if isinstance(payload, list):
        return list(payload)
    if isinstance(payload, dict):
        for key in ("segments", "chunks"):
            segments = payload.get(key)
            if isinstance(segments, list):
                return list(segments)
        if isinstance(payload.get("text"), str):
            return [{"text": payload["text"]}]
    return None


def read_whisper(path: Path, data: bytes) -> Parsed:
    """Read Whisper JSON: ``segments`` with ``start``, ``end``, ``text`` and optionally ``speaker``."""
    raw, encoding = decode_bytes(data, path)
    payload = load_json(raw, path, "Export it again from Whisper")
    segments = _segments(payload)
    if segments is None or not all(isinstance(s, dict) and isinstance(s.get("text"), str) for s in segments):
        raise InputError(
            path,
            "is JSON but not Whisper output (no list of segments with text)",
            "thememine reads Whisper's .json output; other JSON files cannot be read",
        )
    utterances = []
    for segment in segments:
        start, end = _float(segment.get("start")), _float(segment.get("end"))
        stamp = segment.get("timestamp")  # Hugging Face pipeline chunks: "timestamp": [start, end]
        if start is None and isinstance(stamp, (list, tuple)) and stamp:
            start, end = _float(stamp[0]), _float(stamp[-1])
        speaker = segment.get("speaker")
        utterances.append(
            Utterance(
                text=segment["text"],
                speaker=str(speaker) if speaker is not None else None,
                start=start,
                end=end,
            )
        )
    count, lines, header = header_of(utterances)
    text, turns, marks = build_text(utterances[count:], lines)
    return Parsed(text=text, turns=turns, marks=marks, encoding=encoding, header=header)
