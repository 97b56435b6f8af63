"""Codebooks: YAML (full and simple form) and CSV as Excel writes it, plain errors, the shipped codebook."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from thememine.errors import InputError
from thememine.themes.codebook import READERS, load_codebook, shipped_codebook, shipped_codebooks
from thememine.themes.model import Code, Codebook, slugify

FULL_YAML = """\
name: Min kodebog
language: da
description: Til test.
source: Skrevet til testen.
codes:
  - id: domaene
    name: Domænekonflikt
    group: samarbejdsrelation
    description: Hvem gør hvad, og hvem betaler.
    examples:
      - "Vi troede, det var kommunen, der skulle indkalde."
      - "Ingen ville betale for tolken."
  - name: Økonomi mod regler
    group: krydspres
    description: Budget mod retskrav.
    examples: "Puljen var brugt | Loven giver ret til støtten"
"""

SIMPLE_YAML = """\
- navn: Samtykke
  beskrivelse: Hvad må deles.
  eksempler: ["Han skrev under på alt."]
- name: Tavshedspligt
"""


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_full_yaml(tmp_path: Path) -> None:
    book = load_codebook(write(tmp_path, "kodebog.yaml", FULL_YAML))
    assert (book.name, book.language, book.description, book.source) == (
        "Min kodebog",
        "da",
        "Til test.",
        "Skrevet til testen.",
    )
    assert book.ids == ("domaene", "oekonomi_mod_regler")
    assert book.codes[0] == Code(
        "domaene",
        "Domænekonflikt",
        "Hvem gør hvad, og hvem betaler.",
        ("Vi troede, det var kommunen, der skulle indkalde.", "Ingen ville betale for tolken."),
        "samarbejdsrelation",
    )
    assert book.code("økonomi MOD regler").examples == ("Puljen var brugt", "Loven giver ret til støtten")
    assert book.examples_by_code()["domaene"][1] == "Ingen ville betale for tolken."
    texts = book.texts_for_embedding()
    assert len(texts) == 2
    assert texts[0].splitlines() == [
        "Domænekonflikt",
        "Hvem gør hvad, og hvem betaler.",
        "Vi troede, det var kommunen, der skulle indkalde.",
        "Ingen ville betale for tolken.",
    ]


def test_simple_yaml_with_danish_keys(tmp_path: Path) -> None:
    book = load_codebook(write(tmp_path, "koder.yml", SIMPLE_YAML))
    assert book.name == "koder"
    assert [(c.id, c.name, c.examples) for c in book] == [
        ("samtykke", "Samtykke", ("Han skrev under på alt.",)),
        ("tavshedspligt", "Tavshedspligt", ()),
    ]
    assert book.texts_for_embedding()[1] == "Tavshedspligt"
    assert book.examples_by_code() == {"samtykke": ("Han skrev under på alt.",), "tavshedspligt": ()}


CSV_ROWS = [
    "kode;beskrivelse;eksempler",
    "Domænekonflikt;Hvem gør hvad;Første eksempel | Andet eksempel",
    ";;",
    "Målkonflikt;Forskellige mål;",
    "Domænekonflikt;;Tredje eksempel",
]


@pytest.mark.parametrize(
    "raw",
    [
        "\r\n".join(CSV_ROWS).encode("utf-8"),
        codecs.BOM_UTF8 + "\r\n".join(CSV_ROWS).encode("utf-8"),  # Excel's "CSV UTF-8"
        "\r\n".join(CSV_ROWS).encode("cp1252"),  # Excel's plain "CSV" on a Danish Windows
        "\n".join(row.replace(";", ",") for row in CSV_ROWS).encode("utf-8"),
        "\n".join(row.replace(";", "\t") for row in CSV_ROWS).encode("utf-8"),
    ],
    ids=["semicolon", "bom", "cp1252", "comma", "tab"],
)
def test_csv_as_excel_writes_it(tmp_path: Path, raw: bytes) -> None:
    book = load_codebook(write(tmp_path, "Kodebog.csv", raw))
    assert book.name == "Kodebog"
    assert [(c.id, c.name, c.description) for c in book] == [
        ("domaenekonflikt", "Domænekonflikt", "Hvem gør hvad"),
        ("maalkonflikt", "Målkonflikt", "Forskellige mål"),
    ]
    assert book.code("domaenekonflikt").examples == ("Første eksempel", "Andet eksempel", "Tredje eksempel")
    assert book.code("Målkonflikt").examples == ()


def test_csv_with_id_group_and_example_columns(tmp_path: Path) -> None:
    text = (
        "code,name,group,description,example 1,example 2\n"
        'D1,Domænekonflikt,samarbejdsrelation,"Hvem gør hvad, og hvem betaler","Et eksempel, med komma",Et andet\n'
    )
    book = load_codebook(write(tmp_path, "k.csv", text))
    assert book.codes == (
        Code(
            "D1",
            "Domænekonflikt",
            "Hvem gør hvad, og hvem betaler",
            ("Et eksempel, med komma", "Et andet"),
            "samarbejdsrelation",
        ),
    )


def test_yaml_code_and_name_mean_id_and_name(tmp_path: Path) -> None:
    book = load_codebook(write(tmp_path, "k.yaml", "- code: D1\n  name: Domænekonflikt\n"))
    assert book.codes == (Code("D1", "Domænekonflikt"),)


def test_made_ids_stay_unique(tmp_path: Path) -> None:
    book = load_codebook(write(tmp_path, "k.yaml", "- name: Mål\n- name: Maal\n- name: '!!'\n"))
    assert book.ids == ("maal", "maal_2", "code_3")
    assert slugify("Økonomi mod regler") == "oekonomi_mod_regler"
    assert slugify("Brobygning og koblingskompetence") == "brobygning_og_koblingskompetence"


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("k.yaml", "- name: Samtykke\n- name: samtykke\n", "appears twice"),
        ("k.yaml", "- id: a\n  name: A\n- id: a\n  name: B\n", "the id 'a' is used twice"),
        ("k.yaml", "- name: A\n- description: Ingen navn\n", "code 2 has no name"),
        ("k.yaml", "- name: A\n  exemples: [x]\n", "does not know: 'exemples'"),
        ("k.yaml", "codes:\n  - name: A\n    description: [ikke lukket\n", "is not valid YAML"),
        ("k.yaml", "name: Bog uden koder\n", "has no list of codes"),
        ("k.yaml", "Bare en sætning\n", "neither a list of codes"),
        ("k.yaml", "codes: []\n", "holds no codes"),
        ("k.csv", "beskrivelse;eksempler\nHvem gør hvad;x\n", "no column for the code name"),
        ("k.csv", "kode;beskrivelse\nA;Første\nA;Anden\n", "two different descriptions (line 2 and line 3)"),
        ("k.csv", "kode;beskrivelse;eksempler\n;Hvem gør hvad;x\n", "line 2 has no code name"),
        ("k.csv", 'kode;beskrivelse\nA;"ikke lukket\n', "not a readable CSV file"),
        ("k.csv", "", "is empty"),
        ("k.qdc", "<CodeBook/>", "has no <Codes> element"),  # read as REFI-QDA, and found empty
        ("k.docx", "x", "not a codebook format"),
    ],
)
def test_plain_errors(tmp_path: Path, name: str, content: str, says: str) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(InputError) as caught:
        load_codebook(path)
    assert says in caught.value.message
    assert caught.value.path == str(path)
    assert caught.value.hint


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such codebook file"):
        load_codebook(tmp_path / "findes-ikke.yaml")
    with pytest.raises(InputError, match="is a folder"):
        load_codebook(tmp_path)


def test_readers_are_chosen_by_suffix() -> None:
    assert {".yaml", ".yml", ".csv"} <= set(READERS)


def test_codebook_refuses_duplicate_ids() -> None:
    with pytest.raises(ValueError, match="two codes have the same id"):
        Codebook("x", (Code("a", "A"), Code("a", "B")))


SHIPPED_IDS = (
    "domaenekonflikt",
    "teknologikonflikt",
    "maalkonflikt",
    "organisatoriske_forskelle",
    "samarbejdsform",
    "arbejdsvilkaar",
    "oekonomi_mod_regler",
    "konflikt_om_maal",
    "synlige_maal",
    "brobygning",
    "koordinerende_sagsbehandler",
    "samtykke_tavshedspligt",
)


def test_shipped_codebook() -> None:
    assert "samarbejde_da" in shipped_codebooks()
    book = shipped_codebook()
    assert book == shipped_codebook("samarbejde_da")
    assert book.language == "da" and "MIT" in book.source
    assert book.ids == SHIPPED_IDS
    groups = [code.group for code in book]
    assert groups.count("samarbejdsrelation") == 5 and groups.count("krydspres") == 4
    assert groups.count("andet") == 3
    for code in book:
        assert code.name and code.description.count(".") >= 2, code.id
        assert len(code.examples) >= 3, code.id
        assert all(example[0].isupper() for example in code.examples), code.id
    assert book.code("Synlige mål presser usynlige").id == "synlige_maal"


def test_shipped_codebook_unknown_name() -> None:
    with pytest.raises(InputError, match="Choose one of: samarbejde_da"):
        shipped_codebook("findes_ikke")
