"""Undo and the folder lock: every decision can be taken back, and two writers never interleave."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from tests.runs import GROUPS, edit, entry, make_units, snapshot, theme_of
from thememine.errors import InputError
from thememine.runfolder import HISTORY_DIR, STATE_FILE, load_run, read_log
from thememine.themes.decisions import (
    CONFIRM,
    DELETE,
    MERGE,
    MOVE,
    RENAME,
    SPLIT,
    Decision,
    PendingError,
    apply_in_folder,
    apply_themes_file,
    no_pending,
)
from thememine.themes.fitting import fit_run
from thememine.themes.history import effective_log, last_snapshot, undo
from thememine.themes.model import UNASSIGNED, ThemeRun
from thememine.themes.store import save_run
from thememine.themes.update import update_run


def decisions_for(fitted: ThemeRun) -> dict[str, list[Decision]]:
    wait, consent, meetings, money = (
        theme_of(fitted, g) for g in ("ventetid", "samtykke", "møder", "økonomi")
    )
    statement = fitted.units[fitted.members(wait)[0]].id
    return {
        "confirm": [Decision(CONFIRM, wait)],
        "rename": [Decision(RENAME, consent, "Samtykke og tavshedspligt")],
        "merge": [Decision(MERGE, meetings, others=(money,))],
        "split": [Decision(SPLIT, meetings, k=2)],
        "delete": [Decision(DELETE, money)],
        "move": [Decision(MOVE, UNASSIGNED, statement=statement)],
    }


@pytest.mark.parametrize("kind", ["confirm", "rename", "merge", "split", "delete", "move"])
def test_undo_gives_back_the_files_as_they_were(run_dir: Path, fitted: ThemeRun, kind: str) -> None:
    before = snapshot(run_dir)
    messages = apply_in_folder(run_dir, decisions_for(fitted)[kind])
    assert snapshot(run_dir) != before
    said = undo(run_dir)
    assert said == "undid: " + "; ".join(messages)
    after = snapshot(run_dir)
    for name in before:
        if name == STATE_FILE:  # only next_id may differ: ids given out are never given again
            old, new = json.loads(before[name]), json.loads(after[name])
            old["settings"].pop("next_id", None)
            new["settings"].pop("next_id", None)
            assert old == new
        else:
            assert after[name] == before[name], name
    log = read_log(run_dir)
    assert log[-1]["action"] == "undo" and log[-1]["batch"] == log[0]["batch"] == 1
    assert effective_log(log) == []
    assert last_snapshot(run_dir) is None


def test_undo_goes_back_one_batch_at_a_time(run_dir: Path, fitted: ThemeRun) -> None:
    steps = decisions_for(fitted)
    apply_in_folder(run_dir, steps["rename"])
    after_rename = load_run(run_dir)
    apply_in_folder(run_dir, steps["merge"])
    assert undo(run_dir).startswith("undid: merged")
    assert load_run(run_dir).assignment == after_rename.assignment
    assert undo(run_dir).startswith("undid: renamed")
    assert load_run(run_dir).assignment == fitted.assignment
    with pytest.raises(InputError, match="no decision to undo"):
        undo(run_dir)


def test_a_batch_from_themes_yaml_is_undone_as_one(run_dir: Path, fitted: ThemeRun) -> None:
    wait, money = theme_of(fitted, "ventetid"), theme_of(fitted, "økonomi")

    def change(data: dict[str, object]) -> None:
        entry(data, wait).update(label="Ventetid")
        entry(data, money).update(action="delete")

    edit(run_dir, change)
    apply_themes_file(run_dir)
    assert money not in load_run(run_dir).themes
    said = undo(run_dir)
    assert "renamed" in said and "deleted" in said
    run = load_run(run_dir)
    assert money in run.themes and run.themes[wait].label == fitted.themes[wait].label


def test_ids_of_an_undone_split_are_not_given_again(run_dir: Path, fitted: ThemeRun) -> None:
    meetings = theme_of(fitted, "møder")
    apply_in_folder(run_dir, [Decision(SPLIT, meetings, k=2)])
    first = set(load_run(run_dir).themes) - set(fitted.themes)
    undo(run_dir)
    apply_in_folder(run_dir, [Decision(SPLIT, meetings, k=2)])
    second = set(load_run(run_dir).themes) - set(fitted.themes)
    assert first and second and first.isdisjoint(second)


def test_undo_refuses_while_themes_yaml_holds_decisions(run_dir: Path, fitted: ThemeRun) -> None:
    wait = theme_of(fitted, "ventetid")
    apply_in_folder(run_dir, [Decision(CONFIRM, wait)])
    edit(run_dir, lambda data: entry(data, wait).update(label="Ventetid"))
    with pytest.raises(PendingError, match="not applied yet"):
        undo(run_dir, guard=no_pending(run_dir))
    assert last_snapshot(run_dir) is not None  # nothing was undone


def test_a_new_fit_forgets_the_history(tmp_path: Path, run_dir: Path, fitted: ThemeRun) -> None:
    from thememine import pipeline

    units, _ = make_units(GROUPS)
    apply_in_folder(run_dir, decisions_for(fitted)["rename"])
    pipeline.themes(units, run_dir, embedder_spec="hash", update=True, progress=False)
    assert not list((run_dir / HISTORY_DIR).glob("*.json"))
    with pytest.raises(InputError, match="no decision to undo"):
        undo(run_dir)


def test_an_undone_merge_is_not_carried_over(run_dir: Path, fitted: ThemeRun) -> None:
    meetings, money = theme_of(fitted, "møder"), theme_of(fitted, "økonomi")
    apply_in_folder(run_dir, [Decision(MERGE, meetings, others=(money,))])
    undo(run_dir)
    units, vectors = make_units(GROUPS)
    new, _ = update_run(run_dir, fit_run(units, vectors, seed=42))
    assert meetings in new.themes and money in new.themes


def test_undo_refuses_a_snapshot_of_other_statements(run_dir: Path, fitted: ThemeRun) -> None:
    apply_in_folder(run_dir, decisions_for(fitted)["confirm"])
    units, vectors = make_units({**GROUPS, "ekstra": ["Et nyt udsagn om noget helt andet."] * 3})
    save_run(fit_run(units, vectors, seed=42), run_dir)  # as a fit made by hand, without forgetting
    with pytest.raises(InputError, match="fitted again"):
        undo(run_dir)


def test_a_damaged_snapshot_is_named(run_dir: Path, fitted: ThemeRun) -> None:
    apply_in_folder(run_dir, decisions_for(fitted)["confirm"])
    (path,) = (run_dir / HISTORY_DIR).glob("*.json")
    path.write_text('{"batch": 1, "messages": []}\n{not json', encoding="utf-8")
    with pytest.raises(InputError, match="damaged"):
        undo(run_dir)


def _rename_many(folder: str, theme: int, prefix: str, count: int) -> None:
    for i in range(count):
        apply_in_folder(Path(folder), [Decision(RENAME, theme, f"{prefix} {i}")])


def test_two_writers_at_once_never_lose_a_decision(run_dir: Path, fitted: ThemeRun) -> None:
    """Two processes (as two tabs, or a tab and a terminal) rename two themes 8 times each."""
    wait, consent = theme_of(fitted, "ventetid"), theme_of(fitted, "samtykke")
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_rename_many, args=(str(run_dir), wait, "Ventetid", 8)),
        context.Process(target=_rename_many, args=(str(run_dir), consent, "Samtykke", 8)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
        assert worker.exitcode == 0
    run = load_run(run_dir)
    assert run.themes[wait].label == "Ventetid 7" and run.themes[consent].label == "Samtykke 7"
    log = read_log(run_dir)
    assert len(log) == 16 and sorted(e["batch"] for e in log) == list(range(1, 17))
    assert len(list((run_dir / HISTORY_DIR).glob("*.json"))) == 16
