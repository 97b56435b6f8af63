"""Small run folders made through the Python API: pseudonymised with themes, ingested only."""

from __future__ import annotations

from pathlib import Path

import pytest

from thememine.pipeline import ingest, pseudonymise, themes
from thememine.themes.inputs import read_units

DANGEROUS = 'Hun skrev <script>alert("x")</script> & "mere" i chatten'

TOPICS = {
    "jobcenter": [
        "Sagsbehandleren på jobcentret skrev en ny plan for ressourceforløbet.",
        "Vi holdt et møde på jobcentret om praktik og arbejdsprøvning.",
        "Min plan i jobcentret blev ændret igen, og jeg fik en ny sagsbehandler.",
        "Praktikken blev aftalt på mødet med jobcentret og virksomheden.",
    ],
    "psykiatri": [
        "Psykiatrien udskrev hende uden at give kommunen besked.",
        "Lægen i psykiatrien ændrede medicinen efter indlæggelsen.",
        "Ventelisten i psykiatrien var lang, og udredningen tog et år.",
        "Kontaktpersonen i psykiatrien fulgte hende til lægen hver uge.",
    ],
}


def _interview(group: str, number: int) -> str:
    lines = []
    for turn in range(14):
        question = f"I: Kan du fortælle mere om det, {turn}?"
        answer = TOPICS[group][(turn + number) % 4]
        if group == "jobcenter" and number == 1 and turn == 3:
            answer = DANGEROUS
        lines += [question, "", f"IP: {answer} Det var i uge {turn + 10}.", ""]
    return "\n".join(lines)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    for group in TOPICS:
        (root / group).mkdir()
        for number in (1, 2):
            (root / group / f"interview{number}.txt").write_text(_interview(group, number), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def full_run(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Pseudonymised (audit.json) and with themes, as `thememine run` writes it."""
    out = tmp_path_factory.mktemp("full") / "run"
    key = tmp_path_factory.mktemp("key") / "k.key"
    pseudonymise([corpus], out, key, "test-only", tagger_spec="none")
    cache = tmp_path_factory.mktemp("embedding-cache")  # session scope: before the autouse cache fixture
    themes(read_units(out), out, embedder_spec="hash", progress=False, cache_dir=cache)
    return out


@pytest.fixture(scope="session")
def ingest_run(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ingested only: no audit, no themes."""
    out = tmp_path_factory.mktemp("ingest") / "run"
    ingest([corpus], out)
    return out
