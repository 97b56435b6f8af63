"""Every kind of decision survives adding an interview: fit, decide, add statements, update.

The statements are embedded near a fixed direction per group (tests/runs.py), so the fits are
fast and known. Where a test needs a new fit that goes against the researcher's decisions (two
confirmed themes put together, a confirmed theme nobody matches), it edits the fit by hand.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from tests.runs import BOLIG, GROUPS, make_units, theme_of
from thememine.runfolder import load_run, read_log
from thememine.themes.decisions import CONFIRM, DELETE, MERGE, MOVE, RENAME, SPLIT, Decision, apply_in_folder
from thememine.themes.fitting import fit_run
from thememine.themes.history import effective_log
from thememine.themes.model import CONFIRMED, INTERVIEWER, UNASSIGNED, ThemeRun
from thememine.themes.store import save_run
from thememine.themes.update import carry_over, update_run

FIRST = {
    **GROUPS,
    "bolig": BOLIG,
    "ekstra": [
        "Han ville gerne tage en uddannelse som tømrer.",
        "Uddannelsen blev afbrudt, da han blev syg.",
        "Hun startede på en kort uddannelse på VUC.",
        "Skolen havde ikke plads til hans behov.",
        "Vi talte om uddannelse som et mål for næste år.",
        "Praktikken i uddannelsen var for hård for hende.",
    ],
}
# one new interview: two statements for each group (12, as in the reported case of 11)
NEW = {
    "ventetid": ["Vi ventede et helt år på en udredning.", "Fristen for svar blev ikke holdt."],
    "samtykke": ["Hun ville ikke give samtykke til at vi ringede.", "Tavshedspligten stoppede samtalen."],
    "møder": ["Vi mødes med psykiatrien hver anden uge.", "Mødet gav en fælles plan for borgeren."],
    "økonomi": ["Kommunen sagde, at regionen skulle betale.", "Pengene styrer, hvad vi kan tilbyde."],
    "bolig": ["Han sov på sofaen hos en ven i to måneder.", "Boligen var forudsætningen for det hele."],
    "ekstra": ["Uddannelsen gav ham noget at stå op til.", "Hun droppede ud af skolen igen."],
}


@dataclass
class Decided:
    """A run folder after one decision of every kind, and what was decided."""

    folder: Path
    previous: ThemeRun
    ids: dict[str, int]  # group → theme id in the first fit
    split_into: list[int]
    moved: str
    new_ids: dict[str, list[str]]  # group → ids of its statements in the new interview


def members(run: ThemeRun, theme_id: int) -> set[str]:
    return {run.units[r].id for r in run.members(theme_id)}


def of_group(run: ThemeRun, group: str, new: bool | None = None) -> set[str]:
    return {
        u.id
        for u in run.units
        if f"{group}__" in u.doc_id and (new is None or u.doc_id.startswith("ny-") == new)
    }


def grown_fit() -> ThemeRun:
    """The first interviews and the new one, fitted afresh."""
    old_units, old_vectors = make_units(FIRST)
    new_units, new_vectors = make_units(NEW, prefix="ny-", seed=1)
    return fit_run([*old_units, *new_units], np.concatenate([old_vectors, new_vectors]), seed=42)


@pytest.fixture(scope="module")
def refit() -> ThemeRun:
    return grown_fit()


@pytest.fixture(scope="module")
def decided(tmp_path_factory: pytest.TempPathFactory) -> Decided:
    folder = tmp_path_factory.mktemp("run")
    units, vectors = make_units(FIRST)
    first = fit_run(units, vectors, seed=42)
    ids = {group: theme_of(first, group) for group in FIRST}
    assert len(set(ids.values())) == len(FIRST)  # one theme per group
    save_run(first, folder)
    apply_in_folder(
        folder,
        [
            Decision(CONFIRM, ids["ventetid"]),
            Decision(RENAME, ids["samtykke"], "Samtykke og tavshedspligt"),
            Decision(MERGE, ids["møder"], "Møder og uddannelse", others=(ids["ekstra"],)),
            Decision(DELETE, ids["bolig"]),
        ],
    )
    apply_in_folder(folder, [Decision(SPLIT, ids["økonomi"], k=2)])
    split_into = [int(t) for t in read_log(folder)[-1]["into"]]
    moved = sorted(members(load_run(folder), ids["ventetid"]))[0]
    apply_in_folder(folder, [Decision(MOVE, ids["samtykke"], statement=moved)])
    new_units, _ = make_units(NEW, prefix="ny-", seed=1)
    new_ids = {g: [u.id for u in new_units if f"{g}__" in u.doc_id] for g in NEW}
    return Decided(folder, load_run(folder), ids, split_into, moved, new_ids)


def updated(decided: Decided, new: ThemeRun) -> tuple[ThemeRun, list[str]]:
    return update_run(decided.folder, copy.deepcopy(new))


def test_every_decision_survives_a_new_interview(decided: Decided, refit: ThemeRun) -> None:
    new, messages = updated(decided, refit)
    before, ids = decided.previous, decided.ids
    # the same themes, no more and no fewer: the new statements all fit one of them
    assert sorted(new.themes) == sorted(before.themes)
    assert not any("match" in m or "is gone" in m or m.startswith("new theme") for m in messages)
    for theme_id, theme in before.themes.items():
        # each keeps its status, parents and every statement it held; a confirmed one its label
        kept = new.themes[theme_id]
        assert (kept.status, kept.parents) == (theme.status, theme.parents)
        assert kept.label == theme.label or theme.status != CONFIRMED
        assert members(before, theme_id) <= members(new, theme_id)
    # confirmed, with its label; renamed; both grew by the new interview
    assert new.themes[ids["ventetid"]].status == CONFIRMED
    assert set(decided.new_ids["ventetid"]) <= members(new, ids["ventetid"])
    assert new.themes[ids["samtykke"]].label == "Samtykke og tavshedspligt"
    assert set(decided.new_ids["samtykke"]) <= members(new, ids["samtykke"])
    # the moved statement stays where it was moved
    assert decided.moved in members(new, ids["samtykke"])
    # merged: the fit finds møder and uddannelse apart; they are one theme again, new statements too
    assert ids["ekstra"] not in new.themes
    assert of_group(new, "møder") | of_group(new, "ekstra") == members(new, ids["møder"])
    # split: the two parts stay apart, and the new statements about money join one of them
    assert ids["økonomi"] not in new.themes
    parts = [members(new, t) for t in decided.split_into]
    assert parts[0] | parts[1] == of_group(new, "økonomi")
    # deleted: its statements, old and new, stay without a theme; no look-alike comes back
    assert ids["bolig"] not in new.themes
    assert {new.assignment[r] for r, u in enumerate(new.units) if "bolig__" in u.doc_id} == {UNASSIGNED}
    assert any(
        f"like deleted theme {ids['bolig']}" in m and "8 statements (2 of them new)" in m for m in messages
    )
    # ids are never given twice
    assert new.settings["next_id"] == before.next_id()


def test_the_updated_run_reads_back_the_same(tmp_path: Path, decided: Decided, refit: ThemeRun) -> None:
    new, _ = updated(decided, refit)
    save_run(new, tmp_path)
    again = load_run(tmp_path)
    assert again.assignment == new.assignment
    assert {t.id: (t.label, t.status, t.named, t.parents) for t in again.themes.values()} == {
        t.id: (t.label, t.status, t.named, t.parents) for t in new.themes.values()
    }


def _moved_into(run: ThemeRun, group: str, into: int, only: set[str] | None = None) -> ThemeRun:
    """``run`` with the theme of ``group`` (or ``only`` these statements of it) put into theme
    ``into``, as another fit might do."""
    run = copy.deepcopy(run)
    gone = theme_of(run, group)
    for row in run.members(gone):
        if only is None or run.units[row].id in only:
            run.assignment[row] = into
    if not run.members(gone):
        del run.themes[gone]
    return run


def test_a_confirmed_theme_with_no_match_keeps_its_statements(decided: Decided, refit: ThemeRun) -> None:
    """The new fit leaves a confirmed theme's statements out: it stays, with its statements, and is named."""
    ids, before = decided.ids, decided.previous
    fit = _moved_into(refit, "ventetid", UNASSIGNED)
    new, messages = updated(decided, fit)
    confirmed = new.themes[ids["ventetid"]]
    assert (confirmed.label, confirmed.status) == (before.themes[ids["ventetid"]].label, CONFIRMED)
    assert members(new, ids["ventetid"]) == members(before, ids["ventetid"])
    assert {new.assignment[r] for r, u in enumerate(new.units) if u.id in decided.new_ids["ventetid"]} == {
        UNASSIGNED  # the new fit found no theme for them
    }
    assert confirmed.note == "no theme of the new fit matched it; kept with its own statements"
    assert (
        f"theme {ids['ventetid']} ({confirmed.label}, confirmed): no theme of the new fit matched it, so it "
        "stays a theme of its own with its 5 statement(s)"
    ) in messages
    assert sorted(new.themes) == sorted(before.themes)


def test_a_confirmed_theme_put_into_another_is_not_absorbed(decided: Decided, refit: ThemeRun) -> None:
    """The reported case: the new fit puts a confirmed theme's statements into another kept theme."""
    ids, before = decided.ids, decided.previous
    fit = _moved_into(refit, "ventetid", theme_of(refit, "møder"))
    new, messages = updated(decided, fit)
    assert new.themes[ids["ventetid"]].status == CONFIRMED
    # it keeps every statement it had, and takes its new ones; the merged theme takes none of them
    assert members(new, ids["ventetid"]) == members(before, ids["ventetid"]) | set(
        decided.new_ids["ventetid"]
    )
    assert members(new, ids["møder"]) == of_group(new, "møder") | of_group(new, "ekstra")
    assert sorted(new.themes) == sorted(before.themes)
    assert any(m.startswith("18 statement(s) of your confirmed") for m in messages)


def test_statements_of_one_confirmed_theme_are_not_taken_by_another(
    decided: Decided, refit: ThemeRun
) -> None:
    ids, before = decided.ids, decided.previous
    two = set(sorted(members(before, ids["ventetid"]))[:2])
    fit = _moved_into(refit, "ventetid", theme_of(refit, "samtykke"), only=two)
    new, messages = updated(decided, fit)
    assert members(new, ids["ventetid"]) == members(before, ids["ventetid"]) | set(
        decided.new_ids["ventetid"]
    )
    assert members(new, ids["samtykke"]) == members(before, ids["samtykke"]) | set(
        decided.new_ids["samtykke"]
    )
    ventetid, samtykke = (new.themes[ids[g]].label for g in ("ventetid", "samtykke"))
    assert (
        f"the new fit put 2 statement(s) of theme {ids['ventetid']} ({ventetid}) with theme {ids['samtykke']} "
        f"({samtykke}); both are your themes, so they stay apart"
    ) in messages


def test_two_confirmed_themes_put_together_stay_apart(decided: Decided, refit: ThemeRun) -> None:
    """Neither has the majority of the new theme: both stay, and the new statements go to the nearer."""
    ids = decided.ids
    fit = _moved_into(refit, "ventetid", theme_of(refit, "samtykke"))
    new, _ = updated(decided, fit)
    for group in ("ventetid", "samtykke"):
        assert new.themes[ids[group]].status == CONFIRMED
        assert members(decided.previous, ids[group]) | set(decided.new_ids[group]) == members(new, ids[group])
    assert sorted(new.themes) == sorted(decided.previous.themes)


def test_a_candidate_theme_may_go_but_is_named(decided: Decided, refit: ThemeRun) -> None:
    """Only decisions are kept: a candidate theme the new fit puts elsewhere goes, and the messages say so."""
    previous = copy.deepcopy(decided.previous)
    candidate = previous.themes[decided.split_into[0]]
    candidate.status, candidate.parents = "candidate", []  # as if the split were never made
    fit = _moved_into(refit, "økonomi", theme_of(refit, "samtykke"))
    messages = carry_over(previous, effective_log(read_log(decided.folder)), copy.deepcopy(fit))
    assert any(m.startswith(f"candidate theme {candidate.id} (") and "no match" in m for m in messages)


def test_a_confirmed_theme_whose_statements_are_all_withdrawn_is_named(decided: Decided) -> None:
    kept = {group: texts for group, texts in FIRST.items() if group != "ventetid"}
    units, vectors = make_units(kept)
    new, messages = updated(decided, fit_run(units, vectors, seed=42))
    theme = decided.previous.themes[decided.ids["ventetid"]]
    assert theme.id not in new.themes
    assert f"theme {theme.id} ({theme.label}, confirmed) is gone: none of its statements is left" in " ".join(
        messages
    )


def test_decisions_follow_statements_whose_ids_changed(decided: Decided, refit: ThemeRun) -> None:
    """A newer thememine numbers the turns anew (a header line is no statement any more): the same
    document and text is the same statement, and no decision goes to another statement by its old id."""
    fit = copy.deepcopy(refit)
    fit.units = [replace(u, id=f"{u.doc_id}:{n}:1") for n, u in enumerate(reversed(fit.units))][::-1]
    new, messages = updated(decided, fit)
    before, ids = decided.previous, decided.ids

    def texts(run: ThemeRun, theme_id: int) -> set[str]:
        return {run.units[r].text for r in run.members(theme_id)}

    for theme_id in before.themes:
        assert texts(before, theme_id) <= texts(new, theme_id)
    moved = next(u.text for u in before.units if u.id == decided.moved)
    assert moved in texts(new, ids["samtykke"])
    assert {new.assignment[r] for r, u in enumerate(new.units) if "bolig__" in u.doc_id} == {UNASSIGNED}
    assert not any("match" in m or "no longer" in m for m in messages)


def test_a_kept_theme_keeps_its_interviewer_turns(decided: Decided, refit: ThemeRun) -> None:
    """Fits leave interviewer turns out now; those the researcher confirmed in a theme stay there."""
    ids, before = decided.ids, decided.previous
    asked = set(sorted(members(before, ids["ventetid"]))[:2])
    fit = copy.deepcopy(refit)
    fit.units = [replace(u, role=INTERVIEWER) if u.id in asked else u for u in fit.units]
    fit.assignment = [
        UNASSIGNED if u.id in asked else t for u, t in zip(fit.units, fit.assignment, strict=True)
    ]
    new, messages = updated(decided, fit)
    assert asked <= members(new, ids["ventetid"])
    label = new.themes[ids["ventetid"]].label
    assert any(
        m.startswith(f"2 statement(s) of theme {ids['ventetid']} ({label}) are interviewer turns")
        for m in messages
    )
