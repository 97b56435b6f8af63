"""The review page's server, through Starlette's test client: actions, errors, language, privacy."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient

from tests.runs import edit, entry, snapshot, theme_of
from thememine.review import create_app
from thememine.review.i18n import STRINGS, choose, message
from thememine.runfolder import LOG_FILE, STATE_FILE, THEMES_FILE, load_run, read_log
from thememine.themes.decisions import MERGE, RENAME, SPLIT, Decision, apply_in_folder
from thememine.themes.model import UNASSIGNED, ThemeRun
from thememine.themes.store import save_run

TOKEN = "test-token"


@pytest.fixture
def client(run_dir: Path) -> TestClient:
    return TestClient(create_app(run_dir, "en", token=TOKEN), base_url="http://127.0.0.1:8765")


def post(client: TestClient, path: str, **fields: object) -> object:
    """A form posted as the browser posts it from the page: with the token and the page's origin."""
    return client.post(
        path, data={"token": TOKEN, **fields}, headers=own_origin(client), follow_redirects=False
    )


def own_origin(client: TestClient) -> dict[str, str]:
    return {"origin": str(client.base_url).rstrip("/")}


def error_of(html: str) -> str:
    found = re.search(r'id="error">([^<]*)<', html)
    return found.group(1) if found else ""


def test_theme_list_and_theme_page(client: TestClient, fitted: ThemeRun) -> None:
    page = client.get("/")
    assert page.status_code == 200
    for theme in fitted.themes.values():
        assert f'href="/theme/{theme.id}"' in page.text and theme.label in page.text
    wait = theme_of(fitted, "ventetid")
    page = client.get(f"/theme/{wait}")
    assert page.status_code == 200
    for row in fitted.members(wait):  # every statement, with its id, document and speaker
        unit = fitted.units[row]
        assert f'data-statement="{unit.id}"' in page.text and unit.text in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")


def test_context_shows_the_turn_before(tmp_path: Path) -> None:
    import numpy as np

    from thememine.themes.fitting import fit_run
    from thememine.themes.model import Unit

    texts = ["Hvordan er samarbejdet?", "Det er svært.", "Vi mødes for sjældent.", "Og ventetiden?", "Lang."]
    ids = ["d:0:0", "d:1:0", "d:1:1", "d:2:0", "d:3:0"]
    speakers = ["I", "Mette", "Mette", "I", "Mette"]
    units = [Unit(i, "d", s, 0, len(t), t) for i, s, t in zip(ids, speakers, texts, strict=True)]
    vectors = np.random.default_rng(0).normal(size=(5, 8)).astype(np.float32)
    save_run(fit_run(units, vectors, seed=1), tmp_path)
    run = load_run(tmp_path)
    client = TestClient(create_app(tmp_path, "en", token=TOKEN), base_url="http://127.0.0.1:1")
    theme = run.assignment[2]
    page = client.get(f"/theme/{theme}" if theme != UNASSIGNED else "/theme/-1").text
    item = page[page.index('data-statement="d:1:1"') :]
    item = item[: item.index("</li>")]
    assert "Hvordan er samarbejdet?" in item  # the interviewer's question before the turn
    assert "<mark>Vi mødes for sjældent.</mark>" in item and "Det er svært." in item  # the whole turn


@pytest.mark.parametrize("kind", ["confirm", "rename", "merge", "split", "delete", "move"])
def test_each_action_is_saved_at_once_as_the_cli_saves_it(
    client: TestClient, run_dir: Path, tmp_path: Path, fitted: ThemeRun, kind: str
) -> None:
    wait, consent, meetings, money = (
        theme_of(fitted, g) for g in ("ventetid", "samtykke", "møder", "økonomi")
    )
    statement = fitted.units[fitted.members(wait)[0]].id
    twin = tmp_path / "twin"
    save_run(fitted, twin)
    if kind == "confirm":
        response, decision = post(client, f"/theme/{wait}/confirm"), Decision("confirm", wait)
    elif kind == "rename":
        response = post(client, f"/theme/{consent}/rename", label="Samtykke og tavshedspligt")
        decision = Decision(RENAME, consent, "Samtykke og tavshedspligt")
    elif kind == "merge":
        response = post(client, "/merge", themes=[str(money), str(meetings)], into=str(meetings), label="")
        decision = Decision(MERGE, meetings, others=(money,))
    elif kind == "split":
        preview = client.get(f"/theme/{meetings}/split", params={"k": "2"})
        members = re.search(r'name="members" value="([^"]+)"', preview.text)
        assert members is not None
        response = post(client, f"/theme/{meetings}/split", k="2", members=members.group(1))
        decision = Decision(SPLIT, meetings, k=2)
    elif kind == "delete":
        response, decision = post(client, f"/theme/{money}/delete"), Decision("delete", money)
    else:
        response = post(client, "/move", statement=statement, to="-1", back=f"/theme/{wait}")
        decision = Decision("move", UNASSIGNED, statement=statement)
    assert response.status_code == 303  # type: ignore[attr-defined]
    apply_in_folder(twin, [decision])
    page_files, cli_files = snapshot(run_dir), snapshot(twin)
    assert page_files == cli_files  # the same run, assignments, themes.yaml and embeddings
    (logged,) = read_log(run_dir)
    (expected,) = read_log(twin)
    assert logged | {"time": ""} == expected | {"time": ""}


def test_split_preview_changes_nothing_and_shows_the_parts(
    client: TestClient, run_dir: Path, fitted: ThemeRun
) -> None:
    meetings = theme_of(fitted, "møder")
    before = snapshot(run_dir)
    page = client.get(f"/theme/{meetings}/split", params={"k": "3"})
    assert page.status_code == 200
    assert page.text.count('class="part"') == 3
    assert snapshot(run_dir) == before and not (run_dir / LOG_FILE).exists()


def test_split_refused_when_the_theme_changed_since_the_preview(
    client: TestClient, run_dir: Path, fitted: ThemeRun
) -> None:
    meetings, money = theme_of(fitted, "møder"), theme_of(fitted, "økonomi")
    preview = client.get(f"/theme/{meetings}/split", params={"k": "2"})
    members = re.search(r'name="members" value="([^"]+)"', preview.text)
    assert members is not None
    apply_in_folder(run_dir, [Decision(MERGE, meetings, others=(money,))])  # another tab, meanwhile
    response = post(client, f"/theme/{meetings}/split", k="2", members=members.group(1))
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "changed since the preview" in error_of(response.text)  # type: ignore[attr-defined]
    assert len(load_run(run_dir).themes) == len(fitted.themes) - 1


def test_undo_from_the_page(client: TestClient, run_dir: Path, fitted: ThemeRun) -> None:
    before = snapshot(run_dir)[THEMES_FILE]
    post(client, f"/theme/{theme_of(fitted, 'ventetid')}/rename", label="Ventetid")
    page = client.get("/")
    assert "Undo" in page.text and "renamed" in page.text.lower()
    response = post(client, "/undo", back="/")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert snapshot(run_dir)[THEMES_FILE] == before
    assert read_log(run_dir)[-1]["action"] == "undo"
    nothing = post(client, "/undo", back="/")
    assert nothing.status_code == 409 and "no decision to undo" in error_of(nothing.text)  # type: ignore[attr-defined]


def test_a_stale_tab_gets_a_conflict_not_a_crash(client: TestClient, run_dir: Path, fitted: ThemeRun) -> None:
    meetings, money = theme_of(fitted, "møder"), theme_of(fitted, "økonomi")
    post(client, "/merge", themes=[str(meetings), str(money)], into=str(meetings))
    response = post(client, f"/theme/{money}/rename", label="Økonomi")  # the other tab still shows it
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert f"theme {money} does not exist" in error_of(response.text).lower()  # type: ignore[attr-defined]
    assert client.get("/").status_code == 200


def test_two_tabs_posting_at_once_lose_nothing(client: TestClient, run_dir: Path, fitted: ThemeRun) -> None:
    wait, consent = theme_of(fitted, "ventetid"), theme_of(fitted, "samtykke")
    other = TestClient(create_app(run_dir, "en", token=TOKEN), base_url="http://127.0.0.1:8765")

    def rename(tab: TestClient, theme: int, prefix: str) -> None:
        for i in range(6):
            assert post(tab, f"/theme/{theme}/rename", label=f"{prefix} {i}").status_code == 303  # type: ignore[attr-defined]

    threads = [
        threading.Thread(target=rename, args=(client, wait, "Ventetid")),
        threading.Thread(target=rename, args=(other, consent, "Samtykke")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run = load_run(run_dir)
    assert run.themes[wait].label == "Ventetid 5" and run.themes[consent].label == "Samtykke 5"
    assert len(read_log(run_dir)) == 12
    json.loads((run_dir / STATE_FILE).read_text(encoding="utf-8"))  # whole, not interleaved
    labels = {t["id"]: t["label"] for t in yaml.safe_load((run_dir / THEMES_FILE).read_text())["themes"]}
    assert labels[wait] == "Ventetid 5" and labels[consent] == "Samtykke 5"


def test_pending_themes_yaml_is_not_overwritten(client: TestClient, run_dir: Path, fitted: ThemeRun) -> None:
    wait = theme_of(fitted, "ventetid")
    edit(run_dir, lambda data: entry(data, wait).update(label="Skrevet i filen"))
    page = client.get("/")
    assert 'id="pending"' in page.text
    response = post(client, f"/theme/{wait}/confirm")
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "not applied yet" in error_of(response.text)  # type: ignore[attr-defined]
    assert "Skrevet i filen" in (run_dir / THEMES_FILE).read_text(encoding="utf-8")
    assert post(client, "/apply-file").status_code == 303  # type: ignore[attr-defined]
    assert load_run(run_dir).themes[wait].label == "Skrevet i filen"


@pytest.mark.parametrize(
    ("method", "path", "fields", "status", "says"),
    [
        ("post", "/theme/x/rename", {"label": "A"}, 400, "whole number"),
        ("post", "/theme/1/rename", {"label": "   "}, 400, "empty"),
        ("post", "/theme/999/confirm", {}, 409, "does not exist"),
        ("post", "/theme/1/split", {"k": "zwei", "members": "x"}, 400, "whole number"),
        ("post", "/theme/1/split", {"k": "2", "members": "stale"}, 409, "changed since the preview"),
        ("post", "/merge", {"themes": "1"}, 400, "at least two"),
        ("post", "/merge", {"themes": ["1", "1"]}, 400, "besides"),
        ("post", "/move", {"to": "1"}, 400, "no statement id"),
        ("post", "/move", {"statement": "nope:0:0", "to": "1"}, 409, "no statement"),
        ("post", "/move", {"statement": "x", "to": "one"}, 400, "whole number"),
        ("get", "/theme/999", {}, 404, "no theme 999"),
        ("get", "/theme/1/split?k=99", {}, 400, "cannot be split"),
        ("get", "/theme/1/split?k=", {}, 400, "whole number"),
        ("get", "/theme/1/confirm", {}, 405, ""),
        ("get", "/no/such/page", {}, 404, ""),
        ("get", "/lang/fr", {}, 404, "language"),
    ],
)
def test_malformed_requests_get_a_4xx_with_a_message(
    client: TestClient,
    run_dir: Path,
    method: str,
    path: str,
    fields: dict[str, object],
    status: int,
    says: str,
) -> None:
    before = snapshot(run_dir)
    response = post(client, path, **fields) if method == "post" else client.get(path, follow_redirects=False)
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert says.lower() in error_of(response.text).lower()  # type: ignore[attr-defined]
    assert snapshot(run_dir) == before
    assert client.get("/").status_code == 200  # the server carries on


def test_foreign_requests_are_refused(client: TestClient, run_dir: Path) -> None:
    before = snapshot(run_dir)
    same = own_origin(client)
    assert client.post("/theme/1/confirm", data={"token": "guess"}, headers=same).status_code == 403
    assert client.post("/theme/1/confirm", data={"label": "no token"}, headers=same).status_code == 403
    assert (
        client.post(
            "/theme/1/confirm", content=b'{"token": 1}', headers={"content-type": "application/json", **same}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/theme/1/confirm",
            content=b"token=" + b"x" * 100_000,
            headers={"content-type": "application/x-www-form-urlencoded", **same},
        ).status_code
        == 413
    )
    assert client.get("/", headers={"host": "attacker.example:8765"}).status_code == 400  # DNS rebinding
    assert snapshot(run_dir) == before


OWN = "http://127.0.0.1:8765"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"origin": OWN}, 303),
        ({"referer": f"{OWN}/theme/1"}, 303),  # a browser that sends no Origin
        ({"sec-fetch-site": "same-origin"}, 303),
        ({"origin": "null", "sec-fetch-site": "same-origin"}, 303),  # null names no page: no proof…
        ({"origin": OWN, "referer": f"{OWN}/", "sec-fetch-site": "same-origin"}, 303),
        ({}, 403),  # nothing says where the request comes from
        ({"origin": "null"}, 403),  # …and no refusal on its own either, but nothing else is said
        ({"origin": "http://evil.example"}, 403),
        ({"origin": "http://evil.example:8765"}, 403),  # DNS rebinding: the attacker's name, our port
        ({"origin": "http://127.0.0.1:9999"}, 403),  # another local server
        ({"origin": "http://localhost:8765"}, 403),  # the other name of this host is another origin
        ({"origin": "https://127.0.0.1:8765"}, 403),
        ({"referer": "http://evil.example/page"}, 403),
        ({"sec-fetch-site": "cross-site"}, 403),
        ({"sec-fetch-site": "same-site"}, 403),
        ({"origin": OWN, "sec-fetch-site": "cross-site"}, 403),  # every header present must agree
        ({"origin": OWN, "referer": "http://evil.example/"}, 403),
    ],
)
def test_actions_need_a_same_origin_request_besides_the_token(
    client: TestClient, run_dir: Path, fitted: ThemeRun, headers: dict[str, str], status: int
) -> None:
    wait = theme_of(fitted, "ventetid")
    before = snapshot(run_dir)
    response = client.post(
        f"/theme/{wait}/confirm", data={"token": TOKEN}, headers=headers, follow_redirects=False
    )
    assert response.status_code == status, response.text
    confirmed = load_run(run_dir).themes[wait].status == "confirmed"
    assert confirmed is (status == 303)
    if status == 403:
        assert snapshot(run_dir) == before
        assert "does not come from the review page" in error_of(response.text)
        assert TOKEN not in response.text


def test_a_page_makes_the_browser_name_it_as_origin(client: TestClient) -> None:
    """The page's referrer policy lets the browser send its Origin and Referer to the page's own
    server (which checks them), and to no other site."""
    assert client.get("/").headers["referrer-policy"] == "same-origin"


def test_a_wrong_host_is_refused_before_anything_else(
    client: TestClient, run_dir: Path, fitted: ThemeRun
) -> None:
    """A page on another site that reaches the server by DNS rebinding sends its own name as Host."""
    wait = theme_of(fitted, "ventetid")
    before = snapshot(run_dir)
    evil = {"host": "evil.example:8765", "origin": "http://evil.example:8765"}
    response = client.post(
        f"/theme/{wait}/confirm", data={"token": TOKEN}, headers=evil, follow_redirects=False
    )
    assert response.status_code == 400 and "only at 127.0.0.1" in error_of(response.text)
    assert TOKEN not in response.text
    assert snapshot(run_dir) == before
    page = client.get("/", headers={"host": "evil.example:8765"})
    assert page.status_code == 400 and TOKEN not in page.text and f"· {run_dir.name}" not in page.text


def _broken_load(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    from thememine.review.app import Review

    def boom(self: Review) -> ThemeRun:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Review, "load", boom)
    return TestClient(client.app, base_url=str(client.base_url), raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("get", "/", {"host": "evil.example"}, 400),
        ("get", "/no/such/page", {}, 404),
        ("get", "/theme/999", {}, 404),
        ("get", "/lang/fr", {}, 404),
        ("get", "/theme/1/confirm", {}, 405),
        ("get", "/theme/1/split?k=zwei", {}, 400),
        ("post", "/theme/999/confirm", {"origin": OWN}, 409),
        ("post", "/theme/1/confirm", {"origin": "http://evil.example"}, 403),
        ("post", "/theme/1/confirm", {}, 403),
        ("get", "/", {}, 500),
    ],
)
def test_error_pages_never_carry_the_token(
    client: TestClient,
    run_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    path: str,
    headers: dict[str, str],
    status: int,
) -> None:
    if status == 500:
        client = _broken_load(client, monkeypatch)
    if method == "post":
        response = client.post(path, data={"token": TOKEN}, headers=headers, follow_redirects=False)
    else:
        response = client.get(path, headers=headers, follow_redirects=False)
    assert response.status_code == status, response.text
    assert error_of(response.text) or status == 405  # a plain page that says what went wrong
    assert TOKEN not in response.text and 'name="token"' not in response.text
    assert "<form" not in response.text and f"· {run_dir.name}" not in response.text
    assert TOKEN in client.get("/").text or status == 500  # while the pages themselves carry it


@pytest.mark.parametrize(
    ("lang", "help_text"), [("en", "Keys: j/k next/previous theme"), ("da", "Tastatur: j/k")]
)
def test_the_footer_shows_the_keyboard_help(
    run_dir: Path, fitted: ThemeRun, lang: str, help_text: str
) -> None:
    client = TestClient(create_app(run_dir, lang, token=TOKEN), base_url=OWN)
    for path in ("/", f"/theme/{theme_of(fitted, 'ventetid')}", "/no/such/page"):
        footer = re.search(r'<p id="keyboard-help">([^<]*)</p>', client.get(path).text)
        assert footer is not None and footer.group(1).startswith(help_text), path
        assert "built-in method" not in client.get(path).text


def test_no_page_word_is_named_like_a_dict_method() -> None:
    """Templates read ``t.name``; Jinja finds a dict method of that name before the dict's entry."""
    for words in STRINGS.values():
        assert not set(words) & set(dir(dict)), set(words) & set(dir(dict))


def test_language(run_dir: Path) -> None:
    auto = TestClient(create_app(run_dir, "auto", token=TOKEN), base_url="http://127.0.0.1:1")
    assert "Gennemsyn af temaer" in auto.get("/").text  # Danish by default
    assert "Theme review" in auto.get("/", headers={"accept-language": "en-GB,en;q=0.9,da;q=0.5"}).text
    assert "Gennemsyn af temaer" in auto.get("/", headers={"accept-language": "da,en;q=0.8"}).text
    auto.get("/lang/en")  # the page's own switch, kept in a cookie
    assert "Theme review" in auto.get("/", headers={"accept-language": "da"}).text
    forced = TestClient(create_app(run_dir, "da", token=TOKEN), base_url="http://127.0.0.1:1")
    assert '<html lang="da">' in forced.get("/", headers={"accept-language": "en"}).text
    assert choose("auto", None, "nb-NO,en;q=0.5") == "da" and choose("auto", None, "de,fr") == "da"
    assert message("Undid: renamed 3 → Krydspres; merged 5 into 2", "da") == (
        "Fortrød: omdøbte 3 → Krydspres; flettede 5 ind i 2"
    )


def test_a_folder_without_a_run_is_refused(tmp_path: Path) -> None:
    from thememine.errors import InputError

    with pytest.raises(InputError, match="no theme run here"):
        create_app(tmp_path)


def test_the_page_shows_pseudonymised_text_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real `thememine run` (names style), then every page of the review: no original name or number."""
    from typer.testing import CliRunner

    from thememine.cli import app

    monkeypatch.setenv("THEMEMINE_KEY_PASSPHRASE", "en lang nok passphrase")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "mette.txt").write_text(
        "I: Hvem ringede du til?\n"
        "Mette Kjærgaard: Jeg ringede til Jens Ravn på 22 47 81 93, og Mettes mor var med.\n"
        "I: Og så?\n"
        "Mette Kjærgaard: Min cpr er 120384-2746, og jeg bor på Solvænget 14, 8700 Horsens.\n"
        "I: Hvad med samarbejdet?\n"
        "Mette Kjærgaard: Jens skrev til mettekh84@gmail.com om ventetiden hos psykiatrien.\n",
        encoding="utf-8",
    )
    out, key = tmp_path / "out", tmp_path / "private" / "study.key"
    args = ["run", str(corpus), "--out", str(out), "--key", str(key), "--style", "names"]
    result = CliRunner().invoke(app, [*args, "-q", "--ner", "none", "--embedder", "hash"])
    assert result.exit_code == 0, result.output
    client = TestClient(create_app(out, "en", token=TOKEN), base_url="http://127.0.0.1:1")
    run = load_run(out)
    pages = [client.get("/").text, client.get("/theme/-1").text]
    pages += [client.get(f"/theme/{t}").text for t in run.themes]
    pages += [
        client.get(f"/theme/{t}/split?k=2").text
        for t in run.themes
        if t in run.themes and run.themes[t].size >= 2
    ]
    shown = "".join(pages)
    assert any(u.text in shown for u in run.units if not u.filler)  # the statements are there…
    for original in (
        "Mette",
        "mette",
        "Jens",
        "Ravn",
        "Kjærgaard",
        "22 47 81 93",
        "120384-2746",
        "Solvænget",
    ):
        assert original not in shown, original  # …pseudonymised


def test_the_list_says_how_many_statements_without_a_theme_are_the_interviewers(tmp_path: Path) -> None:
    import numpy as np

    from thememine.themes.fitting import fit_run
    from thememine.themes.model import INTERVIEWER, PARTICIPANT, Unit

    texts = [
        "Hvordan er samarbejdet med psykiatrien?",
        "Samarbejdet er svært med psykiatrien.",
        "Og ventetiden?",
    ]
    roles = [INTERVIEWER, PARTICIPANT, INTERVIEWER]
    units = [
        Unit(f"d:{i}:0", "d", "I" if r == INTERVIEWER else "Mette", 0, len(t), t, role=r)
        for i, (t, r) in enumerate(zip(texts, roles, strict=True))
    ]
    vectors = np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32)
    save_run(fit_run(units, vectors, seed=1), tmp_path)
    client = TestClient(create_app(tmp_path, "en", token=TOKEN), base_url="http://127.0.0.1:1")
    import html

    page = html.unescape(client.get("/").text)
    assert "Statements without a theme (2, of them 2 the interviewer's, who is left out of themes)" in page
