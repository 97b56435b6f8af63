"""``thememine apply`` and ``thememine theme …`` through Typer's runner, on a real run folder."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.runs import edit, entry, snapshot, theme_of
from thememine.cli import app
from thememine.runfolder import LOG_FILE, THEMES_FILE, load_run, read_log
from thememine.themes.model import CONFIRMED, UNASSIGNED, ThemeRun
from thememine.themes.store import save_run

runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("args", [["apply", "--help"], ["theme", "--help"], ["theme", "merge", "--help"]])
def test_help(args: list[str]) -> None:
    code, out, _ = invoke(*args)
    assert code == 0 and "Usage" in out


def test_apply_prints_what_was_done(run_dir: Path) -> None:
    def change(data: dict[str, object]) -> None:
        entry(data, 3).update(label="Krydspres")
        entry(data, 2).update({"action": "merge", "with": [4]})

    edit(run_dir, change)
    code, out, err = invoke("apply", run_dir)
    assert code == 0, err
    assert out.startswith("Merged 4 into 2; renamed 3 → Krydspres.")  # in the order of the file
    assert "written again with empty actions" in out
    run = load_run(run_dir)
    assert run.themes[3].label == "Krydspres" and 4 not in run.themes
    assert [e["action"] for e in read_log(run_dir)] == ["merge", "rename"]


def test_apply_with_nothing_to_do(run_dir: Path) -> None:
    before = snapshot(run_dir)
    code, out, _ = invoke("apply", run_dir)
    assert code == 0 and out.startswith("Nothing to apply")
    assert snapshot(run_dir) == before and not (run_dir / LOG_FILE).exists()


def test_apply_error_is_one_line_on_stderr(run_dir: Path) -> None:
    edit(run_dir, lambda d: entry(d, 1).update(action="merge"))
    before = snapshot(run_dir)
    code, out, err = invoke("apply", run_dir)
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        f"error: {run_dir / THEMES_FILE}: theme 1 is to be merged, but `with` is missing. Add the themes "
        "to take in, e.g. `with: [5, 7]` under theme 1"
    ]
    assert snapshot(run_dir) == before


def test_apply_without_a_run(tmp_path: Path) -> None:
    code, _, err = invoke("apply", tmp_path)
    assert code == 1 and "no theme run here" in err


def test_rename(run_dir: Path) -> None:
    code, out, err = invoke("theme", "rename", run_dir, "3", "Krydspres")
    assert code == 0, err
    assert out.startswith("Renamed 3 → Krydspres.")
    theme = load_run(run_dir).themes[3]
    assert (theme.label, theme.named, theme.status) == ("Krydspres", True, CONFIRMED)
    assert (
        entry(yaml.safe_load((run_dir / THEMES_FILE).read_text(encoding="utf-8")), 3)["label"] == "Krydspres"
    )


def test_confirm_several(run_dir: Path) -> None:
    code, _, err = invoke("theme", "confirm", run_dir, "1", "2")
    assert code == 0, err
    run = load_run(run_dir)
    assert [run.themes[t].status for t in (1, 2, 3)] == [CONFIRMED, CONFIRMED, "candidate"]


def test_merge_into_the_first(run_dir: Path, fitted: ThemeRun) -> None:
    code, out, err = invoke("theme", "merge", run_dir, "2", "3", "4", "--label", "Systemet")
    assert code == 0, err
    assert out.startswith("Merged 3, 4 into 2.")
    run = load_run(run_dir)
    assert sorted(run.themes) == [1, 2]
    assert (run.themes[2].size, run.themes[2].label, run.themes[2].parents) == (18, "Systemet", [3, 4])


def test_split(run_dir: Path) -> None:
    code, out, err = invoke("theme", "split", run_dir, "4", "--k", "2")
    assert code == 0, err
    assert out.startswith("Split 4 into 5, 6.")
    assert sorted(load_run(run_dir).themes) == [1, 2, 3, 5, 6]


def test_delete(run_dir: Path, fitted: ThemeRun) -> None:
    code, _, err = invoke("theme", "delete", run_dir, "1")
    assert code == 0, err
    run = load_run(run_dir)
    assert 1 not in run.themes and all(run.assignment[r] == UNASSIGNED for r in fitted.members(1))


@pytest.mark.parametrize(("to", "expected"), [("3", 3), ("none", UNASSIGNED), ("-1", UNASSIGNED)])
def test_move(run_dir: Path, fitted: ThemeRun, to: str, expected: int) -> None:
    row = fitted.members(1)[0]
    statement = fitted.units[row].id
    args = (
        ["theme", "move", run_dir, statement, "--", to]
        if to.startswith("-")
        else ["theme", "move", run_dir, statement, to]
    )
    code, out, err = invoke(*args)
    assert code == 0, err
    assert statement in out
    assert load_run(run_dir).assignment[row] == expected
    assert read_log(run_dir)[0] | {"time": ""} == {
        "time": "",
        "action": "move",
        "statement": statement,
        "from": 1,
        "to": expected,
        "batch": 1,
    }


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["rename", "9", "Krydspres"], "theme 9 does not exist in this run (its themes are 1, 2, 3, 4)"),
        (["split", "1", "--k", "7"], "theme 1 cannot be split into 7 themes: it has 6 statements"),
        (["merge", "1", "1"], "theme 1 cannot be merged with itself"),
        (["move", "x:1:0", "2"], "there is no statement 'x:1:0' in this run"),
        (["move", "x:1:0", "tre"], "'tre' is not a theme id"),
        (["delete", "1", "1"], "theme 1 takes part in two decisions"),
    ],
)
def test_sub_command_errors(run_dir: Path, args: list[str], problem: str) -> None:
    before = snapshot(run_dir)
    code, out, err = invoke("theme", args[0], run_dir, *args[1:])
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"error: {run_dir}")
    assert problem in err
    assert snapshot(run_dir) == before and not (run_dir / LOG_FILE).exists()


def test_sub_command_keeps_unapplied_edits(run_dir: Path) -> None:
    """Writing the run would overwrite themes.yaml: decisions waiting there must be applied first."""
    edit(run_dir, lambda d: entry(d, 2).update(label="Mit navn"))
    before = snapshot(run_dir)
    code, _, err = invoke("theme", "confirm", run_dir, "1")
    assert code == 1
    assert "holds 1 decision(s) not applied yet" in err and f"thememine apply {run_dir}" in err
    assert snapshot(run_dir) == before


def test_sub_commands_and_file_give_the_same_run(tmp_path: Path, fitted: ThemeRun) -> None:
    by_file, by_command = tmp_path / "file", tmp_path / "command"
    save_run(fitted, by_file)
    save_run(fitted, by_command)
    moder, ventetid, samtykke = (theme_of(fitted, g) for g in ("møder", "ventetid", "samtykke"))
    statement = fitted.units[fitted.members(ventetid)[0]].id

    def change(data: dict[str, object]) -> None:
        entry(data, moder).update({"action": "split", "k": 2})
        entry(data, ventetid).update(label="Krydspres")
        data["moves"] = [{"statement": statement, "to": samtykke}]

    edit(by_file, change)
    assert invoke("apply", by_file)[0] == 0
    assert invoke("theme", "move", by_command, statement, str(samtykke))[0] == 0
    assert invoke("theme", "split", by_command, str(moder), "--k", "2")[0] == 0
    assert invoke("theme", "rename", by_command, str(ventetid), "Krydspres")[0] == 0
    assert snapshot(by_file) == snapshot(by_command)
    # the file applies theme decisions in its own order (by theme id); the log holds the same decisions
    assert sorted(e["action"] for e in read_log(by_command)) == sorted(e["action"] for e in read_log(by_file))


def test_undo(run_dir: Path, fitted: ThemeRun) -> None:
    before = snapshot(run_dir)
    code, _, err = invoke("theme", "rename", run_dir, "2", "Krydspres")
    assert code == 0, err
    code, out, err = invoke("theme", "undo", run_dir)
    assert code == 0, err
    assert out.startswith("Undid: renamed 2 → Krydspres.")
    assert load_run(run_dir).themes[2].label == fitted.themes[2].label
    assert snapshot(run_dir)[THEMES_FILE] == before[THEMES_FILE]
    code, _, err = invoke("theme", "undo", run_dir)
    assert code == 1 and "there is no decision to undo" in err
