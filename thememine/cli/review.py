"""``thememine review``: the local review page for a theme run."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from thememine.cli._common import fail, out_console
from thememine.errors import ThememineError


class Language(StrEnum):
    auto = "auto"
    da = "da"
    en = "en"


def review_command(
    folder: Annotated[
        Path,
        typer.Argument(help="A theme run folder (with themes.yaml).", show_default=False, metavar="RUN_DIR"),
    ],
    port: Annotated[
        int, typer.Option("--port", "-p", help="The port to use (0: a free one).", min=0, max=65535)
    ] = 0,
    lang: Annotated[
        Language,
        typer.Option("--lang", help="The page's language; auto follows the browser (Danish by default)."),
    ] = Language.auto,
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="Open the page in your web browser.")
    ] = True,
) -> None:
    """Open a local web page to confirm, rename, merge, split and delete themes, and move statements.

    The page runs on this computer only (127.0.0.1) and sends nothing anywhere. Each action is
    saved at once, in decisions.log and themes.yaml, exactly as `thememine theme …` would save
    it; Undo takes back the last one. Stop the page with Ctrl+C.
    """
    from thememine.review.server import serve

    def announce(url: str) -> None:
        out_console.print(f"Review page: {url}  (only on this computer; Ctrl+C stops it)", soft_wrap=True)

    try:
        serve(folder, port, lang.value, browser, announce)
    except ThememineError as err:
        fail(str(err))
    except OSError as err:
        fail(f"Could not start the review page on port {port}: {err.strerror or err}. Try another --port.")
    except KeyboardInterrupt:
        pass
    out_console.print("Review page stopped. Your decisions are saved in the run folder.")
