"""A codebook: named codes with a description and example statements, read from YAML or CSV.

Researchers bring codebooks in the shapes they already have. Three are read:

```yaml
# codebook.yaml, full form (the shipped codebooks use it)
name: Samarbejde mellem jobcenter og psykiatri
language: da
description: ...
codes:
  - id: domaenekonflikt          # optional; made from the name when left out
    name: Domænekonflikt
    group: samarbejdsrelation    # optional
    description: Hvem gør hvad, og hvem betaler.
    examples:
      - "Vi troede, det var kommunen, der skulle indkalde."
```

```yaml
# codebook.yaml, simple form: just the list of codes
- name: Domænekonflikt
  description: Hvem gør hvad, og hvem betaler.
  examples: ["Vi troede, det var kommunen, der skulle indkalde."]
```

```text
code;description;examples                          (codebook.csv, as Excel writes it)
Domænekonflikt;Hvem gør hvad;Første eksempel | Andet eksempel
Domænekonflikt;;Tredje eksempel                    (a repeated row adds examples)
```

Keys and columns may also be written in Danish (navn, kode, beskrivelse, eksempler, gruppe).
:func:`load_codebook` chooses the reader by the file's suffix through :data:`READERS`; a REFI-QDA
``.qdc`` from a QDA program is read by :mod:`thememine.exchange.qdc`. Every reader gives the
records of :mod:`thememine.themes.model` (:class:`Code`, :class:`Codebook`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from thememine.errors import InputError
from thememine.exchange.qdc import read_qdc
from thememine.ingest.encoding import decode_bytes
from thememine.themes.model import Code, Codebook, slugify

DEFAULT_CODEBOOK = "samarbejde_da"
EXAMPLE_SEPARATOR = "|"  # " | " in a cell; the spaces around it are optional

_HINT_FORMAT = "See the codebook format in thememine/data/codebooks/README.md"

# Accepted spellings of each field, English and Danish, compared case-insensitively.
_CODE_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "slug"),
    "name": ("name", "code", "navn", "kode"),
    "description": ("description", "definition", "beskrivelse"),
    "examples": ("examples", "example", "eksempler", "eksempel"),
    "group": ("group", "gruppe"),
}
_BOOK_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name", "navn"),
    "language": ("language", "sprog"),
    "description": ("description", "beskrivelse"),
    "source": ("source", "kilde"),
    "codes": ("codes", "koder"),
}


# --- building codes from raw entries --------------------------------------------------------


@dataclass
class _Draft:
    """A code while its rows are collected; ``where`` says where it was first seen, for errors."""

    where: str
    name: str
    id: str | None = None
    description: str = ""
    group: str | None = None
    examples: list[str] | None = None


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _split_examples(value: Any, origin: Path | str, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in (_text(p) for p in value.split(EXAMPLE_SEPARATOR)) if part]
    if isinstance(value, list):
        examples: list[str] = []
        for item in value:
            if isinstance(item, dict | list):
                raise InputError(origin, f"{where}: an example is not a plain text", _HINT_FORMAT)
            if _text(item):
                examples.append(_text(item))
        return examples
    if isinstance(value, int | float):
        return [_text(value)]
    raise InputError(origin, f"{where}: the examples are neither a list nor a text", _HINT_FORMAT)


def _merge(drafts: dict[str, _Draft], draft: _Draft, origin: Path | str, merge_repeats: bool) -> None:
    """Add ``draft``; a repeated name adds its examples (CSV) or is an error (YAML)."""
    key = draft.name.casefold()
    known = drafts.get(key)
    if known is None:
        drafts[key] = draft
        return
    if not merge_repeats:
        raise InputError(
            origin,
            f"the code name {draft.name!r} appears twice ({known.where} and {draft.where})",
            "Give each code its own name, or merge the two",
        )
    for field in ("id", "description", "group"):
        old, new = getattr(known, field), getattr(draft, field)
        if old and new and old != new:
            raise InputError(
                origin,
                f"the code {draft.name!r} has two different {field}s ({known.where} and {draft.where})",
                f"A repeated row may add examples; write its {field} once, or the same each time",
            )
        if new and not old:
            setattr(known, field, new)
    known.examples = (known.examples or []) + (draft.examples or [])


def _build(
    drafts: Mapping[str, _Draft], origin: Path | str, name: str, meta: Mapping[str, str | None]
) -> Codebook:
    if not drafts:
        raise InputError(origin, "holds no codes", _HINT_FORMAT)
    explicit: dict[str, _Draft] = {}
    for draft in drafts.values():
        if draft.id:
            if draft.id in explicit:
                raise InputError(
                    origin,
                    f"the id {draft.id!r} is used twice ({explicit[draft.id].where} and {draft.where})",
                    "Give each code its own id, or leave the ids out to have them made from the names",
                )
            explicit[draft.id] = draft
    taken = set(explicit)
    codes: list[Code] = []
    for number, draft in enumerate(drafts.values(), start=1):
        code_id = draft.id
        if not code_id:
            base = slugify(draft.name) or f"code_{number}"
            code_id, suffix = base, 2
            while code_id in taken:
                code_id, suffix = f"{base}_{suffix}", suffix + 1
            taken.add(code_id)
        examples = tuple(dict.fromkeys(draft.examples or []))  # drop repeats, keep order
        codes.append(Code(code_id, draft.name, draft.description, examples, draft.group or None))
    return Codebook(
        name=name,
        codes=tuple(codes),
        language=meta.get("language") or None,
        description=meta.get("description") or "",
        source=meta.get("source") or "",
    )


def _canonical(key: Any, fields: Mapping[str, tuple[str, ...]]) -> str | None:
    spelled = str(key).strip().casefold()
    for field, spellings in fields.items():
        if spelled in spellings:
            return field
    return None


# --- YAML -----------------------------------------------------------------------------------


def parse_yaml(text: str, origin: Path | str, default_name: str) -> Codebook:
    """A codebook from YAML text, full or simple form; ``origin`` names the source in errors."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None)
        raise InputError(
            origin,
            f"is not valid YAML{where}" + (f" ({problem})" if problem else ""),
            'A colon, # or quote inside a text is a common cause: put such texts in "double quotes"',
        ) from None
    meta: dict[str, str | None] = {}
    if isinstance(data, dict):
        entries = None
        for key, value in data.items():
            field = _canonical(key, _BOOK_FIELDS)
            if field == "codes":
                entries = value
            elif field:
                meta[field] = _text(value) or None
        if entries is None:
            raise InputError(origin, "has no list of codes (a 'codes:' key)", _HINT_FORMAT)
    elif isinstance(data, list):
        entries = data
    else:
        raise InputError(
            origin, "is neither a list of codes nor a codebook with a 'codes:' list", _HINT_FORMAT
        )
    if not isinstance(entries, list):
        raise InputError(origin, "'codes:' is not a list (each code starts with '- name:')", _HINT_FORMAT)

    drafts: dict[str, _Draft] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"code {number}"
        if isinstance(entry, str | int | float):
            entry = {"name": entry}
        if not isinstance(entry, dict):
            raise InputError(origin, f"{where} is not a code with a name", _HINT_FORMAT)
        values: dict[str, Any] = {}
        spelled = {str(key).strip().casefold() for key in entry}
        for key, value in entry.items():
            field = _canonical(key, _CODE_FIELDS)
            if str(key).strip().casefold() in ("code", "kode") and spelled & {"name", "navn"}:
                field = "id"  # as in CSV: with both, ``code`` is the id
            if field is None:
                raise InputError(
                    origin,
                    f"{where} has a key thememine does not know: {key!r}",
                    "Use name, id, description, examples and group (or navn, beskrivelse, eksempler, gruppe)",
                )
            values[field] = value
        name = _text(values.get("name"))
        if not name:
            raise InputError(origin, f"{where} has no name", "Every code needs a name: add 'name: ...'")
        _merge(
            drafts,
            _Draft(
                where=f"{where}",
                name=name,
                id=_text(values.get("id")) or None,
                description=_text(values.get("description")),
                group=_text(values.get("group")) or None,
                examples=_split_examples(values.get("examples"), origin, f"{where} ({name})"),
            ),
            origin,
            merge_repeats=False,
        )
    return _build(drafts, origin, meta.get("name") or default_name, meta)


def read_yaml(path: Path) -> Codebook:
    """Read a ``.yaml``/``.yml`` codebook."""
    return parse_yaml(_decode(path), path, path.stem)


# --- CSV ------------------------------------------------------------------------------------


def _delimiter(header: str) -> str:
    """The delimiter of the header line: Danish Excel writes ``;``, others ``,`` or a tab."""
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _columns(header: list[str], origin: Path | str) -> dict[str, list[int]]:
    """Map fields to column numbers; ``code`` and ``name`` both present means id and name."""
    spelled = [cell.strip().lstrip("\ufeff").casefold() for cell in header]
    columns: dict[str, list[int]] = {}
    for number, cell in enumerate(spelled):
        if cell in ("code", "kode") and any(c in ("name", "navn") for c in spelled):
            field: str | None = "id"
        elif cell.rstrip(" 0123456789") in _CODE_FIELDS["examples"]:
            field = "examples"  # "eksempel 1", "eksempel 2", ... are all example columns
        else:
            field = _canonical(cell, _CODE_FIELDS)
        if field:
            columns.setdefault(field, []).append(number)
    if "name" not in columns:
        raise InputError(
            origin,
            "has no column for the code name",
            "The first row must be a header naming the columns, e.g. code;description;examples",
        )
    for field, numbers in columns.items():
        if field != "examples" and len(numbers) > 1:
            raise InputError(origin, f"has more than one {field} column", "Keep one of them")
    return columns


def _cell(row: list[str], columns: Mapping[str, list[int]], field: str) -> str:
    numbers = columns.get(field, [])
    return _text(row[numbers[0]]) if numbers and numbers[0] < len(row) else ""


def parse_csv(text: str, origin: Path | str, default_name: str) -> Codebook:
    """A codebook from CSV text with a header row; repeated rows for a code add examples."""
    lines = text.lstrip("\ufeff").splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    if not header_line:
        raise InputError(origin, "is empty", _HINT_FORMAT)
    reader = csv.reader(
        io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=_delimiter(header_line), strict=True
    )
    drafts: dict[str, _Draft] = {}
    columns: dict[str, list[int]] | None = None
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if columns is None:
                columns = _columns(row, origin)
                continue
            where = f"line {reader.line_num}"
            examples = [
                example
                for number in columns.get("examples", [])
                if number < len(row)
                for example in _split_examples(row[number], origin, where)
            ]
            name = _cell(row, columns, "name")
            if not name:
                raise InputError(
                    origin,
                    f"{where} has no code name",
                    "Write the code's name in every row, also in rows that only add examples",
                )
            draft = _Draft(
                where,
                name,
                _cell(row, columns, "id") or None,
                _cell(row, columns, "description"),
                _cell(row, columns, "group") or None,
                examples,
            )
            _merge(drafts, draft, origin, merge_repeats=True)
    except csv.Error as err:
        raise InputError(
            origin,
            f"is not a readable CSV file at line {reader.line_num} ({err})",
            'A quote " inside a cell is a common cause: save the file again from Excel',
        ) from None
    return _build(drafts, origin, default_name, {})


def read_csv(path: Path) -> Codebook:
    """Read a ``.csv`` codebook (``;`` or ``,``, UTF-8 with or without BOM, or Windows-1252)."""
    return parse_csv(_decode(path), path, path.stem)


def _decode(path: Path) -> str:
    try:
        text, _ = decode_bytes(path.read_bytes(), path)
    except InputError as err:
        raise InputError(path, err.problem, "Save the codebook as UTF-8 text (in Excel: CSV UTF-8)") from None
    except OSError as err:
        raise InputError(
            path, f"cannot be read ({err.strerror})", "Check that the file is not open elsewhere"
        ) from None
    return text


# --- loading --------------------------------------------------------------------------------

Reader = Callable[[Path], Codebook]


READERS: dict[str, Reader] = {".yaml": read_yaml, ".yml": read_yaml, ".csv": read_csv, ".qdc": read_qdc}
_SUFFIX_HINTS = {
    ".xlsx": "Save the sheet from Excel as CSV UTF-8",
    ".xls": "Save the sheet from Excel as CSV UTF-8",
}


def load_codebook(path: Path | str) -> Codebook:
    """Read a codebook file, choosing the reader by its suffix; raise :class:`InputError` in plain words."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such codebook file", "Check the path and the file name")
    if path.is_dir():
        raise InputError(
            path, "is a folder, not a codebook file", "Give the path of the codebook file itself"
        )
    reader = READERS.get(path.suffix.casefold())
    if reader is None:
        suffixes = sorted(READERS)
        hint = _SUFFIX_HINTS.get(
            path.suffix.casefold(), f"Save it as {', '.join(suffixes[:-1])} or {suffixes[-1]}"
        )
        raise InputError(
            path,
            f"is not a codebook format thememine reads ({path.suffix or 'no file extension'})",
            f"{hint} ({_HINT_FORMAT[0].lower()}{_HINT_FORMAT[1:]})",
        )
    return reader(path)


def _shipped_folder() -> Any:
    return resources.files("thememine.data").joinpath("codebooks")


def shipped_codebooks() -> list[str]:
    """Names of the codebooks that come with thememine."""
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in _shipped_folder().iterdir()
        if entry.name.endswith(".yaml")
    )


@cache
def shipped_codebook(name: str = DEFAULT_CODEBOOK) -> Codebook:
    """A codebook that comes with thememine, by name (see :func:`shipped_codebooks`)."""
    resource = _shipped_folder().joinpath(f"{name}.yaml")
    if not resource.is_file():
        raise InputError(
            f"codebook {name!r}",
            "is not one of the codebooks that come with thememine",
            f"Choose one of: {', '.join(shipped_codebooks())}",
        )
    text: str = resource.read_text(encoding="utf-8")
    return parse_yaml(text, f"thememine/data/codebooks/{name}.yaml", name)
