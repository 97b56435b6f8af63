"""The re-identification key: surrogate ↔ original, encrypted with a passphrase, kept apart.

The passphrase is stretched with scrypt (memory-hard) and the key is sealed with AES-256-GCM, both
from the ``cryptography`` package. The file is written with mode 0600, atomically, and never
inside an output folder. The passphrase comes from an environment variable or a prompt, never from
a command-line argument (which other users of the machine can see).
"""

from __future__ import annotations

import base64
import getpass
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from thememine.errors import ThememineError

PASSPHRASE_ENV = "THEMEMINE_KEY_PASSPHRASE"
FORMAT = "thememine-key"
VERSION = 1
# scrypt cost: 2^15 × 8 × 128 bytes = 32 MiB of memory per attempt
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSPHRASE = 8


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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        os.chmod(path, 0o600)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
