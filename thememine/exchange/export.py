"""Export a theme run folder as a REFI-QDA project (``.qdpx``) and codebook (``.qdc``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from thememine.errors import InputError, OutputError
from thememine.exchange.codes import export_codes
from thememine.exchange.qdc import qdc_bytes, write_qdc
from thememine.exchange.qdpx import build_project, qdpx_bytes, write_qdpx
from thememine.ingest.store import load_documents
from thememine.runfolder import CORPUS_FILE, load_run, step


@dataclass(frozen=True)
class ExportResult:
    qdpx: Path
    qdc: Path
    codes: int
    sources: int
    codings: int


def export_run(
    run_dir: Path,
    out: Path | None = None,
    name: str | None = None,
    all_themes: bool = False,
    force: bool = False,
) -> ExportResult:
    """Write ``<name>.qdpx`` and ``<name>.qdc`` for the run in ``run_dir`` into ``out``.

    ``name`` (default: the run folder's name) names the project and seeds the GUIDs: the same
    run exported under the same name gets the same GUIDs. Only confirmed themes are exported
    unless ``all_themes``. Existing files of those names are replaced only with ``force``: a
    project that a QDA program has opened may hold the researcher's own coding.
    """
    run_dir = Path(run_dir)
    out = Path(out) if out is not None else run_dir
    name = name or run_dir.resolve().name or "thememine"
    targets = (out / f"{name}.qdpx", out / f"{name}.qdc")
    existing = [str(path) for path in targets if path.exists()]
    if existing and not force:
        raise OutputError(
            f"{' and '.join(existing)} already {'exists' if len(existing) == 1 else 'exist'}. "
            "Add --force to replace, or choose another --out or --name."
        )
    run = load_run(run_dir)
    if not (run_dir / CORPUS_FILE).is_file():
        raise InputError(
            run_dir,
            f"has themes but no documents ({CORPUS_FILE} is missing)",
            "Export a folder written by `thememine run`, or by `ingest`/`pseudonymise` and then `themes`",
        )
    codes = export_codes(run, name, all_themes)
    if not codes:
        hint = "Confirm themes first (`thememine theme confirm` or themes.yaml), or use --all-themes"
        raise InputError(run_dir, "has no confirmed themes to export", hint)
    documents = load_documents(run_dir)
    files = build_project(documents, run, codes, name)
    qdpx, qdc = targets
    if out.resolve() == run_dir.resolve():  # into the run folder: one step, both files or neither
        with step(run_dir) as writing:
            writing.write_bytes(qdpx.name, qdpx_bytes(files))
            writing.write_bytes(qdc.name, qdc_bytes(codes))
    else:
        out.mkdir(parents=True, exist_ok=True)
        write_qdpx(files, qdpx)
        write_qdc(codes, qdc)
    return ExportResult(qdpx=qdpx, qdc=qdc, codes=len(codes), sources=len(documents), codings=files.codings)
