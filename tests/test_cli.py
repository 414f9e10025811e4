"""The `parcours` command: an operator or developer runs it from a shell."""

import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(command: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PARCOURS_VAR_DIR": str(tmp_path / "var"), "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the command brings its own default settings
    return subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)


def console_script() -> str:
    """The installed `parcours` script (pip install -e . puts it beside the interpreter)."""
    try:
        importlib.metadata.distribution("parcours")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("the parcours package is not installed in this environment (make test installs it)")
    script = Path(sys.executable).parent / "parcours"
    found = str(script) if script.exists() else shutil.which("parcours")
    assert found, "the parcours distribution is installed but its console script is missing"
    return found


def test_operator_lists_the_commands_with_the_console_script(tmp_path):
    """An operator types `parcours --help`: the Parcours commands are listed."""
    result = run([console_script(), "--help"], tmp_path)

    assert result.returncode == 0, result.stderr
    for command in ("serve", "demo", "migrate", "db_worker"):
        assert command in result.stdout


def test_developer_runs_the_same_command_as_a_module(tmp_path):
    """A developer without the script runs `python -m parcours.cli --help`: same commands."""
    result = run([sys.executable, "-m", "parcours.cli", "--help"], tmp_path)

    assert result.returncode == 0, result.stderr
    assert "serve" in result.stdout


def test_operator_reads_what_serve_is_for(tmp_path):
    """An operator asks `parcours serve --help`: it says one office or development, and where production is."""
    result = run([sys.executable, "-m", "parcours.cli", "serve", "--help"], tmp_path)

    assert result.returncode == 0, result.stderr
    assert "--port" in result.stdout
    assert "docs/operations.md" in result.stdout
