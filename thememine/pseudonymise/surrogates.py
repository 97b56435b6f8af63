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
import datetime as dt
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
    CASE,
    CPR,
    DATE,
    EMAIL,
    LOCATION,
    PERSON,
    PHONE,
    URL,
)
from thememine.pseudonymise.gazetteer import names
from thememine.pseudonymise.ordinary import PARTICLES

Style = Literal["tags", "names"]
_SPACE = re.compile(r"\s+")
_NAME_PARTS = re.compile(r"[\s\-]+")  # "Anne-Mette Borregaard" → anne, mette, borregaard
_ECHO_MIN = 3  # originals this long or longer may not hide inside a fake's part either


# An address is one place whatever else is written with it: "Solvænget 14", "Solvænget 14, 2. th."
# and "Solvænget 14, 2. th., 8700 Horsens" share the street and house number (and letter).
_STREET_AND_NUMBER = re.compile(r"\s*([^\d,]*\D\s\d{1,4}(?:\s?[A-Za-z](?![A-Za-z]))?)")


def normalise(label: str, surface: str) -> str:
    """The form variants share: case and spacing folded; digits only for numbers; an address's
    street and house number only, so that its forms with and without floor, postcode and town are
    one address with one surrogate."""
    if label == ADDRESS:
        street = _STREET_AND_NUMBER.match(surface)
        if street:  # "14 B" and "14B" are one number
            return re.sub(r"(\d)\s(\w)$", r"\1\2", _SPACE.sub(" ", street.group(1)).strip().casefold())
    if label in (CPR, PHONE):
        digits = re.sub(r"\D", "", surface)
        if not digits:  # spoken: the same number as when written in digits
            from thememine.pseudonymise.recognizers.spoken import spoken_digits

            digits = spoken_digits(surface)
        if digits:
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
    parts: dict[str, str] = field(default_factory=dict)  # names style: other name parts → surrogates

    @property
    def tag(self) -> str:
        return f"[{self.label}_{self.id}]"

    def variant_tag(self, surface: str) -> str:
        """``[PERSON_3]`` for the first form the person was written in, ``[PERSON_3.2]`` for the
        second ("Mette" after "Mette Kjærgaard Holm") …: one person, and every form restorable."""
        form = _SPACE.sub(" ", surface).strip()
        index = self.variants.index(form) if form in self.variants else 0
        return self.tag if index == 0 else f"[{self.label}_{self.id}.{index + 1}]"


def name_tokens(form: str) -> list[str]:
    """The words of a person's name that name them, casefolded: particles ("el", "van") left out."""
    return [t for t in normalise(PERSON, form).split() if t not in PARTICLES]


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
        """The entity a mention belongs to, created if new.

        A person's single name ("Mette", "Holm", "Kjærgaard") belongs to the one full name that
        holds it; a full name belongs to a person with the same first name whose other names it
        holds or who holds its names ("Mette Holm" and "Mette Kjærgaard Holm"). When two persons
        qualify, the mention is a person of its own.
        """
        surface = _SPACE.sub(" ", surface).strip()
        key = (label, normalise(label, surface))
        if key in self.index:
            found = self.entities[self.index[key]]
            self._add_variant(found, key, surface)
            return found
        if label == PERSON:
            owners = self._owners(name_tokens(surface))
            if len(owners) == 1:
                found = self.entities[next(iter(owners))]
                self._add_variant(found, key, surface)
                self._register_parts(found, surface)
                return found
        entity = Entity(
            id=sum(1 for e in self.entities if e.label == label) + 1, label=label, canonical=surface
        )
        self.entities.append(entity)
        self._add_variant(entity, key, surface)
        if label == PERSON:
            self._register_parts(entity, surface)
        return entity

    def _owners(self, tokens: list[str]) -> set[int]:
        if not tokens:
            return set()
        if len(tokens) == 1:
            return set(self._aliases.get(tokens[0], set()))
        owners = set()
        for position in self._aliases.get(tokens[0], set()):
            for variant in self.entities[position].variants:
                other = name_tokens(variant)
                if (
                    len(other) > 1
                    and other[0] == tokens[0]
                    and (other[-1] == tokens[-1] or set(other) <= set(tokens) or set(tokens) <= set(other))
                ):
                    owners.add(position)
        return owners

    def _register_parts(self, entity: Entity, surface: str) -> None:
        tokens = name_tokens(surface)
        if len(tokens) > 1:
            position = self.entities.index(entity)
            for part in tokens:
                self._aliases.setdefault(part, set()).add(position)

    def _add_variant(self, entity: Entity, key: tuple[str, str], surface: str) -> None:
        self.index.setdefault(key, self.entities.index(entity))
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
        """The surrogate text for one mention, shaped like the mention.

        Different written forms of one entity get different surrogates ("Mette" → "Karin", "mette"
        → "karin", "Mette Holm" → "Karin Dahl"; ``[PERSON_3]`` and ``[PERSON_3.2]``), so that
        :func:`thememine.pseudonymise.reidentify.reidentify` restores every mention as written.
        """
        entity = self.entity(label, surface)
        surface = _SPACE.sub(" ", surface).strip()
        if self.style == "tags":
            return entity.variant_tag(surface)
        if label == PERSON:
            return self._person(entity, surface)
        if label == DATE:
            return self._date(surface)
        if label == CPR:
            return self._cpr(entity, surface)
        if label in (EMAIL, URL):
            return self._address_like(entity, surface, label)
        faker = _FAKERS.get(label)
        if faker is None:
            return entity.variant_tag(surface)
        # the fake value is drawn once per entity; each mention is shaped like its own surface. No
        # fake may be another entity's either ("Varde" and "Izmir" both as "Skive" could not be told
        # apart again), so the words of the other fakes are avoided like the originals.
        avoid = self._original_words()
        if entity.fake is None:
            avoid = avoid | {
                word
                for other in self.entities
                if other.label == label and other is not entity and other.fake
                for word in re.findall(r"\w+", other.fake.casefold())
            }
        return _match_case(faker(self._rng(entity), surface, entity, avoid), surface)

    def _original_words(self) -> frozenset[str]:
        """Every word of every original form, casefolded: no fake may hold one."""
        if self._words_for != len(self.index):
            self._words = frozenset(
                word for e in self.entities for v in e.variants for word in re.findall(r"\w+", v.casefold())
            )
            self._words_for = len(self.index)
        return self._words

    def _rng(self, entity: Entity, salt: str = "") -> random.Random:
        message = f"{entity.label}|{entity.id}|{salt}".encode()
        return random.Random(hmac.new(self.secret, message, hashlib.sha256).digest())

    # dates: one secret shift per key, so that intervals and ages survive
    def date_offset(self) -> int:
        """Days every date is moved by with this key: 60 to 730 days, earlier or later."""
        digest = hmac.new(self.secret, b"date-offset", hashlib.sha256).digest()
        days = 60 + int.from_bytes(digest[:4], "big") % (730 - 60 + 1)
        return days if digest[4] % 2 else -days

    def _date(self, surface: str) -> str:
        from thememine.pseudonymise.recognizers.date import format_like, parse_date

        parsed = parse_date(surface.rstrip("."))
        if parsed is None:
            return self.entity(DATE, surface).variant_tag(surface)
        year, month, day = parsed
        moved = dt.date(year if year is not None else 2000, month, day) + dt.timedelta(self.date_offset())
        shifted = format_like(surface, moved.year if year is not None else None, moved.month, moved.day)
        return shifted + surface[len(surface.rstrip(".")) :] if not shifted.endswith(".") else shifted

    def _cpr(self, entity: Entity, surface: str) -> str:
        """A CPR number whose date is the birth date moved like every date, with random last digits."""
        from thememine.pseudonymise.recognizers.cpr import cpr_birth_date

        digits = re.sub(r"\D", "", surface)
        birth = cpr_birth_date(digits) if len(digits) == 10 else None
        rng = self._rng(entity)
        if not digits:  # spoken: "to tre nul otte …", faked digit by digit in words
            from thememine.pseudonymise.recognizers.date import number_words

            spoken = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(40, 99):02d}{rng.randint(0, 3)}{rng.randint(0, 999):03d}"
            return _match_case(" ".join(number_words().cardinal(int(d)) for d in spoken), surface)
        if birth is None:
            return _shape_digits(
                surface,
                f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(40, 99):02d}{rng.randint(0, 3)}{rng.randint(0, 999):03d}",
            )
        moved = birth + dt.timedelta(self.date_offset())
        seventh = rng.randint(0, 3) if moved.year < 2000 else rng.choice((4, 9)) if moved.year <= 2036 else 5
        value = f"{moved.day:02d}{moved.month:02d}{moved.year % 100:02d}{seventh}{rng.randint(0, 999):03d}"
        return _shape_digits(surface, value)

    def _address_like(self, entity: Entity, surface: str, label: str) -> str:
        """``person3@eksempel.dk``, ``https://eksempel.dk/side3``: on a domain no original holds."""
        avoid = self._original_words()
        domain = next(
            (d for d in _FAKE_DOMAINS if avoid.isdisjoint(re.findall(r"\w+", d))), "thememine.invalid"
        )
        number = f"{entity.id}" + (
            f"-{entity.variants.index(surface) + 1}" if entity.variants.index(surface) else ""
        )
        return f"person{number}@{domain}" if label == EMAIL else f"https://{domain}/side{number}"

    def _person(self, entity: Entity, surface: str) -> str:
        gazetteer = names()
        canonical = name_tokens(entity.canonical)
        if entity.first is None:
            first_entry = gazetteer.first.get(canonical[0]) if canonical else None
            entity.first = self._draw_name(
                entity, "person", first=True, like=canonical[0] if canonical else ""
            )
            entity.last = self._draw_name(
                entity, "person-last", first=False, like=first_entry.name if first_entry else ""
            )
        words = []
        tokens = surface.split()
        canonical = [_PARTICLE_PREFIX.sub("", t) for t in canonical]
        for written in tokens:
            folded = normalise(PERSON, written)
            if folded in PARTICLES and len(tokens) > 1:
                words.append(written)
                continue
            # "el-Hassan": the particle stays as written, the name after it is replaced
            prefix = _PARTICLE_PREFIX.match(written)
            token = written[prefix.end() :] if prefix else written
            folded = normalise(PERSON, token)
            if canonical and folded == canonical[0]:
                value = entity.first
            elif len(canonical) > 1 and folded == canonical[-1]:
                value = entity.last or ""
            else:
                if folded not in entity.parts:
                    is_first = gazetteer.is_first(folded) and not gazetteer.is_last(folded)
                    entity.parts[folded] = self._draw_name(
                        entity,
                        f"part|{folded}",
                        first=is_first,
                        like=token if is_first or not canonical else canonical[0],
                    )
                value = entity.parts[folded]
            words.append((prefix.group() if prefix else "") + _match_case(value, token))
        return " ".join(words)

    def _draw_name(self, entity: Entity, salt: str, first: bool, like: str) -> str:
        """A first or last name of the same gender and origin as ``like``, that echoes no original
        name and is no other person's surrogate."""
        gazetteer = names()
        originals = {
            part
            for e in self.entities
            for v in e.variants
            for part in _NAME_PARTS.split(normalise(PERSON, v))
        }
        entry = gazetteer.first.get(like.casefold()) if like else None
        gender = entry.gender if entry else "both"
        taken = {value for e in self.entities for value in (e.first, e.last, *e.parts.values()) if value}
        table = gazetteer.first if first else gazetteer.last
        candidates = sorted(
            e.name
            for e in table.values()
            if (not first or gender == "both" or e.gender == gender)
            and not _echoes(e.name, originals)
            and e.name not in taken
            and not gazetteer.is_ambiguous(e.name)
            and " " not in e.name
            and (entry is None or e.ethnicity == entry.ethnicity)
        )
        return self._rng(entity, salt).choice(candidates)

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
                mapping.index.setdefault((entity.label, normalise(entity.label, variant)), position)
                if entity.label == PERSON:
                    mapping._register_parts(entity, variant)
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


def _fake_phone(rng: random.Random, surface: str, entity: Entity, avoid: frozenset[str]) -> str:
    digits = f"{rng.randint(2, 9)}{rng.randint(0, 9_999_999):07d}"
    if sum(ch.isdigit() for ch in surface) < 8:  # spoken: "treogtyve femogfyrre …", "to tre fire …"
        from thememine.pseudonymise.recognizers.date import number_words

        words = number_words()
        if len(surface.split()) == 4:
            pairs = [int(digits[i : i + 2]) for i in range(0, 8, 2)]
            # a pair below 10 is said digit by digit ("nul fire"), so the digits stay the entity's
            return " ".join(
                words.cardinal(p) if p >= 10 else f"{words.cardinal(0)} {words.cardinal(p)}" for p in pairs
            )
        return " ".join(words.cardinal(int(d)) for d in digits)
    count = sum(ch.isdigit() for ch in surface)
    local_start = [i for i, ch in enumerate(surface) if ch.isdigit()][count - 8]  # keep +45 / 0045
    return surface[:local_start] + _shape_digits(surface[local_start:], digits)


_PARTICLE_PREFIX = re.compile(r"^(?:el|al|abu|bin|ibn|de|da|di|du|le|la)-(?=\w)", re.IGNORECASE)
_FAKE_DOMAINS = ("eksempel.dk", "eksempel.org", "example.net", "test.invalid")


def _match_case(value: str, surface: str) -> str:
    """``value`` written in the case of ``surface``: "mette" → "karin", "METTE" → "KARIN"."""
    letters = [ch for ch in surface if ch.isalpha()]
    if letters and all(ch.islower() for ch in letters):
        return value.lower()
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return value.upper()
    return value


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


def _fake_case(rng: random.Random, surface: str, entity: Entity, avoid: frozenset[str]) -> str:
    """A case number of the same shape: "2021-4471" → "2023-0815"."""
    return _shape_digits(surface, "".join(str(rng.randint(0, 9)) for _ in surface))


_FAKERS = {
    PHONE: _fake_phone,
    CASE: _fake_case,
    ADDRESS: _fake_address,
    LOCATION: _fake_place,
}
