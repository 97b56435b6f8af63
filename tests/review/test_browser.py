"""The review page end to end in a real browser: Playwright drives Debian's Chromium, headless.

The test starts ``thememine review`` itself (a real server process on a free port of 127.0.0.1),
renames a theme with the keyboard, merges two, previews and accepts a split, undoes it, then
reads ``themes.yaml``, ``assignments.csv`` and ``decisions.log`` to check what was saved, and
stops the server.
"""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.runs import theme_of
from thememine.runfolder import ASSIGNMENTS_FILE, THEMES_FILE, read_log
from thememine.themes.model import ThemeRun

CHROMIUM = Path("/usr/bin/chromium")
playwright = pytest.importorskip("playwright.sync_api", reason="needs Playwright (pip install -e '.[dev]')")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


@pytest.fixture
def server(run_dir: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``thememine review RUN_DIR`` in its own process; yields its URL, and stops it afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "thememine", "review", str(run_dir), "--no-browser", "--lang", "auto"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert process.stdout is not None
    url = ""
    deadline = time.monotonic() + 120
    while not url and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        url = found.group(0) if found else ""
    if not url:
        process.kill()
        pytest.fail(f"the review page did not start: {process.stderr.read() if process.stderr else ''}")
    yield url, process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_rename_merge_split_undo_in_a_browser(
    server: tuple[str, subprocess.Popen[str]], run_dir: Path, fitted: ThemeRun
) -> None:
    url, process = server
    wait, meetings, money = (theme_of(fitted, g) for g in ("ventetid", "møder", "økonomi"))
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking"],
        )
        page = browser.new_page(locale="da-DK", extra_http_headers={"Accept-Language": "da,en;q=0.5"})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        # the theme list, in Danish (the browser's language)
        page.goto(url)
        assert page.get_attribute("html", "lang") == "da"
        assert page.locator("#themes tbody tr").count() == len(fitted.themes)
        assert page.get_attribute("html", "data-review-ready") == "1"  # the page's script ran

        # rename, by keyboard: open the theme, "r" focuses the label field, Enter saves
        page.click(f"#theme-{wait} a.theme-label")
        page.keyboard.press("r")
        assert page.evaluate("document.activeElement.id") == "rename-label"
        page.keyboard.type("Ventetid og frister")
        page.keyboard.press("Enter")
        page.wait_for_selector("#flash")
        assert "Ventetid og frister" in page.inner_text("#theme-title")
        assert "bekræftet" in page.inner_text("#theme-status")

        # merge: tick two themes in the list, name the result
        page.goto(url)
        page.check(f"#select-{meetings}")
        page.check(f"#select-{money}")
        page.select_option("#merge-into", str(meetings))
        page.fill("#merge-label", "Møder og økonomi")
        page.click("#merge")
        page.wait_for_selector("#flash")
        assert "Møder og økonomi" in page.inner_text("#theme-title")
        assert "flettede" in page.inner_text("#flash").lower()
        merged_size = len(fitted.members(meetings)) + len(fitted.members(money))
        assert page.locator("#statements > li").count() == merged_size

        # split: preview first (nothing saved), then accept
        log_before_split = len(read_log(run_dir))
        page.fill("#split-k", "2")
        page.click("#split-preview")
        page.wait_for_selector("#parts")
        assert page.locator("#parts .part").count() == 2
        assert len(read_log(run_dir)) == log_before_split  # the preview saved nothing
        page.click("#split-accept")
        page.wait_for_selector("#flash")
        split_themes = {t["id"] for t in yaml.safe_load((run_dir / THEMES_FILE).read_text())["themes"]}
        assert meetings not in split_themes and len(split_themes) == len(fitted.themes)

        # undo the split, by keyboard ("u")
        page.keyboard.press("u")
        page.wait_for_selector("#flash")
        assert "fortrød" in page.inner_text("#flash").lower()
        page.goto(url)
        assert page.locator(f"#theme-{meetings}").count() == 1
        browser.close()
    assert errors == []  # no console errors, no Content-Security-Policy violations

    themes = {
        t["id"]: t for t in yaml.safe_load((run_dir / THEMES_FILE).read_text(encoding="utf-8"))["themes"]
    }
    assert themes[wait]["label"] == "Ventetid og frister" and themes[wait]["status"] == "confirmed"
    assert themes[meetings]["label"] == "Møder og økonomi" and themes[meetings]["size"] == merged_size
    assert money not in themes and len(themes) == len(fitted.themes) - 1
    with (run_dir / ASSIGNMENTS_FILE).open(encoding="utf-8") as handle:
        rows = {row["statement_id"]: row for row in csv.DictReader(handle)}
    for row in fitted.members(money) + fitted.members(meetings):
        assigned = rows[fitted.units[row].id]
        assert (int(assigned["theme_id"]), assigned["theme_label"]) == (meetings, "Møder og økonomi")
    for row in fitted.members(wait):
        assert rows[fitted.units[row].id]["theme_label"] == "Ventetid og frister"
    actions = [e["action"] for e in read_log(run_dir)]
    assert actions == ["rename", "merge", "split", "undo"]

    process.send_signal(signal.SIGINT)  # Ctrl+C
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "Review page stopped" in out
