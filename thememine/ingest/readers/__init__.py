"""One reader per transcript format, chosen by file extension."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from thememine.ingest.readers.docx import read_docx
from thememine.ingest.readers.subtitles import read_subtitles
from thememine.ingest.readers.txt import read_txt
from thememine.ingest.readers.whisper import read_whisper
from thememine.ingest.structure import Parsed

Reader = Callable[[Path, bytes], Parsed]

READERS: dict[str, tuple[str, Reader]] = {
    ".txt": ("txt", read_txt),
    ".text": ("txt", read_txt),
    ".docx": ("docx", read_docx),
    ".srt": ("srt", read_subtitles),
    ".vtt": ("vtt", read_subtitles),
    ".json": ("whisper-json", read_whisper),
}

# Formats researchers often have, with what to do instead.
CONVERT_HINTS: dict[str, str] = {
    ".doc": "Old Word .doc files cannot be read; open it in Word and save it as .docx",
    ".rtf": "Open it in Word and save it as .docx or as plain text (.txt, UTF-8)",
    ".odt": "Open it in LibreOffice and save it as .docx",
    ".pdf": "PDF text cannot be read reliably; export the transcript as .docx or .txt",
    ".pages": "Export it from Pages as .docx",
}

SUPPORTED = ", ".join(sorted(READERS))
