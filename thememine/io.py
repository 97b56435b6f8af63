"""Safe writing: atomic files and output folders that never clobber input or earlier results."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from thememine.errors import InputError, OutputError
from thememine.limits import load_json


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename.

    An interrupted run leaves either the old file or the new one, never half of one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, obj: Any) -> None:
    """Write an object as indented UTF-8 JSON, atomically."""
    atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def atomic_write_npy(path: Path, array: Any) -> None:
    """``array`` as float32 in NumPy's ``.npy`` format (no pickles), written atomically."""
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array, dtype=np.float32), allow_pickle=False)
    atomic_write_bytes(path, buffer.getvalue())


def atomic_write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """Write one JSON object per line, atomically."""
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    atomic_write_text(path, "\n".join(lines) + ("\n" if lines else ""))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSON-lines file written by :func:`atomic_write_jsonl`; a damaged line is an
    :class:`InputError` naming it."""
    hint = "It was changed or cut short; write it again with the command that made it"
    rows: list[dict[str, Any]] = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                row = load_json(line, f"{path}, line {number}", hint)
                if not isinstance(row, dict):
                    raise InputError(f"{path}, line {number}", "is not a JSON object", hint)
                rows.append(row)
    except UnicodeDecodeError:
        raise InputError(path, "is not UTF-8 text", hint) from None
    return rows


def _is_within(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
    except ValueError:
        return False
    return True


def check_output_dir(
    out: Path,
    inputs: Sequence[Path],
    owned: Sequence[str],
    force: bool,
) -> None:
    """Refuse an output folder that lies in an input folder or already holds our results.

    ``owned`` names the files and folders this step writes inside ``out``; if any of them
    exists, the step refuses unless ``force`` is set.
    """
    target = out.resolve()
    for item in inputs:
        source = item.resolve()
        if source.is_dir() and _is_within(target, source):
            raise OutputError(
                f"The output folder {out} lies inside the input folder {item}. "
                "thememine never writes into its input; choose an output folder elsewhere."
            )
        if source.is_file() and target == source.parent:
            raise OutputError(
                f"The output folder {out} is the folder of the input file {item}. "
                "thememine never writes into its input; choose another output folder."
            )
        if source.is_file() and target == source:
            raise OutputError(f"The output folder {out} is an input file.")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{out} exists and is not a folder; choose another output folder.")
    existing = [name for name in owned if (target / name).exists()]
    if existing and not force:
        raise OutputError(
            f"{out} already holds results ({', '.join(existing)}). "
            "Choose a new output folder, or add --force to replace them."
        )
