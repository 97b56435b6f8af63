"""Corpus-wide surrogates: linking variants, styles, determinism, persistence."""

from __future__ import annotations

import re

import pytest

from thememine.pseudonymise.gazetteer import names
from thememine.pseudonymise.surrogates import SurrogateMap, _echoes

MENTIONS = [
    ("PERSON", "Mette"),
    ("PERSON", "Mette Kjærgaard Holm"),
    ("PERSON", "mette"),
    ("PERSON", "Jens Ravn"),
    ("PERSON", "Jens"),
    ("PERSON", "Ravn"),
    ("PERSON", "Ahmad Rahimi"),
    ("PERSON", "Karina"),
    ("CPR", "120384-2746"),
    ("CPR", "1203842746"),
    ("PHONE", "+45 31 62 09 58"),
    ("PHONE", "31620958"),
    ("EMAIL", "mettekh84@gmail.com"),
    ("ADDRESS", "Solvænget 14, 2. th., 8700 Horsens"),
    ("DATE", "12.03.1984"),
]


def build(style: str, secret: bytes = b"k" * 32) -> SurrogateMap:
    mapping = SurrogateMap(style, secret)  # type: ignore[arg-type]
    mapping.link_all(MENTIONS)
    return mapping


def person(tag: str) -> str:
    """The entity in a tag: ``[PERSON_1.3]`` → ``PERSON_1`` (the ``.3`` is the written form)."""
    return tag.strip("[]").split(".")[0]


def test_variants_link_to_one_person() -> None:
    mapping = build("tags")
    tags = {surface: mapping.surrogate(label, surface) for label, surface in MENTIONS}
    assert tags["Mette Kjærgaard Holm"] == "[PERSON_1]"  # the first form registered: the full name
    assert person(tags["Mette"]) == person(tags["mette"]) == "PERSON_1"
    assert person(tags["Jens"]) == person(tags["Jens Ravn"]) == person(tags["Ravn"])
    assert len({person(tags[s]) for s in ("Mette", "Jens", "Ahmad Rahimi", "Karina")}) == 4
    assert person(tags["120384-2746"]) == person(tags["1203842746"]) == "CPR_1"
    assert person(tags["+45 31 62 09 58"]) == person(tags["31620958"]) == "PHONE_1"
    # every written form has a tag of its own, so that the key restores it exactly
    assert len({tags[s] for s in ("Mette Kjærgaard Holm", "Mette", "mette")}) == 3


@pytest.mark.parametrize(
    ("mentions", "same"),
    [
        (["Mette Kjærgaard Holm", "Mette Holm", "Holm", "Kjærgaard", "Mette"], True),
        (["Mette Holm", "Mette Kjærgaard Holm"], True),  # the longer form later: still one person
        (["Anne Sofie Lund", "Anne Sofie", "Sofie"], True),
        (["Yasmin el-Hassan", "el-Hassan", "Yasmin"], True),
        (["Kim Bjerre", "Bjerre"], True),
        (["Mette Holm", "Mette Jensen"], False),
    ],
)
def test_parts_of_a_full_name_are_one_person(mentions: list[str], same: bool) -> None:
    mapping = SurrogateMap("tags", b"k" * 32)
    mapping.link_all(("PERSON", m) for m in mentions)
    persons = {person(mapping.surrogate("PERSON", m)) for m in mentions}
    assert (len(persons) == 1) is same, persons


def test_shared_first_name_is_not_linked() -> None:
    mapping = SurrogateMap("tags", b"k" * 32)
    mapping.link_all([("PERSON", "Mette Holm"), ("PERSON", "Mette Jensen"), ("PERSON", "Mette")])
    assert len({mapping.surrogate("PERSON", s) for s in ("Mette Holm", "Mette Jensen", "Mette")}) == 3


def test_names_style_is_gender_aware_and_shaped_like_the_mention() -> None:
    mapping = build("names")
    full = mapping.surrogate("PERSON", "Mette Kjærgaard Holm")
    first = mapping.surrogate("PERSON", "Mette")
    assert full.split()[0] == first
    assert mapping.surrogate("PERSON", "mette") == first.lower()
    assert names().first[first.casefold()].gender in ("female", "both")
    assert names().first[mapping.surrogate("PERSON", "Jens").casefold()].gender in ("male", "both")
    assert mapping.surrogate("PERSON", "Ravn") == mapping.surrogate("PERSON", "Jens Ravn").split()[-1]
    assert first.casefold() not in {"mette", "jens", "ahmad", "karina"}
    cpr = mapping.surrogate("CPR", "120384-2746")
    assert re.fullmatch(r"\d{6}-\d{4}", cpr) and cpr != "120384-2746"
    assert mapping.surrogate("CPR", "1203842746") == cpr.replace("-", "")
    phone = mapping.surrogate("PHONE", "+45 31 62 09 58")
    assert re.fullmatch(r"\+45 [2-9]\d \d\d \d\d \d\d", phone)
    assert mapping.surrogate("PHONE", "31620958") == phone[4:].replace(" ", "")
    assert mapping.surrogate("EMAIL", "mettekh84@gmail.com").endswith("@eksempel.dk")
    assert re.fullmatch(
        r"\w+ \d+, \d\. t[hv]\., \d{4} [\w ]+",
        mapping.surrogate("ADDRESS", "Solvænget 14, 2. th., 8700 Horsens"),
    )
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", mapping.surrogate("DATE", "12.03.1984"))


@pytest.mark.parametrize("style", ["tags", "names"])
def test_deterministic_for_a_key_and_persistent(style: str) -> None:
    a, b = build(style), build(style)
    assert [a.surrogate(label, s) for label, s in MENTIONS] == [
        b.surrogate(label, s) for label, s in MENTIONS
    ]
    restored = SurrogateMap.from_payload(a.to_payload())
    assert [restored.surrogate(label, s) for label, s in MENTIONS] == [
        a.surrogate(label, s) for label, s in MENTIONS
    ]
    restored.link_all([("PERSON", "Susanne Dahl")])  # a new interview extends the same mapping
    assert restored.surrogate("PERSON", "Mette") == a.surrogate("PERSON", "Mette")
    assert restored.surrogate("PERSON", "Susanne Dahl") not in [
        a.surrogate(label, s) for label, s in MENTIONS
    ]


def test_another_key_gives_other_names() -> None:
    chosen = {build("names", bytes([seed]) * 32).surrogate("PERSON", "Mette") for seed in range(6)}
    assert len(chosen) > 1


def test_known_participant_variants() -> None:
    mapping = SurrogateMap("tags", b"k" * 32)
    mapping.add_participant(["Anne Sofie Lund", "AS", "Annso"])
    assert person(mapping.surrogate("PERSON", "Annso")) == person(
        mapping.surrogate("PERSON", "Anne Sofie Lund")
    )
    assert "Annso" in mapping.originals()


def test_no_surrogate_echoes_an_original_name() -> None:
    # "Anne-Mette" as the surrogate for Anne Sofie would leave "Mette" readable in the text, and
    # "Jensby" for Jens Ravn would leave "Jens"
    originals = ["Mette", "Anne Sofie", "Jens Ravn", "Lise-Lotte", "Bo"]
    parts = {"mette", "anne", "sofie", "jens", "ravn", "lise", "lotte", "bo"}
    for seed in range(300):
        mapping = SurrogateMap("names", secret=seed.to_bytes(32, "big"))
        mapping.link_all(("PERSON", name) for name in originals)
        for name in originals:
            surrogate = mapping.surrogate("PERSON", name).casefold()
            assert parts.isdisjoint(re.split(r"[\s\-]+", surrogate)), (seed, name, surrogate)
            assert not any(part in surrogate for part in parts if len(part) >= 3), (seed, name, surrogate)


def test_echo_rule() -> None:
    originals = {"jens", "ravn", "bo"}
    assert (
        _echoes("Jensby", originals)
        and _echoes("Anne-Ravnsborg", originals)
        and _echoes("Bo Lund", originals)
    )
    assert not _echoes("Bodil Lund", originals)  # a two-letter original only as a whole part
    assert not _echoes("Karen Holm", originals)


def test_fake_places_and_addresses_avoid_every_original_and_persist() -> None:
    towns = ["Aalborg", "Horsens", "Odense", "Vejle", "Randers", "Esbjerg", "Kolding", "Silkeborg"]
    mentions = [("LOCATION", t) for t in towns] + [("ADDRESS", "Engvej 3, 8700 Horsens")]
    words = {t.casefold() for t in towns} | {"engvej"}
    for seed in range(60):
        mapping = SurrogateMap("names", secret=seed.to_bytes(32, "big"))
        mapping.link_all(mentions)
        fakes = [mapping.surrogate(label, surface) for label, surface in mentions]
        for fake in fakes:
            assert words.isdisjoint(re.findall(r"\w+", fake.casefold())), (seed, fake)
            assert not any(word in fake.casefold() for word in words), (seed, fake)
        # the drawn values travel in the key: a later run with more places gives the same fakes
        again = SurrogateMap.from_payload(mapping.to_payload())
        again.link_all([("LOCATION", "Skive"), ("LOCATION", "Thisted")])
        assert [again.surrogate(label, surface) for label, surface in mentions] == fakes


def test_two_places_never_share_a_fake() -> None:
    towns = ["Varde", "Izmir", "Horsens", "Odense", "Vejle", "Randers", "Esbjerg", "Kolding", "Skive", "Ribe"]
    for seed in range(40):
        mapping = SurrogateMap("names", secret=seed.to_bytes(32, "big"))
        mapping.link_all(("LOCATION", town) for town in towns)
        fakes = [mapping.surrogate("LOCATION", town) for town in towns]
        assert len(set(fakes)) == len(fakes), (seed, fakes)


@pytest.mark.parametrize("style", ["tags", "names"])
def test_a_number_said_in_words_is_the_same_number(style: str) -> None:
    mapping = SurrogateMap(style, b"k" * 32)  # type: ignore[arg-type]
    written, spoken = "23 45 67 89", "treogtyve femogfyrre syvogtres niogfirs"
    assert mapping.entity("PHONE", written).id == mapping.entity("PHONE", spoken).id
    if style == "names":  # the same fake number, in digits and in words
        digits = re.sub(r"\D", "", mapping.surrogate("PHONE", written))
        from thememine.pseudonymise.recognizers.spoken import spoken_digits

        assert spoken_digits(mapping.surrogate("PHONE", spoken)) == digits


@pytest.mark.parametrize("style", ["tags", "names"])
def test_an_address_with_or_without_floor_and_town_is_one_address(style: str) -> None:
    """A researcher reading "Solvænget 14, 2. th." after "Solvænget 14, 2. th., 8700 Horsens"
    must see one address, not two."""
    mapping = build(style)
    forms = ["Solvænget 14, 2. th., 8700 Horsens", "Solvænget 14, 2. th.", "Solvænget 14", "solvænget  14"]
    fakes = [mapping.surrogate("ADDRESS", form) for form in forms]
    assert len({mapping.entity("ADDRESS", form).id for form in forms}) == 1
    assert len({mapping.entity("ADDRESS", form).id for form in ["Solvænget 14B", "Solvænget 14 B"]}) == 1
    assert mapping.entity("ADDRESS", "Solvænget 140").id != mapping.entity("ADDRESS", "Solvænget 14").id
    if style == "names":
        street = fakes[2]
        assert fakes[0].startswith(street + ", ") and fakes[1].startswith(street + ", ")
        assert fakes[1] == fakes[0].rsplit(", ", 1)[0]  # the same floor, without the town
        assert fakes[3] == street.lower()  # written in lower case, as the mention was
