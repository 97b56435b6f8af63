"""Kill ``thememine run``, ``themes`` and a decision at every durable write (SIGKILL, no clean-up).

Each command runs in a forked child that kills itself at its k-th durable write (a file synced,
a rename made; ``$THEMEMINE_CRASH_AT``), for k = 1, 2, … until it finishes unkilled. After every
kill the run folder must read whole (one step's files all before or all after it, nothing left
behind), the key must open, the researcher's rename must still be there, and the next command
must succeed.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import thememine.io
from tests.runs import GROUPS
from thememine.cli import app
from thememine.ingest.store import load_documents, load_statements
from thememine.io import CRASH_ENV, read_jsonl
from thememine.pseudonymise.keyfile import read_key
from thememine.pseudonymise.reidentify import reverse_table
from thememine.pseudonymise.surrogates import SurrogateMap
from thememine.runfolder import (
    ASSIGNMENTS_FILE,
    DOCUMENTS_DIR,
    LOG_FILE,
    THEMES_FILE,
    WORK_DIR,
    load_run,
    read_audit,
    read_corpus_record,
)
from thememine.themes.decisions import pending_decisions
from thememine.themes.model import CONFIRMED

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the crash tests fork")

runner = CliRunner()
PASS = "en lang nok passphrase"
LABEL = "Krydspres"  # the researcher's rename, applied before every crash
CHILD_TIMEOUT = 60.0
NEXT_EVERY = 4  # the next command runs after every 4th kill of `run` (and after each kill of the rest)


def invoke(*args: str) -> None:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output


def run_args(root: Path) -> list[str]:
    return [
        "run", str(root / "corpus"), "--out", str(root / "out"), "--key", str(root / "private" / "study.key"),
        "-q", "--ner", "none", "--embedder", "hash", "--force",
    ]  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def passphrase() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
        yield


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, passphrase: None) -> Path:
    """A run folder with its key, after a run and one rename by the researcher."""
    root = tmp_path_factory.mktemp("crash") / "template"
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    texts = [t for group in GROUPS.values() for t in group]
    for n, name in enumerate(("a.txt", "b.txt", "c.txt")):
        lines = [f"{'I' if i % 2 == 0 else 'Mette'}: {t}" for i, t in enumerate(texts[n * 8 : n * 8 + 8])]
        (corpus / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    invoke(*run_args(root))
    invoke("theme", "rename", str(root / "out"), str(min(load_run(root / "out").themes)), LABEL)
    return root


def killed_at(args: list[str], k: int) -> bool:
    """Run the command in a child that kills itself at its k-th durable write; whether it was killed
    (False: it finished before its k-th write). A child that fails otherwise fails the test."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 3
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            thememine.io._writes = 0  # count this command's writes only, not the parent's
            os.environ[CRASH_ENV] = str(k)
            result = app(args, standalone_mode=False)
            code = result if isinstance(result, int) else 0
        except SystemExit as err:
            code = err.code if isinstance(err.code, int) else 1
        except BaseException:
            code = 2
        finally:
            os._exit(code)
    deadline = time.monotonic() + CHILD_TIMEOUT
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail(f"{args[0]} with a crash at write {k} did not end")
        time.sleep(0.01)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return True
    assert os.WEXITSTATUS(status) == 0, f"{args[0]} failed (exit {os.WEXITSTATUS(status)}) without a crash"
    return False


def assert_whole(root: Path) -> None:
    """Every reader works and sees whole steps; the rename is kept; nothing is left behind."""
    out = root / "out"
    run = load_run(out)  # finishes a committed step first; the state and the embeddings match
    assert not (out / WORK_DIR).exists()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert LABEL in [t.label for t in run.themes.values()]
    assert pending_decisions(out, run) == []  # themes.yaml is the state's, not an older one
    listed = yaml.safe_load((out / THEMES_FILE).read_text(encoding="utf-8"))["themes"]
    assert {t["id"]: t["label"] for t in listed} == {t.id: t.label for t in run.themes.values()}
    assert {t["id"]: t["size"] for t in listed} == {t.id: t.size for t in run.themes.values()}
    with (out / ASSIGNMENTS_FILE).open(encoding="utf-8") as handle:
        rows = [(row["statement_id"], int(float(row["theme_id"]))) for row in csv.DictReader(handle)]
    assert rows == [(u.id, t) for u, t in zip(run.units, run.assignment, strict=True)]
    corpus = read_corpus_record(out)
    assert corpus is not None and corpus.pseudonymised and read_audit(out) is not None
    ids = {d.id for d in corpus.documents}
    assert ids == {d.id for d in load_documents(out)} == {s.doc_id for s in load_statements(out)}
    assert ids == {p.stem for p in (out / DOCUMENTS_DIR).iterdir()}
    mapping = SurrogateMap.from_payload(read_key(root / "private" / "study.key", PASS)["mapping"])
    said = [f"{s.speaker} {s.text}" for s in load_statements(out)]
    used = {tag for text in said for tag in re.findall(r"\[PERSON_\d+\]", text)}
    assert used and used <= set(reverse_table(mapping))  # the key reverses every pseudonym in the output


def crash_everywhere(
    template: Path,
    tmp_path: Path,
    command: Callable[[Path], list[str]],
    after: Callable[[Path], None] = lambda root: None,
    next_every: int = 1,
) -> int:
    """Kill ``command`` at write 1, 2, … on fresh copies of ``template``; returns how many kills."""
    k = 0
    while True:
        k += 1
        root = tmp_path / f"k{k}"
        shutil.copytree(template, root)
        if not killed_at(command(root), k):
            assert_whole(root)
            after(root)
            return k - 1
        assert_whole(root)
        if k % next_every == 0:
            invoke(*command(root))  # the next command succeeds
            assert_whole(root)
            after(root)
        shutil.rmtree(root)


def test_run_killed_anywhere(template: Path, tmp_path: Path) -> None:
    def run_again(root: Path) -> list[str]:
        """``thememine run`` again, after a new interview was added (with a new name in it)."""
        new = root / "corpus" / "d.txt"
        if not new.exists():
            new.write_text(f"I: Hvem hjalp dig?\nMette: Det gjorde Anders Berg. {GROUPS['møder'][0]}\n")
        return run_args(root)

    assert (
        crash_everywhere(template, tmp_path, run_again, next_every=NEXT_EVERY) > 20
    )  # pseudonymise, themes, export, report and the leak check each commit


def test_themes_killed_anywhere(template: Path, tmp_path: Path) -> None:
    def themes(root: Path) -> list[str]:
        return ["themes", str(root / "out"), "--update", "--embedder", "hash", "--include-interviewer", "-q"]

    assert crash_everywhere(template, tmp_path, themes) > 3


def test_decision_killed_anywhere(template: Path, tmp_path: Path) -> None:
    other = max(load_run(template / "out").themes)

    def confirm(root: Path) -> list[str]:
        return ["theme", "confirm", str(root / "out"), str(other)]

    def confirmed(root: Path) -> None:
        run = load_run(root / "out")
        assert run.themes[other].status == CONFIRMED
        assert "confirm" in [e["action"] for e in read_jsonl(root / "out" / LOG_FILE)]

    assert crash_everywhere(template, tmp_path, confirm, after=confirmed) > 3
