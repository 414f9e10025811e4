"""Models applied to tables (an analyst, or later the scoring services, scores units from their answers)."""

import math

import polars as pl
import pytest

from parcours.core.exceptions import ApplicationError
from parcours.scoring.apply import deprivations, measure, predict, score
from parcours.scoring.model_file import load_model, read_model

from .conftest import DATA
from .test_model_file import PMT, SCORECARD


def test_the_deprivation_matrix_has_one_column_per_indicator():
    model = read_model(DATA / "mpi_model.yaml")
    table = pl.read_csv(DATA / "households.csv", infer_schema=False)
    g0 = deprivations(model, table)
    assert g0.shape == (7, 4)
    assert g0[0].tolist() == [1, 1, 1, 1] and math.isnan(g0[6, 2])


def test_an_empty_group_cell_is_the_missing_group():
    model = read_model(DATA / "mpi_model.yaml")
    table = pl.read_csv(DATA / "households.csv", infer_schema=False).with_columns(
        pl.when(pl.col("household") == "h1").then(pl.lit("")).otherwise(pl.col("zone")).alias("zone"))
    groups = measure(model, table, by=["zone"]).groups["zone"]
    assert set(groups) == {"A", "B", None} and groups[None].n == 1


def test_a_pmt_model_predicts_and_gives_points():
    model = load_model(PMT)
    table = pl.DataFrame({"hh_size": ["6", "2", ""], "assets": ["radio", "fridge tv", "fridge"]})
    result, points = predict(model, table)
    # Unit 1: 6 − 0.72 = 5.28 → e^5.28 ≈ 196 < 300, poor; unit 2: 6 − 0.24 + 0.35 = 6.11 → ≈ 450; unit 3 missing.
    assert result.predicted[:2] == pytest.approx([5.28, 6.11])
    assert result.poor[:2].tolist() == [1.0, 0.0] and math.isnan(result.poor[2])
    assert points.poor[:2].tolist() == [1.0, 0.0]
    assert (points.contributions[:2] == points.contributions[:2].round()).all()


def test_a_scorecard_model_scores_answers():
    model = load_model(SCORECARD)
    table = pl.DataFrame({"roof": ["straw", "concrete", None], "hh_size": [7, 2, 4]})
    result = score(model, table)
    # straw 10 + size ≥ 6 → 10 = 20 (priority); 0 + 0 = 0; missing roof → default 10 + 5 = 15 (priority).
    assert result.scores.tolist() == [20, 0, 15]
    assert result.bands.tolist() == ["priority", "", "priority"]


def test_a_model_is_used_only_for_its_method():
    with pytest.raises(ApplicationError, match="“scorecard”, not “pmt”"):
        predict(load_model(SCORECARD), pl.DataFrame({"roof": ["tin"], "hh_size": [1]}))


def test_a_bad_value_names_the_variable_and_the_row():
    with pytest.raises(ApplicationError) as error:
        predict(load_model(PMT), pl.DataFrame({"hh_size": ["2", "many"], "assets": ["", ""]}), first_row=2)
    assert "Variable “size”" in str(error.value) and "row 3" in str(error.value)
    assert error.value.problems[0].row == 3 and error.value.problems[0].field == "hh_size"
