"""The XPath evaluator's public API, on a form pyxform builds and on submissions shaped like ODK Collect's.

Acts as: nobody — these are the checks a later step runs for a social worker's submission (no user, no database).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from lxml import etree
from pyxform.xls2xform import convert

from parcours.questionnaires import xpath
from parcours.questionnaires.xpath import XFormModel

FORM = """
| survey |
| | type | name | label::Français (fr) | label::English (en) | choice_filter | calculation | constraint |
| | select_one region | region | Région | Region | | | |
| | select_one district | district | District | District | region = ${region} | | |
| | date | dob | Naissance | Birth | | | |
| | calculate | age_years | | | | int((today() - decimal-date-time(${dob})) div 365.25) | |
| | begin repeat | member | Membre | Member | | | |
| | text | name | Nom | Name | | | |
| | integer | age | Âge | Age | | | . >= 0 and . <= 120 |
| | calculate | rank | | | | position(..) | |
| | end repeat | | | | | | |
| choices |
| | list_name | name | label::Français (fr) | label::English (en) | region |
| | region | north | Nord | North | |
| | region | south | Sud | South | |
| | district | n1 | Ville-Haute | Upper Town | north |
| | district | n2 | Bord de mer | Seaside | north |
| | district | s1 | Oasis | Oasis | south |
"""

SUBMISSION = (
    "<data id='data'><region>north</region><district>n2</district><dob>1990-06-15</dob><age_years/>"
    "<member><name>Fatma</name><age>44</age><rank/></member><member><name>Sami</name><age>12</age><rank/></member>"
    "<member><name>Amel</name><age>130</age><rank/></member></data>"
)
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=ZoneInfo("Africa/Tunis"))


@pytest.fixture(scope="module")
def model():
    return XFormModel.from_xform(convert(xlsform=FORM, file_type=".md", warnings=[]).xform)


@pytest.fixture
def submission():
    return etree.fromstring(SUBMISSION).getroottree()


def binds(model) -> dict[str, etree._Element]:
    return {bind.get("nodeset"): bind for bind in model.model.iterfind("{http://www.w3.org/2002/xforms}bind")}


def test_syntax_error_reports_the_position():
    with pytest.raises(xpath.XPathSyntaxError) as caught:
        xpath.compile("/data/age >= ")
    error = caught.value
    assert error.position == 13
    assert error.expression == "/data/age >= "
    assert "13" not in str(error.message) and "14" in str(error)  # shown 1-based to people


def test_unknown_function_is_named_before_evaluation_and_raised_only_when_reached(submission):
    expression = xpath.compile("false() and lower-case(/data/region) = 'north'")
    assert expression.unsupported == ("lower-case",)
    with pytest.raises(xpath.XPathUnsupported) as caught:
        expression.check()
    assert caught.value.function == "lower-case"
    assert caught.value.position == 12
    assert expression.evaluate_boolean(submission) is False  # ODK does not evaluate what "and" skips
    with pytest.raises(xpath.XPathUnsupported):
        xpath.evaluate("lower-case(/data/region)", context_node=submission)


def test_wrong_number_of_arguments_is_a_syntax_error():
    with pytest.raises(xpath.XPathSyntaxError, match="round"):
        xpath.compile("round(1, 2, 3)").check()


def test_binds_of_a_pyxform_form_on_a_submission(model, submission):
    constraint = xpath.compile(binds(model)["/data/member/age"].get("constraint"))
    ages = submission.getroot().findall("member/age")
    assert [constraint.evaluate_boolean(age) for age in ages] == [True, True, False]
    calculate = xpath.compile(binds(model)["/data/age_years"].get("calculate"))
    age_years = submission.getroot().find("age_years")
    assert calculate.evaluate_string(age_years, model=model, now=NOW, tz="Africa/Tunis") == "35"


def test_repeats_use_current_and_position(submission):
    members = submission.getroot().findall("member")
    rank = xpath.compile("position(..)")
    assert [rank.evaluate_number(member.find("rank")) for member in members] == [1.0, 2.0, 3.0]
    older = xpath.compile("count(../../member[age > current()/../age])")
    assert [older.evaluate_number(member.find("age")) for member in members] == [1.0, 2.0, 0.0]
    assert xpath.evaluate("indexed-repeat(/data/member/name, /data/member, 2)",
                          context_node=members[0])[0].text == "Sami"


def test_choice_filter_reads_the_secondary_instance(model, submission):
    itemset = model.root.find(".//{http://www.w3.org/2002/xforms}select1[@ref='/data/district']/"
                              "{http://www.w3.org/2002/xforms}itemset")
    district = submission.getroot().find("district")
    items = xpath.compile(itemset.get("nodeset")).evaluate_nodes(district, model=model)
    assert [item.findtext("{*}name") for item in items] == ["n1", "n2"]
    south = xpath.evaluate("instance('district')/root/item[region = 'south']/name", context_node=district,
                           model=model)
    assert [node.text for node in south] == ["s1"]


def test_choice_labels_in_the_readers_language(model, submission):
    district = submission.getroot().find("district")
    label = xpath.compile("jr:choice-name(/data/district, '/data/district')")
    assert label.evaluate_string(district, model=model, language="en") == "Seaside"
    assert label.evaluate_string(district, model=model, language="fr") == "Bord de mer"
    assert xpath.evaluate("jr:itext('/data/dob:label')", context_node=district, model=model,
                          language="Français (fr)")[0].text == "Naissance"


def test_root_makes_absolute_paths_start_at_the_primary_instance(model):
    instance = model.primary  # evaluating in the XForm itself: /data/… is inside <instance>
    region = instance.find("{*}data/{*}region")
    namespaces = {None: "http://www.w3.org/2002/xforms"}
    found = xpath.evaluate("/data/region", context_node=region, root=instance, namespaces=namespaces)
    assert found == [region]
    assert xpath.evaluate("/..", context_node=region, root=instance, namespaces=namespaces) == []
    assert xpath.evaluate("../../..", context_node=region, root=instance, namespaces=namespaces) == []
    assert xpath.evaluate("count(//item)", context_node=region, root=instance, namespaces=namespaces) == 0
    # without a root, the document's own root is used
    assert xpath.evaluate("count(/h:html)", context_node=region, namespaces=namespaces) == 1


def test_dates_follow_the_time_zone_and_the_frozen_clock(submission):
    dob = submission.getroot().find("dob")
    tunis = {"now": NOW, "tz": "Africa/Tunis"}
    assert xpath.evaluate("today()", context_node=dob, **tunis) == "2026-03-01"
    assert xpath.evaluate("now()", context_node=dob, **tunis) == "2026-03-01T10:00:00.000+01:00"
    assert xpath.compile(". < today()").evaluate_boolean(dob, **tunis)
    assert xpath.evaluate("format-date(., '%e %b %Y')", context_node=dob, **tunis) == "15 Jun 1990"
    assert xpath.evaluate("date(. + 1)", context_node=dob, **tunis) == "1990-06-16"


def test_question_references_and_typed_results(submission):
    root = submission.getroot()
    expression = xpath.compile("${age} >= 18 and selected(${region}, 'north')",
                               refs={"age": "/data/member[1]/age", "region": "/data/region"})
    assert expression.evaluate(root) is True
    assert xpath.evaluate("/data/member[1]/age * 2", context_node=root) == 88.0
    assert xpath.evaluate("concat(/data/member/name, '!')", context_node=root) == "FatmaSamiAmel!"
    assert xpath.evaluate("1 div 3", context_node=root) == pytest.approx(1 / 3)
    assert xpath.compile("1 div 0").evaluate_string(root) == "Infinity"
    with pytest.raises(xpath.XPathSyntaxError, match="nope"):
        xpath.compile("${nope} = 1", refs={})


def test_evaluation_errors_are_clear(submission):
    with pytest.raises(xpath.XPathEvaluationError) as caught:
        xpath.evaluate("distance(/data/region)", context_node=submission)
    assert "distance(/data/region)" in str(caught.value)
    with pytest.raises(xpath.XPathEvaluationError):
        xpath.compile("/data/region + 1").evaluate_nodes(submission)


def test_compile_caches_expressions():
    assert xpath.compile("1 + 1") is xpath.compile("1 + 1")
    assert xpath.compile("1 + 1") is not xpath.compile("1 + 1", xforms=False)


def test_text_rules_match_what_collect_checks_on_the_phone():
    answer = etree.fromstring("<national_id>١٢٣٤٥٦٧٨</national_id>")  # Arabic-Indic digits
    eight_digits = xpath.compile(r"regex(., '^\d{8}$')")
    assert eight_digits.evaluate_boolean(answer) is False  # Java's \d is 0-9 only, so Collect refuses it too
    assert eight_digits.evaluate_boolean(etree.fromstring("<national_id>01234567</national_id>")) is True
    assert xpath.compile("regex(., '^(?<first>[0-9]{2})')").evaluate_boolean(answer.getroottree()) is False
    name = etree.fromstring("<name>فاطمة 🙂</name>")
    assert xpath.compile("string-length(.)").evaluate_number(name) == 8.0  # the emoji counts 2, as in Java
