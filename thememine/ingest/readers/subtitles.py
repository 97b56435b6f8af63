"""Subtitle exports (``.srt``, ``.vtt``): cue times become timestamps, cue text becomes speech.

Speakers come from WebVTT voice tags (``<v Mette>``) or a ``Name:`` prefix on a cue; cues without
a speaker continue the current one.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

from thememine.errors import InputError
from thememine.ingest.encoding import decode_bytes
from thememine.ingest.labels import accepted_labels, match_label
from thememine.ingest.structure import Parsed, Utterance, build_text, header_of

_TIME = r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_CUE_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_VOICE = re.compile(r"^\s*<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")


def _seconds(hours: str | None, minutes: str, seconds: str, fraction: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(fraction) / 10.0 ** len(fraction)


def _cues(text: str, path: Path, kind: str) -> tuple[list[tuple[float, float, str]], list[int]]:
    """``(start, end, text)`` for each cue, and the numbers of the cues left out for a broken timing line.

    Notes, styles and cue ids are left out. A block is a broken cue when a line holds ``-->`` that is
    not a timing, or (in SubRip) when it starts with a cue number but no timing follows; such a cue
    is numbered by its SubRip number, else by its place among the cues.
    """
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip("\n"))
    cues: list[tuple[float, float, str]] = []
    dropped: list[int] = []
    for block in blocks:
        lines = block.split("\n")
        timing_at = next((i for i, line in enumerate(lines) if _CUE_TIMING.match(line)), None)
        if timing_at is None:
            numbered = kind == "SubRip" and len(lines) > 1 and _is_number(lines[0].strip())
            if numbered or any("-->" in line for line in lines):
                dropped.append(_cue_number(lines[0], len(cues) + len(dropped) + 1))
            continue  # WEBVTT header, NOTE, STYLE, REGION, or stray text without timing
        match = _CUE_TIMING.match(lines[timing_at])
        assert match is not None
        groups = match.groups()
        start = _seconds(*groups[:4])
        end = _seconds(*groups[4:])
        cues.append((start, end, "\n".join(lines[timing_at + 1 :])))
    if not cues:
        problem = (
            f"has no {kind} cue with a readable timing line: all {len(dropped)} are broken"
            if dropped
            else f"has no {kind} cues (no lines like 00:00:01,000 --> 00:00:04,000)"
        )
        raise InputError(path, problem, f"Check that it is a {kind} subtitle file")
    return cues, dropped


def _cue_number(first_line: str, place: int) -> int:
    """A cue's SubRip number if its first line is one (and a sane size), else its place."""
    number = first_line.strip()
    return int(number) if _is_number(number) and len(number) < 10 else place


def _is_number(text: str) -> bool:
    """Digits 0-9 only: ``str.isdigit`` also takes "²" and other digits ``int`` cannot read."""
    return text.isascii() and text.isdigit()


def _clean(line: str) -> str:
    return html.unescape(_TAG.sub("", line)).strip()


def read_subtitles(path: Path, data: bytes) -> Parsed:
    """Read ``.srt`` or ``.vtt``; the transcript text is rebuilt from the cues (see build_text)."""
    kind = "WebVTT" if path.suffix.lower() == ".vtt" else "SubRip"
    raw, encoding = decode_bytes(data, path)
    cues, dropped = _cues(raw, path, kind)
    pieces: list[tuple[float, float, str | None, str]] = []
    for start, end, body in cues:
        speaker = None
        voice = _VOICE.match(body)
        if voice:
            speaker = voice.group(1).strip()
            body = body[voice.end() :]
        words = " ".join(_clean(line) for line in body.split("\n") if _clean(line))
        pieces.append((start, end, speaker, words))
    prefixed = [match_label(words, 0, len(words)) for _, _, speaker, words in pieces]
    speakers = accepted_labels([candidate for candidate in prefixed if candidate is not None])
    own: list[Utterance] = []  # each cue with its own speaker, if it names one
    for (start, end, speaker, words), candidate in zip(pieces, prefixed, strict=True):
        if speaker is None and candidate is not None and candidate.label in speakers:
            speaker = candidate.label
            words = words[candidate.content :]
        own.append(Utterance(text=words, speaker=speaker, start=start, end=end))
    count, lines, header = header_of(own)
    utterances: list[Utterance] = []
    for utterance in own[count:]:
        if utterance.speaker is None and utterances:  # a cue without a speaker continues the last one
            utterance = replace(utterance, speaker=utterances[-1].speaker)
        utterances.append(utterance)
    text, turns, marks = build_text(utterances, lines)
    return Parsed(text=text, turns=turns, marks=marks, encoding=encoding, header=header, dropped_cues=dropped)
