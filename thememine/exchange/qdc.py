"""REFI-QDA codebooks (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``): write and read.

:func:`read_qdc` gives a :class:`~thememine.themes.model.Codebook`, so that a codebook made in
NVivo, ATLAS.ti, MAXQDA or QualCoder can name themes and code statements. Codes that cannot be
coded (``isCodable="false"``, folders in most programs) are left out; their names become the
``group`` of the codes under them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from pathlib import Path

from thememine import __version__
from thememine.errors import InputError
from thememine.exchange.codes import ExportCode
from thememine.io import atomic_write_bytes
from thememine.themes.model import Code, Codebook, slugify

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
ORIGIN = f"thememine {__version__}"

_HINT = "Export the codebook again from the QDA program as a REFI-QDA codebook (.qdc)"


def code_element(parent: ET.Element, code: ExportCode, ns: str) -> ET.Element:
    """A ``<Code>`` for one theme under ``parent``, in namespace ``ns``."""
    element = ET.SubElement(
        parent,
        f"{{{ns}}}Code",
        {"guid": code.guid, "name": code.name, "isCodable": "true", "color": code.colour},
    )
    if code.description:
        ET.SubElement(element, f"{{{ns}}}Description").text = code.description
    for guid, name in code.merged:
        ET.SubElement(element, f"{{{ns}}}Code", {"guid": guid, "name": name, "isCodable": "false"})
    return element


def code_tree(container: ET.Element, codes: Sequence[ExportCode], ns: str) -> None:
    """Every code under ``container``; the themes of one split under a folder code for it."""
    folders: dict[str, ET.Element] = {}
    for code in codes:
        parent = container
        if code.folder is not None:
            guid, name = code.folder
            if guid not in folders:
                folders[guid] = ET.SubElement(
                    container, f"{{{ns}}}Code", {"guid": guid, "name": name, "isCodable": "false"}
                )
            parent = folders[guid]
        code_element(parent, code, ns)


def qdc_bytes(codes: Sequence[ExportCode], origin: str = ORIGIN) -> bytes:
    """The codebook document, UTF-8 with an XML declaration."""
    if not codes:
        raise ValueError("a REFI-QDA codebook needs at least one code")
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": origin})
    container = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    code_tree(container, codes, CODEBOOK_NS)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def write_qdc(codes: Sequence[ExportCode], path: Path, origin: str = ORIGIN) -> Path:
    """Write the codes as a ``.qdc`` codebook (atomically); returns ``path``."""
    atomic_write_bytes(path, qdc_bytes(codes, origin))
    return path


# --- reading --------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in element if _local(child.tag) == name)


def walk_codes(codes: ET.Element, group: str | None = None) -> Iterator[tuple[ET.Element, str | None]]:
    """Every ``<Code>`` under a ``<Codes>`` element, depth first, with its nearest folder's name.

    A stack rather than recursion: a file nesting codes thousands deep must not exhaust Python's.
    """
    stack = [(_children(codes, "Code"), group)]
    while stack:
        children, within = stack[-1]
        code = next(children, None)
        if code is None:
            stack.pop()
            continue
        yield code, within
        codable = code.get("isCodable", "true").strip().lower() in ("true", "1")
        stack.append((_children(code, "Code"), within if codable else code.get("name") or within))


def parse_xml(data: bytes, origin: Path | str) -> ET.Element:
    """The root element, or :class:`InputError` in plain words."""
    try:
        return ET.fromstring(data)
    except ET.ParseError as err:
        raise InputError(origin, f"is not valid XML ({err})", _HINT) from None


def codebook_from_codes(codes: ET.Element, origin: Path | str, name: str, source: str) -> Codebook:
    """A :class:`Codebook` from a REFI-QDA ``<Codes>`` element (codebook or project namespace)."""
    found: list[Code] = []
    taken: set[str] = set()
    names: set[str] = set()
    for element, group in walk_codes(codes):
        if element.get("isCodable", "true").strip().lower() not in ("true", "1"):
            continue
        code_name = " ".join((element.get("name") or "").split())
        if not code_name:
            raise InputError(origin, "a code has no name", _HINT)
        if code_name.casefold() in names:
            raise InputError(
                origin,
                f"the code name {code_name!r} appears twice",
                "thememine needs unique code names: rename one of them in the QDA program",
            )
        names.add(code_name.casefold())
        base = slugify(code_name) or f"code_{len(found) + 1}"
        code_id, suffix = base, 2
        while code_id in taken:
            code_id, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(code_id)
        description = next(_children(element, "Description"), None)
        text = " ".join((description.text or "").split()) if description is not None else ""
        found.append(Code(code_id, code_name, text, (), group))
    if not found:
        raise InputError(origin, "holds no codes that can be coded", _HINT)
    return Codebook(name=name, codes=tuple(found), description="", source=source)


def read_qdc(path: Path) -> Codebook:
    """Read a REFI-QDA ``.qdc`` codebook (also accepts a bare ``project.qde``)."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot be read ({err.strerror})", "Check the path") from None
    root = parse_xml(data, path)
    if _local(root.tag) not in ("CodeBook", "Project"):
        raise InputError(path, f"is not a REFI-QDA codebook (its root is <{_local(root.tag)}>)", _HINT)
    holder = root if _local(root.tag) == "CodeBook" else next(_children(root, "CodeBook"), None)
    codes = next(_children(holder, "Codes"), None) if holder is not None else None
    if codes is None:
        raise InputError(path, "has no <Codes> element", _HINT)
    return codebook_from_codes(codes, path, path.stem, root.get("origin") or "")
