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
from pathlib import Path
from typing import Any

from thememine.errors import ThememineError
from thememine.io import atomic_write_bytes, hold_lock, remove_leftovers

PASSPHRASE_ENV = "THEMEMINE_KEY_PASSPHRASE"
FORMAT = "thememine-key"
VERSION = 1
# scrypt cost: 2^15 × 8 × 128 bytes = 32 MiB of memory per attempt
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
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

    salt, nonce = os.urandom(16), os.urandom(12)
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
    """Open a sealed payload, or raise :class:`KeyFileError` with a plain reason."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        envelope = json.loads(blob)
        if envelope.get("format") != FORMAT:
            raise ValueError("not a thememine key file")
        kdf = envelope["kdf"]
        key = _kdf(passphrase, _unb64(kdf["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
        nonce, sealed = _unb64(envelope["cipher"]["nonce"]), _unb64(envelope["data"])
    except (ValueError, KeyError, TypeError) as err:
        raise KeyFileError(f"{path} is not a readable thememine key file ({err}).") from None
    try:
        plain = AESGCM(key).decrypt(nonce, sealed, FORMAT.encode())
    except InvalidTag:
        raise KeyFileError(f"Wrong passphrase for {path}, or the file was changed.") from None
    data: dict[str, Any] = json.loads(plain)
    return data


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
            "Check the folder and free space, and run again."
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
    if not path.exists():
        raise KeyFileError(f"No key file at {path}.")
    return decrypt(path.read_bytes(), passphrase, path)


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
