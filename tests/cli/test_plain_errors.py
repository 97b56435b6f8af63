"""Damaged run folders, full disks and unwritable folders end a command with a plain message, exit 1.

Never a traceback: the command group (``cli._common.PlainErrors``) is the one place where errors
become messages.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from thememine.cli import app
from thememine.runfolder import EMBEDDINGS_FILE, STATE_FILE

runner = CliRunner()
PASS = "en lang nok passphrase"
INTERVIEW = "I: Hvem ringede du til?\nMette: Jeg ringede til jobcentret om min plan.\nI: Mm.\n"


def plain_failure(result: Result, *expected: str) -> None:
    """Exit 1 with ``error: …`` naming each of ``expected``, and no exception but the exit."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "error:" in result.stderr and "Traceback" not in result.output
    for text in expected:
        assert text in result.stderr, result.stderr


def _cut(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _replace(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "damage", "problem"),
    [
        (STATE_FILE, _cut, "is not valid JSON"),
        (STATE_FILE, _replace("[]"), "not a thememine theme run"),
        (STATE_FILE, _replace('{"format": "thememine-themes/1"}'), "is damaged"),
        (STATE_FILE, _replace('{"format": "thememine-themes/1", "units": 3}'), "is damaged"),
        (STATE_FILE, _replace('{"format": "thememine-themes/1", "units": ' + "[" * 5000), "nested deeper"),
        (EMBEDDINGS_FILE, _cut, "cannot be read"),
        (EMBEDDINGS_FILE, _replace("not numpy"), "cannot be read"),
        (EMBEDDINGS_FILE, os.remove, "is missing"),
    ],
)
@pytest.mark.parametrize(
    "command", [["theme", "confirm", "{run}", "1"], ["apply", "{run}"], ["report", "{run}"]]
)
def test_a_damaged_run_folder(
    run_dir: Path, name: str, damage: Callable[[Path], None], problem: str, command: list[str]
) -> None:
    damage(run_dir / name)
    result = runner.invoke(app, [part.format(run=run_dir) for part in command])
    plain_failure(result, name, problem)


def test_a_full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(INTERVIEW, encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = runner.invoke(app, ["ingest", str(corpus), "--out", str(tmp_path / "out"), "-q"])
    plain_failure(result, "The disk is full", "run the command again")


def test_a_full_disk_while_deciding(run_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    plain_failure(runner.invoke(app, ["theme", "confirm", str(run_dir), "1"]), "The disk is full")


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(INTERVIEW, encoding="utf-8")
    return folder


def _pseudonymise(corpus: Path, out: Path, key: Path) -> Result:
    return runner.invoke(
        app, ["pseudonymise", str(corpus), "--out", str(out), "--key", str(key), "--ner", "none", "-q"]
    )


def test_a_key_folder_that_may_not_be_written(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    mkstemp = tempfile.mkstemp

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        if Path(str(kwargs.get("dir", ""))).resolve() == keys.resolve():
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(keys))
        return mkstemp(*args, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    plain_failure(
        _pseudonymise(corpus, tmp_path / "out", keys / "study.key"), str(keys), "Check that you may"
    )


def test_a_key_under_a_file(corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("", encoding="utf-8")
    plain_failure(_pseudonymise(corpus, tmp_path / "out", tmp_path / "afile" / "study.key"), "afile")


def test_a_folder_given_as_key(corpus: Path, tmp_path: Path) -> None:
    plain_failure(_pseudonymise(corpus, tmp_path / "out", tmp_path), "is a folder, not a key file")


def test_a_damaged_key(corpus: Path, tmp_path: Path) -> None:
    key = tmp_path / "study.key"
    key.write_text("[]", encoding="utf-8")
    plain_failure(_pseudonymise(corpus, tmp_path / "out", key), "not a thememine key file")
    plain_failure(
        runner.invoke(
            app, ["reidentify", str(corpus / "a.txt"), "--key", str(key), "--out", str(tmp_path / "x")]
        ),
        "not a thememine key file",
    )


def test_whisper_json_nested_too_deeply_is_skipped_with_its_reason(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(INTERVIEW, encoding="utf-8")
    (corpus / "deep.json").write_text('{"segments": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(corpus), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "deep.json: is JSON nested deeper than" in result.stderr
    assert "unexpected" not in result.stderr
