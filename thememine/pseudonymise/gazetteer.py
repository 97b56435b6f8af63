"""Name and place gazetteers shipped in ``thememine/data``, loaded once."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from thememine.data import read_lines, spacy_stop_words


@dataclass(frozen=True)
class NameEntry:
    name: str
    gender: str  # "female", "male" or "both"
    first: bool
    ethnicity: str
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

    def is_ambiguous(self, word: str) -> bool:
        """A name that is also an everyday Danish word ("Hans", "Per", "Bo", "Lykke")."""
        return word.casefold() in self.ambiguous


@cache
def names() -> Names:
    """Danish and Muslim first and last names (see ``data/SOURCES.md``)."""
    first: dict[str, NameEntry] = {}
    last: dict[str, NameEntry] = {}
    text = resources.files("thememine.data").joinpath("names_da.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(text.splitlines()):
        name = row["name"].strip()
        if len(name) < 2 or name == "Unavngivet":
            continue
        entry = NameEntry(
            name=name,
            gender=row["gender"],
            first=row["first_name"] == "True",
            ethnicity=row["ethnicity"],
            count=float(row["count"] or 0),
        )
        table = first if entry.first else last
        known = table.get(name.casefold())
        if known is None or entry.count > known.count:  # the list repeats some names; keep the commonest
            table[name.casefold()] = entry
    curated = {line.casefold() for line in read_lines("ambiguous_names_da.txt")}
    # a name that is a Danish stop word ("De", "Man", "Alle") is ambiguous too
    stop = {word for word in spacy_stop_words() if word in first or word in last}
    return Names(first=first, last=last, ambiguous=frozenset(curated | stop))


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # by, bydel, kommune, landsdel, region, ø
    municipality: str
    ambiguous: bool


@cache
def places() -> dict[str, Place]:
    """Danish places by lower-case name (see ``data/SOURCES.md``); the first kind listed wins."""
    text = resources.files("thememine.data").joinpath("places_da.tsv").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line and not line.startswith("#")]
    found: dict[str, Place] = {}
    for row in csv.DictReader(rows, delimiter="\t"):
        place = Place(row["name"], row["kind"], row["municipality"] or "", row["ambiguous"] == "1")
        known = found.get(place.name.casefold())
        if known is None or (known.ambiguous and not place.ambiguous):
            found[place.name.casefold()] = place
    return found
