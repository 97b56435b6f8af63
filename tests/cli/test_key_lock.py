"""One key, one mapping: runs on the same key wait for each other or stop, and the key comes first."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thememine import pipeline
from thememine.cli import app
from thememine.ingest.store import load_statements
from thememine.pseudonymise import keyfile
from thememine.pseudonymise.keyfile import KeyFileError, read_key
from thememine.pseudonymise.reidentify import reidentify
from thememine.pseudonymise.surrogates import SurrogateMap

PASS = "en lang nok passphrase"
PEOPLE = ("Mette Holm", "Anders Berg")


def interview(root: Path, person: str, copies: int = 1) -> Path:
    """A corpus of interviews in which ``person`` speaks and is named (``copies`` of them, so that
    two runs on it overlap in time)."""
    root.mkdir(parents=True)
    first = person.split()[0]
    for n in range(copies):
        (root / f"interview{n:02d}.txt").write_text(
            f"I: Hvad hedder du?\n{first}: Jeg hedder {person}, og jeg arbejder på jobcentret.\n"
            f"I: Tak, {first}. Hvornår startede du?\n{first}: For {n + 2} år siden.\n",
            encoding="utf-8",
        )
    return root


def pseudonymise(corpus: Path, out: Path, key: Path) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "thememine", "pseudonymise", str(corpus), "--out", str(out)]
    return subprocess.Popen(
        [*args, "--key", str(key), "--ner", "none", "-q"],
        env={**os.environ, "THEMEMINE_KEY_PASSPHRASE": PASS},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_two_runs_on_one_key_never_give_two_mappings(tmp_path: Path) -> None:
    key = tmp_path / "private" / "study.key"
    runs = [
        (pseudonymise(interview(tmp_path / f"corpus{n}", person, 40), tmp_path / f"out{n}", key), person)
        for n, person in enumerate(PEOPLE)
    ]
    for process, _ in runs:
        _, err = process.communicate(timeout=120)
        # each waits for the other (or, if the other takes too long, stops with a plain message)
        assert process.returncode == 0 or "Another thememine run is using the key" in err, err
    mapping = SurrogateMap.from_payload(read_key(key, PASS)["mapping"])
    for n, (process, person) in enumerate(runs):
        if process.returncode != 0:
            assert not (tmp_path / f"out{n}" / "statements.jsonl").exists()
            continue
        text = "\n".join(s.text for s in load_statements(tmp_path / f"out{n}"))
        back, _ = reidentify(text, mapping)
        other = next(p for p in PEOPLE if p != person)
        assert person in back and other not in back  # the key reverses this output to its own person


def test_a_run_stops_while_another_process_holds_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "private" / "study.key"
    key.parent.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable, "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'w'); fcntl.flock(f, fcntl.LOCK_EX); "
            "print('held', flush=True); time.sleep(60)",
            str(key.with_name("study.key.lock")),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(keyfile, "KEY_WAIT", 0.5)
        out = tmp_path / "out"
        started = time.monotonic()
        with pytest.raises(KeyFileError, match="Another thememine run is using the key"):
            pipeline.pseudonymise(
                [interview(tmp_path / "corpus", PEOPLE[0])], out, key, PASS, tagger_spec="none"
            )
        assert time.monotonic() - started >= 0.5  # it waited first
        assert not out.exists() and not key.exists()
    finally:
        holder.kill()
        holder.wait()


def test_a_key_folder_that_cannot_be_written_stops_before_any_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    out = tmp_path / "out"
    corpus = interview(tmp_path / "corpus", PEOPLE[0])
    args = ["pseudonymise", str(corpus), "--out", str(out), "--key", str(blocked / "study.key")]
    result = CliRunner().invoke(app, [*args, "--ner", "none", "-q"])
    assert result.exit_code == 1
    assert "Cannot write in the key's folder" in result.stderr and "Traceback" not in result.output
    assert not out.exists()


def test_the_key_is_written_before_the_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When writing the key fails, no output is written (it could never be reversed)."""

    def full_disk(path: Path, data: bytes, mode: int | None = None) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(keyfile, "atomic_write_bytes", full_disk)
    out, key = tmp_path / "out", tmp_path / "private" / "study.key"
    with pytest.raises(KeyFileError, match="Could not write the key file"):
        pipeline.pseudonymise([interview(tmp_path / "corpus", PEOPLE[0])], out, key, PASS, tagger_spec="none")
    assert not (out / "statements.jsonl").exists() and not key.exists()
