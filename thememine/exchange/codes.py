"""Themes as REFI-QDA codes: which themes, their GUIDs, colours and descriptions.

GUIDs are ``uuid5`` of a fixed thememine namespace and ``"<project>:<kind>:<key>"``; the project
name defaults to the run folder's name. Exporting the same run under the same name therefore gives
the same GUIDs, also after decisions (theme ids are stable for the life of a run folder), so a QDA
program can recognise the codes when a later export is imported again.

Merges and splits are shown by nesting, with codes that cannot be coded with (folders, in most
programs): the themes a split made sit under a folder named for the theme they came from ("Tema 4
(delt)"), and a merged theme holds one such code for each theme merged into it ("Tema 5 (flettet
ind)"). The description also names the parent themes ("From themes: 3, 5").
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from thememine.themes.model import CONFIRMED, Theme, ThemeRun

# Fixed for ever: changing it changes every GUID thememine has exported.
NAMESPACE = uuid.UUID("6f1c0a52-3d1e-5b8e-9a57-2f6c3e1d7b40")

# Twenty colours that stay apart on screen (Kelly's contrast colours, white and black left out).
PALETTE = (
    "#F3C300",
    "#875692",
    "#F38400",
    "#A1CAF1",
    "#BE0032",
    "#C2B280",
    "#848482",
    "#008856",
    "#E68FAC",
    "#0067A5",
    "#F99379",
    "#604E97",
    "#F6A600",
    "#B3446C",
    "#DCD300",
    "#882D17",
    "#8DB600",
    "#654522",
    "#E25822",
    "#2B3D26",
)


def make_guid(project: str, kind: str, key: str | int) -> str:
    """A stable GUID for one thing (``kind``: theme, source, selection, …) of one project."""
    return str(uuid.uuid5(NAMESPACE, f"{project}:{kind}:{key}"))


def theme_colour(theme_id: int) -> str:
    """``#RRGGBB`` for a theme, chosen by its id: a renamed theme keeps its colour."""
    return PALETTE[(theme_id - 1) % len(PALETTE)]


@dataclass(frozen=True)
class ExportCode:
    """One theme as a code."""

    theme_id: int
    guid: str
    name: str
    description: str
    colour: str
    folder: tuple[str, str] | None = None  # (guid, name) of the split it came from
    merged: tuple[tuple[str, str], ...] = ()  # (guid, name) of each theme merged into it


def describe(theme: Theme) -> str:
    """The code description: keywords, status and, for merged or split themes, the parents."""
    lines = []
    if theme.keywords:
        lines.append(f"Keywords: {', '.join(theme.keywords)}")
    lines.append(f"thememine theme {theme.id} ({theme.status})")
    if theme.parents:
        lines.append(f"From themes: {', '.join(str(p) for p in theme.parents)}")
    return "\n".join(lines)


def _unique_names(themes: Iterable[Theme]) -> dict[int, str]:
    """Theme labels as code names; a label used twice (or empty) gets the theme id added."""
    themes = list(themes)
    counts: dict[str, int] = {}
    for theme in themes:
        key = theme.label.strip().casefold()
        counts[key] = counts.get(key, 0) + 1
    names = {}
    for theme in themes:
        label = theme.label.strip()
        unique = label and counts[label.casefold()] == 1
        names[theme.id] = label if unique else f"{label or 'Theme'} ({theme.id})"
    return names


def export_codes(run: ThemeRun, project: str, all_themes: bool = False) -> list[ExportCode]:
    """The run's confirmed themes (or all with ``all_themes``) as codes, in theme id order."""
    chosen = [
        theme
        for theme in sorted(run.themes.values(), key=lambda t: t.id)
        if all_themes or theme.status == CONFIRMED
    ]
    names = _unique_names(chosen)
    codes = []
    for theme in chosen:
        others = [p for p in theme.parents if p != theme.id]
        split = len(others) == 1 and others[0] not in run.themes and len(theme.parents) == 1
        codes.append(
            ExportCode(
                theme_id=theme.id,
                guid=make_guid(project, "theme", theme.id),
                name=names[theme.id],
                description=describe(theme),
                colour=theme_colour(theme.id),
                folder=(make_guid(project, "split", others[0]), f"Tema {others[0]} (delt)")
                if split
                else None,
                merged=()
                if split
                else tuple((make_guid(project, "merged", p), f"Tema {p} (flettet ind)") for p in others),
            )
        )
    return codes
