"""Codebook coding: context, calibration, codes.csv and honest theme names."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from thememine.themes.coding import (
    UNCALIBRATED,
    Calibration,
    CodeTexts,
    code_model,
    code_units,
    codes_csv,
    description_sentences,
    embed_codebook,
    examples_from_run,
    neighbours,
)
from thememine.themes.describe import name_themes
from thememine.themes.model import CONFIRMED, INTERVIEWER, PARTICIPANT, Code, Codebook, Theme, ThemeRun, Unit

BOOK = Codebook(
    "test", (Code("frister", "Frister", "tid", ("a",)), Code("samtykke", "Samtykke", "deling", ("b",)))
)


def corpus(topics: str, seed: int = 0) -> tuple[list[Unit], np.ndarray, CodeTexts]:
    """One statement per letter ('f' deadlines, 's' consent, 'o' other), in one document, in order."""
    rng = np.random.default_rng(seed)
    centres = np.linalg.qr(rng.normal(size=(16, 16)))[0][:3]
    which = {"f": 0, "s": 1, "o": 2}
    units = [
        Unit(f"d:{i}", "d", "IP", i * 10, i * 10 + 9, f"udsagn om emne {t} nummer {i}")
        for i, t in enumerate(topics)
    ]
    vectors = np.asarray(
        [centres[which[t]] + rng.normal(scale=0.2, size=16) for t in topics], dtype=np.float32
    )
    texts = CodeTexts(centres[:2].astype(np.float32), centres[:2].astype(np.float32), (0, 1))
    return units, vectors, texts


@pytest.mark.parametrize("mask_out", [(), (3,), (0, 5)])
def test_every_statement_the_mask_keeps_is_coded_with_its_code(mask_out: tuple[int, ...]) -> None:
    units, vectors, texts = corpus("ffffffssssssoooooo")
    mask = [i not in mask_out for i in range(len(units))]
    scored, _ = code_units(units, vectors, texts, mask)
    assert [s[0].statement for s in scored] == [i for i, keep in enumerate(mask) if keep]
    assert all(
        s[0].code == (0 if units[s[0].statement].text.split()[3] == "f" else 1)
        for s in scored[:10]
        if units[s[0].statement].text.split()[3] != "o"
    )
    table = list(csv.DictReader(io.StringIO(codes_csv(units, scored, BOOK))))
    assert len(table) == 2 * sum(mask) and {r["coded"] for r in table} <= {"yes", "no"}
    assert all(0.0 <= float(r["score"]) <= 1.0 for r in table)


@pytest.mark.parametrize(
    ("rows", "expected"), [([0, 1, 2], [[(1, 0.5), (2, 0.25)], [(0, 0.5), (2, 0.5)], [(1, 0.5), (0, 0.25)]])]
)
def test_context_is_the_neighbours_in_the_same_document(
    rows: list[int], expected: list[list[tuple[int, float]]]
) -> None:
    units = [Unit(f"d:{i}", "d", None, i, i + 1, "x") for i in range(3)] + [Unit("e:0", "e", None, 0, 1, "x")]
    assert [sorted(n) == sorted(e) for n, e in zip(neighbours(units, rows), expected, strict=True)] == [
        True
    ] * 3
    assert neighbours(units, [0, 3]) == [[], []]  # another document is no context


@pytest.mark.parametrize(("threshold", "named"), [(0.5, {"Frister", "Samtykke"}), (0.999, set())])
def test_a_theme_takes_a_code_name_only_when_most_members_pass(threshold: float, named: set[str]) -> None:
    units, vectors, texts = corpus("ffffffssssssoooooo")
    assignment = [1] * 6 + [2] * 6 + [3] * 6
    themes = {t: Theme(t, "", keywords=[f"ord{t}"]) for t in (1, 2, 3)}
    run = ThemeRun(units, vectors, assignment, [0.0] * len(units), themes, {"code_threshold": threshold})
    name_themes(run, texts.vectors(), ["Frister", "Samtykke"])
    assert {t.label for t in run.themes.values()} & {"Frister", "Samtykke"} == named
    assert run.themes[3].label == "ord3" and len(run.themes[3].codes) == 2  # suggestions stay


def test_confirmed_themes_named_after_a_code_give_examples() -> None:
    units, vectors, _ = corpus("ffss")
    themes = {1: Theme(1, "Frister", status=CONFIRMED), 2: Theme(2, "samtykke")}
    run = ThemeRun(units, vectors, [1, 1, 2, 2], [0.0] * 4, themes)
    assert examples_from_run(run, BOOK) == {0: [0, 1]}  # an unconfirmed candidate teaches nothing


@pytest.mark.parametrize("calibration", [UNCALIBRATED, Calibration(1.3, -2.8, 96, 48)])
def test_calibration_round_trip(calibration: Calibration) -> None:
    assert Calibration.from_dict(calibration.to_dict()) == calibration
    assert float(calibration.confidence(np.asarray(calibration.z_at(0.5)))) == pytest.approx(0.5)


def test_only_the_best_code_can_be_coded_and_each_row_carries_the_text() -> None:
    """The calibration speaks of a statement's best code; a second code with a high score is a
    suggestion, not a coding."""
    from thememine.themes.coding import CodeScore

    units = [Unit("d:0", "d", "IP", 0, 30, "Fristen og samtykket, begge dele")]
    scored = [[CodeScore(0, 0, 0.9, 1), CodeScore(0, 1, 0.8, 2)]]
    table = list(csv.DictReader(io.StringIO(codes_csv(units, scored, BOOK, threshold=0.5))))
    assert [(r["rank"], r["coded"]) for r in table] == [("1", "yes"), ("2", "no")]
    assert {r["text"] for r in table} == {"Fristen og samtykket, begge dele"}
    below = [[CodeScore(0, 0, 0.4, 1), CodeScore(0, 1, 0.3, 2)]]
    assert {r["coded"] for r in csv.DictReader(io.StringIO(codes_csv(units, below, BOOK, 0.5)))} == {"no"}


def test_every_statement_but_fillers_and_the_interviewer_is_in_codes_csv(
    tmp_path: Path,
) -> None:
    """Even a statement without a content word of its own is coded (read with its neighbours)."""
    from thememine.pipeline import _write_codes
    from thememine.runfolder import CODES_FILE, step
    from thememine.themes.keywords import is_content_free
    from thememine.themes.model import INTERVIEWER

    units, vectors, texts = corpus("ffffssssoo")
    units[4] = Unit("d:4", "d", "IP", 40, 49, "Og det havde jeg jo bare ikke vidst.")
    units[8] = Unit("d:8", "d", "I", 80, 89, "Hvordan var det så med fristerne?", role=INTERVIEWER)
    units[9] = Unit("d:9", "d", "IP", 90, 99, "øh", filler=True)
    assert is_content_free(units[4].text)
    folder = tmp_path
    with step(folder) as writing:
        _write_codes(writing, units, vectors, texts, BOOK, 0.5)
    coded = {r["statement_id"] for r in csv.DictReader((folder / CODES_FILE).open(encoding="utf-8"))}
    assert coded == {u.id for i, u in enumerate(units) if i not in (8, 9)}


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("Hvem betaler. Fx.  Og hvem ringer?", ["Hvem betaler.", "Og hvem ringer?"]),  # 'Fx.' is too short
        ("Én sætning uden punktum", ["Én sætning uden punktum"]),
        ("", []),
    ],
)
def test_a_description_is_cut_into_its_sentences(description: str, expected: list[str]) -> None:
    assert description_sentences(description) == expected


# Two codes in four directions. Deadlines' description, embedded whole, is only its first facet
# (waiting, axis 0); its second sentence (money lost at a deadline, axis 2) is lost in the whole.
# Money's description leans a little towards axis 2 as a whole and has no such sentence.
FACETS = {
    "Frister: Sagen venter på svar i månedsvis. Borgeren mister ydelsen, når fristen overskrides.": [
        1,
        0,
        0,
        0,
    ],
    "Sagen venter på svar i månedsvis.": [1, 0, 0, 0],
    "Borgeren mister ydelsen, når fristen overskrides.": [0, 0, 1, 0],
    "Penge: Økonomien bestemmer, hvad der kan lade sig gøre.": [0, 0, 0.15, 1],
    "Økonomien bestemmer, hvad der kan lade sig gøre.": [0, 0, 0, 1],
}
FACET_BOOK = Codebook(
    "facetter",
    (
        Code(
            "frister",
            "Frister",
            "Sagen venter på svar i månedsvis. Borgeren mister ydelsen, når fristen overskrides.",
        ),
        Code("penge", "Penge", "Økonomien bestemmer, hvad der kan lade sig gøre."),
    ),
)


def facet_embed(texts: Sequence[str]) -> np.ndarray:
    return np.asarray([FACETS[t] for t in texts], dtype=np.float32)


@pytest.mark.parametrize(("weight", "best"), [(0.0, 1), (0.25, 0)])
def test_a_description_sentence_pulls_its_code_towards_that_facet(weight: float, best: int) -> None:
    texts = embed_codebook(FACET_BOOK, facet_embed, weight)
    statement = np.asarray([0, 0, 1, 0], dtype=np.float32)  # 'I lost my benefit: I missed the deadline'
    assert int(np.argmax(texts.descriptions @ statement)) == best
    assert np.allclose(np.linalg.norm(texts.descriptions, axis=1), 1.0)
    # a code whose only sentence is its description keeps its direction, whatever the weight
    assert np.argmax(texts.descriptions[1]) == 3


def role_units(roles: str) -> list[Unit]:
    """One statement per letter in one document: 'i' the interviewer's, 'p' a participant's."""
    return [
        Unit(
            f"d:{i}",
            "d",
            "I" if r == "i" else "IP",
            i * 10,
            i * 10 + 9,
            "x",
            role=INTERVIEWER if r == "i" else PARTICIPANT,
        )
        for i, r in enumerate(roles)
    ]


@pytest.mark.parametrize(
    ("roles", "row", "question"),
    [
        ("ipppppp", 4, 0),  # three statements into the answer: beyond the neighbours, the question is read
        ("ipppppp", 6, 0),
        ("ipppppp", 2, None),  # the question is already a neighbour: not read twice
        ("pppipppp", 7, 3),  # the nearest question before, not the first statement
        ("ppppp", 4, None),  # no question
        ("ipppip", 5, None),  # the interviewer's own statement reads no question
    ],
)
def test_an_answer_reads_the_question_it_answers(roles: str, row: int, question: int | None) -> None:
    units = role_units(roles)
    rows = list(range(len(units)))
    plain = neighbours(units, rows)[row]
    asked = neighbours(units, rows, question_weight=0.5)[row]
    extra = [pair for pair in asked if pair not in plain]
    assert extra == ([] if question is None else [(question, 0.5)])
    assert neighbours(units, rows, 0.0) == neighbours(units, rows)


WORDS_BOOK = Codebook(
    "ord",
    (
        Code("samtykke", "Samtykke", "Deling af oplysninger kræver samtykke.", ("Hun gav ikke samtykke.",)),
        Code("brobygning", "Brobygning", "Vejen til uddannelse.", ("Brobygning til uddannelse hjalp.",)),
    ),
)


CODE_AXES = {
    "Samtykke: Deling af oplysninger kræver samtykke.": 1,
    "Deling af oplysninger kræver samtykke.": 1,
    "Hun gav ikke samtykke.": 1,
    "Brobygning: Vejen til uddannelse.": 2,
    "Vejen til uddannelse.": 2,
    "Brobygning til uddannelse hjalp.": 2,
}


def flat_embed(texts: Sequence[str]) -> np.ndarray:
    """The codebook's texts on axes 1 and 2, every statement in the plane of axes 0 and 3: after
    centring, each statement is as close to one code as to the other."""
    rows = []
    for text in texts:
        row = np.zeros(4)
        if text in CODE_AXES:
            row[CODE_AXES[text]] = 1.0
        else:
            row[0], row[3] = 1.0, len(text) % 7 / 10
        rows.append(row)
    return np.asarray(rows, dtype=np.float32)


@pytest.mark.parametrize(
    ("text", "code"),
    [("Vi kunne ikke få hendes samtykke.", 0), ("Et brobygningsforløb til uddannelse var vejen frem.", 1)],
)
def test_shared_words_decide_when_the_embeddings_cannot(text: str, code: int) -> None:
    statements = [
        text,
        "Borgeren kom til møde hver uge.",
        "Det var en svær tid for hende.",
        "Vi talte meget sammen om det.",
        "Han fik en ny sagsbehandler.",
    ]
    vectors = flat_embed(statements)
    texts = embed_codebook(WORDS_BOOK, flat_embed)
    assert texts.has_texts and texts.documents(skip=0)[0] == [
        "Samtykke: Deling af oplysninger kræver samtykke."
    ]
    model = code_model(texts, vectors, statements=statements, calibrated=False)
    assert model.lexical is not None
    z = model.standardised(vectors[:1], statements[:1])[0]
    assert int(np.argmax(z)) == code
    # a model without the statements' texts (as a run saved before) scores with the embeddings alone
    alone = code_model(texts, vectors, calibrated=False)
    assert alone.lexical is None
    assert np.allclose(*alone.standardised(vectors[:1], statements[:1])[0])  # a tie
    assert np.allclose(
        alone.standardised(vectors[:1], statements[:1]), alone.spread.standardised(vectors[:1], alone.vectors)
    )


def test_examples_added_without_their_texts_keep_the_texts_aligned() -> None:
    texts = embed_codebook(WORDS_BOOK, flat_embed)
    more = texts.with_examples({1: np.ones((2, 4), dtype=np.float32)})
    assert more.has_texts and more.documents()[1][-2:] == ["", ""]
    told = texts.with_examples({0: np.ones((1, 4), dtype=np.float32)}, {0: ["Samtykke igen."]})
    assert told.documents()[0][-1] == "Samtykke igen."
    vectors_only = CodeTexts(texts.descriptions, texts.examples, texts.owners)
    assert not vectors_only.with_examples({0: np.ones((1, 4), dtype=np.float32)}).has_texts


@pytest.mark.parametrize("name", ["Brobygning", "Samtykke"])
def test_a_surrogate_is_no_word_of_the_coding(name: str) -> None:
    """A fake name that happens to be a code's word changes nothing: the codes do not depend on the key."""
    said = f"{name} sagde, at det var svært."
    plain = "Han sagde, at det var svært."
    others = [
        "Borgeren kom til møde hver uge.",
        "Det var en svær tid for hende.",
        "Vi talte meget sammen om det.",
    ]
    texts = embed_codebook(WORDS_BOOK, flat_embed)

    def scored(first: Unit) -> np.ndarray:
        units = [first] + [
            Unit(f"d:{i}", "d", "IP", i * 100, i * 100 + 50, t) for i, t in enumerate(others, 1)
        ]
        vectors = flat_embed([plain] * len(units))
        return code_units(units, vectors, texts, top=2)[0][0]

    fake = scored(Unit("d:0", "d", "IP", 0, 50, said, surrogates=((0, len(name), "PERSON"),)))
    real = scored(Unit("d:0", "d", "IP", 0, 50, plain))
    assert [(s.code, s.score) for s in fake] == [(s.code, s.score) for s in real]
