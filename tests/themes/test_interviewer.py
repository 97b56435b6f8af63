"""The interviewer's statements form no theme and are not coded, unless asked for."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thememine.cli import app
from thememine.ingest.model import Statement
from thememine.themes.fit import content_mask
from thememine.themes.fitting import units_from
from thememine.themes.model import INTERVIEWER, PARTICIPANT, Unit

runner = CliRunner()
TOPICS = [
    "Fristerne i loven presser os, og sagsbehandleren når ikke at vurdere borgeren ordentligt.",
    "Uden samtykke fra borgeren må psykiatrien ikke dele oplysninger med jobcentret.",
    "Netværksmødet gav en fælles plan for borgerens forløb med alle parter.",
]


def unit(role: str, text: str = "Samtykket kom aldrig frem til jobcentret.", filler: bool = False) -> Unit:
    return Unit(
        "d:0:0", "d", "I" if role == INTERVIEWER else "IP1", 0, len(text), text, filler=filler, role=role
    )


@pytest.mark.parametrize(
    ("units", "include", "expected"),
    [
        ([unit(PARTICIPANT), unit(INTERVIEWER)], False, [True, False]),
        ([unit(PARTICIPANT), unit(INTERVIEWER)], True, [True, True]),
        ([unit(INTERVIEWER, "Mm.", filler=True)], True, [False]),  # a filler stays out anyway
        ([unit(PARTICIPANT, "Mm.", filler=True)], False, [False]),
    ],
)
def test_content_mask(units: list[Unit], include: bool, expected: list[bool]) -> None:
    assert content_mask(units, include) == expected


def test_units_carry_the_role() -> None:
    statement = Statement("d:0:0", "d", "I", 0, 0, 0, 5, "Hvad?", None, False, role=INTERVIEWER)
    assert units_from([statement])[0].role == INTERVIEWER


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for d in range(3):
        lines = [f"{'I' if i % 2 else f'IP{d}'}: {TOPICS[i % 3]} Eksempel {i}." for i in range(12)]
        (corpus / f"interview{d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    assert runner.invoke(app, ["ingest", str(corpus), "--out", str(out), "-q"]).exit_code == 0
    return out


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.mark.parametrize(
    ("command", "flag"), [("themes", False), ("themes", True), ("code", False), ("code", True)]
)
def test_interviewer_left_out_unless_asked(run_dir: Path, command: str, flag: bool) -> None:
    args = [command, str(run_dir), "--embedder", "hash", "--codebook", "samarbejde_da", "-q"]
    result = runner.invoke(app, args + (["--include-interviewer"] if flag else []))
    assert result.exit_code == 0, result.output
    coded = {r["speaker"] for r in rows(run_dir / "codes.csv")}
    assert coded == ({"I", "IP0", "IP1", "IP2"} if flag else {"IP0", "IP1", "IP2"})
    if command == "themes":
        assigned = {r["speaker"] for r in rows(run_dir / "assignments.csv") if r["theme_id"] != "-1"}
        assert ("I" in assigned) is flag
        assert assigned - {"I"}


def test_the_unassigned_share_and_its_base_leave_interviewers_out() -> None:
    import numpy as np

    from thememine.themes.model import INTERVIEWER, ThemeRun, Unit

    units = [
        Unit("a", "d", "I", 0, 1, "Hvad skete der?", role=INTERVIEWER),
        Unit("b", "d", "IP", 0, 1, "Vi holdt et møde."),
        Unit("c", "d", "IP", 0, 1, "Mm.", filler=True),
        Unit("d", "d", "IP", 0, 1, "Så ringede jobcentret."),
    ]
    run = ThemeRun(units, np.zeros((4, 2), dtype=np.float32), [-1, 1, -1, -1], [0.0] * 4, {})
    assert run.with_content() == [1, -1] and run.unassigned_share == 0.5
    run.settings["include_interviewer"] = True
    assert run.with_content() == [-1, 1, -1] and round(run.unassigned_share, 3) == 0.667
