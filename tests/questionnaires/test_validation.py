"""The server checks every submission against its form's binds, as ODK Collect does before a form is finalised.

Who acts: a social worker's submission is checked (from a phone, the web form, the API or a manager's file
import); a manager publishes forms and corrects quarantined submissions. The checks on the default questionnaire
run without a database (the compiled form, the example submission and variants of it); the channel policy runs
through ``submission_receive``.
"""

from __future__ import annotations

import datetime
import time
from types import SimpleNamespace

import pytest
from django.utils import translation
from lxml import etree

from bench import synthetic
from parcours.core.exceptions import ApplicationError
from parcours.questionnaires import xpath
from parcours.questionnaires.models import QuarantineEntry, Submission
from parcours.questionnaires.services import (
    default_questionnaire_deploy,
    form_media_attach,
    form_version_create,
    quarantine_resubmit,
    submission_receive,
)
from parcours.questionnaires.services.forms import DEFAULT_FORM_DIR, xlsform_convert
from parcours.questionnaires.validation import check_instance, compile_form, validate_instance
from parcours.questionnaires.validation.media import csv_instance
from parcours.questionnaires.xform import describe, instance_values
from parcours.registry.models import Household

from ..factories import ZoneFactory
from .conftest import DATA

NOW = datetime.datetime(2026, 11, 2, 18, 0, tzinfo=datetime.UTC)  # the evening of the example's interview
ZONES = csv_instance(b"name,label\nTN1101,Secteur exemple\nXK0101,Ville-Haute\n")
EXAMPLE = (DEFAULT_FORM_DIR / "example_submission.xml").read_bytes()
ITEXT = "/fiche_socio_economique/{}:jr:{}Msg"


@pytest.fixture(scope="module")
def default():
    content = (DEFAULT_FORM_DIR / "fiche_socio_economique.xlsx").read_bytes()
    xform = xlsform_convert(file_name="fiche_socio_economique.xlsx", content=content)[0]
    return SimpleNamespace(form=compile_form(xform), schema=describe(xform), model=xpath.XFormModel.from_xform(xform))


def example(*edits: tuple[str, str | None]) -> etree._Element:
    """The example submission with answers changed (path, text), added (a missing element) or removed (None)."""
    root = etree.fromstring(EXAMPLE)
    for path, value in edits:
        element = root.find(path)
        if value is None:
            element.getparent().remove(element)
            continue
        if element is None:
            parent_path, _, name = path.rpartition("/")
            element = etree.SubElement(root.find(parent_path) if parent_path else root, name)
        element.text = value
    return root


def check(default, root, language="fr"):
    with translation.override(language):
        return check_instance(default.form, root, schema=default.schema, instances={"zones": ZONES}, now=NOW)


def found(result, kind, field=None, row=None, *, flags=False):
    return [p for p in (result.flags if flags else result.problems)
            if p.kind == kind and (field is None or p.field == field) and (row is None or p.row == row)]


# --- the default questionnaire, without a database ---------------------------------------------------------------


def test_the_example_submission_passes_every_check(default):
    """A complete household made in ODK Web Forms: no problem, no flag, the answers stored as they came."""
    root = example()
    before = etree.tostring(root)
    result = check(default, root)
    assert result.problems == [] and result.flags == []
    assert result.values == instance_values(root, default.schema)
    assert etree.tostring(root) == before  # the submission itself is never touched


def test_synthetic_households_pass_every_check(default):
    """Thirty households filled as an enumerator would (the benchmarks' generator): nothing to report."""
    for instance_id, answers in synthetic.submissions(30, zones=["XK0101"], seed=11):
        result = check(default, etree.fromstring(synthetic.to_instance_xml(answers, instance_id=instance_id)))
        assert result.everything == [], (instance_id, [p.as_dict() for p in result.everything])


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_constraint_gives_the_form_message_and_label_in_the_users_language(default, language):
    result = check(default, example(("dwelling/rooms", "0")), language)
    [problem] = result.problems
    assert (problem.kind, problem.field, problem.row) == ("constraint", "dwelling/rooms", None)
    assert problem.message == default.model.itext(ITEXT.format("dwelling/rooms", "constraint"), language)
    assert problem.label == default.schema["fields"]["dwelling/rooms"]["label"][language]
    if language == "ar":
        assert any("\u0600" <= char <= "\u06ff" for char in problem.message + problem.label)


def test_a_required_answer_is_missing_only_where_the_question_is_relevant(default):
    root = example(("dwelling/tenure", None), ("income/has_debts", "no"), ("income/debt_reason", None))
    result = check(default, root)
    [problem] = result.problems  # debt_reason is not asked without debts
    assert (problem.kind, problem.field) == ("required", "dwelling/tenure")
    assert problem.message == default.model.itext(ITEXT.format("dwelling/tenure", "required"), "fr")


def test_an_answer_to_a_question_that_does_not_apply_is_flagged_and_cleared(default):
    """Member 2's date of birth is unknown (dob_known = no): a date sent for him is not kept."""
    root = example(("roster/member[2]/dob", "2014-01-01"))
    result = check(default, root)
    assert result.problems == []
    [flag] = found(result, "not_relevant", "roster/member/dob", 2, flags=True)
    assert "2014-01-01" in flag.message
    assert result.values["roster/member"][1]["dob"] == ""
    assert root.find("roster/member[2]/dob").text == "2014-01-01"  # the raw submission keeps it


def test_a_non_relevant_group_makes_its_questions_non_relevant(default):
    """Consent refused: nothing after it applies, so nothing is required there and every answer sent is cleared."""
    result = check(default, example(("consent", "no"), ("consent_sharing", None), ("consent_follow_up", None)))
    assert result.problems == []
    flagged = {flag.field for flag in result.flags}
    assert {"ident/hh_code", "roster/member/given_name", "dwelling/tenure", "needs/need_priority_1"} <= flagged
    assert result.values["ident/hh_code"] == "" and result.values["n_members"] == ""
    assert all(row["sex"] == "" for row in result.values["roster/member"])


def test_answers_of_the_wrong_type_are_problems(default):
    result = check(default, example(("today", "2026-02-30"), ("ident/gps", "nord"),
                                    ("assets/livestock_small", "quatre")))
    assert {(p.kind, p.field) for p in result.problems} == {
        ("type", "today"), ("type", "ident/gps"), ("type", "assets/livestock_small")}


def test_choices_must_exist_and_pass_the_choice_filter_of_their_row(default):
    result = check(default, example(
        ("roster/member[2]/relationship", "head"),  # the filter offers "head" to member 1 only
        ("needs/need_priority_2", "health_care"),  # already priority 1: the filter leaves it out
        ("dwelling/tenure", "castle"), ("assets/assets", "tv spaceship"), ("ident/zone_code", "XX9999"),
    ))
    choices = {(p.field, p.row) for p in found(result, "choice")}
    assert choices == {("roster/member/relationship", 2), ("needs/need_priority_2", None),
                       ("dwelling/tenure", None), ("assets/assets", None), ("ident/zone_code", None)}
    assert any("spaceship" in p.message for p in found(result, "choice", "assets/assets"))


def test_zone_choices_are_not_checked_while_the_zone_file_is_missing(default):
    with translation.override("fr"):
        result = check_instance(default.form, example(("ident/zone_code", "XX9999")), schema=default.schema,
                                now=NOW)
    assert result.problems == []


def test_a_calculation_that_differs_is_flagged_and_recomputed(default):
    result = check(default, example(("food/fies_score", "5"), ("roster/member[2]/age", "99")))
    assert result.problems == []
    assert {(f.field, f.row) for f in found(result, "calculation", flags=True)} == {
        ("food/fies_score", None), ("roster/member/age", 2)}
    assert result.values["food/fies_score"] == "3"
    assert result.values["roster/member"][1]["age"] == "12"


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_constraint_of_a_repeat_row_names_the_row(default, language):
    """Member 2's given name is written in Latin letters only: not with a digit."""
    result = check(default, example(("roster/member[2]/given_name", "Sami3")), language)
    [problem] = result.problems
    assert (problem.kind, problem.field, problem.row) == ("constraint", "roster/member/given_name", 2)
    assert problem.message == default.model.itext(ITEXT.format("roster/member/given_name", "constraint"), language)
    assert problem.label == default.schema["fields"]["roster/member/given_name"]["label"][language]
    assert [(f.field, f.row) for f in result.flags] == [("roster/member/display_name", 2)]  # recomputed: Sami3


def test_the_age_is_recomputed_on_the_day_of_the_interview(default):
    """A grandchild declared 30 although the head is 46: his age is recomputed (30) and his row's checks follow."""
    result = check(default, example(("roster/member[3]/age_declared", "30")))
    assert ("constraint", "roster/member/age_declared", 3) in {(p.kind, p.field, p.row) for p in result.problems}
    assert ("roster/member/marital_status", 3) in {(p.field, p.row) for p in found(result, "required")}
    assert result.values["roster/member"][2]["age"] == "30"


def test_the_number_of_members_follows_the_household_size(default):
    [problem] = check(default, example(("roster/hh_size", "4"))).problems
    assert (problem.kind, problem.field) == ("count", "roster/member")
    assert "3" in problem.message and "4" in problem.message


def test_absolute_paths_inside_a_repeat_mean_the_current_row():
    """A hand-written form compares each row with its own minimum (JavaRosa contextualises such paths)."""
    xform = (
        '<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml" '
        'xmlns:jr="http://openrosa.org/javarosa"><h:head><h:title>t</h:title><model>'
        '<instance><data id="t"><member jr:template=""><min/><age/></member><meta><instanceID/></meta></data>'
        '</instance><bind nodeset="/data/member/age" type="int" constraint=". &gt;= /data/member/min"/>'
        '<bind nodeset="/data/member/min" type="int"/></model></h:head><h:body>'
        '<group ref="/data/member"><label>m</label><repeat nodeset="/data/member">'
        '<input ref="/data/member/min"><label>min</label></input><input ref="/data/member/age"><label>age</label>'
        "</input></repeat></group></h:body></h:html>")
    submission = etree.fromstring(
        "<data id='t'><member><min>1</min><age>5</age></member><member><min>10</min><age>7</age></member>"
        "<member><min>2</min><age>3</age></member><meta><instanceID>uuid:x</instanceID></meta></data>")
    result = check_instance(compile_form(xform), submission, schema=describe(xform), now=NOW)
    assert [(p.kind, p.field, p.row) for p in result.problems] == [("constraint", "member/age", 2)]


NESTED = """
| survey |
| | type | name | label | constraint | calculation | relevant |
| | begin repeat | household | Household | | | |
| | text | head | Head | | | |
| | begin repeat | child | Child | | | |
| | integer | age | Age | . < 18 | | |
| | calculate | rank | | | position(..) | |
| | text | school | School | | | ${age} >= 6 |
| | end repeat | | | | | |
| | end repeat | | | | | |
"""


def test_rows_of_a_repeat_inside_a_repeat_are_counted_within_their_parent_row():
    """The second child of the second household is 20: row 2 (of its household); the first household's school
    answer for a child of 4 does not apply."""
    from pyxform.xls2xform import convert

    xform = convert(xlsform=NESTED, file_type=".md", warnings=[]).xform
    submission = etree.fromstring(
        "<data id='data'><household><head>Ali</head><child><age>4</age><rank>1</rank><school>X</school></child>"
        "</household><household><head>Mouna</head><child><age>7</age><rank>1</rank><school>Y</school></child>"
        "<child><age>20</age><rank>2</rank><school>Z</school></child></household>"
        "<meta><instanceID>uuid:n</instanceID></meta></data>")
    result = check_instance(compile_form(xform), submission, schema=describe(xform), now=NOW)
    assert [(p.kind, p.field, p.row) for p in result.problems] == [("constraint", "household/child/age", 2)]
    assert [(f.kind, f.field, f.row) for f in result.flags] == [("not_relevant", "household/child/school", 1)]
    assert result.values["household"][0]["child"][0]["school"] == ""


def test_validation_time_of_the_default_questionnaire_is_printed(default):
    """Not a test of speed (no timing assertion): prints the cost per submission for the report."""
    root = example()
    for _attempt in range(5):
        check(default, root)
    count, wall, cpu = 50, time.perf_counter(), time.process_time()
    for _attempt in range(count):
        check(default, root)
    print(f"\nvalidation of the default example: {(time.perf_counter() - wall) / count * 1000:.2f} ms wall, "
          f"{(time.process_time() - cpu) / count * 1000:.2f} ms CPU per submission")


# --- a small form of every type, with the database -------------------------------------------------------------


@pytest.fixture
def checks_form(manager, programme):
    version = form_version_create(actor=manager, programme=programme, file_name="validation_checks.md",
                                  content=(DATA / "validation_checks.md").read_bytes())
    form_media_attach(actor=manager, form_version=version, file_name="villages.csv",
                      content=(DATA / "validation_villages.csv").read_bytes())
    return version


def checks_xml(**answers) -> bytes:
    values = {"n_children": "2", "weight": "3.5", "visit_date": "2026-11-02",
              "seen_at": "2026-11-02T09:12:05.000+01:00", "opening": "08:30:00.000+01:00",
              "place": "36.8 10.18 10 5", "route": "36.8 10.18 0 0;36.9 10.2 0 0",
              "field_area": "36.8 10.18 0 0;36.9 10.2 0 0;36.85 10.3 0 0;36.8 10.18 0 0", "region": "north",
              "district": "n1", "village": "v2", "crops": "wheat olive", "photo": "maison.jpg", "path_text": "",
              "path_length": "", **answers}
    children = values.pop("children", [("Sara", "7"), ("Omar", "4")])
    total = values.pop("total_age", str(sum(int(age) for _name, age in children)))
    body = "".join(f"<{k}>{v}</{k}>" for k, v in values.items())
    rows = "".join(f"<child><child_name>{name}</child_name><child_age>{age}</child_age><rank>{n}</rank></child>"
                   for n, (name, age) in enumerate(children, start=1))
    return (f"<data id='controles' version='2026112301'>{body}{rows}<total_age>{total}</total_age>"
            "<meta><instanceID>uuid:c0c0c0c0-0000-4000-8000-000000000001</instanceID></meta></data>").encode()


def test_every_type_of_a_correct_submission_passes(checks_form):
    result = validate_instance(etree.fromstring(checks_xml()), checks_form, now=NOW)
    assert result.everything == []
    assert result.attachments == ["maison.jpg"]


@pytest.mark.parametrize(("answers", "expected"), [
    ({"weight": "lourd"}, [("type", "weight")]),
    ({"visit_date": "02/11/2026"}, [("type", "visit_date")]),
    ({"seen_at": "2026-11-02 09:12"}, [("type", "seen_at")]),
    ({"opening": "25:00"}, [("type", "opening")]),
    ({"place": "95 10"}, [("type", "place")]),
    ({"route": "36.8 10.18 0 0"}, [("type", "route")]),
    ({"field_area": "36.8 10.18 0 0;36.9 10.2 0 0;36.85 10.3 0 0"}, [("type", "field_area")]),
    ({"n_children": "2.5"}, [("type", "n_children")]),
    ({"photo": "../../etc/passwd"}, [("type", "photo")]),
    ({"district": "s1", "village": "v3"}, [("choice", "district")]),  # a southern district, the region is north
    ({"village": "v3"}, [("choice", "village")]),  # a village of another district (select_one_from_file + filter)
    ({"crops": "wheat rice"}, [("choice", "crops")]),
    ({"n_children": "11"}, [("constraint", "n_children"), ("count", "child")]),
    ({"children": [("Sara", "7")]}, [("count", "child")]),
    ({"children": [("", "7"), ("Omar", "4")]}, [("required", "child/child_name")]),
    ({"path_text": "nulle part"}, [("error", "path_length")]),  # distance() of a text: reported, never a crash
])
def test_each_kind_of_problem_names_its_question(checks_form, answers, expected):
    """A social worker's answers sent through the web form, checked one mistake at a time."""
    result = validate_instance(etree.fromstring(checks_xml(**answers)), checks_form, now=NOW)
    assert [(p.kind, p.field) for p in result.problems] == expected, [p.as_dict() for p in result.problems]


def test_choices_of_a_media_file_not_uploaded_yet_are_not_checked(manager, programme):
    """The manager has not attached villages.csv yet: any village passes (ODK Collect would not even open the form)."""
    version = form_version_create(actor=manager, programme=programme, file_name="validation_checks.md",
                                  content=(DATA / "validation_checks.md").read_bytes())
    result = validate_instance(etree.fromstring(checks_xml(village="v9")), version, now=NOW)
    assert result.everything == []


def test_a_row_of_a_repeat_gets_the_generic_message_without_one_in_the_form(checks_form):
    with translation.override("fr"):
        result = validate_instance(etree.fromstring(checks_xml(children=[("Sara", "7"), ("Omar", "20")])),
                                   checks_form, now=NOW)
    [problem] = result.problems
    assert (problem.field, problem.row, problem.label) == ("child/child_age", 2, "Âge")
    assert "20" in problem.message


def test_a_form_calling_an_unknown_function_is_refused_at_upload(manager, programme):
    """A manager publishes a form whose constraint calls lower-case(), which neither ODK nor the server knows."""
    with pytest.raises(ApplicationError) as refused:
        form_version_create(actor=manager, programme=programme, file_name="unsupported_function.md",
                            content=(DATA / "unsupported_function.md").read_bytes())
    [problem] = refused.value.problems
    assert problem.field == "head_name" and problem.file == "unsupported_function.md"
    assert "lower-case()" in problem.message and "head_name" in problem.message
    assert "character 1 " in problem.message or "caractère 1 " in problem.message
    assert not programme.questionnaires.exists()


# --- the channel policy --------------------------------------------------------------------------------------------


@pytest.fixture
def deployed(manager, programme, zones):
    ZoneFactory(code="TN1101", name="Secteur exemple", parent=zones["deleg"])  # the example's zone
    return default_questionnaire_deploy(actor=manager, programme=programme)


def invalid_example(instance_id="uuid:6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5f") -> bytes:
    root = example(("dwelling/rooms", "0"), ("roster/member[2]/phone", "12"))
    root.find("meta/instanceID").text = instance_id
    return etree.tostring(root, encoding="utf-8")


def test_a_phone_submission_with_problems_is_projected_and_flagged(deployed, programme, device):
    """ODK Collect validated it already: the household enters the registry, the problems wait for review."""
    received = submission_receive(programme=programme, xml=invalid_example(), channel="collect", actor=device)
    submission = received.submission
    assert submission.status == Submission.Status.PROJECTED
    flagged = {(flag["field"], flag["row"], flag["kind"]) for flag in submission.flags}
    assert {("dwelling/rooms", None, "constraint"), ("roster/member/phone", 2, "constraint")} <= flagged
    assert {(p.field, p.row) for p in received.problems} >= {("dwelling/rooms", None)}


@pytest.mark.parametrize("channel", ["web", "api", "import"])
def test_a_submission_with_problems_from_other_channels_waits_in_quarantine_until_corrected(
        deployed, programme, manager, channel):
    """The social worker's web form (or the API, or a manager's import) sent it: nothing enters the registry until
    the manager corrects the answers; the correction is checked again, then projected."""
    received = submission_receive(programme=programme, xml=invalid_example(), channel=channel, actor=manager)
    submission = received.submission
    assert submission.status == Submission.Status.QUARANTINED
    assert not Household.objects.exists()
    entry = QuarantineEntry.objects.get(submission=submission)
    reasons = {(reason["field"], reason["row"]) for reason in entry.reasons}
    assert reasons == {("dwelling/rooms", None), ("roster/member/phone", 2)}
    assert all(reason["message"] and reason["label"] for reason in entry.reasons)

    half = submission.xml.replace("<rooms>0</rooms>", "<rooms>2</rooms>").encode()
    again = quarantine_resubmit(actor=manager, entry=entry, xml=half, note="pièces vérifiées")
    assert again.submission.status == Submission.Status.QUARANTINED  # member 3 is still wrong
    entry = again.submission.quarantine_entries.get(state=QuarantineEntry.State.OPEN)
    assert [(r["field"], r["row"]) for r in entry.reasons] == [("roster/member/phone", 2)]

    corrected = again.submission.xml.replace("<phone>12</phone>", "<phone>+21698000000</phone>")
    result = quarantine_resubmit(actor=manager, entry=entry, xml=corrected.encode(), note="téléphone corrigé")
    assert result.submission.status == Submission.Status.PROJECTED
    assert Household.objects.get(code="TN-1101-00042").members.count() == 3


def test_answers_to_questions_that_do_not_apply_never_reach_the_registry(deployed, programme, device):
    """A date of birth sent for member 2 although it is unknown (dob_known = no): his age declared counts."""
    xml = etree.tostring(example(("roster/member[2]/dob", "2014-01-01")), encoding="utf-8")
    received = submission_receive(programme=programme, xml=xml, channel="collect", actor=device)
    submission = received.submission
    assert submission.status == Submission.Status.PROJECTED
    assert any(flag["kind"] == "not_relevant" and flag["row"] == 2 for flag in submission.flags)
    assert "<dob>2014-01-01</dob>" in submission.xml  # the XML stays as received
    sami = submission.household.members.get(given_name="Sami")
    assert sami.date_of_birth_estimated and sami.date_of_birth != datetime.date(2014, 1, 1)
