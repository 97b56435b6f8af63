"""REFI-QDA export and import on a small run folder fitted with the hash embedder."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thememine.errors import InputError
from thememine.exchange import export_codes, make_guid, read_qdc, read_qdpx, theme_colour
from thememine.exchange.export import export_run
from thememine.exchange.qdc import CODEBOOK_NS, PROJECT_NS
from thememine.exchange.qdpx import unix_lines
from thememine.ingest.store import load_documents
from thememine.pipeline import ingest, themes
from thememine.runfolder import load_run
from thememine.themes.inputs import read_units
from thememine.themes.model import CANDIDATE, CONFIRMED, UNASSIGNED
from thememine.themes.store import save_run

EMOJI = "😀"
INTERVIEWS = {
    "jobcenter/doc01.txt": [
        ("Interviewer", "Hvordan er samarbejdet med psykiatrien?"),
        ("Sagsbehandler", f"Det er svært {EMOJI} når vi ikke får svar på vores henvendelser i tide."),
        ("Interviewer", "Hvad gør I så?"),
        ("Sagsbehandler", "Vi ringer og skriver, men ventetiden på møder er lang, og økonomien styrer."),
        ("Interviewer", "Og borgeren?"),
        ("Sagsbehandler", f"Borgeren står i midten {EMOJI}{EMOJI} og må vente på afklaring."),
    ],
    "psykiatri/doc02.txt": [
        ("Interviewer", "Fortæl om jeres møder med jobcentret."),
        ("Læge", "Møderne er korte, og vi når ikke at tale om behandlingen før næste punkt."),
        ("Interviewer", "Hvad med sprog?"),
        ("Læge", f"Vi taler forbi hinanden {EMOJI}, de siger ressourceforløb, vi siger behandling."),
        ("Interviewer", "Og ventetider?"),
        ("Læge", "Ventetiden på udredning er lang, og det går ud over borgerens økonomi og trivsel."),
    ],
}


WINDOWS_LINES = "psykiatri/doc02.txt"  # written with \r\n line ends, as Windows programs save text


def _write_corpus(folder: Path) -> Path:
    for name, turns in INTERVIEWS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "\n\n".join(f"{who}: {said}" for who, said in turns) + "\n"
        newline = "\r\n" if name == WINDOWS_LINES else "\n"
        path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return folder


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("refi")
    corpus = _write_corpus(base / "corpus")
    out = base / "projekt"
    ingest([corpus], out, force=True)
    themes(read_units(out), out, embedder_spec="hash", cache_dir=base / "cache", progress=False)
    run = load_run(out)
    assert len(run.themes) >= 2, "the fixture needs at least two themes"
    first = min(run.themes)
    run.themes[first].status = CONFIRMED
    run.themes[first].label = "Ventetid og økonomi 😀"
    run.themes[first].parents = [7, 9]
    save_run(run, out)
    return out


@pytest.fixture(scope="module")
def exported(run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    result = export_run(run_dir, tmp_path_factory.mktemp("export"), all_themes=True)
    return result.qdpx, result.qdc


def _schema(name: str) -> object:
    lxml = pytest.importorskip("lxml.etree")
    path = resources.files("thememine.exchange").joinpath("schemas", name)
    return lxml.XMLSchema(lxml.parse(str(path)))


def _validate(schema_name: str, data: bytes) -> None:
    lxml = pytest.importorskip("lxml.etree")
    schema = _schema(schema_name)
    document = lxml.fromstring(data)
    assert schema.validate(document), schema.error_log  # type: ignore[attr-defined]


def test_the_fixture_has_an_emoji_statement_with_a_theme(run_dir: Path) -> None:
    run = load_run(run_dir)
    themed = [u for u, t in zip(run.units, run.assignment, strict=True) if t != UNASSIGNED]
    assert any(EMOJI in u.text for u in themed)


def test_the_fixture_has_windows_line_ends_and_statements_after_them(run_dir: Path) -> None:
    run = load_run(run_dir)
    (document,) = [d for d in load_documents(run_dir) if "\r\n" in d.text]
    themed = [u for u, t in zip(run.units, run.assignment, strict=True) if t != UNASSIGNED]
    assert any(u.doc_id == document.id and document.text[: u.start].count("\r\n") >= 2 for u in themed)


def test_sources_have_one_kind_of_line_end(exported: tuple[Path, Path]) -> None:
    """QualCoder counts \r\n as two positions and ATLAS.ti as one: only \n means the same to both."""
    with zipfile.ZipFile(exported[0]) as archive:
        sources = [name for name in archive.namelist() if name.startswith("Sources/")]
        assert len(sources) == len(INTERVIEWS)
        assert not [name for name in sources if b"\r" in archive.read(name)]


def test_line_ends_are_made_unix_with_positions_moved_alike() -> None:
    text = "a\r\nbc\rd\r\n\r\nef"
    plain, position = unix_lines(text)
    assert plain == "a\nbc\nd\n\nef"
    for start, end in [(0, 1), (3, 5), (6, 7), (11, 13), (1, 3), (0, len(text))]:
        assert plain[position(start) : position(end)] == text[start:end].replace("\r\n", "\n").replace(
            "\r", "\n"
        )


def test_qdc_is_valid_against_the_codebook_schema(exported: tuple[Path, Path]) -> None:
    _validate("Codebook.xsd", exported[1].read_bytes())
    root = ET.fromstring(exported[1].read_bytes())
    assert root.tag == f"{{{CODEBOOK_NS}}}CodeBook"


def test_project_qde_is_valid_against_the_project_schema(exported: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(exported[0]) as archive:
        _validate("Project-mrt2019.xsd", archive.read("project.qde"))
        assert ET.fromstring(archive.read("project.qde")).tag == f"{{{PROJECT_NS}}}Project"


def test_every_coding_position_points_at_its_statement(run_dir: Path, exported: tuple[Path, Path]) -> None:
    """Positions read back from the zip: code points, end exclusive, emoji counted once."""
    run = load_run(run_dir)
    statements = {u.id: u.text for u in run.units}
    ns = {"q": PROJECT_NS}
    with zipfile.ZipFile(exported[0]) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        checked = emoji = 0
        for source in root.iterfind("q:Sources/q:TextSource", ns):
            path = source.get("plainTextPath", "")
            assert path.startswith("internal://") and path.endswith(".txt")
            raw = archive.read("Sources/" + path.removeprefix("internal://"))
            assert not raw.startswith(b"\xef\xbb\xbf"), "no byte order mark: it would shift positions"
            text = raw.decode("utf-8")
            for selection in source.iterfind("q:PlainTextSelection", ns):
                start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
                expected = statements[selection.get("name", "")]
                assert text[start:end] == expected
                if EMOJI in expected:
                    emoji += 1
                    # UTF-16 units would put the end one further on per emoji before it
                    units = len(text[:end].encode("utf-16-le")) // 2
                    assert units > end or EMOJI not in text[:end]
                checked += 1
    assigned = sum(1 for t in run.assignment if t != UNASSIGNED)
    assert checked == assigned and emoji >= 1


def test_round_trip_gives_the_same_codings(run_dir: Path, exported: tuple[Path, Path]) -> None:
    run = load_run(run_dir)
    codes = {c.theme_id: c.name for c in export_codes(run, run_dir.name, all_themes=True)}
    expected = sorted(
        (codes[t], u.doc_id, u.start, u.end)
        for u, t in zip(run.units, run.assignment, strict=True)
        if t != UNASSIGNED
    )
    documents = {d.id: d for d in load_documents(run_dir)}
    moved = {name: unix_lines(document.text) for name, document in documents.items()}
    expected = sorted(
        (code, doc, moved[doc][1](start), moved[doc][1](end)) for code, doc, start, end in expected
    )
    project = read_qdpx(exported[0])
    assert sorted((c.code, c.source, c.start, c.end) for c in project.codings) == expected
    sources = {s.name: s for s in project.sources}
    assert {name: s.text for name, s in sources.items()} == {k: text for k, (text, _) in moved.items()}
    assert {s.variables["Group"] for s in project.sources} == {"jobcenter", "psykiatri"}
    statements = {(u.doc_id, moved[u.doc_id][1](u.start)): u.text for u in run.units}
    for coding in project.codings:
        assert coding.text(sources) == statements[coding.source, coding.start]
    assert project.name == run_dir.name


def test_codes_are_stable_and_coloured(run_dir: Path) -> None:
    run = load_run(run_dir)
    first = export_codes(run, "projekt", all_themes=True)
    again = export_codes(load_run(run_dir), "projekt", all_themes=True)
    assert first == again
    assert [c.guid for c in first] == [make_guid("projekt", "theme", c.theme_id) for c in first]
    assert all(c.colour == theme_colour(c.theme_id) for c in first)
    assert all(len(c.colour) == 7 and c.colour.startswith("#") for c in first)
    other = export_codes(run, "andet projekt", all_themes=True)
    assert {c.guid for c in first}.isdisjoint(c.guid for c in other)


def test_only_confirmed_themes_by_default(run_dir: Path) -> None:
    run = load_run(run_dir)
    confirmed = export_codes(run, "p")
    assert [c.theme_id for c in confirmed] == [t.id for t in run.themes.values() if t.status == CONFIRMED]
    (code,) = confirmed
    assert code.name == "Ventetid og økonomi 😀"
    assert "From themes: 7, 9" in code.description
    assert "Keywords:" in code.description


def test_read_qdc_gives_a_codebook(exported: tuple[Path, Path], run_dir: Path) -> None:
    book = read_qdc(exported[1])
    run = load_run(run_dir)
    assert [c.name for c in book.codes] == [c.name for c in export_codes(run, "x", all_themes=True)]
    assert book.code("Ventetid og økonomi 😀").description.startswith("Keywords:")
    assert book.source.startswith("thememine")


def test_read_qdc_folders_become_groups(tmp_path: Path) -> None:
    path = tmp_path / "bog.qdc"
    guid = "{%s}"
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<CodeBook xmlns="{CODEBOOK_NS}" origin="NVivo">
  <Codes>
    <Code guid="{guid % make_guid("t", "c", 1)}" name="Samarbejde" isCodable="false">
      <Code guid="{make_guid("t", "c", 2)}" name="Domænekonflikt" isCodable="true" color="#ff0000">
        <Description>Hvem gør hvad</Description>
      </Code>
    </Code>
    <Code guid="{make_guid("t", "c", 3)}" name="Økonomi" isCodable="true"/>
  </Codes>
</CodeBook>""",
        encoding="utf-8",
    )
    _validate("Codebook.xsd", path.read_bytes())
    book = read_qdc(path)
    assert [(c.id, c.name, c.group, c.description) for c in book.codes] == [
        ("domaenekonflikt", "Domænekonflikt", "Samarbejde", "Hvem gør hvad"),
        ("oekonomi", "Økonomi", None, ""),
    ]
    assert book.source == "NVivo"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("not xml <", "is not valid XML"),
        ("<Foo/>", "is not a REFI-QDA codebook"),
        (f'<CodeBook xmlns="{CODEBOOK_NS}"/>', "has no <Codes>"),
    ],
)
def test_read_qdc_errors(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "bad.qdc"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=problem):
        read_qdc(path)


def test_no_confirmed_themes_is_an_error_with_a_hint(run_dir: Path, tmp_path: Path) -> None:
    run = load_run(run_dir)
    for theme in run.themes.values():
        theme.status = CANDIDATE
    copy = tmp_path / "run"
    copy.mkdir()
    for item in run_dir.iterdir():
        target = copy / item.name
        if item.is_dir():
            target.mkdir()
            for inner in item.iterdir():
                (target / inner.name).write_bytes(inner.read_bytes())
        else:
            target.write_bytes(item.read_bytes())
    save_run(run, copy)
    with pytest.raises(InputError, match="no confirmed themes") as info:
        export_run(copy, tmp_path / "out")
    assert "--all-themes" in info.value.hint


def test_a_statement_that_does_not_match_its_document_is_refused(run_dir: Path, tmp_path: Path) -> None:
    from thememine.exchange.qdpx import build_project

    run = load_run(run_dir)
    documents = load_documents(run_dir)
    documents[0].text = "x" + documents[0].text
    with pytest.raises(InputError, match="does not match"):
        build_project(documents, run, export_codes(run, "p", all_themes=True), "p")


def test_cli_command(run_dir: Path, tmp_path: Path) -> None:
    import typer

    from thememine.cli.export import export_command

    app = typer.Typer()
    app.command()(export_command)
    result = CliRunner().invoke(app, [str(run_dir), "--out", str(tmp_path), "--name", "studie"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "studie.qdpx").is_file() and (tmp_path / "studie.qdc").is_file()
    assert "1 theme" in result.output
    failed = CliRunner().invoke(app, [str(tmp_path / "missing"), "--out", str(tmp_path)])
    assert failed.exit_code == 1


@pytest.mark.parametrize("earlier", ["studie.qdpx", "studie.qdc"])
def test_cli_refuses_to_replace_an_export_without_force(run_dir: Path, tmp_path: Path, earlier: str) -> None:
    """A .qdpx opened in a QDA program may hold the researcher's own coding: never lost silently."""
    import typer

    from thememine.cli.export import export_command

    app = typer.Typer()
    app.command()(export_command)
    (tmp_path / earlier).write_bytes(b"the researcher's own project")
    args = [str(run_dir), "--out", str(tmp_path), "--name", "studie"]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 1
    assert "already exists" in refused.output and "--force" in refused.output and earlier in refused.output
    assert "Traceback" not in refused.output
    assert (tmp_path / earlier).read_bytes() == b"the researcher's own project"
    assert not (tmp_path / ("studie.qdc" if earlier.endswith("qdpx") else "studie.qdpx")).exists()
    replaced = CliRunner().invoke(app, [*args, "--force"])
    assert replaced.exit_code == 0, replaced.output
    assert (tmp_path / earlier).read_bytes() != b"the researcher's own project"
    read_qdc(tmp_path / "studie.qdc")
    assert read_qdpx(tmp_path / "studie.qdpx")


def test_merges_and_splits_are_nested(run_dir: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "projekt"
    shutil.copytree(run_dir, folder)
    run = load_run(folder)
    second = sorted(run.themes)[1]
    run.themes[second].parents = [99]  # made by splitting theme 99, gone since
    save_run(run, folder)
    result = export_run(folder, tmp_path / "export", all_themes=True)
    _validate("Codebook.xsd", result.qdc.read_bytes())
    with zipfile.ZipFile(result.qdpx) as archive:
        _validate("Project-mrt2019.xsd", archive.read("project.qde"))
    ns = {"q": CODEBOOK_NS}
    codes = ET.fromstring(result.qdc.read_bytes()).find("q:Codes", ns)
    assert codes is not None
    (split,) = [c for c in codes.iterfind("q:Code", ns) if c.get("name") == "Tema 99 (delt)"]
    assert split.get("isCodable") == "false"
    assert [c.get("isCodable") for c in split.findall("q:Code", ns)] == ["true"]
    merged = next(c for c in codes.iterfind("q:Code", ns) if c.get("name") == "Ventetid og økonomi 😀")
    assert [c.get("name") for c in merged.findall("q:Code", ns)] == [
        "Tema 7 (flettet ind)",
        "Tema 9 (flettet ind)",
    ]
    # read back: the folders are not codes, they group the codes under them
    book = read_qdc(result.qdc)
    assert len(book.codes) == len(run.themes)
    assert {c.group for c in book.codes if c.group} == {"Tema 99 (delt)"}
