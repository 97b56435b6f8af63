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
