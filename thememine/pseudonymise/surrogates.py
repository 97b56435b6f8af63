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

from thememine.data import spacy_stop_words
from thememine.pseudonymise.detection import (
    ADDRESS,
    CASE,
    CPR,
    DATE,
    EMAIL,
    LOCATION,
    ORGANISATION,
    PERSON,
    PHONE,
    URL,
)
from thememine.pseudonymise.gazetteer import institutions, names, place_names, places
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


# Origins that say how a name looks; "shared" names ("Maria", "Adam") are borne widely by both.
# "european" names are borne in Denmark but read as of another origin ("Jürgen", "Antonio"): a
# Dane's surrogate is never drawn from them, and theirs is drawn from them.
_DECISIVE_ORIGINS = frozenset(["danish", "muslim", "asian", "european"])


def person_origin(entity: Entity) -> str | None:
    """The apparent origin of a person's original name, where the gazetteer can tell it.

    Each name part counts with its own origin: the first word of a full name as a first name, its
    last word as a last name, a name alone and middle names as either ("Anne-Mette" and
    "el-Hassan" in their parts). A shared name ("Sara") or one the gazetteer lacks says nothing.
    When the parts disagree ("Ahmad Jensen"), the origin of the longest form's last name wins: it
    is the family's.
    """
    gazetteer = names()
    found: dict[str, str] = {}  # origin of each decisive name part, in the order met
    for variant in sorted(entity.variants, key=lambda v: -len(name_tokens(v))):
        tokens = name_tokens(variant)
        for position, token in enumerate(tokens):
            # the first word a first name, the last a last name; a name alone or a middle name either
            middle = len(tokens) == 1 or 0 < position < len(tokens) - 1
            first = None if middle else position == 0
            for part in _NAME_PARTS.split(_PARTICLE_PREFIX.sub("", token)):
                origin = gazetteer.origin(part, first) if part and part not in PARTICLES else None
                if origin in _DECISIVE_ORIGINS:
                    found[part] = origin
    origins = set(found.values())
    if len(origins) <= 1:
        return next(iter(origins), None)
    longest = name_tokens(max(entity.variants, key=lambda v: len(name_tokens(v))))
    family = _NAME_PARTS.split(_PARTICLE_PREFIX.sub("", longest[-1]))[-1] if longest else ""
    return found.get(family)


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
        self._forms: frozenset[str] = frozenset()
        self._forms_for = -1

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
        if label == ORGANISATION:
            return self._organisation(entity, surface)
        if label == LOCATION and entity.fake is None:  # the town already given to it inside a workplace
            entity.fake = self._given_in_workplace(_PLACE_PART + normalise(LOCATION, entity.canonical))
        faker = _FAKERS.get(label)
        if faker is None:
            return entity.variant_tag(surface)
        # the fake value is drawn once per entity; each mention is shaped like its own surface. No
        # fake may be another entity's either ("Varde" and "Izmir" both as "Skive" could not be told
        # apart again), so the words of the other fakes are avoided like the originals.
        avoid = self._original_words()
        if entity.fake is None:  # drawn once; the fakes drawn so far are all other entities'
            avoid = avoid | (self._place_words() if label == LOCATION else self._fake_words(label))
        return _match_case(faker(self._rng(entity), surface, entity, avoid), surface)

    # ----- organisations (names style) ----------------------------------------------------------
    def _organisation(self, entity: Entity, surface: str) -> str:
        """A workplace that still says what kind of institution it is; only what names it is new.

        Words that say the kind ("Jobcenter", "Regionspsykiatrien", "Kommune"; the ``type`` words of
        ``institutions_da.tsv``) stay as written, and so do small words between others ("Center
        for ..."). The rest is replaced part by part: a place by a town ("Jobcenter Horsens" →
        "Jobcenter Skive"), the same town the place has everywhere else in the corpus, alone or in
        another workplace; a direction after a place stays ("Aarhus Vest" → "Skive Vest"); other
        words by a town too when a kind is written ("Regionspsykiatrien Vest" → "Regionspsykiatrien
        Skive"), else, as a name of its own, by a drawn institution name that keeps a compound's
        institution ending ("Fontænehuset" → "Lærkehuset", "Skovbrynet" → "Birkegården"), never a
        town. Each part's surrogate is kept in the key (``Entity.parts``), so every mention, in
        every run with the key, gets the same one.
        """
        kinds = institutions()
        tokens = surface.split()
        folded = [token.casefold() for token in tokens]
        kept = [
            word in kinds.types or (0 < i < len(tokens) - 1 and word in spacy_stop_words())
            for i, word in enumerate(folded)
        ]
        if all(kept):  # only words of a kind ("Psykiatrisk Center"), yet detected: the whole is a name
            kept = [False] * len(tokens)
        written = self._organisation_words_kept(entity, tokens, kept)
        if self._holds_original(written):
            # a kept word is another entity's whole original form ("Lokalpsykiatri" denied on its
            # own): then nothing is kept, as the leak check would rightly find it
            written = self._organisation_words_kept(entity, tokens, [False] * len(tokens))
        return written

    def _organisation_words_kept(self, entity: Entity, tokens: list[str], kept: list[bool]) -> str:
        """A workplace's surrogate with the ``kept`` words as written and the others replaced."""
        kinds = institutions()
        folded = [token.casefold() for token in tokens]
        context = {word for word, keep in zip(folded, kept, strict=True) if keep and word in kinds.types}
        out: list[str] = []
        start = 0
        while start < len(tokens):
            if kept[start]:
                out.append(tokens[start])
                start += 1
                continue
            end = start
            while end < len(tokens) and not kept[end]:
                end += 1
            out += self._organisation_run(entity, tokens[start:end], context)
            start = end
        return " ".join(out)

    def _holds_original(self, text: str) -> bool:
        """Whether an original form of any entity stands in ``text`` as whole words."""
        if self._forms_for != len(self.index):
            self._forms = frozenset(form for _, form in self.index)
            self._forms_for = len(self.index)
        words = re.findall(r"[^\W_]+(?:-[^\W_]+)*", text.casefold())
        return any(
            " ".join(words[start:end]) in self._forms
            for start in range(len(words))
            for end in range(start + 1, len(words) + 1)
        )

    def _organisation_run(self, entity: Entity, run: list[str], context: set[str]) -> list[str]:
        """The surrogate words for a run of words that name a workplace: places and the rest."""
        out: list[str] = []
        pending: list[str] = []

        def flush() -> None:
            if pending:
                written = " ".join(pending)
                out.append(_match_case(self._organisation_name(entity, written.casefold(), context), written))
                pending.clear()

        position = 0
        while position < len(run):
            size, genitive = _place_at(run, position)
            if not size:
                pending.append(run[position])
                position += 1
                continue
            flush()
            written = " ".join(run[position : position + size])
            key = written.casefold()[: -1 if genitive else None]
            out.append(
                _match_case(self._organisation_place(entity, key, context), written)
                + ("s" if genitive else "")
            )
            position += size
            while position < len(run) and run[position].casefold() in _DIRECTIONS:
                out.append(run[position])
                position += 1
        flush()
        return out

    def _organisation_place(self, entity: Entity, key: str, context: set[str]) -> str:
        """The town for a place inside a workplace: the one the place already has, or a new one
        (a municipality's name after "Kommune", a region's after "Region")."""
        given = self._given(_PLACE_PART + key)
        if given is not None:
            return given
        avoid = self._original_words() | self._place_words()
        rng = self._rng(entity, _PLACE_PART + key)
        pool: list[str] = []
        if context & _REGION_WORDS and f"region {key}" in place_names("region"):
            pool = sorted(name.split(" ", 1)[1].title() for name in place_names("region"))
        elif context & _MUNICIPALITY_WORDS:
            pool = sorted(
                places()[name].name
                for name in place_names("kommune")
                if name in places() and " " not in name and not places()[name].ambiguous
            )
        pool = [town for town in pool if not _echoes(town, avoid)] or _towns(avoid)
        value = rng.choice(pool)
        entity.parts[_PLACE_PART + key] = value
        return value

    def _organisation_name(self, entity: Entity, key: str, context: set[str]) -> str:
        """The surrogate for the words of a workplace that are no place: a town when the kind is
        written beside them ("Team Ressource" → "Team Skive"), another company for a known company
        ("Bygma" → "Silvan"), else an institution's name."""
        kinds = institutions()
        tail = kinds.tail(key.split()[-1])
        company = key in kinds.companies
        as_town = bool(context) and tail is None and not company
        part = (_TOWN_PART if as_town else _NAME_PART) + key
        given = self._given(part)
        if given is not None:
            return given
        avoid = self._original_words() | self._place_words()
        rng = self._rng(entity, part)
        if as_town:
            pool = _towns(avoid)
        elif company and (others := [c.capitalize() for c in kinds.companies if not _echoes(c, avoid)]):
            pool = others
        else:
            tails = [tail] if tail else list(_NAME_TAILS)
            made = [f"{stem}{end}".capitalize() for end in tails for stem in kinds.stems]
            made += [f"{stem}{end}".capitalize() for end in kinds.tails for stem in kinds.stems]
            pool = [
                name
                for name in dict.fromkeys(made)
                if name.casefold() not in places() and not _echoes(name, avoid)
            ]
            if not pool:  # every drawn name taken: a numbered one, still no town
                pool = [f"Institution {entity.id}"]
            elif tail or not context:
                same = [name for name in pool if name.casefold().endswith(tuple(tails))]
                pool = same or pool
        value = rng.choice(pool)
        entity.parts[part] = value
        return value

    def _given(self, part: str) -> str | None:
        """The surrogate a place or workplace name already has anywhere in the key: as a place of
        its own (drawn now if it has none yet), or inside a workplace."""
        if part.startswith(_PLACE_PART):
            position = self.index.get((LOCATION, part[len(_PLACE_PART) :]))
            if position is not None:
                place = self.entities[position]
                if place.fake is None:
                    self.surrogate(LOCATION, place.canonical)
                if place.fake is not None:
                    return place.fake
        return self._given_in_workplace(part)

    def _given_in_workplace(self, part: str) -> str | None:
        """The surrogate a place or workplace name already has inside a workplace."""
        return next(
            (e.parts[part] for e in self.entities if e.label == ORGANISATION and part in e.parts), None
        )

    def _organisation_words(self) -> frozenset[str]:
        """Every word of the surrogates drawn inside workplaces: no other place may take one."""
        return frozenset(
            word
            for e in self.entities
            if e.label == ORGANISATION
            for value in e.parts.values()
            for word in re.findall(r"\w+", value.casefold())
        )

    def _place_words(self) -> frozenset[str]:
        """Every word of every place's and workplace's surrogate: a new one may hold none."""
        return self._organisation_words() | self._fake_words(LOCATION)

    def _fake_words(self, label: str) -> frozenset[str]:
        """Every word of the fakes drawn so far for entities of ``label``."""
        return frozenset(
            word
            for e in self.entities
            if e.label == label and e.fake
            for word in re.findall(r"\w+", e.fake.casefold())
        )

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
            like = canonical[0] if canonical else ""
            first_entry = gazetteer.first.get(like)
            # a last name alone ("Rahimi", "Hr. Holm") gets a last name, not a first name
            alone_last = len(canonical) == 1 and not gazetteer.is_first(like) and gazetteer.is_last(like)
            entity.first = self._draw_name(
                entity,
                "person",
                first=not alone_last,
                like=like,
                origin=self._origin(entity, like, first=not alone_last),
            )
            last = _PARTICLE_PREFIX.sub("", canonical[-1]) if len(canonical) > 1 else ""
            entity.last = self._draw_name(
                entity,
                "person-last",
                first=False,
                like=first_entry.name if first_entry else "",
                origin=self._origin(entity, last, first=False),
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
                        origin=self._origin(entity, folded, first=None),
                    )
                value = entity.parts[folded]
            words.append((prefix.group() if prefix else "") + _match_case(value, token))
        return " ".join(words)

    def _origin(self, entity: Entity, word: str, first: bool | None) -> str | None:
        """The origin a surrogate name part is drawn from, so that it looks like the original.

        The part's own origin when the gazetteer is sure of it ("Ahmad", "Holm"); else the
        person's (a name the gazetteer lacks, or one shared by Danes and Muslims, takes the origin
        of the person's other names: "Sara Rahimi" is Muslim); else the origin of the surrogate's
        own first name, so that one surrogate never mixes origins the original did not mix; else
        ``shared`` for a shared name alone, or ``None`` (any origin) for an unknown one.
        """
        gazetteer = names()
        own = gazetteer.origin(word, first) if word else None
        if own in _DECISIVE_ORIGINS:
            return own
        person = person_origin(entity)
        if person is not None:
            return person
        drawn = gazetteer.origin(entity.first, None) if entity.first else None
        if drawn in _DECISIVE_ORIGINS:
            return drawn
        return own

    def _draw_name(self, entity: Entity, salt: str, first: bool, like: str, origin: str | None = None) -> str:
        """A first or last name of the gender of ``like`` and of ``origin`` (any when ``None``),
        that echoes no original name and is no other person's surrogate.

        When no name of that origin is left, a name of any origin is drawn rather than none: a
        surrogate must exist, and a shared or Asian origin has few names to give.
        """
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
        )
        same = [name for name in candidates if table[name.casefold()].origin == origin]
        return self._rng(entity, salt).choice(same if origin is not None and same else candidates)

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


# The floor after the street, as the address recognizer finds it: "2. th.", "st. tv", "2. sal",
# "1 sal", "stuen", "kælder". Group 1 is the floor, group 2 the word "sal" (kept as written, since
# "2." alone reads as a cut address), group 3 the side.
_FLOOR = re.compile(r", (st\.|stuen|kælder|\d{1,2}(?!\d)\.?)( ?sal\b)?(?: ?(th|tv|mf)\.?)?", re.IGNORECASE)


def _fake_address(rng: random.Random, surface: str, entity: Entity, avoid: frozenset[str]) -> str:
    floor_rng = random.Random(rng.getrandbits(64))  # the same floor whether or not the rest is drawn
    if entity.fake is None:  # drawn once and kept in the key, so later runs give the same address
        streets = [s for s in _STREETS if not _echoes(s, avoid)] or list(_STREETS)
        code, town = rng.choice([t for t in _TOWNS if not _echoes(t[1], avoid)] or list(_TOWNS))
        entity.fake = f"{rng.choice(streets)} {rng.randint(1, 120)}\t{code} {town}"
    street, town_line = entity.fake.split("\t")
    floor = _FLOOR.search(surface)
    postcode = re.search(r"\b[1-9]\d{3} \S+", surface)
    if not floor and postcode and not re.search(r"\d", surface[: postcode.start()]):
        return town_line  # only "8700 Horsens"
    parts = [street]
    if floor:
        parts.append(
            f"{floor_rng.randint(1, 4)}. {floor_rng.choice(['th.', 'tv.'])}"
            if floor.group(3)
            else floor.group(1) + (floor.group(2) or "")
        )
    if postcode:
        parts.append(town_line)
    return ", ".join(parts)


def _towns(avoid: frozenset[str]) -> list[str]:
    """The towns a place's surrogate is drawn from: one word, no everyday word, holding no word of
    ``avoid`` (all of them when every one does)."""
    towns = sorted(
        p.name
        for p in places().values()
        if p.kind == "by" and not p.ambiguous and " " not in p.name and "." not in p.name
    )
    return [t for t in towns if not _echoes(t, avoid)] or towns


def _fake_place(rng: random.Random, surface: str, entity: Entity, avoid: frozenset[str]) -> str:
    if entity.fake is None:  # drawn once and kept in the key
        entity.fake = rng.choice(_towns(avoid))
    return entity.fake.lower() if surface.islower() else entity.fake


# Keys of the surrogates of a workplace's parts in Entity.parts: a place, or words that are none.
_PLACE_PART = "place|"
_TOWN_PART = "town|"  # words that are no place, beside a kind: "Vest" of "Regionspsykiatrien Vest"
_NAME_PART = "name|"
_NAME_TAILS = ("huset", "gården")  # a drawn institution name without an ending to keep
_DIRECTIONS = frozenset(["vest", "øst", "nord", "syd", "midt", "city", "centrum"])
_MUNICIPALITY_WORDS = frozenset(["kommune", "kommunes", "kommunen"])
_REGION_WORDS = frozenset(["region", "regionen", "regions"])
_MAX_PLACE_WORDS = 3  # "Nørre Nebel", "Ringkøbing-Skjern"; the longest place name first


def _place_at(words: list[str], start: int) -> tuple[int, bool]:
    """How many words from ``start`` name a known place ("Nørre Nebel", "Horsens"), and whether it
    is written in the genitive ("Københavns"); (0, False) when none does."""
    known = places()
    for size in range(min(_MAX_PLACE_WORDS, len(words) - start), 0, -1):
        written = " ".join(words[start : start + size]).casefold()
        if written in known:
            return size, False
        if size == 1 and written.endswith("s") and written[:-1] in known:
            return size, True
    return 0, False


def _fake_case(rng: random.Random, surface: str, entity: Entity, avoid: frozenset[str]) -> str:
    """A case number of the same shape: "2021-4471" → "2023-0815"."""
    return _shape_digits(surface, "".join(str(rng.randint(0, 9)) for _ in surface))


_FAKERS = {
    PHONE: _fake_phone,
    CASE: _fake_case,
    ADDRESS: _fake_address,
    LOCATION: _fake_place,
}
