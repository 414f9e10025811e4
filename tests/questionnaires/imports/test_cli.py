"""``parcours submissions import``: an administrator imports exports from the console, through the same job."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parcours.core.models import Job
from parcours.questionnaires.models import Submission

from .conftest import DATA, kobo_workbook


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("submissions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_administrator_imports_central_files_and_reads_the_summary(admin, mini_form):
    out, err = run("import", str(DATA / "central/mini_menage.csv"), str(DATA / "central/mini_menage-member.csv"),
                   "--form", "mini_menage", "--programme", "demo")
    assert "2 created, 0 already received, 0 in quarantine, 0 refused." in out
    assert "created=2" in out and "duplicates=0" in out
    job = Job.objects.get()
    # Without --as, the lead organisation's first administrator imports (there is no superuser).
    assert job.status == "succeeded" and job.created_by == admin
    assert Submission.objects.filter(submitted_by=admin).count() == 2

    out, _err = run("import", str(DATA / "central/mini_menage.csv"), str(DATA / "central/mini_menage-member.csv"),
                    "--form", "mini_menage")
    assert "duplicates=2" in out


def test_the_flagged_rows_are_listed_on_stderr(admin, manager, mini_form):
    _out, err = run("import", str(DATA / "kobo_mini.csv"), "--form", "mini_menage", "--as", "manager@a.example")
    assert "kobo_mini.csv, row 4" in err and "No consent" in err
    assert Job.objects.get().created_by == manager


def test_a_refused_import_exits_1_with_every_problem(admin, mini_form, tmp_path):
    from .conftest import kobo_member_row

    path = tmp_path / "kobo.xlsx"
    path.write_bytes(kobo_workbook(member_rows=[kobo_member_row(1, 7, "Fatma", "F", "head", dob="1980")]))
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("submissions", "import", str(path), "--form", "mini_menage", stdout=io.StringIO(), stderr=err)
    assert exc.value.returncode == 1
    assert "nothing was imported" in str(exc.value)
    lines = err.getvalue().splitlines()
    assert any(line.startswith("kobo.xlsx [member], row 2, field “_parent_index”") for line in lines)
    assert any("roster/member/dob" in line and "1980" in line for line in lines)
    assert not Submission.objects.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["import", "missing.csv", "--form", "mini_menage"], "No such file"),
    (["import", str(DATA / "kobo_mini.csv"), "--form", "nope"], "No questionnaire"),
    (["import", str(DATA / "kobo_mini.csv"), "--form", "mini_menage", "--as", "nobody@x.org"], "No active account"),
])
def test_wrong_arguments_are_explained(admin, mini_form, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_a_social_worker_cannot_import(social_worker, mini_form):
    with pytest.raises(CommandError, match="Only a manager"):
        run("import", str(DATA / "kobo_mini.csv"), "--form", "mini_menage", "--as", "worker@a.example")
    assert not Job.objects.exists()
