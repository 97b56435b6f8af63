"""The researcher's decisions: read from an edited themes.yaml, checked, applied, logged."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from tests.runs import GROUPS, centres, edit, entry, snapshot, theme_of
from thememine.errors import InputError
from thememine.runfolder import LOG_FILE, THEMES_FILE, load_run, read_log, step
from thememine.themes.decisions import (
    CONFIRM,
    DELETE,
    MERGE,
    MOVE,
    RENAME,
    SPLIT,
    Decision,
    apply_decisions,
    apply_in_folder,
    apply_themes_file,
    read_decisions,
    save_codes,
)
from thememine.themes.model import CANDIDATE, CONFIRMED, UNASSIGNED, ThemeRun
from thememine.themes.store import stage_run


def test_fixture_has_one_theme_per_group(fitted: ThemeRun) -> None:
    assert sorted(fitted.themes) == [1, 2, 3, 4]
    assert sorted(theme_of(fitted, g) for g in GROUPS) == [1, 2, 3, 4]
    assert UNASSIGNED not in fitted.assignment


def test_confirm(run_dir: Path) -> None:
    edit(run_dir, lambda d: entry(d, 1).update(action="confirm"))
    assert apply_themes_file(run_dir) == [f"confirmed 1 ({load_run(run_dir).themes[1].label})"]
    run = load_run(run_dir)
    assert run.themes[1].status == CONFIRMED and not run.themes[1].named
    assert run.themes[2].status == CANDIDATE


@pytest.mark.parametrize("action", ["", "rename", "omdøb", "confirm"])
def test_rename(run_dir: Path, action: str) -> None:
    """A changed label is a rename, with or without the action (and confirm + label is one too)."""
    edit(run_dir, lambda d: entry(d, 2).update(label="Krydspres ", action=action))
    assert apply_themes_file(run_dir) == ["renamed 2 → Krydspres"]
    theme = load_run(run_dir).themes[2]
    assert (theme.label, theme.named, theme.status) == ("Krydspres", True, CONFIRMED)


def test_status_set_to_confirmed_is_a_confirm(run_dir: Path) -> None:
    edit(run_dir, lambda d: entry(d, 3).update(status="confirmed"))
    apply_themes_file(run_dir)
    assert load_run(run_dir).themes[3].status == CONFIRMED


def test_merge(run_dir: Path, fitted: ThemeRun) -> None:
    keep, other = theme_of(fitted, "samtykke"), theme_of(fitted, "møder")
    edit(run_dir, lambda d: entry(d, keep).update({"action": "merge", "with": [other]}))
    assert apply_themes_file(run_dir) == [f"merged {other} into {keep}"]
    run = load_run(run_dir)
    assert other not in run.themes
    assert run.themes[keep].size == 12 and run.themes[keep].parents == [other]
    assert set(run.members(keep)) == set(fitted.members(keep)) | set(fitted.members(other))
    assert other not in {t["id"] for t in yaml.safe_load((run_dir / THEMES_FILE).read_text())["themes"]}


def test_merge_with_a_label(run_dir: Path) -> None:
    edit(run_dir, lambda d: entry(d, 1).update({"action": "merge", "with": 2, "label": "Systemet"}))
    apply_themes_file(run_dir)
    theme = load_run(run_dir).themes[1]
    assert (theme.label, theme.named, theme.size) == ("Systemet", True, 12)


def test_split_gives_new_ids_and_parents(run_dir: Path, fitted: ThemeRun) -> None:
    edit(run_dir, lambda d: entry(d, 1).update({"action": "split", "k": 3}))
    assert apply_themes_file(run_dir) == ["split 1 into 5, 6, 7"]
    run = load_run(run_dir)
    assert sorted(run.themes) == [2, 3, 4, 5, 6, 7]
    assert [run.themes[t].parents for t in (5, 6, 7)] == [[1], [1], [1]]
    assert sorted(r for t in (5, 6, 7) for r in run.members(t)) == fitted.members(1)
    assert all(run.themes[t].keywords and run.themes[t].quotes for t in (5, 6, 7))
    assert run.settings["next_id"] == 8


def test_split_into_as_many_themes_as_statements(run_dir: Path) -> None:
    edit(run_dir, lambda d: entry(d, 4).update({"action": "split", "k": 6}))
    apply_themes_file(run_dir)
    run = load_run(run_dir)
    assert [run.themes[t].size for t in range(5, 11)] == [1] * 6


def test_delete(run_dir: Path, fitted: ThemeRun) -> None:
    edit(run_dir, lambda d: entry(d, 3).update(action="slet"))
    [message] = apply_themes_file(run_dir)
    assert message.startswith("deleted 3 (") and message.endswith("6 statements unassigned)")
    run = load_run(run_dir)
    assert 3 not in run.themes
    assert all(run.assignment[r] == UNASSIGNED for r in fitted.members(3))
    assert run.unassigned_share == pytest.approx(0.25)


def test_move_and_unassign(run_dir: Path, fitted: ThemeRun) -> None:
    first, second = (fitted.units[r].id for r in fitted.members(1)[:2])
    edit(run_dir, lambda d: d.update(moves=[{"statement": first, "to": 2}, {"statement": second, "to": -1}]))
    assert apply_themes_file(run_dir) == [f"moved {first} to 2", f"moved {second} to no theme"]
    run = load_run(run_dir)
    rows = {u.id: i for i, u in enumerate(run.units)}
    assert run.assignment[rows[first]] == 2 and run.assignment[rows[second]] == UNASSIGNED
    assert (run.themes[1].size, run.themes[2].size) == (4, 7)
    assert yaml.safe_load((run_dir / THEMES_FILE).read_text())["moves"] == []


def test_moves_apply_before_theme_decisions(run_dir: Path, fitted: ThemeRun) -> None:
    """Ids name themes as the researcher saw them: a statement moved to a merged theme follows it."""
    statement = fitted.units[fitted.members(1)[0]].id

    def change(data: dict[str, Any]) -> None:
        entry(data, 2).update({"action": "merge", "with": [3]})
        data["moves"] = [{"statement": statement, "to": 3}]

    edit(run_dir, change)
    apply_themes_file(run_dir)
    run = load_run(run_dir)
    assert run.assignment[fitted.members(1)[0]] == 2 and run.themes[2].size == 13


def test_theme_emptied_by_moves_is_removed(fitted: ThemeRun) -> None:
    run = copy.deepcopy(fitted)
    moves = [Decision(MOVE, 2, statement=run.units[r].id) for r in run.members(1)]
    messages = apply_decisions(run, moves)
    assert 1 not in run.themes
    assert messages[-1] == "theme 1 lost all its statements and was removed"


def test_themes_yaml_is_written_again_with_empty_actions(run_dir: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        entry(data, 1).update(action="confirm")
        entry(data, 2).update(label="Samtykke")
        entry(data, 3).update({"action": "merge", "with": [4]})

    edit(run_dir, change)
    apply_themes_file(run_dir)
    data = yaml.safe_load((run_dir / THEMES_FILE).read_text(encoding="utf-8"))
    assert [t["action"] for t in data["themes"]] == ["", "", ""]
    assert entry(data, 2)["label"] == "Samtykke"
    assert read_decisions(run_dir / THEMES_FILE, load_run(run_dir)) == []
    assert apply_themes_file(run_dir) == []


def test_ids_are_never_reused(run_dir: Path) -> None:
    """Deleting the highest theme and then splitting another must not give its id again."""
    edit(run_dir, lambda d: entry(d, 4).update(action="delete"))
    apply_themes_file(run_dir)
    edit(run_dir, lambda d: entry(d, 1).update({"action": "split", "k": 2}))
    assert apply_themes_file(run_dir) == ["split 1 into 5, 6"]
    assert sorted(load_run(run_dir).themes) == [2, 3, 5, 6]


def test_same_decisions_give_identical_files(tmp_path: Path, run_dir: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        entry(data, 1).update({"action": "split", "k": 2})
        entry(data, 2).update({"action": "merge", "with": [3], "label": "Samarbejde"})
        entry(data, 4).update(action="confirm")

    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    for folder in (run_dir, copy):
        edit(folder, change)
        apply_themes_file(folder)
    assert snapshot(run_dir) == snapshot(copy)


def test_log_is_appended_with_time(run_dir: Path) -> None:
    edit(run_dir, lambda d: entry(d, 1).update(label="Ventetid"))
    apply_themes_file(run_dir)
    first = (run_dir / LOG_FILE).read_text(encoding="utf-8")
    edit(run_dir, lambda d: entry(d, 2).update({"action": "merge", "with": [3]}))
    edit(run_dir, lambda d: entry(d, 4).update(action="delete"))
    apply_themes_file(run_dir)
    second = (run_dir / LOG_FILE).read_text(encoding="utf-8")
    assert second.startswith(first)
    log = read_log(run_dir)
    assert [e["action"] for e in log] == ["rename", "merge", "delete"]
    assert log[0]["label"] == "Ventetid" and log[1]["with"] == [3]
    assert len(log[2]["statements"]) == 6
    for e in log:
        assert datetime.fromisoformat(e["time"]).tzinfo is not None
    assert all(json.loads(line) for line in second.splitlines())


def test_codes_saved_with_the_run_name_changed_themes(run_dir: Path, fitted: ThemeRun) -> None:
    names = ["Ventetid", "Samtykke", "Møder", "Økonomi"]
    run = load_run(run_dir)
    run.settings["code_names"] = names
    with step(run_dir) as writing:
        stage_run(writing, run)
        save_codes(writing, names, np.stack(list(centres().values())))
    apply_in_folder(run_dir, [Decision(SPLIT, theme_of(fitted, "møder"), k=2)])
    new = load_run(run_dir)
    assert [new.themes[t].codes[0][0] for t in (5, 6)] == ["Møder", "Møder"]
    assert new.themes[5].label == "Møder"


BAD: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("unknown theme", lambda d: d["themes"][0].update(id=99), "theme 99 does not exist in this run"),
    ("unknown action", lambda d: entry(d, 1).update(action="fjern"), "theme 1 has an unknown action 'fjern'"),
    ("merge without with", lambda d: entry(d, 1).update(action="merge"), "`with` is missing"),
    (
        "merge unknown",
        lambda d: entry(d, 1).update({"action": "merge", "with": [8]}),
        "theme 8 does not exist",
    ),
    ("merge itself", lambda d: entry(d, 1).update({"action": "merge", "with": [1]}), "merged with itself"),
    ("split k=1", lambda d: entry(d, 1).update({"action": "split", "k": 1}), "cannot be split into 1 themes"),
    ("split k>size", lambda d: entry(d, 1).update({"action": "split", "k": 7}), "it has 6 statements"),
    ("split k text", lambda d: entry(d, 1).update({"action": "split", "k": "to"}), "not a whole number"),
    (
        "unknown statement",
        lambda d: d.update(moves=[{"statement": "x:1:0", "to": 1}]),
        "no statement 'x:1:0'",
    ),
    ("move without to", lambda d: d.update(moves=[{"statement": "x:1:0"}]), "needs `statement` and `to`"),
    (
        "two decisions",
        lambda d: (entry(d, 1).update({"action": "merge", "with": [2]}), entry(d, 2).update(action="delete")),
        "theme 2 takes part in two decisions (merge 2 into 1; delete 2)",
    ),
    ("empty label", lambda d: entry(d, 1).update(label=""), "renamed to an empty label"),
    ("status", lambda d: entry(d, 1).update(status="rejected"), "has status 'rejected'"),
    ("duplicate", lambda d: d["themes"].append(dict(entry(d, 1))), "theme 1 is listed twice"),
    ("no themes", lambda d: d.pop("themes"), "has no `themes:` list"),
]


@pytest.mark.parametrize(("name", "change", "problem"), BAD, ids=[b[0] for b in BAD])
def test_invalid_decisions_change_nothing(
    run_dir: Path, name: str, change: Callable[[dict[str, Any]], None], problem: str
) -> None:
    edit(run_dir, change)
    before = snapshot(run_dir)
    with pytest.raises(InputError) as caught:
        apply_themes_file(run_dir)
    assert problem in caught.value.problem
    assert caught.value.path == str(run_dir / THEMES_FILE)
    assert snapshot(run_dir) == before
    assert not (run_dir / LOG_FILE).exists()


def test_move_to_a_deleted_theme_is_refused(run_dir: Path, fitted: ThemeRun) -> None:
    statement = fitted.units[0].id
    edit(
        run_dir,
        lambda d: (entry(d, 3).update(action="delete"), d.update(moves=[{"statement": statement, "to": 3}])),
    )
    with pytest.raises(InputError, match="which is also deleted"):
        apply_themes_file(run_dir)


def test_yaml_syntax_error_names_the_line(run_dir: Path) -> None:
    path = run_dir / THEMES_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("  label:"))
    lines[number] = "  label: Krydspres: mellem to stole"  # an unquoted colon
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(run_dir)
    with pytest.raises(InputError) as caught:
        apply_themes_file(run_dir)
    assert f"is not valid YAML on line {number + 1}" in caught.value.problem
    assert snapshot(run_dir) == before


def test_decisions_given_directly_are_checked(fitted: ThemeRun) -> None:
    run = copy.deepcopy(fitted)
    with pytest.raises(InputError, match="theme 9 does not exist"):
        apply_decisions(run, [Decision(CONFIRM, 1), Decision(DELETE, 9)])
    assert run.themes[1].status == CANDIDATE  # checked before anything changed
    with pytest.raises(InputError, match="unknown action 'drop'"):
        apply_decisions(run, [Decision("drop", 1)])
    with pytest.raises(InputError, match="empty label"):
        apply_decisions(run, [Decision(RENAME, 1, "  ")])
    with pytest.raises(InputError, match="needs the themes to take in"):
        apply_decisions(run, [Decision(MERGE, 1)])
