"""Exchange with other qualitative analysis programs: REFI-QDA codebooks and projects."""

from __future__ import annotations

from thememine.exchange.codes import ExportCode, export_codes, make_guid, theme_colour
from thememine.exchange.export import ExportResult, export_run
from thememine.exchange.qdc import qdc_bytes, read_qdc, write_qdc
from thememine.exchange.qdpx import (
    ImportedCode,
    ImportedCoding,
    ImportedSource,
    ProjectFiles,
    QdpxProject,
    build_project,
    read_qdpx,
    write_qdpx,
)

__all__ = [
    "ExportCode",
    "ExportResult",
    "ImportedCode",
    "ImportedCoding",
    "ImportedSource",
    "ProjectFiles",
    "QdpxProject",
    "build_project",
    "export_codes",
    "export_run",
    "make_guid",
    "qdc_bytes",
    "read_qdc",
    "read_qdpx",
    "theme_colour",
    "write_qdc",
    "write_qdpx",
]
