"""The re-identification key: surrogate ↔ original, encrypted with a passphrase, kept apart.

The passphrase is stretched with scrypt (memory-hard) and the key is sealed with AES-256-GCM, both
from the ``cryptography`` package. The file is written with mode 0600, atomically (synced to disk
before the output it belongs to is committed), and never inside an output folder. A run holds
the key's lock (an OS lock on ``KEY.lock`` beside it) from reading it until its output is
committed, so that two runs never hand out the same surrogate to different people. The passphrase comes from an environment variable or a prompt, never from
a command-line argument (which other users of the machine can see).
"""

from __future__ import annotations

import base64
import getpass
import json
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thememine.errors import InputError, ThememineError
from thememine.io import atomic_write_bytes, hold_lock, remove_leftovers
from thememine.limits import load_json

PASSPHRASE_ENV = "THEMEMINE_KEY_PASSPHRASE"
FORMAT = "thememine-key"
VERSION = 1
# scrypt cost: 2^15 × 8 × 128 bytes = 32 MiB of memory per attempt
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
# The most work a key file may ask for (see _envelope): at most 128 × n × r = 1 GiB of memory.
MAX_SCRYPT_N, MAX_SCRYPT_R, MAX_SCRYPT_P = 2**20, 8, 4
SALT_BYTES, NONCE_BYTES, TAG_BYTES = 16, 12, 16
# A key holds a few bytes per person and place; far larger is not a key file.
MAX_KEY_BYTES = 256 * 2**20
MIN_PASSPHRASE = 8
KEY_WAIT = 10.0  # seconds a run waits for another run that uses the same key


class KeyFileError(ThememineError):
    """The key file is missing, damaged, or the passphrase is wrong."""


def _kdf(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def encrypt(payload: dict[str, Any], passphrase: str) -> bytes:
    """Seal a JSON-able payload; the result is a small JSON envelope."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    key = _kdf(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    plain = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    sealed = AESGCM(key).encrypt(nonce, plain, FORMAT.encode())
    envelope = {
        "format": FORMAT,
        "version": VERSION,
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt)},
        "cipher": {"name": "AES-256-GCM", "nonce": _b64(nonce)},
        "data": _b64(sealed),
    }
    return (json.dumps(envelope, indent=1) + "\n").encode("ascii")


def decrypt(blob: bytes, passphrase: str, path: Path | str = "key file") -> dict[str, Any]:
    """Open a sealed payload, or raise :class:`KeyFileError` with a plain reason.

    Every field of the envelope is checked before the passphrase is stretched, so that a damaged
    or hostile file costs neither a traceback nor minutes of work and gigabytes of memory.
    """
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    envelope = _envelope(blob, path)
    key = _kdf(passphrase, envelope.salt, envelope.n, envelope.r, envelope.p)
    try:
        plain = AESGCM(key).decrypt(envelope.nonce, envelope.sealed, FORMAT.encode())
    except InvalidTag:
        raise KeyFileError(f"Wrong passphrase for {path}, or the file was changed.") from None
    try:
        data = load_json(plain, path, "")
    except InputError:  # sealed by someone who knew the passphrase, yet not ours
        data = None
    if not isinstance(data, dict):
        raise KeyFileError(f"{path} opens with this passphrase but does not hold a thememine key.")
    return data


@dataclass(frozen=True)
class _Envelope:
    """The checked fields of a key file, before the passphrase is tried."""

    salt: bytes
    n: int
    r: int
    p: int
    nonce: bytes
    sealed: bytes


def _envelope(blob: bytes, path: Path | str) -> _Envelope:
    """The envelope of a key file, or :class:`KeyFileError` naming what is wrong with it."""
    try:
        envelope = load_json(blob, path, "")
    except InputError as err:
        raise _damaged(path, err.problem) from None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise KeyFileError(f"{path} is not a thememine key file. Give the key file that thememine wrote.")
    kdf, cipher = envelope.get("kdf"), envelope.get("cipher")
    if not isinstance(kdf, dict) or not isinstance(cipher, dict):
        raise _damaged(path, "its kdf or cipher section is missing")
    n, r, p = (_whole(kdf.get(name), name, path) for name in ("n", "r", "p"))
    # Bounds on the work a file may ask for: the file decides how hard scrypt works, and a file
    # asking for n = 2^24 took 16 GB of memory and minutes to open. thememine writes n = 2^15, r = 8,
    # p = 1 (32 MiB); the bounds allow 32 times that (1 GiB at most), and scrypt needs n to be a
    # power of two above 1.
    if not (1 < n <= MAX_SCRYPT_N and n & (n - 1) == 0):
        raise _damaged(path, f"its scrypt n ({n}) must be a power of two from 2 to 2^20 (1048576)")
    if not (1 <= r <= MAX_SCRYPT_R and 1 <= p <= MAX_SCRYPT_P):
        raise _damaged(
            path, f"its scrypt r ({r}) or p ({p}) lies outside 1-{MAX_SCRYPT_R} and 1-{MAX_SCRYPT_P}"
        )
    salt = _field(kdf.get("salt"), "salt", path)
    nonce = _field(cipher.get("nonce"), "nonce", path)
    sealed = _field(envelope.get("data"), "data", path)
    if len(salt) < SALT_BYTES:
        raise _damaged(path, f"its salt has {len(salt)} bytes, not {SALT_BYTES}")
    if len(nonce) != NONCE_BYTES:
        raise _damaged(path, f"its nonce has {len(nonce)} bytes, not {NONCE_BYTES}")
    if len(sealed) < TAG_BYTES:
        raise _damaged(path, "its data is cut short")
    return _Envelope(salt, n, r, p, nonce, sealed)


def _whole(value: Any, name: str, path: Path | str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _damaged(path, f"its scrypt {name} is missing or not a whole number")
    return value


def _field(value: Any, name: str, path: Path | str) -> bytes:
    if not isinstance(value, str):
        raise _damaged(path, f"its {name} is missing")
    try:
        return _unb64(value)
    except ValueError:  # binascii.Error, and UnicodeEncodeError for text that is not ASCII
        raise _damaged(path, f"its {name} is not base64") from None


def _damaged(path: Path | str, why: str) -> KeyFileError:
    return KeyFileError(
        f"{path} is not a readable thememine key file: {why}. Give the key file that thememine wrote, "
        "or restore it from your backup."
    )


def write_key(
    path: Path, payload: dict[str, Any], passphrase: str, forbidden: list[Path] | None = None
) -> None:
    """Write the sealed key with mode 0600, atomically; refuse a place inside ``forbidden`` folders."""
    target = path.resolve()
    for folder in forbidden or []:
        if target.is_relative_to(folder.resolve()):
            raise KeyFileError(
                f"The key file {path} would lie inside {folder}. Keep the key apart from the "
                "pseudonymised output (for instance in a folder only you can read)."
            )
    data = encrypt(payload, passphrase)
    try:
        atomic_write_bytes(path, data, mode=0o600)
        os.chmod(path, 0o600)
    except OSError as err:
        raise KeyFileError(
            f"Could not write the key file {path} ({err.strerror or err}); nothing else was written. "
            f"Check that you may write in {path.parent} and that the disk has free space, and run again."
        ) from None


@contextmanager
def key_lock(path: Path) -> Iterator[None]:
    """Hold the lock of the key at ``path`` while a run reads, extends and writes it.

    A second run on the same key waits up to :data:`KEY_WAIT` seconds, then stops with a plain
    message. Taking the lock creates the key's folder and ``KEY.lock`` in it, so a folder that
    cannot be written stops the run here, before any output.
    """
    lock = path.with_name(path.name + ".lock")

    def busy() -> KeyFileError:
        return KeyFileError(
            f"Another thememine run is using the key {path}. Wait for it to finish and run again "
            "(two runs at once on one key could give two people the same pseudonym)."
        )

    with ExitStack() as stack:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            stack.enter_context(hold_lock(lock, KEY_WAIT, busy))
        except OSError as err:
            raise KeyFileError(
                f"Cannot write in the key's folder {path.parent} ({err.strerror}); nothing was written. "
                "Choose a folder you may write in for --key."
            ) from None
        remove_leftovers(path.parent, path.name)  # of a run killed while writing the key
        yield


def read_key(path: Path, passphrase: str) -> dict[str, Any]:
    """The payload of the key at ``path``, or :class:`KeyFileError` saying why it cannot be opened."""
    if path.is_dir():
        raise KeyFileError(
            f"{path} is a folder, not a key file. Give the key file's path, such as {path / 'study.key'}."
        )
    if not path.exists():
        raise KeyFileError(f"No key file at {path}.")
    try:
        if path.stat().st_size > MAX_KEY_BYTES:
            raise _damaged(path, f"it is larger than {MAX_KEY_BYTES // 2**20} MB")
        blob = path.read_bytes()
    except OSError as err:
        raise KeyFileError(
            f"{path} cannot be read ({err.strerror or type(err).__name__}). Check its permissions."
        ) from None
    return decrypt(blob, passphrase, path)


def get_passphrase(confirm: bool, env: str = PASSPHRASE_ENV) -> str:
    """The passphrase from ``$THEMEMINE_KEY_PASSPHRASE``, or asked for at the terminal."""
    value = os.environ.get(env)
    if value is None:
        try:
            value = getpass.getpass("Passphrase for the re-identification key: ")
            if confirm and getpass.getpass("The same passphrase again: ") != value:
                raise KeyFileError("The two passphrases differ.")
        except EOFError:
            raise KeyFileError(
                f"No passphrase: set {env} or run in a terminal where thememine can ask for it."
            ) from None
    if len(value) < MIN_PASSPHRASE:
        raise KeyFileError(f"The passphrase must have at least {MIN_PASSPHRASE} characters.")
    return value


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
