"""Theme keywords: Danish lemmas, no fillers or tags, c-TF-IDF as BERTopic computes it."""

from __future__ import annotations

import math
import pickle
import re

import numpy as np
import pytest

from thememine.data import read_lines
from thememine.themes.keywords import (
    LARGE_CORPUS,
    MAX_TERMS,
    danish_vectorizer,
    is_content_free,
    lemmatise,
    terms,
    theme_keywords,
)

VENTETID = [
    "Øh, ventetiden var alt for lang, altså, ikke også?",
    "Vi ventede i tre måneder, og fristen blev overskredet.",
    "Ventetiden på en udredning er det værste for borgeren.",
    "Kommunen overholdt ikke fristerne, øh, og ventetiden voksede.",
    "Altså, fristen for svar var fire uger, men ventetiden var længere.",
    "Hvis ventetiden var kortere, ville [PERSON_3] være i arbejde nu.",
]
SAMTYKKE = [
    "Øh, vi skal have borgerens samtykke, før vi ringer til psykiatrien.",
    "Tavshedspligten gør det svært, ikke også, at dele oplysninger.",
    "Uden samtykke må vi ikke sige noget på grund af tavshedspligten.",
    "[PERSON_5] gav samtykke, altså, men kun til lægen.",
    "Samtykket skal fornyes hvert år, øhm.",
    "Tavshedspligt og samtykke fylder meget i samarbejdet med kommunen.",
]
KOORDINERING = [
    "Den koordinerende sagsbehandler holder møder med alle parter.",
    "Øh, jeg har fået en koordinerende sagsbehandler i kommunen.",
    "Den koordinerende sagsbehandler ringede til [PERSON_3], altså.",
    "Møderne med den koordinerende sagsbehandler hjælper, ikke også.",
    "Vi har et møde hver måned med min koordinerende sagsbehandler.",
    "Min koordinerende sagsbehandler samler trådene.",
]
THEMES = {0: VENTETID, 1: SAMTYKKE, 2: KOORDINERING}
STOP = {line for line in read_lines("stopwords_da.txt") if " " not in line}
NOT_CONTENT = STOP | {"person", "location", "øh", "øhm", "altså", "ikke", "også"}


def words_of(keywords: dict[int, list[tuple[str, float]]]) -> set[str]:
    return {word for pairs in keywords.values() for term, _ in pairs for word in term.split()}


@pytest.mark.parametrize(
    ("form", "lemma"),
    [
        ("borgerne", "borger"),
        ("borgeren", "borger"),
        ("sagsbehandlerne", "sagsbehandler"),
        ("sagsbehandler", "sagsbehandler"),  # a noun, not the verb "sagsbehandle"
        ("møder", "møde"),
        ("mødet", "møde"),
        ("ventetiderne", "ventetid"),
        ("fristerne", "frist"),
        ("samtykket", "samtykke"),
        ("børnene", "barn"),
        ("psykiatrien", "psykiatri"),
        ("viden", "viden"),  # not "vide"
        ("tvang", "tvang"),  # not "tvinge"
        ("svært", "svært"),  # not "sværte"
        ("koordinerende", "koordinerende"),  # not "koordinere"
        ("jobcenteret", "jobcenter"),  # unknown compound: lemma of its tail
        ("hospitalsindlæggelserne", "hospitalsindlæggelse"),
        ("forsikringssagerne", "forsikringssag"),
        ("xqzvt", "xqzvt"),
        ("talte", "tale"),  # not "tælle": a correction of the lookup table
        ("frit", "fri"),  # not "fritte"
        ("ringer", "ringe"),  # the verb, as "ringede" has it, not a second keyword "ringer"
    ],
)
def test_lemmatise(form: str, lemma: str) -> None:
    assert lemmatise(form) == lemma


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Borgerne ventede.", ["borger", "vente", "borger vente"]),
        (
            "Den koordinerende sagsbehandler",
            ["koordinerende", "sagsbehandler", "koordinerende sagsbehandler"],
        ),
        ("koordinerende øh sagsbehandler", ["koordinerende", "sagsbehandler", "koordinerende sagsbehandler"]),
        ("Sagsbehandleren. Borgeren.", ["sagsbehandler", "borger"]),  # punctuation ends a phrase
        ("sagsbehandleren og borgeren", ["sagsbehandler", "borger"]),  # so does a stop word
        ("sagsbehandleren (griner) borgeren", ["sagsbehandler", "borger"]),
        ("Det handler om ventetiden i forhold til fristen", ["handle", "ventetid", "frist"]),
        ("Han ringede hele tiden, på en eller anden måde", ["ringe"]),
        ("[PERSON_3] ringede til [LOCATION_2] Kommune", ["ringe", "kommune"]),
        ("PERSON_3 ringede til kommunen", ["ringe", "kommune"]),
        ("Jeg tror faktisk egentlig bare at det er sådan, ikke også", []),
        ("Mødet varede 45 minutter", ["møde", "vare", "møde vare", "minut"]),  # a number ends a phrase
        ("f.eks. bl.a. jf. kl. 10 per borger", ["borger"]),  # abbreviations are no keywords
    ],
)
def test_terms(text: str, expected: list[str]) -> None:
    assert sorted(terms(text)) == sorted(expected)


@pytest.mark.parametrize(
    ("text", "free"),
    [
        ("", True),
        ("Mm.", True),
        ("Øh, altså, ikke også?", True),
        ("Ja ja, det er jo sådan det er.", True),
        ("På en eller anden måde, i hvert fald.", True),  # "måde" and "fald" belong to the phrases
        ("[PERSON_3] (griner) [pause]", True),
        ("12 3 a", True),
        ("Jeg synes egentlig, at det var godt.", True),
        ("Mm, ventetiden.", False),
        ("Jobcentret ringede aldrig.", False),
        ("Hun var alene.", False),  # "alene" is taken out of spaCy's list
        ("Selv tak.", True),  # courtesy closes an interview; it is no theme
        ("(griner) Tak. Det lyder rigtigt.", True),
        ("Lyden på optagelsen var dårlig.", False),  # the noun "lyd" is not the verb "lyde"
    ],
)
def test_is_content_free(text: str, free: bool) -> None:
    assert is_content_free(text) is free


def test_distinctive_word_ranks_first() -> None:
    keywords = theme_keywords(THEMES, top_n=5, diversity=0)
    assert keywords[0][0][0] == "ventetid"
    assert keywords[1][0][0] == "samtykke"
    assert [term for term, _ in keywords[0][:2]] == ["ventetid", "frist"]
    assert [term for term, _ in keywords[1][:2]] == ["samtykke", "tavshedspligt"]
    scores = [score for _, score in keywords[0]]
    assert scores == sorted(scores, reverse=True)


def test_no_stop_words_fillers_or_tags_among_keywords() -> None:
    keywords = theme_keywords(THEMES, top_n=1000, diversity=0)
    found = words_of(keywords)
    assert {"ventetid", "samtykke", "sagsbehandler"} <= found
    assert not found & NOT_CONTENT
    assert not any(re.search(r"\d", word) or len(word) < 2 for word in found)


def test_bigram_and_lexical_diversity() -> None:
    plain = [term for term, _ in theme_keywords(THEMES, top_n=10, diversity=0)[2]]
    diverse = [term for term, _ in theme_keywords(THEMES, top_n=10, diversity=0.3)[2]]
    assert "koordinerende sagsbehandler" in plain
    assert "sagsbehandler" in plain
    assert "koordinerende sagsbehandler" in diverse
    assert "sagsbehandler" not in diverse  # every word of it is in a higher-ranked keyword
    assert len(diverse) == 10


@pytest.mark.parametrize("reduce", [False, True])
def test_ctfidf_formula(reduce: bool) -> None:
    """tf per theme (l1, square root when reducing) × log(1 + int(average words per theme) / frequency)."""
    keywords = theme_keywords(
        {0: ["Ventetid. Ventetid. Frist."], 1: ["Samtykke. Frist."]},
        top_n=10,
        diversity=0,
        reduce_frequent_words=reduce,
    )
    tf = math.sqrt if reduce else (lambda x: x)
    average = int((3 + 2) / 2)  # BERTopic truncates 2.5 to 2
    assert dict(keywords[0]) == pytest.approx(
        {"ventetid": tf(2 / 3) * math.log(average / 2 + 1), "frist": tf(1 / 3) * math.log(average / 2 + 1)}
    )
    assert dict(keywords[1]) == pytest.approx(
        {"samtykke": tf(1 / 2) * math.log(average / 1 + 1), "frist": tf(1 / 2) * math.log(average / 2 + 1)}
    )


def test_themes_without_content() -> None:
    assert theme_keywords({0: ["Øh.", "Mm, altså."], 1: ["Ventetiden."]}, diversity=0)[0] == []
    assert theme_keywords({0: ["Øh."], 1: ["Ja, ikke også."]}) == {0: [], 1: []}


class WordEmbedder:
    """A fake embedder: a text is the sum of its words' vectors."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = {word: np.asarray(vector, dtype=float) for word, vector in vectors.items()}

    def encode(self, texts: list[str], /) -> np.ndarray:
        zero = np.zeros(3)
        return np.stack([sum((self.vectors.get(w, zero) for w in text.split()), zero) for text in texts])


def test_mmr_drops_a_redundant_keyword() -> None:
    themes = {0: ["Ventetiden. Ventetiden. Ventetiden. Fristen. Fristen. Køen."], 1: ["Samtykke."]}
    embedder = WordEmbedder({"ventetid": [1, 0, 0], "frist": [1, 0, 0], "kø": [0, 1, 0]})
    plain = theme_keywords(themes, top_n=2, diversity=0, embedder=embedder)[0]
    diverse = theme_keywords(themes, top_n=2, diversity=0.9, embedder=embedder)[0]
    assert [term for term, _ in plain] == ["ventetid", "frist"]
    assert [term for term, _ in diverse] == ["ventetid", "kø"]
    scores = dict(theme_keywords(themes, top_n=10, diversity=0)[0])
    assert dict(diverse) == {"ventetid": scores["ventetid"], "kø": scores["kø"]}  # c-TF-IDF scores kept


def test_vectorizer() -> None:
    assert danish_vectorizer(100).max_features is None
    assert danish_vectorizer(LARGE_CORPUS).max_features == MAX_TERMS
    vectorizer = danish_vectorizer(len(KOORDINERING)).fit(KOORDINERING)
    vocabulary = set(vectorizer.get_feature_names_out())
    assert "koordinerende sagsbehandler" in vocabulary
    assert not vocabulary & NOT_CONTENT
    restored = pickle.loads(pickle.dumps(vectorizer))  # BERTopic saves models with pickle
    counts = restored.transform(["Sagsbehandlerne og den koordinerende sagsbehandler."]).toarray()[0]
    column = restored.vocabulary_
    assert counts[column["sagsbehandler"]] == 2
    assert counts[column["koordinerende sagsbehandler"]] == 1


@pytest.mark.slow
def test_lookup_table_is_spacys() -> None:
    """The table read directly gives the lemmas of spaCy's own lookup lemmatizer."""
    import spacy

    nlp = spacy.blank("da")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    forms = ["borgerne", "sagsbehandlerne", "møder", "ventetiderne", "børnene", "psykiatrien"]
    assert [token.lemma_ for token in nlp(" ".join(forms))] == [lemmatise(form) for form in forms]


@pytest.mark.slow
def test_inside_bertopic() -> None:
    """The vectorizer, c-TF-IDF and MMR models run in BERTopic on precomputed embeddings, and
    :func:`theme_keywords` gives BERTopic's scores."""
    from bertopic import BERTopic
    from bertopic.backend import BaseEmbedder
    from bertopic.dimensionality import BaseDimensionalityReduction
    from sklearn.cluster import KMeans

    from thememine.themes.keywords import keyword_ctfidf, keyword_representation

    class HashEmbedder(BaseEmbedder):  # type: ignore[misc]
        def embed(self, documents: list[str], verbose: bool = False) -> np.ndarray:
            return np.stack([np.random.default_rng(sum(map(ord, doc))).normal(size=8) for doc in documents])

    docs = VENTETID + SAMTYKKE + KOORDINERING
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 8)) * 10
    embeddings = np.concatenate(
        [centre + rng.normal(size=(len(THEMES[t]), 8)) for t, centre in enumerate(centres)]
    )
    model = BERTopic(
        embedding_model=HashEmbedder(),
        umap_model=BaseDimensionalityReduction(),
        hdbscan_model=KMeans(n_clusters=3, n_init=10, random_state=0),
        vectorizer_model=danish_vectorizer(len(docs)),
        ctfidf_model=keyword_ctfidf(),
        representation_model=keyword_representation(0.3),
        language="danish",  # with "english", BERTopic strips æ, ø, å and punctuation first
    )
    topics, _ = model.fit_transform(docs, embeddings=embeddings)
    theme_of = {int(topics[index]): index // 6 for index in range(0, len(docs), 6)}
    assert [theme_of[int(topic)] for topic in topics] == [index // 6 for index in range(len(docs))]

    vocabulary = model.vectorizer_model.get_feature_names_out()
    ours = theme_keywords(THEMES, top_n=1000, diversity=0)
    for topic, theme in theme_of.items():
        row = model.c_tf_idf_[model._outliers + topic].toarray().ravel()
        bertopic_scores = {str(vocabulary[i]): float(row[i]) for i in np.flatnonzero(row)}
        assert bertopic_scores == pytest.approx(dict(ours[theme]))
        words = [word for word, _ in model.get_topic(topic) if word]  # BERTopic pads short lists with ""
        assert 0 < len(words) <= 10
        assert not {part for word in words for part in word.split()} & NOT_CONTENT
        assert set(words) <= set(bertopic_scores)
    assert ours[0][0][0] == "ventetid"
    assert ours[1][0][0] == "samtykke"


def test_every_lemma_correction_is_a_form_of_the_lookup_table_with_another_lemma() -> None:
    """A correction only where the table is wrong: each form is in the table, and the lemma the
    table gives it differs from the correction (else the line would say nothing)."""
    from thememine.themes.keywords import _corrections, _lemma_table, _table_lemma

    assert _corrections()
    for form, lemma in _corrections().items():
        assert form in _lemma_table() and _table_lemma(form) != lemma, form
