"""Scoring model files (an analyst writes a YAML or JSON model; every problem is named, with its line)."""

import json

import pytest

from parcours.core.exceptions import ApplicationError
from parcours.scoring.model_file import load_model, read_model

from .conftest import DATA

MINIMAL = """
method: alkire-foster
k: 0.3333
missing: exclude          # or: reweight
indicators:
  - name: schooling
    dimension: education
    weight: 0.1667
    deprived_if: "${years_schooling} < 6"
  - name: attendance
    dimension: education
    weight: 0.1667
    deprived_if: "${child_not_in_school} = 'yes'"
  - name: nutrition
    dimension: health
    weight: 0.3333
    deprived_if: "${undernourished} = 'yes'"
  - name: water
    dimension: living
    weight: 0.3333
    deprived_if: "${water} = 'unprotected'"
"""


def problems(text, file_name="model.yaml"):
    with pytest.raises(ApplicationError) as error:
        load_model(text, file_name=file_name)
    return [str(problem) for problem in error.value.problems], error.value


def test_an_analyst_loads_the_documented_format():
    model = load_model(MINIMAL, file_name="model.yaml")
    assert (model.method, model.k, model.missing) == ("alkire-foster", 0.3333, "exclude")
    schooling = model.indicators[0]
    assert (schooling.name, schooling.dimension, schooling.weight) == ("schooling", "education", 0.1667)
    assert schooling.deprived_if == "${years_schooling} < 6"
    assert model.dimensions == ("education", "health", "living")


def test_fractions_labels_and_bands_are_read():
    model = read_model(DATA / "mpi_model.yaml")
    assert model.k == pytest.approx(1 / 3)
    assert [i.weight for i in model.indicators] == pytest.approx([1 / 3, 1 / 3, 1 / 6, 1 / 6])
    assert model.indicators[0].label_in("fr") == "Années de scolarité"
    assert model.indicators[0].label_in("fr-ca") == "Années de scolarité"
    assert model.indicators[0].label_in("ar") == "Years of schooling"  # falls back to English
    assert model.indicators[1].label_in("fr") == "nutrition"  # then to the name
    assert [(b.name, b.lower, b.upper) for b in model.bands] == [("vulnerable", 0.2, pytest.approx(1 / 3)),
                                                                   ("severe", 0.5, None)]


def test_json_models_are_read_too():
    data = {"method": "alkire-foster", "k": 0.5, "indicators": [
        {"name": "a", "dimension": "x", "weight": 0.5, "deprived_if": "${a} = 1"},
        {"name": "b", "dimension": "y", "weight": 0.5, "deprived_if": "${b} = 1"}]}
    model = load_model(json.dumps(data), file_name="model.json")
    assert [i.name for i in model.indicators] == ["a", "b"]


def test_weights_not_summing_to_one_give_the_sum_and_the_dimensions():
    found, error = problems(MINIMAL.replace("weight: 0.3333\n    deprived_if: \"${water}", "weight: 0.2\n    "
                                                                                            "deprived_if: \"${water}"))
    assert "problem" in str(error.message)
    assert any("sum to 0.8667" in text and "living 0.2000" in text for text in found), found


def test_every_problem_is_reported_with_the_indicator_and_the_line():
    text = """method: alkire-foster
k: 1.5
missing: impute
indicators:
  - name: schooling
    dimension: education
    weight: 1/2
    deprived_if: "${years_schooling} < "
  - name: schooling
    dimension: health
    wieght: 0.5
    deprived_if: "${x} = 1"
"""
    found, _error = problems(text)
    expected = [
        ("row 2", "0 < k ≤ 1"),
        ("row 3", "Unknown missing-data policy “impute”"),
        ("row 8", "Indicator “schooling”: Expected an expression but the expression ends at character 22"),
        ("row 11", "unknown key “wieght”"),
        ("row 9", "Indicator “schooling”: “weight” is missing"),
        ("row 9", "Indicator “schooling” is defined twice"),
    ]
    for row, message in expected:
        assert any(row in text and message in text for text in found), (row, message, found)


@pytest.mark.parametrize(("text", "message"), [
    ("method: mpi\n", "Unknown method “mpi”"),
    ("k: 0.5\n", "“method” is missing"),
    ("method: alkire-foster\nk: 0.5\n", "“indicators” must be a non-empty list"),
    ("method: alkire-foster\nindicators: []\n", "“k” is missing"),
    ("method: alkire-foster\nk: 0\nindicators: []\n", "0 < k ≤ 1"),
    ("- a\n- b\n", "not a list"),
    ("method: [\n", "not valid YAML"),
    ("method: alkire-foster\nk: 1\nindicators:\n  - {name: a, dimension: x, weight: 1, deprived_if: 'foo(${a})'}\n",
     "Indicator “a”: Unknown or unsupported function “foo()” at character 1"),
    ("method: alkire-foster\nk: 1\nindicators:\n  - {name: a, dimension: x, weight: -1, deprived_if: '${a}'}\n",
     "Indicator “a”: the weight must be a positive number"),
    ("method: alkire-foster\nk: 1\nindicators:\n  - {name: a, dimension: x, weight: 1, deprived_if: 3}\n",
     "must be an expression in quotes"),
    ("method: alkire-foster\nk: 1\ncolour: red\nindicators:\n  - {name: a, dimension: x, weight: 1, "
     "deprived_if: '${a}'}\n", "unknown key “colour”"),
    ("method: alkire-foster\nk: 1\nindicators:\n  - {name: a, dimension: x, weight: 1, deprived_if: '${a}', "
     "label: [x]}\n", "“label” must be text or a mapping"),
    ("method: alkire-foster\nk: 1\nindicators:\n  - {name: a, dimension: x, weight: 1, deprived_if: '${a}'}\n"
     "bands:\n  - {name: severe, min: 0.6, max: 0.5}\n", "“max” must be greater than “min”"),
])
def test_model_errors_say_what_is_wrong(text, message):
    found, error = problems(text)
    assert any(message in line for line in [*found, str(error.message)]), found


def test_a_model_that_is_not_json_gives_the_line():
    found, error = problems('{"method": "alkire-foster",\n "k": }', file_name="model.json")
    assert "not valid JSON" in str(error.message) and "row 2" in found[0]


PMT = """
method: pmt
label: Proxy means test
pmt:
  outcome: log
  constant: 6.0
  threshold: 300
  points: {scale: 100, round: true}
  variables:
    - {name: size, value: "${hh_size}", coefficient: -0.12, range: [1, 12]}
    - {name: fridge, value: "if(selected(${assets}, 'fridge'), 1, 0)", coefficient: 0.35, range: [0, 1]}
"""

SCORECARD = """
method: scorecard
scorecard:
  items:
    - name: roof
      value: "${roof}"
      points: {concrete: 0, tin: 5, straw: 10}
      default: 10
    - name: size
      value: "${hh_size}"
      ranges: [{max: 3, points: 0}, {min: 3, max: 6, points: 5}, {min: 6, points: 10}]
bands:
  - {name: priority, min: 15, label: {fr: Prioritaire}}
"""


def test_pmt_and_scorecard_sections_are_read():
    pmt = load_model(PMT).pmt
    assert (pmt.outcome, pmt.constant, pmt.threshold, pmt.points_scale, pmt.points_rounded) == (
        "log", 6.0, 300, 100, True)
    assert [(v.name, v.coefficient, v.range) for v in pmt.variables] == [("size", -0.12, (1, 12)),
                                                                        ("fridge", 0.35, (0, 1))]
    model = load_model(SCORECARD)
    roof, size = model.scorecard.items
    assert roof.points == {"concrete": 0, "tin": 5, "straw": 10} and roof.default == 10
    assert size.ranges == ((None, 3, 0), (3, 6, 5), (6, None, 10))
    assert model.band_labels["priority"] == {"fr": "Prioritaire"}


@pytest.mark.parametrize(("text", "message"), [
    ("method: pmt\n", "needs a “pmt” section"),
    (PMT.replace("range: [1, 12]", "range: [12, 1]"), "Variable “size”: “range” is [lowest, highest]"),
    (PMT.replace(", range: [0, 1]", ""), "Variable “fridge”: the points form needs a “range”"),
    (PMT.replace("coefficient: -0.12", "coefficient: minus"), "Variable “size”: “coefficient” must be a number"),
    (PMT.replace("outcome: log", "outcome: ln"), "“outcome” is “log”"),
    (SCORECARD.replace("      default: 10\n", "      default: ten\n"), "Item “roof”: “default” must be a number"),
    (SCORECARD.replace("points: {concrete: 0, tin: 5, straw: 10}", "points: {concrete: none}"),
     "Item “roof”: “points” maps each answer"),
    (SCORECARD.replace("{min: 3, max: 6, points: 5}", "{min: 6, max: 3, points: 5}"), "range 2 must be"),
])
def test_pmt_and_scorecard_errors_name_the_variable_or_item(text, message):
    found, _error = problems(text)
    assert any(message in line for line in found), found
