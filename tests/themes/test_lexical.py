"""The lexical score: words a statement shares with a code's description and examples."""

from __future__ import annotations

import numpy as np
import pytest

from thememine.themes.lexical import CodeTerms, CorpusTerms

STATEMENTS = [
    "Vi måtte vente på samtykke, før vi kunne ringe til psykiatrien.",
    "Tavshedspligten gjorde, at vi ikke kunne tale sammen om borgeren.",
    "Brobygningen til uddannelse var det, der virkede for ham.",
    "Borgeren kom til møde i jobcentret hver uge.",
    "Borgeren havde det svært, og mødet blev aflyst.",
    "Jeg ved ikke rigtigt, hvad jeg skal sige til det.",
]
CODES = [
    ["Samtykke og tavshedspligt: deling af oplysninger kræver samtykke", "Hun ville ikke give samtykke."],
    ["Brobygning: vejen fra behandling til uddannelse og job", "Brobygning til job tog et år."],
]


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("Uden samtykke fra hende kunne vi ikke dele noget.", 0),
        ("Hun gav aldrig sit samtykke.", 0),
        ("Et brobygningsforløb til uddannelse hjalp.", 1),
        ("Brobygning var nøglen.", 1),
    ],
)
def test_a_shared_domain_word_ranks_its_code_first(text: str, best: int) -> None:
    lexical = CodeTerms.of(CorpusTerms.of(STATEMENTS, also=[t for code in CODES for t in code]), CODES)
    z = lexical.standardised([text])[0]
    assert int(np.argmax(z)) == best and z[best] > z[1 - best]


def test_a_text_without_a_shared_word_scores_each_codes_corpus_mean_or_below() -> None:
    lexical = CodeTerms.of(CorpusTerms.of(STATEMENTS), CODES)
    z = lexical.standardised(["Øh, ja, det ved jeg ikke."])[0]
    assert np.all(z <= 0) and z.shape == (2,)
    # over the corpus itself the scores are standardised per code
    over = lexical.standardised(STATEMENTS)
    assert np.allclose(over.mean(axis=0), 0, atol=1e-9) and np.allclose(over.std(axis=0), 1)


def test_a_common_word_counts_less_than_a_rare_one() -> None:
    corpus = CorpusTerms.of(STATEMENTS)
    common, rare = corpus.vocabulary["borger"], corpus.vocabulary["brobygning"]
    assert corpus.idf[common] < corpus.idf[rare]


@pytest.mark.parametrize(
    ("short", "longer"),
    [
        ("Vi talte om samtykke.", "Vi talte om samtykke og tavshedspligt."),
        # one more shared word among many the code lacks: a cosine scored these below the short one
        (
            "Hun gav samtykke.",
            "Hun gav samtykke, og borgeren kom til møde i jobcentret, hvor vi talte om deling.",
        ),
        (
            "Brobygning, ja.",
            "Brobygning var det, vi talte om, da borgeren kom til møde i jobcentret efter et år.",
        ),
    ],
)
def test_one_shared_word_scores_no_higher_in_a_short_statement_than_with_more_shared_words(
    short: str, longer: str
) -> None:
    # a cosine would divide by the statement's length, so that one shared word in a short
    # statement scored as high as a statement about the code; summed, more shared words only add
    lexical = CodeTerms.of(CorpusTerms.of(STATEMENTS, also=[t for code in CODES for t in code]), CODES)
    z = lexical.standardised([short, longer])
    code = 0 if "samtykke" in short else 1
    assert z[0, code] < z[1, code]


def test_a_word_the_code_lacks_does_not_lower_a_statements_score() -> None:
    lexical = CodeTerms.of(CorpusTerms.of(STATEMENTS), CODES)
    z = lexical.standardised(
        ["Hun gav samtykke.", "Hun gav samtykke, og borgeren kom til møde i jobcentret."]
    )
    assert z[0, 0] == pytest.approx(z[1, 0])
