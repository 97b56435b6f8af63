"""Decisions survive an update: a new interview, a new fit, the researcher's themes carried over."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from tests.runs import BOLIG, GROUPS, make_run, make_units, theme_of
from thememine.runfolder import load_run, read_log
from thememine.themes.decisions import DELETE, MERGE, MOVE, RENAME, Decision, apply_in_folder
from thememine.themes.fitting import fit_run
from thememine.themes.model import CANDIDATE, CONFIRMED, UNASSIGNED, ThemeRun
from thememine.themes.store import save_run
from thememine.themes.update import CENTROID_MATCH, carry_over, update_run

NEW_INTERVIEW = {
    "ventetid": ["Vi ventede et helt år på en udredning.", "Fristen for svar blev ikke holdt."],
    "samtykke": ["Hun ville ikke give samtykke til at vi ringede.", "Tavshedspligten stoppede samtalen."],
    "møder": ["Vi mødes med psykiatrien hver anden uge.", "Mødet gav en fælles plan for borgeren."],
    "økonomi": ["Kommunen sagde, at regionen skulle betale.", "Pengene styrer, hvad vi kan tilbyde."],
    "bolig": BOLIG,
}


def grown() -> tuple[list[str], ThemeRun]:
    """All statements of the first run plus a new interview, fitted afresh."""
    old_units, old_vectors = make_units(GROUPS)
    new_units, new_vectors = make_units(NEW_INTERVIEW, prefix="ny-", seed=1)
    run = fit_run([*old_units, *new_units], np.concatenate([old_vectors, new_vectors]), seed=42)
    return [u.id for u in new_units], run


@pytest.fixture(scope="module")
def refit() -> ThemeRun:
    return grown()[1]


@pytest.fixture
def decided(tmp_path: Path) -> tuple[Path, ThemeRun]:
    """A run folder after the researcher renamed, confirmed, merged, deleted and moved."""
    folder = tmp_path / "run"
    first = make_run()
    save_run(first, folder)
    ventetid, samtykke, moder, okonomi = (theme_of(first, g) for g in GROUPS)
    moved = first.units[first.members(ventetid)[0]].id
    apply_in_folder(
        folder,
        [
            Decision(RENAME, ventetid, "Ventetid"),
            Decision(MERGE, samtykke, "Samarbejde", others=(moder,)),
            Decision(DELETE, okonomi),
        ],
    )
    apply_in_folder(folder, [Decision(MOVE, samtykke, statement=moved)])
    return folder, first


def test_refit_finds_every_group(refit: ThemeRun) -> None:
    assert len(refit.themes) == 5
    assert UNASSIGNED not in refit.assignment


def test_decisions_are_carried_over(decided: tuple[Path, ThemeRun], refit: ThemeRun) -> None:
    folder, first = decided
    ventetid, samtykke, moder, okonomi = (theme_of(first, g) for g in GROUPS)
    new, messages = update_run(folder, copy.deepcopy(refit))
    # the renamed theme keeps its id, label and status, and grew by the new interview
    assert new.themes[ventetid].label == "Ventetid"
    assert (new.themes[ventetid].named, new.themes[ventetid].status) == (True, CONFIRMED)
    # samtykke and møder come out of the fit apart; they are merged again under the kept id
    assert moder not in new.themes
    assert new.themes[samtykke].label == "Samarbejde" and new.themes[samtykke].status == CONFIRMED
    assert theme_of(new, "samtykke") == theme_of(new, "møder") == samtykke
    # økonomi was deleted: its statements, old and new, stay unassigned
    assert okonomi not in new.themes
    assert {t for u, t in zip(new.units, new.assignment, strict=True) if "økonomi__" in u.doc_id} == {
        UNASSIGNED
    }
    # the moved statement is where the researcher put it
    moved = read_log(folder)[-1]["statement"]
    assert new.assignment[[u.id for u in new.units].index(moved)] == samtykke
    # bolig is new, with an id never used before
    bolig = theme_of(new, "bolig")
    assert bolig == 5 and new.themes[bolig].note == "new" and new.themes[bolig].status == CANDIDATE
    assert new.settings["next_id"] == 6
    assert new.themes[ventetid].note == "grew from 5 to 7 statements"
    assert new.themes[samtykke].note == "grew from 13 to 17 statements"
    assert f"new theme 5 ({new.themes[bolig].label}, 6 statements)" in messages
    assert f"theme {ventetid} (Ventetid) grew from 5 to 7 statements" in messages
    assert any(f"like deleted theme {okonomi}" in m and "left without a theme" in m for m in messages)
    assert any("merged again" in m for m in messages)


def test_unchanged_theme_has_no_note(decided: tuple[Path, ThemeRun]) -> None:
    folder, _ = decided
    units, vectors = make_units(GROUPS)
    new, messages = update_run(folder, fit_run(units, vectors, seed=42))
    previous = load_run(folder)
    assert sorted(new.themes) == sorted(previous.themes)
    assert [t.note for t in new.themes.values()] == ["", ""]
    assert new.assignment == previous.assignment
    assert not any(m.startswith("new theme") for m in messages)


def test_carried_over_run_can_be_saved_and_decided_again(
    tmp_path: Path, decided: tuple[Path, ThemeRun], refit: ThemeRun
) -> None:
    folder, _ = decided
    new, _ = update_run(folder, copy.deepcopy(refit))
    out = tmp_path / "updated"
    save_run(new, out)
    apply_in_folder(out, [Decision(DELETE, 5)])
    assert sorted(load_run(out).themes) == sorted(load_run(folder).themes)
    assert load_run(out).next_id() == 6


def test_match_by_centroid_when_statement_ids_changed() -> None:
    """Statements with new ids (re-ingested) still find their themes by centroid similarity."""
    previous = make_run()
    previous.themes[1].label, previous.themes[1].named, previous.themes[1].status = (
        "Mit tema",
        True,
        CONFIRMED,
    )
    units, vectors = make_units({**GROUPS, "bolig": NEW_INTERVIEW["bolig"]}, prefix="igen-", seed=3)
    new = fit_run(units, vectors, seed=42)
    messages = carry_over(previous, [], new)
    group = next(g for g in GROUPS if theme_of(previous, g) == 1)
    assert theme_of(new, group) == 1 and new.themes[1].label == "Mit tema"
    assert {theme_of(new, g) for g in GROUPS} == {theme_of(previous, g) for g in GROUPS}
    assert theme_of(new, "bolig") == 5 and new.themes[5].note == "new"
    assert sum(m.startswith("new theme") for m in messages) == 1


def test_far_centroids_do_not_match() -> None:
    previous = make_run()
    units, vectors = make_units(GROUPS, prefix="igen-")
    rng = np.random.default_rng(5)
    new = fit_run(units, vectors + 3.0 * rng.normal(size=vectors.shape[1]).astype(np.float32), seed=42)
    centre = new.embeddings[new.members(1)].mean(axis=0)
    old = previous.embeddings[previous.members(theme_of(previous, "ventetid"))].mean(axis=0)
    assert float(centre @ old / np.linalg.norm(centre) / np.linalg.norm(old)) < CENTROID_MATCH
    messages = carry_over(previous, [], new)
    assert sorted(new.themes) == [5, 6, 7, 8]
    assert sum("has no match" in m for m in messages) == 4


def test_update_with_another_embedder_matches_by_overlap_alone(tmp_path: Path) -> None:
    """A run fitted with 32-dimensional vectors, updated with 16: no centroid comparison, no crash."""
    previous = make_run()
    housing = [
        "Borgeren mistede sin bolig og boede på et herberg.",
        "Uden bolig er der ingen stabilitet.",
    ] * 3
    # økonomi is gone and bolig is new: both are left to the centroid step, which must stand aside
    kept = {name: texts for name, texts in GROUPS.items() if name != "økonomi"}
    units, vectors = make_units({**kept, "bolig": housing})
    new = fit_run(units, vectors[:, :16].copy(), seed=42)
    new.settings["embedder"] = "other:16"
    folder = tmp_path / "run"
    save_run(previous, folder)
    updated, _ = update_run(folder, new)
    money = theme_of(previous, "økonomi")
    assert money not in updated.themes and len(updated.themes) == len(previous.themes)
    assert {theme_of(updated, g) for g in kept} == {theme_of(previous, g) for g in kept}
