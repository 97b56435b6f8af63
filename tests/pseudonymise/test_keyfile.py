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


def _envelope(**changes: object) -> bytes:
    """A sealed key whose envelope fields are replaced by ``changes`` (dotted: ``kdf.n``)."""
    import json

    envelope = json.loads(encrypt(PAYLOAD, "korrekt hest batteri"))
    for dotted, value in changes.items():
        *parents, name = dotted.split("__")
        holder = envelope
        for parent in parents:
            holder = holder[parent]
        if value is _DELETE:
            del holder[name]
        else:
            holder[name] = value
    return json.dumps(envelope).encode()


_DELETE = object()


@pytest.mark.parametrize(
    ("blob", "problem"),
    [
        (b"[]", "not a thememine key file"),
        (b"42", "not a thememine key file"),
        (b'"text"', "not a thememine key file"),
        (b"null", "not a thememine key file"),
        (b"", "not valid JSON"),
        (b"\xff\xfe binary", "not UTF-8|not valid JSON"),
        (b"[" * 5000, "nested deeper"),
        (_envelope(kdf=[]), "kdf or cipher section is missing"),
        (_envelope(cipher=_DELETE), "kdf or cipher section is missing"),
        (_envelope(kdf__n=2**24), r"scrypt n \(16777216\)"),
        (_envelope(kdf__n=1000), "must be a power of two"),
        (_envelope(kdf__n=1), "must be a power of two"),
        (_envelope(kdf__n="32768"), "not a whole number"),
        (_envelope(kdf__n=True), "not a whole number"),
        (_envelope(kdf__n=2.5), "not a whole number"),
        (_envelope(kdf__r=10**9), "outside"),
        (_envelope(kdf__p=0), "outside"),
        (_envelope(kdf__p=_DELETE), "not a whole number"),
        (_envelope(kdf__salt="AAAA"), "salt has 3 bytes"),
        (_envelope(kdf__salt=17), "salt is missing"),
        (_envelope(cipher__nonce="AAAA"), "nonce has 3 bytes"),
        (_envelope(cipher__nonce="not base64!"), "nonce is not base64"),
        (_envelope(cipher__nonce="ÆØÅ"), "nonce is not base64"),
        (_envelope(data="AAAA"), "cut short"),
        (_envelope(data=None), "data is missing"),
    ],
)
def test_every_damaged_key_gives_a_plain_message(blob: bytes, problem: str) -> None:
    with pytest.raises(KeyFileError, match=problem):
        decrypt(blob, "korrekt hest batteri", "study.key")


def test_scrypt_is_never_asked_for_more_than_the_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file asking for n = 2^24 (16 GB) is refused before scrypt runs at all."""
    from thememine.pseudonymise import keyfile

    hostile_files = (_envelope(kdf__n=2**24), _envelope(kdf__r=64), _envelope(kdf__p=1000))
    calls: list[tuple[int, int, int]] = []
    monkeypatch.setattr(keyfile, "_kdf", lambda _p, _s, n, r, p: calls.append((n, r, p)) or b"\0" * 32)
    for hostile in hostile_files:
        with pytest.raises(KeyFileError):
            decrypt(hostile, "korrekt hest batteri")
    assert calls == []


def test_a_truncated_key_file(tmp_path: Path) -> None:
    path = tmp_path / "study.key"
    write_key(path, PAYLOAD, "korrekt hest batteri")
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(KeyFileError, match="not a readable thememine key file"):
        read_key(path, "korrekt hest batteri")


def test_a_folder_given_as_key(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="is a folder, not a key file"):
        read_key(tmp_path, "korrekt hest batteri")
