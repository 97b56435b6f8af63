"""Screenshots of the review page on the sample corpus, for the documentation (``docs/review*.png``).

    python benchmarks/review_screenshot.py [--run RUN_DIR] [--out docs]

Uses ``sample-run/`` when it holds themes (``make sample``); otherwise a model-free run into a
temporary folder (see report_screenshot.py). The pages are only looked at: nothing is decided.
Needs Playwright and Debian's chromium at /usr/bin/chromium; nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from report_screenshot import CHROMIUM, ROOT, sample_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", type=Path, help="a run folder with themes (default: the sample run)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the PNG files go")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.run or sample_run(Path(tmp))
        command = [sys.executable, "-m", "thememine", "review", str(folder), "--no-browser", "--lang", "da"]
        server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        try:
            assert server.stdout is not None
            url = ""
            while not url:
                line = server.stdout.readline()
                if not line:
                    raise SystemExit("the review page did not start")
                found = re.search(r"http://127\.0\.0\.1:\d+/", line)
                url = found.group(0) if found else ""
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url)
                page.screenshot(path=str(args.out / "review.png"))
                page.click("#themes tbody tr:first-child a.theme-label")
                page.screenshot(path=str(args.out / "review-theme.png"))
                browser.close()
        finally:
            server.terminate()
            server.wait()
    print(f"Wrote {args.out / 'review.png'} and {args.out / 'review-theme.png'}")


if __name__ == "__main__":
    main()
