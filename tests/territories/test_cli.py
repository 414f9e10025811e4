"""``parcours zones import|export``, as the person at the server's shell runs it."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parcours.core.models import AuditEvent, Job
from parcours.territories.models import Zone

from ..factories import UserFactory

DATA = Path(__file__).parent / "data"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("zones", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_as_an_administrator_prints_the_counts(admin):
    out, _err = run("import", str(DATA / "zones_tn.csv"), "--as", "ADMIN@a.example")
    assert "5" in out and "0" in out
    assert Zone.objects.count() == 5
    job = Job.objects.get()
    assert job.status == "succeeded" and job.created_by == admin
    assert AuditEvent.objects.get(action="import").actor == admin


def test_import_without_any_account_is_recorded_under_cli(db):
    run("import", str(DATA / "zones_tn.geojson"))
    assert AuditEvent.objects.get(action="import").actor_label == "cli"


def test_import_defaults_to_the_first_superuser(db):
    root = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    run("import", str(DATA / "zones_tn.csv"))
    assert AuditEvent.objects.get(action="import").actor == root


def test_a_bad_file_prints_each_problem_on_its_own_line_and_fails(admin):
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("zones", "import", str(DATA / "bad_rows.csv"), "--as", admin.email,
                     stdout=io.StringIO(), stderr=err)
    assert caught.value.returncode == 1
    assert "7" in str(caught.value)
    lines = [line for line in err.getvalue().splitlines() if line.startswith("bad_rows.csv")]
    assert len(lines) == 7
    # "bad_rows.csv, row 7, field “parent_code”: The parent “TN03” is …" (words depend on the language).
    assert [line for line in lines if "7" in line and "parent_code" in line and "TN03" in line]
    assert not Zone.objects.exists()
    assert Job.objects.get().status == "failed"


def test_a_social_worker_cannot_import_through_the_cli_either(social_worker):
    with pytest.raises(CommandError):
        run("import", str(DATA / "zones_tn.csv"), "--as", social_worker.email)
    assert not Zone.objects.exists()


def test_unknown_account_or_missing_file_is_a_clear_error(admin, tmp_path):
    with pytest.raises(CommandError, match="nobody@example.org"):
        run("import", str(DATA / "zones_tn.csv"), "--as", "nobody@example.org")
    with pytest.raises(CommandError):
        run("import", str(tmp_path / "missing.csv"))


def test_background_import_prints_the_job_id(admin):
    out, _err = run("import", str(DATA / "zones_tn.csv"), "--background", "--as", admin.email)
    job = Job.objects.get()
    assert out.strip() == str(job.pk)
    # The test settings run tasks at once; in production the worker would.
    assert job.status == "succeeded" and Zone.objects.count() == 5


@pytest.mark.parametrize("name", ["zones.csv", "zones.geojson"])
def test_export_then_reimport_changes_nothing(admin, zones, tmp_path, name):
    path = tmp_path / name
    out, _err = run("export", str(path))
    assert "4" in out
    out, _err = run("import", str(path), "--as", admin.email)
    assert Job.objects.get().result["counts"] == {"created": 0, "updated": 0, "unchanged": 4}


def test_export_of_a_subtree(zones, tmp_path):
    path = tmp_path / "nord.csv"
    run("export", str(path), "--root", "XK01")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "code,name,name_ar,parent_code,level_name,population"
    assert [line.split(",")[0] for line in lines[1:]] == ["XK01", "XK0101"]
    with pytest.raises(CommandError):
        run("export", str(tmp_path / "zones.xlsx"))


def test_the_console_command_exits_with_status_1_on_a_bad_file(tmp_path):
    """The real ``parcours`` entry point, in its own process and database."""
    env = {"DJANGO_SETTINGS_MODULE": "parcours.settings.test", "PARCOURS_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "PATH": "/usr/bin:/bin"}
    python = sys.executable
    subprocess.run([python, "-m", "parcours.cli", "migrate", "-v", "0"], env=env, check=True, timeout=300)
    bad = subprocess.run([python, "-m", "parcours.cli", "zones", "import", str(DATA / "bad_rows.csv")],
                         env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert "parent_code" in bad.stderr and "TN03" in bad.stderr
    good = subprocess.run([python, "-m", "parcours.cli", "zones", "import", str(DATA / "zones_tn.csv")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert good.returncode == 0, good.stderr
    assert "5" in good.stdout
