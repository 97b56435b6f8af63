"""The sample corpus through ``thememine run`` (without the NER model, with the hash embedder):
REFI-QDA files that validate and whose every coding points at its statement, and the report."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thememine.cli import app
from thememine.exchange.qdc import PROJECT_NS
from thememine.exchange.qdpx import unix_lines
from thememine.runfolder import load_run
from thememine.themes.model import UNASSIGNED

SAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "sample"


@pytest.mark.slow
def test_sample_run_exports_valid_refi_qda_and_a_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lxml = pytest.importorskip("lxml.etree")
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", "sample-corpus-only")
    out = tmp_path / "sample-run"
    result = CliRunner().invoke(
        app,
        ["run", str(SAMPLE), "--out", str(out), "--key", str(tmp_path / "key" / "k.key"), "--ner", "none",
         "--embedder", "hash", "--codebook", "samarbejde_da", "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    schemas = resources.files("thememine.exchange").joinpath("schemas")
    codebook = lxml.XMLSchema(lxml.parse(str(schemas.joinpath("Codebook.xsd"))))
    project = lxml.XMLSchema(lxml.parse(str(schemas.joinpath("Project-mrt2019.xsd"))))
    assert codebook.validate(lxml.fromstring((out / "sample-run.qdc").read_bytes())), codebook.error_log
    run = load_run(out)
    statements = {u.id: u.text for u in run.units}
    checked = 0
    with zipfile.ZipFile(out / "sample-run.qdpx") as archive:
        qde = archive.read("project.qde")
        assert project.validate(lxml.fromstring(qde)), project.error_log
        ns = {"q": PROJECT_NS}
        for source in ET.fromstring(qde).iterfind("q:Sources/q:TextSource", ns):
            text = archive.read(
                "Sources/" + source.get("plainTextPath", "").removeprefix("internal://")
            ).decode()
            for selection in source.iterfind("q:PlainTextSelection", ns):
                start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
                # the sources have \n line ends (one interview was saved with \r\n)
                assert text[start:end] == unix_lines(statements[selection.get("name", "")])[0]
                checked += 1
    # interviewer statements are context, not themes: at least half of the others are coded
    participants = [u for u in run.units if u.role != "interviewer" and not u.filler]
    assert checked == sum(1 for t in run.assignment if t != UNASSIGNED) > len(participants) / 2
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in report and "https://" not in report
