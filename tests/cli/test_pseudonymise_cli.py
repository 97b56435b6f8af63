"""``thememine pseudonymise`` and ``run`` end to end on small files: output, key, review, leaks."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thememine.cli import app
from thememine.pseudonymise.keyfile import read_key
from thememine.runfolder import load_run, read_log

runner = CliRunner()
PASS = "en lang nok passphrase"
A = (
    "I: Hvem ringede du til?\n"
    "Mette: Jeg ringede til Jens Ravn på 22 47 81 93. Mettes mor var med.\n"
    "I: Mm.\n"
    "Mette: Min cpr er 120384-2746 og jeg bor på Solvænget 14, 2. th., 8700 Horsens.\n"
)
B = "I: Og Jens?\nAnne Sofie: Jens skrev til mettekh84@gmail.com om Mette.\nI: Ja.\nAnne Sofie: Ja.\n"


def model_free(command: str, corpus: Path, out: Path, key: Path, style: str) -> list[str]:
    """``command`` on ``corpus`` without the NER model, quietly."""
    return [
        command,
        str(corpus),
        "--out",
        str(out),
        "--key",
        str(key),
        "--style",
        style,
        "-q",
        "--ner",
        "none",
    ]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "jobcenter").mkdir(parents=True)
    (root / "psykiatri").mkdir()
    (root / "jobcenter" / "interview_mette.txt").write_text(A, encoding="utf-8")
    (root / "psykiatri" / "anne_sofie.txt").write_text(B, encoding="utf-8")
    return root


@pytest.mark.parametrize("command", ["pseudonymise", "run"])
@pytest.mark.parametrize("style", ["tags", "names"])
def test_pseudonymise(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch, command: str, style: str
) -> None:
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    out, key = tmp_path / "out", tmp_path / "private" / "study.key"
    args = model_free(command, corpus, out, key, style)
    result = runner.invoke(app, args + (["--embedder", "hash"] if command == "run" else []))
    assert result.exit_code == 0, result.output
    assert "Leak check: no original form" in result.stdout
    if command == "run":  # themes are fitted on the pseudonymised statements, beside them
        assert (out / "themes.yaml").is_file() and (out / "assignments.csv").is_file()
        assert (out / "out.qdpx").is_file() and (out / "out.qdc").is_file()  # REFI-QDA, named for the folder
        assert (out / "report.html").is_file()
        assert "theme" in result.stdout
        assert f"thememine review {out}" in result.stdout.replace("\n", "")
    shared = "".join(
        p.read_text(encoding="utf-8")
        for p in out.rglob("*")
        if p.is_file() and p.suffix not in (".npy", ".qdpx")
    )
    if command == "run":  # the REFI-QDA project holds the pseudonymised transcripts only
        with zipfile.ZipFile(out / "out.qdpx") as archive:
            shared += "".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    for original in (
        "Mette",
        "mette",
        "Jens",
        "Ravn",
        "Anne Sofie",
        "22 47 81 93",
        "120384-2746",
        "Solvænget",
        "mettekh84",
    ):
        assert original not in shared, original
    assert "interview_mette" not in shared and "anne_sofie" not in shared  # file names hold names too
    docs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (out / "documents").iterdir()}
    assert set(docs) == {"doc01", "doc02"}  # neutral ids: file and folder names often hold names
    rows = [json.loads(line) for line in (out / "statements.jsonl").read_text(encoding="utf-8").splitlines()]
    for row in rows:
        assert docs[row["doc_id"]]["text"][row["start"] : row["end"]] == row["text"]
    # one person, one pseudonym, in both interviews and as a speaker
    mette = {row["speaker"] for row in rows if row["doc_id"] == "doc01" and row["speaker"] != "I"}
    assert len(mette) == 1
    (pseudonym,) = mette
    assert pseudonym in docs["doc02"]["text"]
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    payload = read_key(key, PASS)
    assert payload["documents"]["doc01"].endswith("interview_mette.txt")
    assert [docs[d]["group"] for d in ("doc01", "doc02")] == ["jobcenter", "psykiatri"]
    review = (key.parent / "review.csv").read_text(encoding="utf-8")
    assert "Mette" in review  # the review is for the researcher and holds the originals
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert audit["leaks"] == 0 and audit["replacements"]["PERSON"] >= 6
    assert "Mette" not in json.dumps(audit)


def test_rerun_with_the_same_key_extends_the_mapping(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    key = tmp_path / "private" / "study.key"
    first = runner.invoke(
        app,
        [
            "pseudonymise",
            str(corpus / "jobcenter"),
            "--out",
            str(tmp_path / "o1"),
            "--key",
            str(key),
            "--style",
            "names",
            "-q",
            "--ner",
            "none",
        ],
    )
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        app,
        [
            "pseudonymise",
            str(corpus),
            "--out",
            str(tmp_path / "o2"),
            "--key",
            str(key),
            "-q",
            "--ner",
            "none",
        ],
    )
    assert second.exit_code == 0, second.output
    one = json.loads((tmp_path / "o1" / "documents" / "doc01.json").read_text(encoding="utf-8"))["text"]
    two = json.loads((tmp_path / "o2" / "documents" / "doc01.json").read_text(encoding="utf-8"))["text"]
    assert one == two  # same key, same id and surrogates; the style was taken from the key


def test_review_decisions_without_their_columns_stop_the_run(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    decisions = tmp_path / "review.csv"
    decisions.write_text("navn,beslutning\nMette,reject\n", encoding="utf-8")
    out, key = tmp_path / "out", tmp_path / "private" / "study.key"
    args = [*model_free("pseudonymise", corpus, out, key, "tags"), "--review-decisions", str(decisions)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "no column text and decision" in result.stderr and "navn, beslutning" in result.stderr
    assert "Traceback" not in result.output and not out.exists() and not key.exists()


def test_a_run_that_replaced_nothing_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No empty list after the colon; and the polite "De" is neither replaced nor uncertain."""
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "samtale.txt").write_text(
        "I: Goddag. Hvordan har De det?\nIP: Godt, tak. Kan De huske mødet?\nI: Ja, og Deres mor var med.\n",
        encoding="utf-8",
    )
    out, key = tmp_path / "out", tmp_path / "private" / "study.key"
    result = runner.invoke(app, model_free("pseudonymise", corpus, out, key, "tags"))
    assert result.exit_code == 0, result.output
    assert "Pseudonymised 1 document: nothing replaced. 0 uncertain items to review." in result.stdout
    assert ": ." not in result.stdout


def test_key_inside_output_is_refused(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["pseudonymise", str(corpus), "--out", str(out), "--key", str(out / "k.key"), "-q", "--ner", "none"],
    )
    assert result.exit_code == 1
    assert "apart from the output" in result.stderr
    assert not (out / "k.key").exists()


def test_wrong_passphrase(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "private" / "study.key"
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    assert (
        runner.invoke(
            app,
            [
                "pseudonymise",
                str(corpus),
                "--out",
                str(tmp_path / "o1"),
                "--key",
                str(key),
                "-q",
                "--ner",
                "none",
            ],
        ).exit_code
        == 0
    )
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", "en anden passphrase")
    result = runner.invoke(
        app,
        [
            "pseudonymise",
            str(corpus),
            "--out",
            str(tmp_path / "o2"),
            "--key",
            str(key),
            "-q",
            "--ner",
            "none",
        ],
    )
    assert result.exit_code == 1
    assert "Wrong passphrase" in result.stderr


@pytest.mark.parametrize("style", ["tags", "names"])
def test_reidentify_reverses_a_pseudonymised_transcript(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch, style: str
) -> None:
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    out, key = tmp_path / "out", tmp_path / "private" / "study.key"
    assert runner.invoke(app, model_free("pseudonymise", corpus, out, key, style)).exit_code == 0
    doc = json.loads((out / "documents" / "doc01.json").read_text(encoding="utf-8"))
    pseudo = tmp_path / "pseudo.txt"
    pseudo.write_text(doc["text"], encoding="utf-8")
    restored = tmp_path / "private" / "restored.txt"
    result = runner.invoke(app, ["reidentify", str(pseudo), "--key", str(key), "--out", str(restored)])
    assert result.exit_code == 0, result.output
    text = restored.read_text(encoding="utf-8")
    for original in ("Jens Ravn", "22 47 81 93", "120384-2746", "Solvænget 14, 2. th., 8700 Horsens"):
        assert original in text
    assert "Mette:" in text
    assert "Mettes mor" in text  # possessives come back too
    original = next((corpus / "jobcenter").iterdir()).read_text(encoding="utf-8")
    assert text == original  # every mention exactly as it was written
    refused = runner.invoke(app, ["reidentify", str(pseudo), "--key", str(key), "--out", str(restored)])
    assert refused.exit_code == 1 and "--force" in refused.stderr


def test_run_again_keeps_the_researchers_decisions(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    out, key = tmp_path / "out", tmp_path / "private" / "study.key"
    args = [
        "run",
        str(corpus),
        "--out",
        str(out),
        "--key",
        str(key),
        "-q",
        "--ner",
        "none",
        "--embedder",
        "hash",
    ]
    assert runner.invoke(app, args).exit_code == 0
    theme_id = min(load_run(out).themes)
    assert runner.invoke(app, ["theme", "rename", str(out), str(theme_id), "Krydspres"]).exit_code == 0
    (corpus / "psykiatri" / "ny.txt").write_text(
        "I: Og så?\nKarina: Fristerne presser os hele tiden.\n", "utf-8"
    )
    again = runner.invoke(app, [*args, "--force"])
    assert again.exit_code == 0, again.output
    assert "Krydspres" in [t.label for t in load_run(out).themes.values()]
    assert [e["action"] for e in read_log(out)][-1] == "update"


def test_a_leak_anywhere_in_the_output_folder_fails_the_command(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    out, key = tmp_path / "out", tmp_path / "private" / "study.key"
    out.mkdir()
    (out / "noter om mette.txt").write_text("Jens Ravn ringede.\n", encoding="utf-8")  # left by hand
    args = model_free("pseudonymise", corpus, out, key, "tags")
    failed = runner.invoke(app, args)
    assert failed.exit_code == 1
    message = " ".join(failed.stderr.split())
    assert "2 original forms (2 PERSON) still in 1 file of the output: noter om [PERSON_" in message
    assert "audit.json" in message  # where the counts per file and label are
    assert "mette" not in failed.output.lower() and "Ravn" not in failed.output
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert audit["leaks"] == 2 and audit["leaks_per_label"] == {"PERSON": 2}
    assert audit["leak_check"]["in_names"] == 1 and audit["leak_check"]["files_checked"] >= 5
    ((shown, count),) = audit["leaks_per_file"].items()
    assert count == 2 and shown.startswith("noter om [PERSON_") and "mette" not in json.dumps(audit).lower()
    allowed = runner.invoke(app, [*args, "--force", "--allow-leaks"])
    assert allowed.exit_code == 0, allowed.output
    (out / "noter om mette.txt").unlink()
    clean = runner.invoke(app, [*args, "--force"])
    assert clean.exit_code == 0 and "Leak check: no original form" in clean.stdout
    assert json.loads((out / "audit.json").read_text(encoding="utf-8"))["leaks"] == 0


def test_run_checks_for_leaks_at_its_end(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that reaches the output only through a later step (here the codebook's code names,
    suggested in themes.yaml and listed in codes.csv) is found by the check at the end."""
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    out, key = tmp_path / "out", tmp_path / "private" / "study.key"
    book = tmp_path / "book.csv"
    book.write_text(
        "code;description;examples\nJens Ravns sager;Om sagerne;Vi ringede til ham\n"
        "Adresser;Om boliger;Jeg bor på en vej\n",
        encoding="utf-8",
    )
    args = [*model_free("run", corpus, out, key, "tags"), "--embedder", "hash", "--codebook", str(book)]
    failed = runner.invoke(app, args)
    assert failed.exit_code == 1, failed.output
    assert (out / "report.html").is_file()  # the later steps ran; the check came after them
    assert "Leak check: no original form" not in failed.stdout
    files = json.loads((out / "audit.json").read_text(encoding="utf-8"))["leaks_per_file"]
    # the code names travel as suggestions (themes are named after a code only when most statements pass)
    assert {"codes.csv", "themes.yaml"} <= set(files), files
    assert "Ravn" not in failed.output
    allowed = runner.invoke(app, [*args, "--force", "--allow-leaks"])
    assert allowed.exit_code == 0, allowed.output


def test_files_not_read_are_counted_in_corpus_json_without_their_names(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    (corpus / "jobcenter" / "noter_mette_holm.pdf").write_bytes(b"%PDF-1.4 not a transcript")
    out = tmp_path / "out"
    result = runner.invoke(app, model_free("pseudonymise", corpus, out, tmp_path / "k.key", "tags"))
    assert result.exit_code == 1, result.output  # a file not read is an error, though the rest is written
    assert "noter_mette_holm.pdf" in result.stderr  # said where the researcher sees it
    written = (out / "corpus.json").read_text(encoding="utf-8")
    record = json.loads(written)
    assert record["skipped_files"] == 1 and len(record["documents"]) == 2
    assert "mette" not in written.casefold() and "skipped" not in record


def test_two_output_folders_on_one_key_keep_each_their_review_rows(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import csv

    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", PASS)
    key = tmp_path / "keys" / "k.key"
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.txt").write_text(B, encoding="utf-8")

    def review() -> dict[str, int]:
        with (key.parent / "review.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return {output: sum(r["output"] == output for r in rows) for output in {r["output"] for r in rows}}

    first, second = tmp_path / "first", tmp_path / "second"
    assert runner.invoke(app, model_free("pseudonymise", corpus, first, key, "tags")).exit_code == 0
    alone = review()
    assert runner.invoke(app, model_free("pseudonymise", other, second, key, "tags")).exit_code == 0
    both = review()
    assert both[str(first.resolve())] == alone[str(first.resolve())] and both[str(second.resolve())] > 0
    assert (
        runner.invoke(app, [*model_free("pseudonymise", corpus, first, key, "tags"), "--force"]).exit_code
        == 0
    )
    assert review() == both  # the first folder's rows replaced, not added twice; the second's kept
