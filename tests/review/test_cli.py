"""``thememine review`` on the command line: help, and plain errors before any server starts."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from thememine.cli import app
from thememine.review.server import bind

runner = CliRunner()


def test_help() -> None:
    result = runner.invoke(app, ["review", "--help"])
    assert result.exit_code == 0 and "127.0.0.1" in result.stdout and "--no-browser" in result.stdout


def test_a_folder_without_themes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", str(tmp_path), "--no-browser"])
    assert result.exit_code == 1
    assert "no theme run here" in result.stderr and "thememine themes" in result.stderr


def test_a_port_in_use(run_dir: Path) -> None:
    taken = bind(0)
    try:
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["review", str(run_dir), "--no-browser", "--port", str(port)])
    finally:
        taken.close()
    assert result.exit_code == 1
    assert f"port {port}" in result.stderr and "another --port" in result.stderr


def test_bind_is_local_only() -> None:
    sock = bind(0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()
