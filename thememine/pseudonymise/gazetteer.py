"""Name and place gazetteers shipped in ``thememine/data``, loaded once."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from thememine.data import read_lines, spacy_stop_words


@dataclass(frozen=True)
class NameEntry:
    name: str
    gender: str  # "female", "male" or "both"
    first: bool
    # "danish", "muslim", "shared" (borne widely by both), "asian" or "european" (borne in Denmark,
    # read as of another European origin: "Jürgen", "Antonio"); see name_origins()
    origin: str
    count: float


@dataclass(frozen=True)
class Names:
    """The person-name gazetteer: first names and last names, keyed by lower-case form."""

    first: dict[str, NameEntry]
    last: dict[str, NameEntry]
    ambiguous: frozenset[str]

    def is_first(self, word: str) -> bool:
        return word.casefold() in self.first

    def is_last(self, word: str) -> bool:
        return word.casefold() in self.last

    def is_name(self, word: str) -> bool:
        return self.is_first(word) or self.is_last(word)

    def origin(self, word: str, first: bool | None = None) -> str | None:
        """The apparent origin of a name: as a first name, a last name, or (``None``) either,
        the first-name reading first. ``None`` when the gazetteer does not hold it."""
        folded = word.casefold()
        tables = (self.first,) if first else (self.last,) if first is False else (self.first, self.last)
        for table in tables:
            if folded in table:
                return table[folded].origin
        return None

    def is_ambiguous(self, word: str) -> bool:
        """A name that is also an everyday Danish word ("Hans", "Per", "Bo", "Lykke")."""
        return word.casefold() in self.ambiguous


@cache
def names() -> Names:
    """Danish and Muslim first and last names (see ``data/SOURCES.md``)."""
    first: dict[str, NameEntry] = {}
    last: dict[str, NameEntry] = {}
    text = resources.files("thememine.data").joinpath("names_da.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    # The list of names borne in Denmark counts bearers of every origin ("Ahmad" is there, with a
    # larger count than in the Muslim list): a first (last) name of the Muslim list is Muslim
    # wherever else it stands, unless name_origins_da.tsv says otherwise. First and last names
    # apart: "Lone" is a Muslim last name and a Danish first name.
    muslim = {
        (row["name"].strip().casefold(), row["first_name"] == "True")
        for row in rows
        if row["ethnicity"] == "muslim"
    }
    curated = name_origins()
    for row in rows:
        name = row["name"].strip()
        if len(name) < 2 or name == "Unavngivet":
            continue
        folded = name.casefold()
        entry = NameEntry(
            name=name,
            gender=row["gender"],
            first=row["first_name"] == "True",
            origin=curated.get(
                folded, "muslim" if (folded, row["first_name"] == "True") in muslim else "danish"
            ),
            count=float(row["count"] or 0),
        )
        table = first if entry.first else last
        known = table.get(name.casefold())
        if known is None or entry.count > known.count:  # the list repeats some names; keep the commonest
            table[name.casefold()] = entry
    ambiguous = {line.casefold() for line in read_lines("ambiguous_names_da.txt")}
    # a name that is a Danish stop word ("De", "Man", "Alle") is ambiguous too
    stop = {word for word in spacy_stop_words() if word in first or word in last}
    return Names(first=first, last=last, ambiguous=frozenset(ambiguous | stop))


@cache
def name_origins() -> dict[str, str]:
    """Origins that the name list's own columns cannot tell, by lower-case name
    (``name_origins_da.tsv``): "Maria" is shared, "Yildirim" Muslim, "Nguyen" Asian."""
    return {
        name.casefold(): origin
        for name, origin, *_ in (line.split("\t") for line in read_lines("name_origins_da.tsv")[1:])
    }


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # by, bydel, kommune, landsdel, region, ø
    municipality: str
    ambiguous: bool


@cache
def _place_rows() -> tuple[Place, ...]:
    """Every row of ``places_da.tsv``: a name listed under several kinds is there once per kind."""
    text = resources.files("thememine.data").joinpath("places_da.tsv").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line and not line.startswith("#")]
    return tuple(
        Place(row["name"], row["kind"], row["municipality"] or "", row["ambiguous"] == "1")
        for row in csv.DictReader(rows, delimiter="\t")
    )


@cache
def places() -> dict[str, Place]:
    """Danish places by lower-case name (see ``data/SOURCES.md``); the first kind listed wins."""
    found: dict[str, Place] = {}
    for place in _place_rows():
        known = found.get(place.name.casefold())
        if known is None or (known.ambiguous and not place.ambiguous):
            found[place.name.casefold()] = place
    return found


@dataclass(frozen=True)
class Institutions:
    """Words of Danish institution names (``institutions_da.tsv``), lower case."""

    types: frozenset[str]  # what kind of institution: kept in a surrogate ("jobcenter")
    tails: tuple[str, ...]  # ends of an institution's own name ("huset" of "Fontænehuset")
    stems: tuple[str, ...]  # first halves of a drawn institution name ("lærke")
    companies: tuple[str, ...] = ()  # well-known companies, a workplace wherever detected ("bygma")

    def kinds_only(self, words: Sequence[str]) -> bool:
        """Whether ``words`` only say a kind of institution ("Psykiatrisk Hospital"), naming none."""
        return all(word.casefold() in self.types for word in words)

    def tail(self, word: str) -> str | None:
        """The institution-name ending of a compound ("Fontænehuset" → "huset"), if any."""
        folded = word.casefold()
        return next((t for t in self.tails if folded.endswith(t) and len(folded) > len(t) + 2), None)


@cache
def institutions() -> Institutions:
    """The institution words, by kind (see ``data/SOURCES.md``)."""
    rows = [line.split("\t") for line in read_lines("institutions_da.tsv")[1:]]
    return Institutions(
        types=frozenset(word for word, kind in rows if kind == "type"),
        tails=tuple(word for word, kind in rows if kind == "tail"),
        stems=tuple(word for word, kind in rows if kind == "stem"),
        companies=tuple(word for word, kind in rows if kind == "company"),
    )


@cache
def place_names(kind: str) -> frozenset[str]:
    """Every place name of one kind ("kommune", "region"), lower case: a name that is a town and a
    municipality is listed under both kinds, where :func:`places` keeps one."""
    return frozenset(place.name.casefold() for place in _place_rows() if place.kind == kind)
