"""REFI-QDA projects (``.qdpx``): a zip with ``project.qde`` and the sources as UTF-8 text.

Each pseudonymised document becomes ``Sources/<guid>.txt`` (UTF-8, no byte order mark, its text
as thememine holds it with ``\n`` line ends; see below), referenced as ``plainTextPath="internal://<guid>.txt"``. Each
statement in an exported theme becomes a ``PlainTextSelection`` with one ``Coding``.

Positions: REFI-QDA 1.5, section 10.2: "Selections in a text file are defined by the first and the
last character (Unicode codepoint) in the file. The first codepoint in the file has the number 0".
Python string indices count code points too, so a statement's ``start``/``end`` are written as
they are; ``endPosition`` is the position after the last character (``text[start:end]``), as
QualCoder writes and reads it. An emoji is one position, not two as in UTF-16.

Line ends: a source is written with ``\n`` only (Windows ``\r\n`` and old ``\r`` made ``\n``,
positions moved with them). Programs disagree on ``\r\n``: QualCoder counts it as two positions
(it reads the file with Python's universal newlines and, when the first line ends in ``\r\n``,
puts a space after every ``\n`` to keep the count), while ATLAS.ti's positions count it as one;
and QualCoder looks at the first line only, so a file whose line ends are mixed is misplaced
there. With ``\n`` alone every program counts the same.
"""

from __future__ import annotations

import bisect
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from thememine.errors import InputError
from thememine.exchange.codes import ExportCode, make_guid
from thememine.exchange.qdc import ORIGIN, PROJECT_NS, code_tree, parse_xml, walk_codes
from thememine.ingest.model import Document
from thememine.io import atomic_write_bytes
from thememine.limits import check_zip, read_member
from thememine.themes.model import UNASSIGNED, ThemeRun

PROJECT_FILE = "project.qde"
SOURCES_DIR = "Sources"
INTERNAL = "internal://"
GROUP_VARIABLE = "Group"

_CRLF = re.compile("\r\n")

_HINT = "Export the project again from the QDA program as a REFI-QDA project (.qdpx)"


def _tag(name: str) -> str:
    return f"{{{PROJECT_NS}}}{name}"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ProjectFiles:
    """What goes into the zip: the project document and the source texts by zip path."""

    qde: bytes
    sources: dict[str, str]
    codings: int


def build_project(
    documents: Sequence[Document],
    run: ThemeRun,
    codes: Sequence[ExportCode],
    project: str,
    created: str | None = None,
) -> ProjectFiles:
    """The ``project.qde`` document and the source texts for a theme run.

    Every coded statement is checked against its document's text first; a statement that does
    not match raises :class:`InputError` (the export would point at the wrong words).
    """
    created = created or _now()
    by_doc = {document.id: document for document in documents}
    code_by_theme = {code.theme_id: code for code in codes}
    user = make_guid(project, "user", "thememine")
    ET.register_namespace("", PROJECT_NS)
    root = ET.Element(
        _tag("Project"),
        {"name": project, "origin": ORIGIN, "creatingUserGUID": user, "creationDateTime": created},
    )
    users = ET.SubElement(root, _tag("Users"))
    ET.SubElement(users, _tag("User"), {"guid": user, "name": "thememine", "id": "thememine"})
    if codes:
        book = ET.SubElement(ET.SubElement(root, _tag("CodeBook")), _tag("Codes"))
        code_tree(book, codes, PROJECT_NS)

    # The statements per document that have an exported theme, in text order.
    coded: dict[str, list[tuple[int, int, str, ExportCode]]] = {}
    for unit, theme_id in zip(run.units, run.assignment, strict=True):
        if theme_id == UNASSIGNED or theme_id not in code_by_theme:
            continue
        document = by_doc.get(unit.doc_id)
        if document is None:
            raise InputError(
                unit.doc_id, "a statement's document is missing from documents/", "Run the pipeline again"
            )
        if document.text[unit.start : unit.end] != unit.text:
            raise InputError(
                unit.id,
                "the statement does not match its document's text at its offsets",
                "The theme run and documents/ come from different runs: run `thememine themes` again",
            )
        coded.setdefault(unit.doc_id, []).append((unit.start, unit.end, unit.id, code_by_theme[theme_id]))

    groups = sorted({document.group for document in documents if document.group})
    group_variable = make_guid(project, "variable", GROUP_VARIABLE)
    if groups:
        variables = ET.SubElement(root, _tag("Variables"))
        variable = ET.SubElement(
            variables,
            _tag("Variable"),
            {"guid": group_variable, "name": GROUP_VARIABLE, "typeOfVariable": "Text"},
        )
        ET.SubElement(variable, _tag("Description")).text = "The document's group (a corpus sub-folder)"

    # One case per speaker: the documents they speak in and their coded statements.
    speaker_of = {unit.id: unit.speaker for unit in run.units}
    speakers: dict[str, tuple[list[str], list[str]]] = {}
    for document in documents:
        for speaker in document.speakers:
            speakers.setdefault(speaker, ([], []))[0].append(make_guid(project, "source", document.id))
    for doc_id in sorted(coded):
        for _, _, unit_id, _ in coded[doc_id]:
            said_by = speaker_of[unit_id]
            if said_by:
                speakers.setdefault(said_by, ([], []))[1].append(make_guid(project, "selection", unit_id))
    if speakers:
        cases = ET.SubElement(root, _tag("Cases"))
        for speaker, (source_refs, selections) in speakers.items():
            case = ET.SubElement(
                cases, _tag("Case"), {"guid": make_guid(project, "case", speaker), "name": speaker}
            )
            ET.SubElement(case, _tag("Description")).text = "Speaker"
            for guid in source_refs:
                ET.SubElement(case, _tag("SourceRef"), {"targetGUID": guid})
            for guid in selections:
                ET.SubElement(case, _tag("SelectionRef"), {"targetGUID": guid})

    files: dict[str, str] = {}
    count = 0
    sources = ET.SubElement(root, _tag("Sources")) if documents else root
    for document in documents:
        guid = make_guid(project, "source", document.id)
        text, position = unix_lines(document.text)
        files[f"{SOURCES_DIR}/{guid}.txt"] = text
        source = ET.SubElement(
            sources,
            _tag("TextSource"),
            {
                "guid": guid,
                "name": document.id,
                "plainTextPath": f"{INTERNAL}{guid}.txt",
                "creatingUser": user,
                "creationDateTime": created,
            },
        )
        for start, end, unit_id, code in sorted(coded.get(document.id, [])):
            selection = ET.SubElement(
                source,
                _tag("PlainTextSelection"),
                {
                    "guid": make_guid(project, "selection", unit_id),
                    "name": unit_id,
                    "startPosition": str(position(start)),
                    "endPosition": str(position(end)),
                    "creatingUser": user,
                    "creationDateTime": created,
                },
            )
            coding = ET.SubElement(
                selection,
                _tag("Coding"),
                {
                    "guid": make_guid(project, "coding", unit_id),
                    "creatingUser": user,
                    "creationDateTime": created,
                },
            )
            ET.SubElement(coding, _tag("CodeRef"), {"targetGUID": code.guid})
            count += 1
        if document.group:
            value = ET.SubElement(source, _tag("VariableValue"))
            ET.SubElement(value, _tag("VariableRef"), {"targetGUID": group_variable})
            ET.SubElement(value, _tag("TextValue")).text = document.group
    ET.indent(root)
    return ProjectFiles(bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)), files, count)


def unix_lines(text: str) -> tuple[str, Callable[[int], int]]:
    """``text`` with every line end ``\n``, and where a position in ``text`` lands in it.

    Only a ``\r\n`` pair shortens the text (by its ``\r``), so a position moves back by the
    pairs that start before it; a lone ``\r`` becomes ``\n`` in place.
    """
    pairs = [match.start() for match in _CRLF.finditer(text)]
    plain = text.replace("\r\n", "\n").replace("\r", "\n")
    return plain, lambda at: at - bisect.bisect_left(pairs, at)


def qdpx_bytes(files: ProjectFiles) -> bytes:
    """The ``.qdpx`` zip: ``project.qde`` first, then the sources (deflated)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(PROJECT_FILE, files.qde)
        for name, text in files.sources.items():
            archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()


def write_qdpx(files: ProjectFiles, path: Path) -> Path:
    """Write the project as a ``.qdpx`` file (atomically); returns ``path``."""
    atomic_write_bytes(path, qdpx_bytes(files))
    return path


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedCode:
    guid: str
    name: str
    description: str
    colour: str | None
    codable: bool
    group: str | None


@dataclass(frozen=True)
class ImportedSource:
    guid: str
    name: str
    text: str | None  # None when the text lies outside the zip (absolute:// or relative://)
    variables: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportedCoding:
    """One code on one text selection; ``start``/``end`` count code points, ``end`` exclusive."""

    code: str
    source: str
    start: int
    end: int
    selection: str = ""  # the selection's name (thememine writes the statement id there)

    def text(self, sources: dict[str, ImportedSource]) -> str | None:
        source = sources.get(self.source)
        return source.text[self.start : self.end] if source and source.text is not None else None


@dataclass(frozen=True)
class QdpxProject:
    name: str
    origin: str
    codes: list[ImportedCode]
    sources: list[ImportedSource]
    codings: list[ImportedCoding]

    def source(self, name: str) -> ImportedSource:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _kids(element: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in element if _local(c.tag) == name]


def _source_text(archive: zipfile.ZipFile, element: ET.Element, origin: Path) -> str | None:
    inline = _child(element, "PlainTextContent")
    if inline is not None:
        return inline.text or ""
    path = element.get("plainTextPath") or ""
    if not path.startswith(INTERNAL):
        return None
    wanted = path[len(INTERNAL) :].lstrip("/").casefold()
    # The standard's example folder is "sources/", programs write "Sources/": match either.
    for info in archive.infolist():
        parts = info.filename.split("/")
        if len(parts) == 2 and parts[0].casefold() == "sources" and parts[1].casefold() == wanted:
            try:
                return read_member(archive, info, origin, _HINT).decode("utf-8-sig")
            except UnicodeDecodeError:
                raise InputError(origin, f"the source {info.filename} is not UTF-8 text", _HINT) from None
    raise InputError(origin, f"the source file {path} is missing from the zip", _HINT)


def read_qdpx(path: Path) -> QdpxProject:
    """Read a ``.qdpx`` project: its codes, text sources and the codings on text selections."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as err:
        raise InputError(path, f"is not a readable .qdpx (zip) file ({err})", _HINT) from None
    with archive:
        check_zip(archive, path, _HINT)
        info = next((i for i in archive.infolist() if i.filename.casefold() == PROJECT_FILE), None)
        if info is None:
            raise InputError(path, f"has no {PROJECT_FILE}", _HINT)
        root = parse_xml(read_member(archive, info, path, _HINT), path)
        if _local(root.tag) != "Project":
            raise InputError(path, f"{PROJECT_FILE} is not a REFI-QDA project", _HINT)
        codes: list[ImportedCode] = []
        book = _child(root, "CodeBook")
        container = _child(book, "Codes") if book is not None else None
        if container is not None:
            for element, group in walk_codes(container):
                description = _child(element, "Description")
                codes.append(
                    ImportedCode(
                        guid=(element.get("guid") or "").strip("{}").lower(),
                        name=element.get("name") or "",
                        description=(description.text or "") if description is not None else "",
                        colour=element.get("color"),
                        codable=element.get("isCodable", "true").strip().lower() in ("true", "1"),
                        group=group,
                    )
                )
        code_names = {code.guid: code.name for code in codes}
        variable_names: dict[str, str] = {}
        variables = _child(root, "Variables")
        for variable in _kids(variables, "Variable") if variables is not None else []:
            variable_names[(variable.get("guid") or "").strip("{}").lower()] = variable.get("name") or ""

        sources: list[ImportedSource] = []
        codings: list[ImportedCoding] = []
        holder = _child(root, "Sources")
        for element in _kids(holder, "TextSource") if holder is not None else []:
            source_name = element.get("name") or element.get("guid") or ""
            values: dict[str, str] = {}
            for value in _kids(element, "VariableValue"):
                ref = _child(value, "VariableRef")
                key = (ref.get("targetGUID") or "").strip("{}").lower() if ref is not None else ""
                text_value = _child(value, "TextValue")
                if key in variable_names and text_value is not None:
                    values[variable_names[key]] = text_value.text or ""
            sources.append(
                ImportedSource(
                    guid=(element.get("guid") or "").strip("{}").lower(),
                    name=source_name,
                    text=_source_text(archive, element, path),
                    variables=values,
                )
            )
            for selection in _kids(element, "PlainTextSelection"):
                try:
                    start = int(selection.get("startPosition", ""))
                    end = int(selection.get("endPosition", ""))
                except ValueError:
                    raise InputError(path, "a text selection has no whole-number positions", _HINT) from None
                for coding in _kids(selection, "Coding"):
                    ref = _child(coding, "CodeRef")
                    target = (ref.get("targetGUID") or "").strip("{}").lower() if ref is not None else ""
                    if target not in code_names:
                        raise InputError(path, "a coding refers to a code that is not in the codebook", _HINT)
                    codings.append(
                        ImportedCoding(
                            code_names[target], source_name, start, end, selection.get("name") or ""
                        )
                    )
    return QdpxProject(root.get("name") or path.stem, root.get("origin") or "", codes, sources, codings)
