"""Corpus-wide surrogates: the same person gets the same pseudonym in every interview.

A :class:`SurrogateMap` is keyed by (label, normalised form). Name variants are linked to one
person: "Mette Kjærgaard Holm", "Mette", "Mettes" and "mette" are one entity when "Mette" belongs
to only one full name in the corpus. Surrogates are tags (``[PERSON_3]``) or, in ``names`` style,
realistic gender-aware Danish names and format-preserving fakes for numbers and addresses. Choices
derive from a secret kept in the key file, so a given key always gives the same surrogates, and a
re-run with the same key extends the same mapping.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import random
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from thememine.pseudonymise.detection import (
    ADDRESS,
    CPR,
    DATE,
    EMAIL,
    LOCATION,
    PERSON,
    PHONE,
    URL,
)
from thememine.pseudonymise.gazetteer import names

Style = Literal["tags", "names"]
_SPACE = re.compile(r"\s+")
_NAME_PARTS = re.compile(r"[\s\-]+")  # "Anne-Mette Borregaard" → anne, mette, borregaard
_ECHO_MIN = 3  # originals this long or longer may not hide inside a fake's part either


def normalise(label: str, surface: str) -> str:
    """The form variants share: case and spacing folded; digits only for numbers."""
    if label in (CPR, PHONE):
        digits = re.sub(r"\D", "", surface)
        return digits[-8:] if label == PHONE else digits
    return _SPACE.sub(" ", surface).strip().casefold()


@dataclass
class Entity:
    """One person, place, number … across the corpus, with every form it was written in."""

    id: int
    label: str
    canonical: str
    variants: list[str] = field(default_factory=list)
    first: str | None = None  # names style, persons: surrogate first name
    last: str | None = None  # names style, persons: surrogate last name
    fake: str | None = None  # names style, other labels: the fake value

    @property
    def tag(self) -> str:
        return f"[{self.label}_{self.id}]"


class SurrogateMap:
    """State of the pseudonymisation: entities, their variants and their surrogates."""

    def __init__(self, style: Style = "tags", secret: bytes | None = None) -> None:
        self.style: Style = style
        self.secret = secret if secret is not None else os.urandom(32)
        self.entities: list[Entity] = []
        self.index: dict[tuple[str, str], int] = {}
        self._aliases: dict[str, set[int]] = {}
        self._words: frozenset[str] = frozenset()
        self._words_for = -1

    # ----- linking ------------------------------------------------------------------------------
    def link_all(self, mentions: Iterable[tuple[str, str]]) -> None:
        """Register every (label, surface) mention of a corpus; full names first, so parts link."""
        unique = list(dict.fromkeys((label, _SPACE.sub(" ", s).strip()) for label, s in mentions))
        unique.sort(key=lambda m: (m[0] != PERSON, -len(m[1].split()) if m[0] == PERSON else 0))
        for label, surface in unique:
            self.entity(label, surface)

    def entity(self, label: str, surface: str) -> Entity:
        """The entity a mention belongs to, created if new."""
        key = (label, normalise(label, surface))
        if key in self.index:
            return self.entities[self.index[key]]
        if label == PERSON:
            tokens = key[1].split()
            owners = self._aliases.get(key[1], set()) if len(tokens) == 1 else set()
            if len(owners) == 1:
                found = self.entities[next(iter(owners))]
                self._add_variant(found, key, surface)
                return found
        entity = Entity(
            id=sum(1 for e in self.entities if e.label == label) + 1, label=label, canonical=surface
        )
        self.entities.append(entity)
        self._add_variant(entity, key, surface)
        if label == PERSON:
            tokens = key[1].split()
            if len(tokens) > 1:
                for part in (tokens[0], tokens[-1]):
                    self._aliases.setdefault(part, set()).add(len(self.entities) - 1)
        return entity

    def _add_variant(self, entity: Entity, key: tuple[str, str], surface: str) -> None:
        self.index[key] = self.entities.index(entity)
        if surface not in entity.variants:
            entity.variants.append(surface)

    def add_participant(self, variants: list[str], label: str = PERSON) -> Entity:
        """A known participant: every variant is linked to one entity, whatever the corpus holds."""
        entity = self.entity(label, variants[0])
        for variant in variants[1:]:
            key = (label, normalise(label, variant))
            if key not in self.index:
                self._add_variant(entity, key, variant)
        return entity

    # ----- surrogates ---------------------------------------------------------------------------
    def surrogate(self, label: str, surface: str) -> str:
        """The surrogate text for one mention, shaped like the mention."""
        entity = self.entity(label, surface)
        if self.style == "tags":
            return entity.tag
        if label == PERSON:
            return self._person(entity, surface)
        faker = _FAKERS.get(label, _tag_fake)
        # the fake value is drawn once per entity; each mention is shaped like its own surface
        return faker(self._rng(entity), surface, entity, self._original_words())

    def _original_words(self) -> frozenset[str]:
        """Every word of every original form, casefolded: no fake town or street may be one."""
        if self._words_for != len(self.index):
            self._words = frozenset(
                word for e in self.entities for v in e.variants for word in re.findall(r"\w+", v.casefold())
            )
            self._words_for = len(self.index)
        return self._words

    def _rng(self, entity: Entity, salt: str = "") -> random.Random:
        message = f"{entity.label}|{entity.id}|{salt}".encode()
        return random.Random(hmac.new(self.secret, message, hashlib.sha256).digest())

    def _person(self, entity: Entity, surface: str) -> str:
        gazetteer = names()
        if entity.first is None:
            # no part of a surrogate may be an original name: "Anne-Mette" would leak "Mette"
            originals = {
                part
                for e in self.entities
                for v in e.variants
                for part in _NAME_PARTS.split(normalise(PERSON, v))
            }
            tokens = entity.canonical.split()
            first_entry = gazetteer.first.get(tokens[0].casefold())
            gender = first_entry.gender if first_entry else "both"
            taken = {e.first for e in self.entities if e.first} | {e.last for e in self.entities if e.last}
            firsts = sorted(
                e.name
                for e in gazetteer.first.values()
                if (gender == "both" or e.gender == gender)
                and not _echoes(e.name, originals)
                and e.name not in taken
                and not gazetteer.is_ambiguous(e.name)
                and (first_entry is None or e.ethnicity == first_entry.ethnicity)
            )
            lasts = sorted(
                e.name
                for e in gazetteer.last.values()
                if not _echoes(e.name, originals)
                and e.name not in taken
                and not gazetteer.is_ambiguous(e.name)
                and (first_entry is None or e.ethnicity == first_entry.ethnicity)
            )
            rng = self._rng(entity, "person")
            entity.first = rng.choice(firsts)
            entity.last = rng.choice(lasts)
        tokens = surface.split()
        first, last = entity.first, entity.last or ""
        if len(tokens) >= 2:
            value = f"{first} {last}"
        elif (
            first
            and normalise(PERSON, surface) == normalise(PERSON, entity.canonical.split()[-1])
            and len(entity.canonical.split()) > 1
        ):
            value = last
        else:
            value = first
        return value.lower() if surface.islower() else value

    # ----- persistence --------------------------------------------------------------------------
    def to_payload(self) -> dict[str, Any]:
        return {
            "style": self.style,
            "secret": base64.b64encode(self.secret).decode("ascii"),
            "entities": [asdict(entity) for entity in self.entities],
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any], style: Style | None = None) -> SurrogateMap:
        mapping = cls(style or payload.get("style", "tags"), base64.b64decode(payload["secret"]))
        for data in payload.get("entities", []):
            entity = Entity(**data)
            mapping.entities.append(entity)
            position = len(mapping.entities) - 1
            for variant in entity.variants:
                mapping.index[(entity.label, normalise(entity.label, variant))] = position
            tokens = normalise(entity.label, entity.canonical).split()
            if entity.label == PERSON and len(tokens) > 1:
                for part in (tokens[0], tokens[-1]):
                    mapping._aliases.setdefault(part, set()).add(position)
        return mapping

    def originals(self) -> list[str]:
        """Every original surface form (for the leak check)."""
        return [variant for entity in self.entities for variant in entity.variants]


# ----- format-preserving fakes (names style) ------------------------------------------------------
# Each faker draws from an rng seeded by the entity alone, so every mention of one entity gets the
# same fake value, shaped like that mention (with or without hyphen, grouping, +45 …).
def _echoes(fake: str, originals: set[str] | frozenset[str]) -> bool:
    """Whether a fake would echo an original word: as one of its parts ("Anne-Mette" for "Mette"),
    or, for originals of three letters or more, inside a part ("Jensby" holds "Jens")."""
    return not originals.isdisjoint(_fragments(fake))


@functools.lru_cache(maxsize=65536)
def _fragments(fake: str) -> frozenset[str]:
    """The parts of a fake and every piece of a part that is at least three letters long."""
    found: set[str] = set()
    for part in _NAME_PARTS.split(fake.casefold()):
        found.add(part)
        for size in range(_ECHO_MIN, len(part)):
            found.update(part[i : i + size] for i in range(len(part) - size + 1))
    return frozenset(found)


def _shape_digits(surface: str, digits: str) -> str:
    """Put ``digits`` into the digit positions of ``surface``, from the right."""
    out = list(surface)
    positions = [i for i, ch in enumerate(surface) if ch.isdigit()]
    for i, digit in zip(reversed(positions), reversed(digits), strict=False):
        out[i] = digit
    return "".join(out)


def _fake_cpr(rng: random.Random, surface: str, entity: Entity, avoid: frozenset[str]) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(40, 99)
    digits = f"{day:02d}{month:02d}{year:02d}{rng.randint(0, 3)}{rng.randint(0, 999):03d}"
    return _shape_digits(surface, digits)


def _fake_phone(rng: random.Random, surface: str, entity: Entity, avoid: frozenset[str]) -> str:
    digits = f"{rng.randint(2, 9)}{rng.randint(0, 9_999_999):07d}"
    count = sum(ch.isdigit() for ch in surface)
    local_start = [i for i, ch in enumerate(surface) if ch.isdigit()][count - 8]  # keep +45 / 0045
    return surface[:local_start] + _shape_digits(surface[local_start:], digits)


def _fake_email(rng: random.Random, surface: str, entity: Entity, avoid: frozenset[str]) -> str:
    return f"person{entity.id}@eksempel.dk"


def _fake_url(rng: random.Random, surface: str, entity: Entity, avoid: frozenset[str]) -> str:
    return f"https://eksempel.dk/side{entity.id}"


_MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december")  # fmt: skip


def _fake_date(rng: random.Random, surface: str, entity: Entity, avoid: frozenset[str]) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1940, 2005)
    numeric = re.fullmatch(r"(\d{1,2})([./-])(\d{1,2})([./-])(\d{2}|\d{4})", surface)
    if numeric:
        shown_year = str(year) if len(numeric.group(5)) == 4 else f"{year % 100:02d}"
        return f"{day:0{len(numeric.group(1))}d}{numeric.group(2)}{month:0{len(numeric.group(3))}d}{numeric.group(4)}{shown_year}"
    iso = re.fullmatch(r"\d{4}-\d{2}-\d{2}", surface)
    if iso:
        return f"{year}-{month:02d}-{day:02d}"
    has_year = re.search(r"\d{4}|'\d\d", surface)
    return f"{day}. {_MONTHS[month - 1]}" + (f" {year}" if has_year else "")


_STREETS = (
    "Lindevej",
    "Skolegade",
    "Birkealle",
    "Engvej",
    "Kirkevej",
    "Møllevej",
    "Storegade",
    "Toftevej",
    "Bøgevej",
    "Ahornvej",
    "Rosenvænget",
    "Vestergade",
    "Østergade",
    "Nørregade",
    "Søndergade",
    "Parkvej",
)
_TOWNS = (
    ("2500", "Valby"),
    ("2630", "Taastrup"),
    ("3000", "Helsingør"),
    ("3400", "Hillerød"),
    ("4000", "Roskilde"),
    ("4100", "Ringsted"),
    ("4200", "Slagelse"),
    ("4300", "Holbæk"),
    ("4700", "Næstved"),
    ("5000", "Odense C"),
    ("5700", "Svendborg"),
    ("6000", "Kolding"),
    ("6100", "Haderslev"),
    ("6200", "Aabenraa"),
    ("6400", "Sønderborg"),
    ("6700", "Esbjerg"),
    ("7100", "Vejle"),
    ("7400", "Herning"),
    ("7500", "Holstebro"),
    ("7700", "Thisted"),
    ("7800", "Skive"),
    ("8600", "Silkeborg"),
    ("8700", "Horsens"),
    ("8800", "Viborg"),
    ("9000", "Aalborg"),
    ("9800", "Hjørring"),
)


def _fake_address(rng: random.Random, surface: str, entity: Entity, avoid: frozenset[str]) -> str:
    floor_rng = random.Random(rng.getrandbits(64))  # the same floor whether or not the rest is drawn
    if entity.fake is None:  # drawn once and kept in the key, so later runs give the same address
        streets = [s for s in _STREETS if not _echoes(s, avoid)] or list(_STREETS)
        code, town = rng.choice([t for t in _TOWNS if not _echoes(t[1], avoid)] or list(_TOWNS))
        entity.fake = f"{rng.choice(streets)} {rng.randint(1, 120)}\t{code} {town}"
    street, town_line = entity.fake.split("\t")
    floor = re.search(r", (st\.|\d{1,2}\.)(?: ?(th|tv|mf)\.?)?", surface)
    postcode = re.search(r"\b[1-9]\d{3} \S+", surface)
    if not floor and postcode and not re.search(r"\d", surface[: postcode.start()]):
        return town_line  # only "8700 Horsens"
    parts = [street]
    if floor:
        parts.append(
            f"{floor_rng.randint(1, 4)}. {floor_rng.choice(['th.', 'tv.'])}"
            if floor.group(2)
            else floor.group(1)
        )
    if postcode:
        parts.append(town_line)
    return ", ".join(parts)


def _fake_place(rng: random.Random, surface: str, entity: Entity, avoid: frozenset[str]) -> str:
    from thememine.pseudonymise.gazetteer import places

    if entity.fake is None:  # drawn once and kept in the key
        towns = sorted(
            p.name
            for p in places().values()
            if p.kind == "by" and not p.ambiguous and " " not in p.name and "." not in p.name
        )
        entity.fake = rng.choice([t for t in towns if not _echoes(t, avoid)] or towns)
    return entity.fake.lower() if surface.islower() else entity.fake


def _tag_fake(rng: random.Random, surface: str, entity: Entity, avoid: frozenset[str]) -> str:
    return entity.tag


_FAKERS = {
    CPR: _fake_cpr,
    PHONE: _fake_phone,
    EMAIL: _fake_email,
    URL: _fake_url,
    ADDRESS: _fake_address,
    DATE: _fake_date,
    LOCATION: _fake_place,
}
