"""The report in a real browser (Debian's headless chromium): it renders and its script runs cleanly.

Console errors are caught by a listener put in front of the report's own code; it writes them
into the page, which ``--dump-dom`` then shows. Chromium's own log (stderr) is searched too.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from thememine.report import build_report

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]

# First in <head>, before the report's Content-Security-Policy and script.
CATCH_ERRORS = """<script>
window.addEventListener("error", function (event) {
  document.documentElement.setAttribute("data-js-error", String(event.message));
});
(function () {
  var original = console.error;
  console.error = function () {
    document.documentElement.setAttribute("data-js-error", Array.prototype.join.call(arguments, " "));
    return original.apply(console, arguments);
  };
})();
</script>"""

# Last in <body>, after the report's script: click the first theme in the map's legend.
CLICK_LEGEND = """<script>
(function () {
  var button = document.querySelector("ul.legend button[data-theme]");
  button.click();
  var dimmed = document.querySelectorAll("svg.map circle.dim").length;
  var all = document.querySelectorAll("svg.map circle").length;
  document.documentElement.setAttribute("data-click", dimmed + "/" + all + "/" + button.getAttribute("aria-pressed"));
})();
</script>"""

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


def chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def browser_errors(stderr: str) -> list[str]:
    """Lines of chromium's log that speak of the page: uncaught errors, blocked loads, console errors."""
    pattern = re.compile(r"Uncaught|Refused to|Content Security Policy|CONSOLE\(\d+\).*(?:error|Error)")
    return [line for line in stderr.splitlines() if pattern.search(line)]


@pytest.fixture(scope="module")
def instrumented(full_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    html = build_report(full_run, folder / "report.html").read_text(encoding="utf-8")
    assert html.count("<head>") == 1 and html.count("</body>") == 1
    html = html.replace("<head>", "<head>" + CATCH_ERRORS).replace("</body>", CLICK_LEGEND + "</body>")
    page = folder / "instrumented.html"
    page.write_text(html, encoding="utf-8")
    return page


def test_renders_without_errors(instrumented: Path, tmp_path: Path) -> None:
    result = chromium(instrumented, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert 'data-report-ready="1"' in dom, "the report's script did not run to its end"
    assert 'data-js-error="' not in dom, re.findall(r'data-js-error="[^"]*"', dom)
    assert browser_errors(result.stderr) == []
    clicked = re.search(r'data-click="(\d+)/(\d+)/(\w+)"', dom)
    assert clicked, "the legend could not be clicked"
    dimmed, total, pressed = int(clicked[1]), int(clicked[2]), clicked[3]
    assert 0 < dimmed < total and pressed == "true"


def test_screenshot(full_run: Path, tmp_path: Path) -> None:
    page = build_report(full_run, tmp_path / "report.html")
    shot = tmp_path / "report.png"
    result = chromium(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000")
    assert result.returncode == 0, result.stderr[-2000:]
    assert browser_errors(result.stderr) == []
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000  # a blank page compresses far smaller


def test_the_error_catcher_works(tmp_path: Path) -> None:
    """The check itself: a page with a broken script is caught."""
    page = tmp_path / "broken.html"
    page.write_text(
        f"<html><head>{CATCH_ERRORS}</head><body><script>undefinedThing();</script></body></html>"
    )
    result = chromium(page, tmp_path / "profile", "--dump-dom")
    assert 'data-js-error="' in result.stdout
    assert any("Uncaught" in line for line in browser_errors(result.stderr))
