"""Small theme runs for tests: four well-separated groups of Danish statements, fitted for real."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from thememine.runfolder import ASSIGNMENTS_FILE, EMBEDDINGS_FILE, STATE_FILE, THEMES_FILE
from thememine.themes.fitting import fit_run
from thememine.themes.model import Matrix, ThemeRun, Unit

GROUPS: dict[str, list[str]] = {
    "ventetid": [
        "Ventetiden på en udredning var alt for lang for borgeren.",
        "Vi ventede i tre måneder på svar fra psykiatrien.",
        "Fristen blev overskredet igen og igen, og vi ventede.",
        "Ventetiden gør borgeren mere syg, mens sagen står stille.",
        "Ventelisten er lang, og fristen holder slet ikke.",
        "Vi venter stadig på en tid hos psykiateren efter et halvt år.",
    ],
    "samtykke": [
        "Vi skal have borgerens samtykke, før vi ringer til lægen.",
        "Tavshedspligten gør det svært at dele oplysninger med kommunen.",
        "Uden samtykke må vi ikke sige noget til sagsbehandleren.",
        "Samtykket skal fornyes hvert år, og det glemmer vi tit.",
        "Tavshedspligt og samtykke fylder meget i vores hverdag.",
        "Borgeren gav samtykke til, at vi talte med psykiatrien.",
    ],
    "møder": [
        "Vi holder møder med alle parter hver måned på jobcentret.",
        "Det koordinerende møde hjælper samarbejdet mellem os.",
        "Mødet med sagsbehandleren gav et fælles billede af sagen.",
        "Vi aftalte en fælles plan på rundbordssamtalen.",
        "Rundbordssamtalen samlede alle aktører omkring borgeren.",
        "Møderne giver et fælles overblik over indsatsen.",
    ],
    "økonomi": [
        "Kommunen vil ikke betale for behandlingen i regionen.",
        "Budgettet styrer, hvem der får tilbud om forløb.",
        "Det handler om penge og om hvem der skal betale regningen.",
        "Regionen og kommunen skubber udgiften frem og tilbage.",
        "Økonomien bestemmer mere end borgerens behov gør.",
        "Der er ingen penge til de lange forløb længere.",
    ],
}
# a theme two update tests add to the first interviews' themes
BOLIG = [
    "Borgeren mistede sin lejlighed under forløbet.",
    "Uden en bolig kan man ikke passe et job.",
    "Boligsocialt team hjalp med at finde et værelse.",
    "Hun boede på herberg i et halvt år.",
    "Lejligheden var for dyr med kontanthjælpen.",
    "Vi søgte en bolig gennem kommunens boligvisitation.",
]

DIM = 32


def centres(names: list[str] | None = None) -> dict[str, Matrix]:
    """A fixed, well-separated direction per group."""
    rng = np.random.default_rng(7)
    every = {name: rng.normal(size=DIM).astype(np.float32) for name in [*GROUPS, "bolig", "ekstra"]}
    return {name: every[name] for name in (names or list(GROUPS))}


def make_units(groups: dict[str, list[str]], prefix: str = "", seed: int = 0) -> tuple[list[Unit], Matrix]:
    """Units from groups of texts (ids ``{prefix}{group}__doc0N:i:0``), embedded near the group's centre."""
    rng = np.random.default_rng(seed)
    middle = centres([*GROUPS, "bolig", "ekstra"])
    units: list[Unit] = []
    rows: list[Matrix] = []
    for name, texts in groups.items():
        for i, text in enumerate(texts):
            doc = f"{prefix}{name}__doc0{i % 3 + 1}"
            speaker = "Jens" if i % 2 else "Anne"
            units.append(Unit(f"{doc}:{i}:0", doc, speaker, 0, len(text), text, "jobcenter"))
            rows.append(middle[name] + 0.15 * rng.normal(size=DIM).astype(np.float32))
    return units, np.stack(rows).astype(np.float32)


def make_run(groups: dict[str, list[str]] | None = None) -> ThemeRun:
    units, vectors = make_units(groups or GROUPS)
    return fit_run(units, vectors, seed=42)


def theme_of(run: ThemeRun, group: str) -> int:
    """The theme holding most statements of a group."""
    found = [t for u, t in zip(run.units, run.assignment, strict=True) if f"{group}__" in u.doc_id]
    return max(set(found), key=found.count)


def edit(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Edit themes.yaml as a researcher would (keeping the ids)."""
    path = folder / THEMES_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def entry(data: dict[str, Any], theme_id: int) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in data["themes"] if t["id"] == theme_id)
    return found


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        name: (folder / name).read_bytes()
        for name in (STATE_FILE, ASSIGNMENTS_FILE, THEMES_FILE, EMBEDDINGS_FILE)
    }
