"""``parcours forms``: an administrator publishes and lists questionnaires from the console."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parcours.core.models import AuditEvent
from parcours.questionnaires.models import FormVersion, Questionnaire
from parcours.questionnaires.services.forms import DEFAULT_FORM_DIR

from ..factories import UserFactory
from .conftest import DATA


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("forms", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_the_form_id_and_version_and_the_warnings(admin, programme, zones):
    out, err = run("import", str(DATA / "mini_household.md"), "--programme", "demo",
                   "--mapping", str(DATA / "mini_mapping.json"))
    assert out.strip() == "mini_menage 2026110101"
    assert "max-pixels" in err
    questionnaire = Questionnaire.objects.get(form_id="mini_menage")
    assert questionnaire.mapping["zone_code"] == "ident/zone_code"
    # Without --as, the lead organisation's first administrator publishes (there is no superuser).
    assert questionnaire.current_version.created_by == admin
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, actor=admin,
                                     object_type="questionnaires.formversion").exists()


def test_import_as_a_named_manager(manager, admin, programme, zones):
    run("import", str(DATA / "mini_household.md"), "--programme", "demo", "--as", "MANAGER@a.example")
    assert FormVersion.objects.get().created_by == manager


def test_a_superuser_is_the_default_account(admin, programme, zones):
    root = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    run("import", str(DATA / "mini_household.md"), "--programme", "demo")
    assert FormVersion.objects.get().created_by == root


def test_a_broken_xlsform_exits_with_each_problem_and_its_row(admin, programme):
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("forms", "import", str(DATA / "broken_duplicate.md"), "--programme", "demo",
                     stdout=io.StringIO(), stderr=err)
    assert exc.value.returncode == 1
    assert "has errors" in str(exc.value)
    assert "row 3" in err.getvalue() and "survey" in err.getvalue()
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["import", "missing.xlsx", "--programme", "demo"], "No such file"),
    (["import", str(DATA / "mini_household.md"), "--programme", "nowhere"], "No programme"),
    (["import", str(DATA / "mini_household.md"), "--programme", "demo", "--as", "nobody@x.org"], "No active account"),
    (["import", str(DATA / "mini_household.md"), "--programme", "demo", "--mapping", str(DATA / "mini_household.md")],
     "not valid JSON"),
])
def test_bad_arguments_are_reported_plainly(admin, programme, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_a_mapping_of_the_wrong_shape_is_refused(admin, programme, tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"sensitive_groups": "concerns"}')
    with pytest.raises(CommandError, match="list of group names"):
        run("import", str(DATA / "mini_household.md"), "--programme", "demo", "--mapping", str(mapping))
    assert not Questionnaire.objects.exists()


def test_a_social_worker_may_not_publish(social_worker, programme):
    with pytest.raises(CommandError, match="manager"):
        run("import", str(DATA / "mini_household.md"), "--programme", "demo", "--as", social_worker.email)


def test_list_shows_each_questionnaire_with_its_current_version(admin, mini_form):
    out, _err = run("list", "--programme", "demo")
    assert out.split("\t")[:3] == ["mini_menage", "2026110101", "Mini fiche ménage"]


def test_list_of_an_empty_programme_says_so(programme):
    out, _err = run("list", "--programme", "demo")
    assert "No questionnaire" in out


def test_deploy_default_publishes_the_shipped_questionnaire(admin, programme, zones):
    if not (DEFAULT_FORM_DIR / "fiche_socio_economique.xlsx").is_file():
        pytest.skip("the default questionnaire is not built yet")
    out, _err = run("deploy-default", "--programme", "demo")
    form_id, version = out.split()
    assert form_id == "fiche_socio_economique"
    published = FormVersion.objects.get(questionnaire__form_id=form_id, version=version)
    assert published.questionnaire.mapping.get("household_code")
    if "zones.csv" in published.schema["media"]:
        assert published.media.filter(filename="zones.csv").exists()
