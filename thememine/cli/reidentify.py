"""``thememine reidentify``: reverse a pseudonymised file with the key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from thememine.cli._common import fail, out_console, shown


def pseudonymised_folder(path: Path) -> Path | None:
    """The thememine output folder ``path`` lies in: a folder above it holding ``audit.json``, or
    ``corpus.json`` marked pseudonymised. None when there is none."""
    from thememine.runfolder import is_pseudonymised

    for folder in path.resolve().parents:
        if is_pseudonymised(folder):
            return folder
    return None


def reidentify_command(
    file: Annotated[
        Path, typer.Argument(help="A pseudonymised text file (transcript, CSV, JSON).", metavar="FILE")
    ],
    key: Annotated[Path, typer.Option("--key", "-k", help="The re-identification key.", metavar="KEYFILE")],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Where the re-identified text goes (holds personal data).", metavar="FILE"
        ),
    ],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output file.")] = False,
) -> None:
    """Put the original names and numbers back into a pseudonymised file.

    The passphrase is read from $THEMEMINE_KEY_PASSPHRASE or asked for. The result holds personal
    data: keep it where the key is kept.
    """
    from thememine.io import atomic_write_text
    from thememine.pseudonymise.keyfile import get_passphrase, read_key
    from thememine.pseudonymise.reidentify import reidentify_file
    from thememine.pseudonymise.surrogates import SurrogateMap

    if out.resolve() == file.resolve():
        fail("The output would replace the pseudonymised file; choose another --out.")
    shared = pseudonymised_folder(out)
    if shared is not None:  # even with --force: that folder is meant to be shared as it is
        fail(
            f"{out} lies inside {shared}, a pseudonymised output folder that is meant to be shared. "
            "The re-identified text holds personal data: write it where the key is kept (--out)."
        )
    if out.exists() and not force:
        fail(f"{out} exists. Choose another --out, or add --force to replace it.")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        fail(f"{file} cannot be read as UTF-8 text ({type(err).__name__}).")
    payload = read_key(key, get_passphrase(confirm=False))
    restored, count = reidentify_file(file, text, SurrogateMap.from_payload(payload["mapping"]))
    atomic_write_text(out, restored)
    out.chmod(0o600)
    out_console.print(f"Re-identified {count} surrogates. Written to {shown(out)} (holds personal data).")
