"""Production settings: refuse to start half-configured, and pass Django's deployment checklist when set.

The operator (who deploys Parcours) acts here, through the environment. Each case runs in a subprocess with a
clean environment, since settings are read once per process.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path, **overrides) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "PARCOURS_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "parcours.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://parcours@127.0.0.1:5432/parcours",
        "ALLOWED_HOSTS": "parcours.example.org",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_operator_who_forgets_a_required_variable_is_told_which(tmp_path, missing):
    """The operator starts production settings without one required variable: it refuses, naming it."""
    result = run(["-c", "import django; django.setup()"], production_env(tmp_path, **{missing: None}), tmp_path)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Production needs the environment variable {missing}." in result.stderr


def test_operator_with_a_short_secret_key_is_refused(tmp_path):
    """The operator sets a guessable SECRET_KEY: production refuses it."""
    result = run(["-c", "import django; django.setup()"], production_env(tmp_path, SECRET_KEY="changeme"), tmp_path)

    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 random characters." in result.stderr


def test_operator_with_every_variable_set_passes_the_deployment_checklist(tmp_path):
    """The operator sets SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS: `parcours check --deploy` is clean."""
    result = run(["-m", "parcours.cli", "check", "--deploy", "--fail-level", "WARNING"],
                 production_env(tmp_path), tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    # Production never writes a local secret: the key comes from the environment.
    assert not (tmp_path / "var" / "secret_key").exists()
