"""A screenshot of the HTML report of the sample corpus, for the documentation (``docs/report.png``).

    python benchmarks/report_screenshot.py [--run RUN_DIR] [--out docs/report.png] [--height 2400]

Uses ``sample-run/`` when it holds themes; otherwise runs ``thememine run`` on ``corpora/sample``
with ``--ner none --embedder hash`` into a temporary folder (the key goes there too and is thrown
away). Needs Debian's chromium at /usr/bin/chromium; nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from thememine.runfolder import REPORT_FILE, STATE_FILE

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpora" / "sample"
SAMPLE_RUN = ROOT / "sample-run"
CHROMIUM = Path("/usr/bin/chromium")
PASSPHRASE = "sample-corpus-only"  # the sample corpus is invented; its key protects nothing


def sample_run(work: Path) -> Path:
    """A run folder of the sample corpus with themes."""
    if (SAMPLE_RUN / STATE_FILE).is_file():
        return SAMPLE_RUN
    out = work / "run"
    command = [
        *(sys.executable, "-m", "thememine", "run", str(SAMPLE)),
        *("--out", str(out), "--key", str(work / "key" / "sample.key")),
        *("--ner", "none", "--embedder", "hash", "--cache", str(work / "cache"), "--force", "-q"),
    ]
    env = {**os.environ, "THEMEMINE_KEY_PASSPHRASE": PASSPHRASE}  # the child's environment only
    subprocess.run(command, check=True, env=env, cwd=ROOT)
    return out


def screenshot(page: Path, png: Path, height: int, work: Path) -> None:
    command = [
        str(CHROMIUM),
        *("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"),
        *("--disable-background-networking", "--disable-component-update", "--disable-sync"),
        f"--user-data-dir={work / 'profile'}",
        "--hide-scrollbars",
        f"--screenshot={png}",
        f"--window-size=1280,{height}",
        page.as_uri(),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, help="A run folder with themes (default: the sample corpus).")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report.png", help="The PNG to write.")
    parser.add_argument("--height", type=int, default=2400, help="Window height in pixels.")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"error: {CHROMIUM} is missing; install it with `apt-get install chromium`.", file=sys.stderr)
        return 1
    from thememine.report import build_report

    with tempfile.TemporaryDirectory(prefix="thememine-report-") as tmp:
        work = Path(tmp)
        run = args.run or sample_run(work)
        page = build_report(run, work / REPORT_FILE)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        screenshot(page, args.out.resolve(), args.height, work)
    print(f"{args.out}: the report of {run.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
