"""Safe writing: atomic files, locks, and output folders that never clobber input or earlier results."""

from __future__ import annotations

import fcntl
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from thememine.errors import InputError, OutputError, ThememineError
from thememine.limits import load_json

CACHE_ENV = "THEMEMINE_CACHE_DIR"
CRASH_ENV = "THEMEMINE_CRASH_AT"  # crash tests only: kill the process at its n-th durable write
_writes = 0


def default_cache_dir() -> Path:
    """``$THEMEMINE_CACHE_DIR``, else ``$XDG_CACHE_HOME/thememine``, else ``~/.cache/thememine``:
    embeddings, compiled code and the encoder's runtime graphs live under it."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "thememine"
    return Path.home() / ".cache" / "thememine"


def durable_point() -> None:
    """Mark one durable write (a file synced, a rename made); the crash tests kill the process here.

    With ``$THEMEMINE_CRASH_AT=n`` the process kills itself (SIGKILL, no clean-up) at its n-th
    point, so that a test can stop a command between any two writes. Unset, this only counts.
    """
    global _writes
    _writes += 1
    if os.environ.get(CRASH_ENV) == str(_writes):
        os.kill(os.getpid(), signal.SIGKILL)


def fsync_dir(folder: Path) -> None:
    """Make the renames and removals in ``folder`` durable (a file's own fsync does not)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_synced(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to a new file at ``path`` and sync it to disk (no rename: see below)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(path, flags, 0o600 if mode is None else mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    durable_point()


def npy_bytes(array: Any, dtype: str = "float32") -> bytes:
    """``array`` as ``dtype`` (float32 unless told) in NumPy's ``.npy`` format (no pickles), ready to
    be written atomically."""
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array, dtype=dtype), allow_pickle=False)
    return buffer.getvalue()


def atomic_write_bytes(path: Path, data: bytes, mode: int | None = None, durable: bool = True) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename.

    An interrupted run leaves either the old file or the new one, never half of one (and at most
    a hidden ``.NAME.*.tmp`` file, which :func:`remove_leftovers` takes away). ``mode`` sets the
    permissions before any byte is written (0o600 for a file only its owner may read). Without
    ``durable`` nothing is synced to disk and the write is none of the run's durable writes (the
    crash tests stop a command at its n-th): for a cache that can be made again.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if durable:
            durable_point()
        os.replace(tmp, path)
        if durable:
            fsync_dir(path.parent)
            durable_point()
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_leftovers(folder: Path, name: str = "") -> None:
    """Remove the temporary files a killed :func:`atomic_write_bytes` left in ``folder`` (of the
    file ``name`` only, if given). Call it only while no other writer can be at work there."""
    for leftover in folder.glob(f".{name or '*'}.*.tmp"):
        leftover.unlink(missing_ok=True)


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSON-lines file (one object per line); a damaged line is an
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


class _Held:
    """One lock file held by this process: a thread lock (threads of one process share the OS
    lock) and how deeply the holding thread has taken it."""

    def __init__(self) -> None:
        self.threads = threading.RLock()
        self.depth = 0
        self.fd = -1


_held: dict[str, _Held] = {}
_held_guard = threading.Lock()


@contextmanager
def hold_lock(path: Path, wait: float, busy: Callable[[], ThememineError]) -> Iterator[None]:
    """Hold an exclusive OS lock (``flock``) on the file ``path`` (created if missing).

    Other processes and other threads wait up to ``wait`` seconds, then get ``busy()`` raised. The
    holding thread may take the lock again (inner functions lock what they need themselves). The
    OS lets go of the lock when the process ends, even when it is killed.
    """
    with _held_guard:
        held = _held.setdefault(str(path.resolve()), _Held())
    deadline = time.monotonic() + wait
    if not held.threads.acquire(timeout=max(wait, 0.0)):
        raise busy()
    try:
        if held.depth == 0:
            held.fd = _lock_file(path, deadline, busy)
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
            if held.depth == 0:
                os.close(held.fd)  # closing the last descriptor lets go of the lock
                held.fd = -1
    finally:
        held.threads.release()


def _lock_file(path: Path, deadline: float, busy: Callable[[], ThememineError]) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise busy() from None
                time.sleep(0.05)
    except BaseException:
        os.close(fd)
        raise


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
