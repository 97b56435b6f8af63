"""``thememine embed``: the statements' vectors as an .npy file, for the researcher's own analyses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from thememine.cli._common import err_console, out_console, plural, shown
from thememine.cli.fit_themes import CacheDir, EmbedderOption, IdColumn, Input, TextColumn
from thememine.cli.ingest import Quiet


def embed_command(
    input_path: Input,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="The .npy file to write; the ids go beside it in FILE.ids.csv.",
            metavar="FILE.npy",
            show_default=False,
        ),
    ],
    embedder: EmbedderOption = "e5",
    text_column: TextColumn = None,
    id_column: IdColumn = None,
    cache: CacheDir = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE.npy and FILE.ids.csv if they exist.")
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Write the statements' embeddings: a float32 matrix (.npy), one row per statement in input order.

    FILE.ids.csv beside it gives each row's statement id (and document, group, speaker, role), to
    join the vectors to your own data. The texts are embedded as `thememine themes` embeds them
    (pseudonyms as their label's placeholder), through the same cache.
    """
    from thememine.embed.export import check_out, export_embeddings
    from thememine.themes.inputs import read_units

    check_out(out, force)  # before the input is read and embedded: a refusal costs nothing
    units = read_units(input_path, text_column, id_column)
    if not quiet:
        err_console.print(f"Embedding {plural(len(units), 'statement')} …")
    files = export_embeddings(units, out, embedder, cache, progress=not quiet, force=force)
    rows, dim = files.embedded.vectors.shape
    out_console.print(
        f"{plural(rows, 'vector')} of {dim} dimensions ({files.embedder}; {files.embedded.summary()}) "
        f"written to {shown(files.vectors)}, their ids to {shown(files.ids)}."
    )
