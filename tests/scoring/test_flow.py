"""Scoring in the flow: the default model, a submission scored on arrival, re-scoring after a change of rules.

Personas: the programme ``manager`` publishes the questionnaire and the models; a phone of the programme (``device``,
acting as a social worker of organisation A) sends the submissions.
"""

import functools
import json
from pathlib import Path

import pytest
from pyxform.xls2xform import convert

from parcours.core.exceptions import ApplicationError
from parcours.questionnaires.models import Submission
from parcours.questionnaires.services import default_questionnaire_deploy, submission_receive
from parcours.questionnaires.services.forms import DEFAULT_FORM_DIR
from parcours.questionnaires.xform import describe, instance_values, parse_xml
from parcours.scoring import answers
from parcours.scoring.definitions import read_definition
from parcours.scoring.models import Score, ScoringModel
from parcours.scoring.services import DEFAULT_MODEL_FILE, default_model_install, scoring_model_save
from parcours.scoring.tasks import rescore_job_create, rescore_task

EXAMPLE = (DEFAULT_FORM_DIR / "example_submission.xml").read_text(encoding="utf-8")
MAPPING = json.loads((DEFAULT_FORM_DIR / "mapping.json").read_text(encoding="utf-8"))
INDICATORS = ["food_insecurity", "years_of_schooling", "school_attendance", "cooking_fuel", "sanitation",
              "drinking_water", "electricity", "housing", "assets"]


@functools.cache
def default_schema() -> dict:
    """The default questionnaire's description, as a form version stores it (no database needed)."""
    return describe(convert(xlsform=str(DEFAULT_FORM_DIR / "fiche_socio_economique.xlsx")).xform)


def example(**changes: str) -> str:
    """The example submission with some answers replaced: ``{"<fies_score>3<": "<fies_score>6<"}`` style pairs."""
    text = EXAMPLE
    for old, new in changes.values():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def score_pure(xml: str, source: str | None = None):
    schema = default_schema()
    definition = read_definition(source or DEFAULT_MODEL_FILE.read_text(encoding="utf-8"), schema=schema)
    data = instance_values(parse_xml(xml), schema)
    evaluated = answers.evaluate(definition, xml=xml, data=data, schema=schema, mapping=MAPPING)
    return answers.run(definition, [evaluated])[0]


# --- the default model, without a database ----------------------------------------------------------------------


def test_the_default_model_loads_and_every_indicator_compiles_against_the_default_questionnaire():
    definition = read_definition(DEFAULT_MODEL_FILE.read_text(encoding="utf-8"), schema=default_schema())
    spec = definition.spec
    assert [i.name for i in spec.indicators] == INDICATORS
    assert all(f.compiled is not None for f in definition.formulas)
    assert spec.k == pytest.approx(1 / 3) and spec.missing == "reweight"
    weights = {}
    for indicator in spec.indicators:
        weights[indicator.dimension] = weights.get(indicator.dimension, 0) + indicator.weight
        assert set(indicator.label) == {"fr", "ar", "en", "pt"}
    assert weights == pytest.approx({"health": 1 / 3, "education": 1 / 3, "living_standards": 1 / 3})
    assert [(b.name, b.lower) for b in spec.bands] == [("vulnerable", 0.2), ("poor", pytest.approx(1 / 3)),
                                                       ("severe", 0.5)]
    assert definition.dimension_label("health", "ar") == "الصحة"


def test_the_example_household_is_deprived_only_in_sanitation():
    # Fatma (46, head, widowed), Sami (12, her son) and Ali (3, grandchild):
    # - food: FIES raw score 3 (< 4) → not deprived;
    # - years of schooling: Fatma and Sami (both 10+) have 6 years → not deprived;
    # - school attendance: Sami (12) attends school; Ali (3) is too young → not deprived;
    # - cooking fuel: bottled gas (lpg_gas) is not solid → not deprived;
    # - sanitation: pit latrine with slab is improved but SHARED with other households → deprived;
    # - water: public tap (improved), 20 min round trip (≤ 30) → not deprived;
    # - electricity: yes → not deprived;
    # - housing: cement floor, concrete roof, block walls (all finished) → not deprived;
    # - assets: TV + mobile phone = 2 small assets (> 1) → not deprived.
    result = score_pure(EXAMPLE)
    assert result.deprivations == {name: float(name == "sanitation") for name in INDICATORS}
    assert result.value == pytest.approx(1 / 18)  # c = 1/18 ≈ 5.6 %
    assert result.is_poor is False and result.band == "" and result.missing == []
    why = {part["name"]: part for part in result.explanation["indicators"]}
    assert why["sanitation"]["answers"] == [{"path": "dwelling/sanitation", "value": "pit_slab"},
                                           {"path": "dwelling/sanitation_shared", "value": "yes"}]
    sami = why["school_attendance"]["members"][1]
    assert sami["name"] == "Sami" and {"path": "roster/member/attends_school", "value": "yes"} in sami["answers"]


def test_a_hungry_household_with_a_child_out_of_school_is_severely_poor():
    # FIES 6 → food insecure (health 1/3); Sami (12) does not attend school (1/6); shared toilet (1/18):
    # c = 1/3 + 1/6 + 1/18 = 5/9 ≈ 55.6 % ≥ 50 % → poor, band "severe".
    xml = example(fies=("<fies_score>3<", "<fies_score>6<"),
                  school=("<attends_school>yes<", "<attends_school>no<"))
    result = score_pure(xml)
    assert result.deprivations["food_insecurity"] == 1 and result.deprivations["school_attendance"] == 1
    assert result.value == pytest.approx(5 / 9)
    assert result.is_poor is True and result.band == "severe"
    # Without the schooling deprivation: 1/3 + 1/18 = 7/18 ≈ 38.9 % → poor, band "poor".
    result = score_pure(example(fies=("<fies_score>3<", "<fies_score>6<")))
    assert result.value == pytest.approx(7 / 18) and result.band == "poor"


def test_an_unanswered_indicator_is_missing_and_its_weight_goes_to_its_dimension():
    # Water source and time left empty: drinking water is unknown; under "reweight" the five other living
    # standards indicators share the dimension's 1/3: sanitation then weighs 1/15 (c = 1/15).
    xml = example(source=("<water_source>public_tap</water_source>", "<water_source/>"),
                  time=("<water_time_min>20</water_time_min>", "<water_time_min/>"))
    result = score_pure(xml)
    assert result.missing == ["drinking_water"] and result.deprivations["drinking_water"] is None
    assert result.value == pytest.approx(1 / 15)


@pytest.mark.parametrize("expression, words", [
    ("${no_such_question} = 'yes'", ["“cooking_fuel”", "no_such_question"]),
    ("${cooking_fuel} = = 'wood'", ["“cooking_fuel”"]),
    ("count(${member}[agee >= 6]) > 0", ["“cooking_fuel”", "agee"]),
    ("explode(${cooking_fuel})", ["“cooking_fuel”", "explode"]),
])
def test_a_model_error_names_the_indicator_and_its_line(expression, words):
    source = DEFAULT_MODEL_FILE.read_text(encoding="utf-8").replace(
        "\"selected('coal charcoal wood crop_residue dung', ${cooking_fuel})\"", json.dumps(expression))
    with pytest.raises(ApplicationError) as exc:
        read_definition(source, schema=default_schema())
    problem = exc.value.problems[0]
    assert all(word in problem.message for word in words), problem.message
    assert problem.row and problem.field == "indicators.3.deprived_if"


def test_a_model_over_a_table_reads_questions_outside_repeats_only():
    source = ("method: alkire-foster\nover: table\nk: 1/2\nindicators:\n"
              "  - {name: food, dimension: health, weight: 1/2, deprived_if: '${fies_score} >= 4'}\n"
              "  - {name: power, dimension: living, weight: 1/2, deprived_if: \"${electricity} = 'no'\"}\n")
    result = score_pure(EXAMPLE, source)
    assert result.deprivations == {"food": 0.0, "power": 0.0}
    with pytest.raises(ApplicationError) as exc:
        read_definition(source.replace("${electricity}", "${attends_school}"), schema=default_schema())
    assert "attends_school" in exc.value.problems[0].message


# --- in the flow ------------------------------------------------------------------------------------------------


@pytest.fixture
def device(manager, programme):
    from parcours.accounts.services import device_account_create

    return device_account_create(actor=manager, programme=programme, username="collect-scoring",
                                 password="collect-scoring-2026", label="Téléphone")


@pytest.fixture
def default_form(manager, programme, zones):
    from ..factories import ZoneFactory

    ZoneFactory(code="TN1101", name="Secteur exemple", name_ar="قطاع مثال", parent=zones["deleg"])
    return default_questionnaire_deploy(actor=manager, programme=programme)


@pytest.fixture
def mpi(manager, programme, default_form):
    return default_model_install(actor=manager, programme=programme)


def receive(programme, device, xml: str):
    return submission_receive(programme=programme, xml=xml.encode(), channel="collect", actor=device)


def test_a_submission_is_scored_on_arrival_with_the_current_model_version(programme, device, mpi):
    received = receive(programme, device, EXAMPLE)
    submission = received.submission
    assert submission.status == Submission.Status.PROJECTED
    score = Score.objects.get()
    assert score.household == submission.household and score.submission == submission
    assert score.model == mpi and score.model_version.version == 1 and score.model_version.model == mpi
    assert score.is_current and score.is_baseline
    assert score.value == pytest.approx(1 / 18) and score.is_poor is False
    assert score.deprivations["sanitation"] == 1
    assert score.zone.code == "TN1101" and str(score.assessed_on) == "2026-11-02"
    assert (score.head_sex, score.head_age_group, score.household_size) == ("F", "18_59", 3)
    assert score.flags == ["female_headed", "member_with_disability", "single_parent"]


def test_a_scoring_failure_is_flagged_and_the_submission_still_lands(programme, device, mpi, monkeypatch):
    def broken(definition, units):
        raise ApplicationError("engine out of order")

    monkeypatch.setattr(answers, "run", broken)
    submission = receive(programme, device, EXAMPLE).submission
    assert submission.status == Submission.Status.PROJECTED and submission.household is not None
    assert not Score.objects.exists()
    assert any("engine out of order" in flag["message"] for flag in submission.flags)


def test_rescoring_after_a_change_of_rules_keeps_the_history(programme, device, manager, mpi, default_form):
    household = receive(programme, device, EXAMPLE).submission.household
    first = Score.objects.get()
    # The manager decides that a shared toilet is no deprivation in this programme: version 2.
    source = mpi.current.source.replace(" or ${sanitation_shared} = 'yes'", "")
    model = scoring_model_save(actor=manager, programme=programme, source=source,
                               questionnaire=default_form.questionnaire, model=mpi)
    assert model.version == 2 and model.versions.count() == 2
    job = rescore_job_create(actor=manager, model=model)
    rescore_task.enqueue(str(job.pk))
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert job.result["scored"] == 1
    scores = list(Score.objects.filter(household=household).order_by("computed_at"))
    assert len(scores) == 2
    first.refresh_from_db()
    latest = scores[1]
    assert not first.is_current and first.is_baseline and first.model_version.version == 1
    assert latest.is_current and not latest.is_baseline and latest.model_version.version == 2
    assert latest.value == 0 and latest.deprivations["sanitation"] == 0
    # Run again: nothing changed, nothing new.
    job = rescore_job_create(actor=manager, model=model)
    rescore_task.enqueue(str(job.pk))
    job.refresh_from_db()
    assert job.result["unchanged"] == 1 and Score.objects.count() == 2


def test_saving_the_same_rules_makes_no_new_version_and_another_method_is_refused(manager, programme, mpi,
                                                                                  default_form):
    same = scoring_model_save(actor=manager, programme=programme, source=mpi.current.source,
                              questionnaire=default_form.questionnaire, model=mpi)
    assert same.version == 1
    scorecard = ("method: scorecard\nscorecard:\n  items:\n"
                 "    - {name: power, value: '${electricity}', points: {'yes': 0, 'no': 10}}\n")
    with pytest.raises(ApplicationError):
        scoring_model_save(actor=manager, programme=programme, source=scorecard,
                           questionnaire=default_form.questionnaire, model=mpi)
    other = scoring_model_save(actor=manager, programme=programme, source=scorecard,
                               questionnaire=default_form.questionnaire, name="Carte de points")
    assert other.method == ScoringModel.Method.SCORECARD and ScoringModel.objects.count() == 2


def test_only_managers_save_models(programme, default_form, personas):
    from django.core.exceptions import PermissionDenied

    source = DEFAULT_MODEL_FILE.read_text(encoding="utf-8")
    for who in ("social_worker", "partner_worker", "viewer", "stranger"):
        with pytest.raises(PermissionDenied):
            scoring_model_save(actor=personas[who], programme=programme, source=source,
                               questionnaire=default_form.questionnaire, name=who)
    model = scoring_model_save(actor=personas["admin"], programme=programme, source=source,
                               questionnaire=default_form.questionnaire, name="IPM")
    assert model.created_by == personas["admin"] and Path(DEFAULT_MODEL_FILE).name.endswith(".yaml")


def test_the_demo_programme_scores_with_the_default_model(db):
    # The operator loads the demo: its programme has the default questionnaire and the default MPI model.
    from io import StringIO

    from django.core.management import call_command

    call_command("demo", households=0, stdout=StringIO())
    model = ScoringModel.objects.get(programme__slug="demo")
    assert model.method == "alkire-foster" and model.is_active
    assert model.questionnaire.form_id == "fiche_socio_economique"
