"""The leak check: no original form may be left in what a researcher shares.

Every original form in the key (each entity's variants, with the possessives ``s``, ``'`` and
``'s``) is searched for case-insensitively and as a whole word: not glued to a letter or digit,
while ``_``, ``-``, ``.`` and spaces separate words, so ``interview_mette`` holds "mette" but
"bor" does not hold "Bo". :func:`check_folder` searches a whole output folder: every file's content (every member of a ``.qdpx`` too) and every
file, folder and member name, also for the input's own file and folder names that hold a form.
Hits are reported by label, entity, file and offset, never by the text itself.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
import zipfile
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thememine.pseudonymise.detection import PERSON
from thememine.pseudonymise.ordinary import Spread, opens_sentence, person_parts, spread_rule
from thememine.pseudonymise.surrogates import SurrogateMap

MIN_LENGTH = 2  # one-letter "names" would hit every "I" of the text
ARCHIVES = (".qdpx", ".zip")  # zip files: every member's name and content is checked
# NumPy arrays (embeddings.npy) are float32 numbers written without pickles: they cannot hold text.
NUMBERS_ONLY = (".npy",)
MAX_MEMBERS = 100_000  # a .qdpx holds one member per document and the project
MAX_MEMBER_BYTES = 512 * 2**20  # uncompressed, per member: more is not a file thememine wrote
MAX_ARCHIVE_BYTES = 4 * 2**30  # uncompressed, all members of one archive together
_WORD = r"[^\W_]"  # a letter or digit: what a whole word may not be glued to
_POSSESSIVE = r"(?:'s|’s|s|'|’)?"
_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


@dataclass(frozen=True)
class FileLeak:
    """An original form left in the output folder.

    ``file`` is the path relative to the folder and ``member`` the member of an archive, both with
    any original form in them masked as ``[LABEL_id]``. ``start``/``end`` are character offsets
    into the decoded content, or into the path (or member name) when ``in_name``.
    """

    label: str
    entity: int
    file: str
    member: str | None
    in_name: bool
    start: int
    end: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.member}" if self.member is not None else self.file


@dataclass
class FolderCheck:
    """What :func:`check_folder` found: leaks, and what it skipped or could not read."""

    leaks: list[FileLeak] = field(default_factory=list)
    checked: int = 0  # files and archive members whose content was searched
    skipped: list[str] = field(default_factory=list)  # numbers-only files
    unread: list[str] = field(default_factory=list)  # "file: reason"

    @property
    def ok(self) -> bool:
        return not self.leaks and not self.unread

    def per_label(self) -> dict[str, int]:
        return dict(sorted(Counter(leak.label for leak in self.leaks).items()))

    def per_file(self) -> dict[str, int]:
        return dict(sorted(Counter(leak.where for leak in self.leaks).items()))

    def to_audit(self) -> dict[str, Any]:
        """Counts for ``audit.json`` (never the text)."""
        return {
            "scope": "every file and file name in the output folder, and every member of its archives",
            "files_checked": self.checked,
            "leaks": len(self.leaks),
            "in_names": sum(leak.in_name for leak in self.leaks),
            "per_label": self.per_label(),
            "per_file": self.per_file(),
            "skipped": self.skipped,
            "unread": self.unread,
        }


@dataclass(frozen=True)
class _Owner:
    label: str
    entity: int
    rule: Spread = Spread.ANY  # where the form counts as a name (see ordinary.spread_rule)


class Forms:
    """The key's original forms (and input names that hold one) as one case-insensitive matcher."""

    def __init__(self, mapping: SurrogateMap, names: Iterable[str] = ()) -> None:
        owners: dict[str, _Owner] = {}
        for entity in mapping.entities:
            # the parts of a full name too: "Bjerre" alone after "Kim Bjerre" was replaced
            parts = [p for v in entity.variants for p in person_parts(v)] if entity.label == PERSON else []
            for variant, part in [*((v, False) for v in entity.variants), *((p, True) for p in parts)]:
                # the same rule as spreading: "og" or "borger" in an old key is no leak, and "Per"
                # is one only where written as a name, not in "per time"
                rule = spread_rule(entity.label, variant, part_of_name=part)
                if rule is Spread.NEVER:
                    continue
                for form in _spellings(variant):
                    if len(form) >= MIN_LENGTH:
                        owner = _Owner(entity.label, entity.id, rule)
                        owners.setdefault(form.lower(), owner)
        self._pattern = _compile(owners)
        self._owners = owners
        extra: dict[str, _Owner] = {}
        for name in names:  # an input name is searched whole when it holds a form ("MetteHolm.txt")
            hit = next(self.finditer(_split_camel_case(name)), None)
            if hit is not None:
                for form in _spellings(name):
                    if len(form) >= MIN_LENGTH and form.lower() not in owners:
                        extra[form.lower()] = hit[0]
        if extra:
            owners.update(extra)
            self._pattern = _compile(owners)

    def __bool__(self) -> bool:
        return bool(self._owners)

    def finditer(self, text: str) -> Iterator[tuple[_Owner, int, int]]:
        """(owner, start, end) of every whole-word original form in ``text``."""
        if self._pattern is None:
            return
        for match in self._pattern.finditer(text):
            owner = self._owners.get(match.group("form").lower())
            if owner is not None and _written_as_name(text, match.start(), owner.rule):
                yield owner, match.start(), match.end()

    def mask(self, text: str) -> str:
        """``text`` with every original form replaced by its entity's tag (for paths in messages)."""
        parts, last = [], 0
        for owner, start, end in self.finditer(text):
            parts += [text[last:start], f"[{owner.label}_{owner.entity}]"]
            last = end
        return "".join(parts) + text[last:]


def _written_as_name(text: str, start: int, rule: Spread) -> bool:
    """Whether a form stands here as a name: anywhere, with a capital ("Per", not "per time"), or
    with a capital inside a sentence ("sagde Hans", not "Hans mor" opening one)."""
    if rule is Spread.ANY:
        return True
    if not text[start : start + 1].isupper():
        return False
    if rule is Spread.CAPITALISED:
        return True
    return not opens_sentence(text, start)


def input_names(inputs: Sequence[Path], sources: Iterable[str]) -> list[str]:
    """The file and folder names of the input: each input's name and, for every source file, the
    parts of its path below the input that holds it (file names with and without extension)."""
    names: set[str] = set()
    roots = [Path(item).resolve() for item in inputs]
    for root in roots:
        names.add(root.name)
    for source in sources:
        path = Path(source).resolve()
        below = next(
            (path.relative_to(r).parts for r in roots if r.is_dir() and path.is_relative_to(r)), None
        )
        parts = below if below is not None else (path.parent.name, path.name)
        names.update(part for part in parts if part)
        names.add(path.stem)
    return sorted(name for name in names if len(name) >= MIN_LENGTH)


def check_folder(folder: Path, mapping: SurrogateMap, names: Iterable[str] = ()) -> FolderCheck:
    """Search every file (content and name) below ``folder`` for the key's original forms.

    ``names`` are the input's file and folder names (:func:`input_names`); those holding a form
    in the key are searched for whole as well.
    """
    forms = Forms(mapping, names)
    check = FolderCheck()
    if not forms:
        return check
    for here, dirs, files in os.walk(folder):  # symbolic links to folders are not followed
        dirs.sort()
        base = Path(here).relative_to(folder).as_posix()
        prefix = "" if base == "." else base + "/"
        for name in [*dirs, *sorted(files)]:
            rel = prefix + name
            shown = forms.mask(rel)
            for owner, start, end in forms.finditer(name):
                offset = len(prefix)
                check.leaks.append(
                    FileLeak(owner.label, owner.entity, shown, None, True, start + offset, end + offset)
                )
        for name in sorted(files):
            rel = prefix + name
            _check_file(Path(here) / name, forms.mask(rel), forms, check)
    return check


def _check_file(path: Path, shown: str, forms: Forms, check: FolderCheck) -> None:
    suffix = path.suffix.lower()
    if suffix in NUMBERS_ONLY:
        check.skipped.append(shown)
        return
    try:
        if suffix in ARCHIVES:
            _check_archive(path, shown, forms, check)
            return
        data = path.read_bytes()
    except (OSError, zipfile.BadZipFile) as err:
        check.unread.append(f"{shown}: {type(err).__name__}")
        return
    _check_text(data, shown, None, forms, check)


def _check_archive(path: Path, shown: str, forms: Forms, check: FolderCheck) -> None:
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            check.unread.append(f"{shown}: more than {MAX_MEMBERS} members")
            return
        total = 0
        for info in members:
            member = forms.mask(info.filename)
            for owner, start, end in forms.finditer(info.filename):
                check.leaks.append(FileLeak(owner.label, owner.entity, shown, member, True, start, end))
            if info.is_dir():
                continue
            total += info.file_size
            if info.file_size > MAX_MEMBER_BYTES or total > MAX_ARCHIVE_BYTES:
                check.unread.append(f"{shown}:{member}: larger than the leak check reads")
                continue
            with archive.open(info) as handle:  # reads no more than the declared size
                data = handle.read(MAX_MEMBER_BYTES + 1)
            if len(data) > MAX_MEMBER_BYTES:
                check.unread.append(f"{shown}:{member}: larger than the leak check reads")
                continue
            _check_text(data, shown, member, forms, check)


def _check_text(data: bytes, shown: str, member: str | None, forms: Forms, check: FolderCheck) -> None:
    """Content as UTF-8 (undecodable bytes replaced, so binary files are searched for text in
    them too), with JSON ``\\uXXXX`` escapes and HTML/XML entities decoded."""
    check.checked += 1
    text = data.decode("utf-8", errors="replace")
    decoded, back = _unescape(text)
    for owner, start, end in forms.finditer(decoded):
        check.leaks.append(FileLeak(owner.label, owner.entity, shown, member, False, back(start), back(end)))


def _unescape(text: str) -> tuple[str, Any]:
    """``text`` with escapes decoded, and a function from decoded to raw offsets."""
    if "\\u" not in text and "&" not in text:
        return text, lambda position: position
    pieces: list[str] = []
    segments: list[tuple[int, int, int, int]] = []  # decoded start, decoded end, raw start, raw end
    last = length = 0
    for match in _ESCAPE.finditer(text):
        raw = match.group()
        value = chr(int(raw[2:], 16)) if raw.startswith("\\u") else html.unescape(raw)
        if value == raw:
            continue
        pieces.append(text[last : match.start()])
        length += match.start() - last
        segments.append((length, length + len(value), match.start(), match.end()))
        pieces.append(value)
        length += len(value)
        last = match.end()
    pieces.append(text[last:])
    starts = [segment[0] for segment in segments]

    def back(position: int) -> int:
        i = bisect_right(starts, position) - 1
        if i < 0:
            return position
        d_start, d_end, r_start, r_end = segments[i]
        if position < d_end:
            return r_start if position == d_start else r_end
        return r_end + position - d_end

    return "".join(pieces), back


def _split_camel_case(name: str) -> str:
    """``MetteHolm`` → ``Mette Holm``: file names glue words together."""
    return "".join(
        " " + char if i and char.isupper() and name[i - 1].islower() else char for i, char in enumerate(name)
    )


def _spellings(form: str) -> set[str]:
    """A form as written, composed (NFC) and decomposed (NFD: file names on macOS)."""
    return {form, unicodedata.normalize("NFC", form), unicodedata.normalize("NFD", form)}


def _compile(owners: Mapping[str, _Owner]) -> re.Pattern[str] | None:
    """One pattern for all forms: a trie, so the search costs little more for a thousand forms."""
    if not owners:
        return None
    trie: dict[str, Any] = {}
    for form in owners:
        node = trie
        for char in form:
            node = node.setdefault(char, {})
        node[""] = {}
    body = _trie_regex(trie)
    return re.compile(rf"(?<!{_WORD})(?P<form>{body}){_POSSESSIVE}(?!{_WORD})", re.IGNORECASE)


def _trie_regex(node: dict[str, Any]) -> str:
    """Longer forms first: greedy branches, with the end of a shorter form as the fallback."""
    branches = [re.escape(char) + _trie_regex(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body
