"""A corpus: a folder (searched recursively) or a list of files, read into documents.

Each document gets a stable id from its path relative to the corpus folder, and the name of its
first sub-folder as its group (``jobcenter/01.txt`` → group ``jobcenter``). Files that cannot be
read are skipped with a clear reason; the others are read.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from thememine.errors import InputError
from thememine.ingest.model import Document
from thememine.ingest.readers import CONVERT_HINTS, READERS, SUPPORTED

# Files in a corpus folder that are not transcripts and are passed over without complaint.
_NOT_TRANSCRIPTS = re.compile(r"^(readme|license|licence|copying|metadata)(\..*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Source:
    """A file to read, with its path relative to the corpus root."""

    path: Path
    relative: Path
    group: str | None


@dataclass
class Skipped:
    """A file that was not read, and why."""

    path: str
    reason: str


@dataclass
class Corpus:
    """The documents that were read, the files that were skipped, and those ignored by design."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _ignored(relative: Path) -> bool:
    """Hidden files, Word's lock files (``~$...``) and READMEs are not transcripts."""
    return any(part.startswith((".", "~$")) for part in relative.parts) or bool(
        _NOT_TRANSCRIPTS.match(relative.name)
    )


def discover(inputs: Sequence[Path]) -> tuple[list[Source], list[Skipped], list[str]]:
    """Expand folders into their files (sorted, recursive); report paths that do not exist."""
    sources: list[Source] = []
    skipped: list[Skipped] = []
    ignored: list[str] = []
    loose = [path for path in inputs if path.is_file()]
    common = Path(_common_parent(loose)) if loose else None
    for path in inputs:
        if path.is_dir():
            for entry in sorted(path.rglob("*")):  # does not enter linked folders
                relative = entry.relative_to(path)
                if _ignored(relative):
                    if entry.is_file():
                        ignored.append(str(entry))
                    continue
                if entry.is_file():
                    group = relative.parts[0] if len(relative.parts) > 1 else None
                    sources.append(Source(entry, relative, group))
                elif not entry.is_dir() or entry.is_symlink():
                    skipped.append(Skipped(str(entry), _not_read(entry)))
        elif path.is_file():
            assert common is not None
            relative = path.resolve().relative_to(common)
            sources.append(Source(path, relative, relative.parts[0] if len(relative.parts) > 1 else None))
        else:
            skipped.append(
                Skipped(str(path), "does not exist. Check the path (and quote names that contain spaces)")
            )
    return sources, skipped, ignored


def _not_read(entry: Path) -> str:
    """Why an entry of a corpus folder that is neither a file nor a plain folder is not read."""
    if entry.is_symlink() and entry.is_dir():
        return (
            "is a link to a folder, and thememine does not follow those (a link may lead out of the "
            "corpus or round in a circle). Copy the folder into the corpus, or give it as an input of its own"
        )
    if entry.is_symlink():
        return "is a link that leads nowhere. Remove it, or point it at the transcript"
    return "is not an ordinary file (a device or a pipe). Copy the transcript in as an ordinary file"


def _common_parent(paths: Sequence[Path]) -> str:
    parents = [str(path.resolve().parent) for path in paths]
    prefix = Path(parents[0])
    for parent in parents[1:]:
        while not Path(parent).is_relative_to(prefix):
            prefix = prefix.parent
    return str(prefix)


def document_id(relative: Path) -> str:
    """A stable, file-name-safe id from a relative path.

    ``jobcenter/01 Jens.txt`` → ``jobcenter__01_Jens``.
    """
    parts = [*relative.parts[:-1], relative.stem]
    cleaned = [re.sub(r"[^\w.-]+", "_", part).strip("_.") or "_" for part in parts]
    return "__".join(cleaned)


def _unique_ids(sources: Sequence[Source]) -> list[str]:
    ids = []
    seen: dict[str, int] = {}
    for source in sources:
        base = document_id(source.relative)
        candidate = base
        if candidate in seen:
            candidate = f"{base}_{source.relative.suffix.lstrip('.').lower() or 'file'}"
        while candidate in seen:
            seen[base] += 1
            candidate = f"{base}_{seen[base]}"
        seen.setdefault(base, 0)
        seen[candidate] = 0
        ids.append(candidate)
    return ids


def read_document(
    path: Path, doc_id: str | None = None, group: str | None = None, display: str | None = None
) -> Document:
    """Read one transcript file into a :class:`Document`, or raise :class:`InputError`."""
    suffix = path.suffix.lower()
    if suffix not in READERS:
        hint = CONVERT_HINTS.get(suffix, f"thememine reads {SUPPORTED}")
        raise InputError(display or path, f"has an unknown file type ({suffix or 'no extension'})", hint)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(
            display or path, f"cannot be read ({err.strerror})", "Check that the file is readable"
        ) from None
    if not data.strip():
        raise InputError(display or path, "is empty", "Check that the transcript was saved")
    fmt, reader = READERS[suffix]
    parsed = reader(Path(display) if display else path, data)
    if not any(turn.end > turn.start for turn in parsed.turns):
        raise InputError(display or path, "contains no text", "Check that the transcript was saved")
    return Document(
        id=doc_id or document_id(Path(path.name)),
        path=display or str(path),
        format=fmt,
        text=parsed.text,
        turns=parsed.turns,
        marks=parsed.marks,
        encoding=parsed.encoding,
        group=group,
        sha256=hashlib.sha256(data).hexdigest(),
        header=parsed.header,
        dropped_cues=parsed.dropped_cues,
    )


def read_corpus(
    inputs: Sequence[Path],
    on_file: Callable[[int, int, str], None] | None = None,
) -> Corpus:
    """Read every transcript under ``inputs``; unreadable files go to ``Corpus.skipped``.

    ``on_file(done, total, name)`` is called before each file, for a progress bar.
    """
    sources, skipped, ignored = discover(inputs)
    corpus = Corpus(skipped=skipped, ignored=ignored)
    for done, (source, doc_id) in enumerate(zip(sources, _unique_ids(sources), strict=True)):
        display = str(source.path)
        if on_file is not None:
            on_file(done, len(sources), display)
        try:
            corpus.documents.append(read_document(source.path, doc_id, source.group, display))
        except InputError as err:
            corpus.skipped.append(Skipped(err.path, err.reason))
        except Exception as err:  # a reader's bug must not cost the researcher the other files
            reason = (
                f"could not be read because of an unexpected {type(err).__name__} in thememine. "
                "The other files were read; please report this with the file's format (not its content)"
            )
            corpus.skipped.append(Skipped(display, reason))
    return corpus
