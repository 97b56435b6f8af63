"""The encrypted re-identification key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from thememine.pseudonymise.keyfile import KeyFileError, decrypt, encrypt, get_passphrase, read_key, write_key

PAYLOAD = {
    "entities": [
        {"label": "PERSON", "variants": ["Mette Kjærgaard Holm", "Mette"], "surrogate": "[PERSON_1]"}
    ]
}


def test_round_trip_and_no_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "study.key"
    write_key(path, PAYLOAD, "korrekt hest batteri")
    raw = path.read_bytes()
    assert b"Mette" not in raw and b"PERSON" not in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_key(path, "korrekt hest batteri") == PAYLOAD


def test_wrong_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "study.key"
    write_key(path, PAYLOAD, "korrekt hest batteri")
    with pytest.raises(KeyFileError, match="Wrong passphrase"):
        read_key(path, "forkert hest batteri")


def test_tampered_file() -> None:
    blob = bytearray(encrypt(PAYLOAD, "korrekt hest batteri"))
    at = blob.index(b'"data": "') + 12
    blob[at] = ord("A") if blob[at] != ord("A") else ord("B")
    with pytest.raises(KeyFileError):
        decrypt(bytes(blob), "korrekt hest batteri")


def test_refuses_key_inside_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(KeyFileError, match="apart"):
        write_key(out / "sub" / "study.key", PAYLOAD, "korrekt hest batteri", forbidden=[out])
    assert not (out / "sub" / "study.key").exists()


def test_passphrase_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", "korrekt hest batteri")
    assert get_passphrase(confirm=True) == "korrekt hest batteri"
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", "kort")
    with pytest.raises(KeyFileError, match="at least"):
        get_passphrase(confirm=False)
