"""Serving the review page on 127.0.0.1 only, on a free port unless one is given."""

from __future__ import annotations

import socket
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from thememine.review.app import create_app

HOST = "127.0.0.1"


def bind(port: int = 0) -> socket.socket:
    """A listening socket on 127.0.0.1 (``port`` 0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def serve(
    folder: Path,
    port: int = 0,
    lang: str = "auto",
    open_browser: bool = True,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the review page for ``folder`` until interrupted (Ctrl+C)."""
    import uvicorn

    app = create_app(folder, lang)
    sock = bind(port)
    url = f"http://{HOST}:{sock.getsockname()[1]}/"
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False)
    server = uvicorn.Server(config)

    def started() -> None:
        announce(url)
        if open_browser:
            webbrowser.open(url)

    def when_ready() -> None:
        while not server.started and not server.should_exit:
            threading.Event().wait(0.05)
        if server.started:
            started()

    threading.Thread(target=when_ready, daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
