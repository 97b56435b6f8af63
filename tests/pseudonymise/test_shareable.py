"""A shareable corpus: no damaged words, one pseudonym per person, exact re-identification.

Rules only (no model) and a fake model where the model's false hits matter, so these run in
seconds. Every case is written as the speech-to-text and interview material the tool meets.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thememine.ingest import SplitOptions, read_corpus, split_corpus
from thememine.ingest.model import Document
from thememine.pseudonymise import Detector, Entity
from thememine.pseudonymise.corpus import PseudonymisedCorpus, neutral_ids, pseudonymise_corpus
from thememine.pseudonymise.recognizers.date import parse_date
from thememine.pseudonymise.reidentify import reidentify
from thememine.pseudonymise.surrogates import SurrogateMap

STYLES = ["tags", "names"]


class WordTagger:
    """A fake model that tags given words wherever they stand, as a model's false hit would."""

    name = "fake"

    def __init__(self, words: dict[str, str]) -> None:
        self.words = words

    def tag(self, texts: list[str]) -> list[list[Entity]]:
        return [
            [
                Entity(m.start(), m.end(), label, 0.9)
                for word, label in self.words.items()
                for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text)
            ]
            for text in texts
        ]


def run(
    texts: dict[str, str],
    tmp_path: Path,
    style: str = "tags",
    tagger: WordTagger | None = None,
    mapping: SurrogateMap | None = None,
    known: list[tuple[str, str]] | None = None,
) -> tuple[PseudonymisedCorpus, SurrogateMap]:
    for name, text in texts.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    documents = read_corpus([tmp_path]).documents
    statements = split_corpus(documents, SplitOptions())
    mapping = mapping or SurrogateMap(style, b"s" * 32)  # type: ignore[arg-type]
    result = pseudonymise_corpus(
        documents, statements, Detector(tagger=tagger), mapping, known_ids=known or []
    )
    return result, mapping


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


# ----- no damage: a false hit does not spread, ordinary words stay ------------------------------
@pytest.mark.parametrize(
    ("false_hit", "elsewhere"),
    [
        ("og", "Han og hun kom, og vi gik."),
        ("borger", "Hver borger har en sag."),
        ("dk", "Skriv til os på nettet, dk er fint."),
        ("PTSD", "PTSD er svært for mange."),
        ("Psykiatrien", "Vi samarbejder med Psykiatrien om det."),
    ],
)
@pytest.mark.parametrize("style", STYLES)
def test_a_false_model_hit_never_replaces_an_ordinary_word(
    false_hit: str, elsewhere: str, style: str, tmp_path: Path
) -> None:
    texts = {"a.txt": f"IP: Det sagde {false_hit} også.\n", "b.txt": f"IP: {elsewhere}\n"}
    result, _ = run(texts, tmp_path, style, WordTagger({false_hit: "ORG"}))
    for document, original in zip(result.documents, texts.values(), strict=True):
        assert words(document.text) == words(original)


@pytest.mark.parametrize("style", STYLES)
def test_a_name_that_is_a_word_spreads_only_where_written_as_a_name(style: str, tmp_path: Path) -> None:
    texts = {
        "a.txt": "IP: Jeg taler med Per Hansen hver uge.\n",
        "b.txt": "IP: Han tjener 200 kr. per time, og så sagde Per nej. Per kom igen.\n",
        "c.txt": "IP: Jeg ringede til Hans Berg. Hans mor svarede, og hans far. Så kom Hans. Hans er god.\n",
    }
    result, _ = run(texts, tmp_path, style)
    other = result.documents[1].text
    assert "per time" in other  # the word
    assert "sagde Per " not in other and "Per kom" not in other  # the name, anywhere with a capital
    third = result.documents[2].text
    assert "Hans mor" in third and "hans far" in third  # "his" opening a sentence, and inside one
    assert "kom Hans" not in third and "Hans er" not in third


@pytest.mark.parametrize("style", STYLES)
def test_names_that_are_words_in_a_lower_case_transcript(style: str, tmp_path: Path) -> None:
    texts = {
        "a.txt": "I: Hvem hjælper dig?\nIP: Min kontakt hedder Sine Bach, og Bo Kjeldsen er min mentor.\n",
        "b.txt": (
            "ja altså sine ringer til mig hver mandag og sines opkald hjælper men min bror glemmer sine "
            "piller og jeg vil gerne bo selv og bo sagde det var fint\n"
        ),
    }
    result, _ = run(texts, tmp_path, style)
    other = result.documents[1].text
    assert "sine ringer" not in other and "sines opkald" not in other and "bo sagde" not in other
    assert "glemmer sine piller" in other and "gerne bo selv" in other


@pytest.mark.parametrize("style", STYLES)
def test_lower_case_names_from_speech_to_text_spread(style: str, tmp_path: Path) -> None:
    texts = {"a.txt": "IP: Mette Kjærgaard Holm er min kontakt.\n", "b.txt": "IP: så sagde mette det\n"}
    result, _ = run(texts, tmp_path, style)
    assert "mette" not in result.documents[1].text.casefold()


# ----- one person, one pseudonym ----------------------------------------------------------------
def entity_ids(mapping: SurrogateMap, forms: list[str]) -> set[int]:
    return {mapping.entity("PERSON", form).id for form in forms}


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(
    ("text", "forms", "left"),
    [
        ("IP: Mette Holm ringede. Mettes sag er svær, sagde Mette.\n", ["Mette Holm", "Mette"], "Mette"),
        ("IP: Kim Bjerre ringede. Bjerre sagde nej.\n", ["Kim Bjerre", "Bjerre"], "Bjerre"),
        ("IP: Yasmin el-Hassan kom. Så talte el-Hassan.\n", ["Yasmin el-Hassan", "el-Hassan"], "Hassan"),
        ("Jens: Ja.\nI: Og Jens Ravn?\nJens: Det er mig.\n", ["Jens", "Jens Ravn"], "Jens"),
        ("IP: Birte Lund har ferie. Birtes kalender er fuld.\n", ["Birte Lund", "Birte"], "Birte"),
    ],
)
def test_every_mention_of_a_person_is_one_pseudonym(
    style: str, text: str, forms: list[str], left: str, tmp_path: Path
) -> None:
    result, mapping = run({"a.txt": text}, tmp_path, style)
    assert len(entity_ids(mapping, forms)) == 1
    assert left not in result.documents[0].text


@pytest.mark.parametrize(
    ("style", "text", "expected"),
    [
        ("tags", "IP: Birte Lund kom. Birtes kalender er fuld.\n", r"\[PERSON_1\.\d\]s kalender"),
        ("tags", "IP: Klavs Holm kom. Klavs' kontor er lukket.\n", r"\[PERSON_1\.\d\]' kontor"),
        ("names", "IP: Birte Lund kom. Birtes kalender er fuld.\n", r"\b[A-ZÆØÅ][a-zæøå]+(s|') kalender"),
        ("names", "IP: Klavs Holm kom. Klavs' kontor er lukket.\n", r"\b[A-ZÆØÅ][a-zæøå]+(s|') kontor"),
    ],
)
def test_possessives_keep_a_grammatical_ending(style: str, text: str, expected: str, tmp_path: Path) -> None:
    result, _ = run({"a.txt": text}, tmp_path, style)
    assert re.search(expected, result.documents[0].text), result.documents[0].text


# ----- neutral ids and folder names -------------------------------------------------------------
@pytest.mark.parametrize("style", STYLES)
def test_folder_and_file_names_never_reach_the_output(style: str, tmp_path: Path) -> None:
    texts = {
        "Mette Holm/interview_mette.txt": "I: Hvem er du?\nIP: Jeg hedder Mette Holm.\n",
        "jobcenter/Kirsten Dalby.txt": "I: Hvem er du?\nIP: Jeg er sagsbehandler.\n",
    }
    result, _ = run(texts, tmp_path, style)
    assert [d.id for d in result.documents] == ["doc01", "doc02"]
    shared = repr([(d.id, d.group, d.path, d.text) for d in result.documents])
    shared += repr([(s.id, s.doc_id) for s in result.statements])
    assert "Mette" not in shared and "Holm" not in shared and "Kirsten" not in shared
    assert result.documents[1].group == "jobcenter"  # a folder that names no one stays


def test_a_file_keeps_its_id_when_interviews_are_added(tmp_path: Path) -> None:
    docs = [
        Document(f"d{i}", f"/c/{name}", "txt", "x", [], [], "utf-8", None, f"hash{i}")
        for i, name in enumerate(["b.txt", "c.txt"])
    ]
    first = neutral_ids(docs)
    known = [(doc_id, d.path) for doc_id, d in zip(first, docs, strict=True)]
    added = [Document("d9", "/c/a.txt", "txt", "x", [], [], "utf-8", None, "hash9"), *docs]
    assert neutral_ids(added, known) == ["doc03", *first]
    moved = [Document("d0", "/elsewhere/b.txt", "txt", "x", [], [], "utf-8", None, "hash0")]
    assert neutral_ids(moved, [(first[0], "sha256:hash0")]) == [first[0]]  # found by its content


# ----- dates ------------------------------------------------------------------------------------
def test_dates_move_together_so_intervals_and_ages_survive(tmp_path: Path) -> None:
    text = "IP: Jeg er født den 12. marts 1984, og min søn er født 03.07.2011.\n"
    result, mapping = run({"a.txt": text}, tmp_path, "names")
    offset = mapping.date_offset()
    assert 60 <= abs(offset) <= 730
    out = result.documents[0].text
    first = re.search(r"født den (\d+\. \w+ \d{4})", out)
    second = re.search(r"født (\d\d\.\d\d\.\d{4})", out)
    assert first and second, out
    born = [parse_date(first.group(1)), parse_date(second.group(1))]
    moved = [dt.date(y or 0, m, d) for y, m, d in (p for p in born if p)]
    assert moved[0] == dt.date(1984, 3, 12) + dt.timedelta(offset)
    assert (moved[1] - moved[0]).days == (dt.date(2011, 7, 3) - dt.date(1984, 3, 12)).days


def test_the_offset_is_the_keys_own() -> None:
    offsets = {SurrogateMap("names", bytes([n]) * 32).date_offset() for n in range(20)}
    assert len(offsets) > 10


def test_fakes_hold_no_word_the_key_holds_as_an_original() -> None:
    mapping = SurrogateMap("names", b"s" * 32)
    mapping.link_all([("ORGANISATION", "dk"), ("ORGANISATION", "eksempel"), ("URL", "https://a.dk/x")])
    fake = mapping.surrogate("URL", "https://a.dk/x")
    assert not {"dk", "eksempel"} & set(re.findall(r"\w+", fake))


# ----- exact re-identification ------------------------------------------------------------------
@pytest.mark.parametrize("style", STYLES)
def test_reidentify_restores_every_statement_as_written(style: str, tmp_path: Path) -> None:
    texts = {
        "a.txt": (
            "Jens: Jeg ringede til Mette Kjærgaard Holm, cpr 120384-2746, på 22 47 81 93.\n"
            "I: Og så?\nJens: Mettes sag gik videre, mette sagde ja, og Holm skrev til mettekh84@gmail.com.\n"
        ),
        "b.txt": "IP: Klavs' kontor ligger på Solvænget 14, 2. th., 8700 Horsens. Jens Ravn kom.\n",
    }
    result, mapping = run(texts, tmp_path, style)
    originals = split_corpus(read_corpus([tmp_path]).documents, SplitOptions())
    assert len(originals) == len(result.statements)
    for original, shared in zip(originals, result.statements, strict=True):
        assert shared.text != original.text or not re.search(r"Mette|Jens|Holm|2746", original.text)
        assert reidentify(shared.text, mapping)[0] == original.text


@pytest.mark.parametrize("style", STYLES)
def test_reidentify_restores_json_and_jsonl_files_with_line_breaks_in_their_strings(
    style: str, tmp_path: Path
) -> None:
    from thememine.pseudonymise.reidentify import reidentify_file

    texts = {"a.txt": "Jens: Hej.\nMette Holm sagde ja.\nMette Holm kom.\n"}
    result, mapping = run(texts, tmp_path, style)
    shared = "\n".join(s.text for s in result.statements)  # a surrogate right after a line break
    original = "\n".join(s.text for s in split_corpus(read_corpus([tmp_path]).documents, SplitOptions()))
    as_json = json.dumps({"text": shared, "parts": [shared]}, ensure_ascii=False)
    restored, count = reidentify_file(Path("statements.json"), as_json, mapping)
    assert json.loads(restored) == {"text": original, "parts": [original]} and count >= 4
    lines = as_json + "\n" + json.dumps({"text": shared}, ensure_ascii=False) + "\n"
    restored, _ = reidentify_file(Path("statements.jsonl"), lines, mapping)
    assert [json.loads(line)["text"] for line in restored.splitlines()] == [original, original]
    assert reidentify_file(Path("a.txt"), shared, mapping)[0] == original


FIRST = ["Mette", "Jens", "Karina", "Ahmad", "Lise-Lotte", "Søren", "Birte", "Klavs", "Yasmin", "Lars"]
LAST = ["Holm", "Ravn", "Bjerre", "Kjærgaard", "Rahimi", "Mikkelsen", "el-Hassan", "Nielsen"]
FRAMES = [
    "{} ringede i går",
    "jeg talte med {} om det",
    "{}<s> sag er svær",
    "det var {} der sagde det",
    "så kom {} og {} ind",
]


@st.composite
def sentences(draw: st.DrawFn) -> str:
    people = draw(st.lists(st.tuples(st.sampled_from(FIRST), st.sampled_from(LAST)), min_size=1, max_size=3))
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        frame = draw(st.sampled_from(FRAMES))
        names = []
        for _ in range(frame.count("{}")):
            first, last = draw(st.sampled_from(people))
            form = draw(st.sampled_from([f"{first} {last}", first, last]))
            names.append(form.lower() if draw(st.booleans()) and "-" not in form else form)
        sentence = frame.format(*names)
        # the genitive as Danish writes it: "Mettes", "Jens'"
        sentence = re.sub(r"(?<=[sxzSXZ])<s>", "'", sentence).replace("<s>", "s")
        parts.append(sentence[0].upper() + sentence[1:] + ".")
    return "IP: " + " ".join(parts) + "\n"


@pytest.mark.parametrize("style", STYLES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=sentences())
def test_reidentify_inverts_pseudonymise(
    style: str, text: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("corpus")
    result, mapping = run({"a.txt": text}, folder, style)
    assert reidentify(result.documents[0].text, mapping)[0] == text


def test_header_lines_survive_pseudonymisation_at_their_new_place(tmp_path: Path) -> None:
    text = "Interview 2 – sagsbehandler\nDato: 12. marts 2025\nInterviewer: Mette Holm\n\nI: Hej.\nIP: Hej Mette Holm.\n"
    result, _ = run({"a.txt": text}, tmp_path, "names")
    (document,) = result.documents
    original = read_corpus([tmp_path]).documents[0]
    assert len(document.header) == len(original.header) > 0
    for line in document.header:
        entry = document.text[line.start : line.end]
        assert "Mette" not in entry and entry.strip() and "\n" not in entry.strip()
    assert [line.key for line in document.header] == [line.key for line in original.header]


# ----- workplaces the model takes for places ------------------------------------------------------
@pytest.mark.parametrize(
    ("tagged", "text"),
    [
        # a workplace elsewhere in the corpus ("bostedet Skovbrynet")
        ({"Skovbrynet": "LOC"}, "IP: Jeg bor på bostedet Skovbrynet. Skovbrynet er godt.\n"),
        # no known place, and it ends like an institution's name
        ({"Fontænehuset": "LOC"}, "IP: Jeg kommer i Fontænehuset hver dag. Fontænehuset hjælper.\n"),
        # a known company, standing like a place ("tilbage til Bygma i Skanderborg")
        ({"Bygma": "LOC"}, "IP: Hun vil tilbage til Bygma. Bygma var godt.\n"),
    ],
)
def test_a_workplace_taken_for_a_place_gets_a_workplace_surrogate(
    tagged: dict[str, str], text: str, tmp_path: Path
) -> None:
    from thememine.pseudonymise.gazetteer import places

    (name,) = tagged
    result, mapping = run({"a.txt": text}, tmp_path, "names", WordTagger(tagged))
    labels = {d.label for ds in result.detections.values() for d in ds}
    assert labels == {"ORGANISATION"}, labels
    fake = mapping.surrogate("ORGANISATION", name)
    out = result.documents[0].text
    assert name not in out and out.count(fake) == 2
    assert fake.casefold() not in places()
    assert reidentify(out, mapping)[0] == text


def test_workplaces_in_the_names_style_are_restored_exactly(tmp_path: Path) -> None:
    text = (
        "IP: Jeg er sagsbehandler i Jobcenter Horsens, og jeg bor i Horsens. Før var jeg i "
        "Regionspsykiatrien Horsens og på Psykiatrisk Center Vejle. Skanderborg Kommune ringede.\n"
    )
    result, mapping = run({"a.txt": text}, tmp_path, "names")
    out = result.documents[0].text
    town = mapping.surrogate("LOCATION", "Horsens")
    assert f"Jobcenter {town}" in out and f"Regionspsykiatrien {town}" in out and "Horsens" not in out
    assert re.search(r"Psykiatrisk Center \w+\b", out) and "Vejle" not in out
    assert re.search(r"\w+ Kommune ringede", out) and "Skanderborg" not in out
    assert reidentify(out, mapping)[0] == text
