"""Proxy means test and scorecard engines (an analyst applies a model to units; pure engines, no database)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcours.scoring.engines import Band, EngineError, ScorecardItem, pmt, points_scale, points_score, scorecard

NAMES = ["household_size", "has_fridge", "rooms"]
BETA = [-0.12, 0.35, 0.08]
CONSTANT = 6.0


def test_an_analyst_predicts_log_welfare_and_flags_units_below_the_line():
    x = np.array([[6, 0, 1], [2, 1, 3], [4, np.nan, 2]])
    result = pmt(x, names=NAMES, coefficients=BETA, constant=CONSTANT, threshold=300, outcome="log")
    # Unit 1: 6 − 0.72 + 0 + 0.08 = 5.36 → e^5.36 ≈ 212.7 < 300: poor. Unit 2: 6 − 0.24 + 0.35 + 0.24 = 6.35
    # → ≈ 572.5: not poor. Unit 3: an input is missing → undetermined.
    assert result.predicted[:2] == pytest.approx([5.36, 6.35])
    assert result.welfare[:2] == pytest.approx([math.exp(5.36), math.exp(6.35)])
    assert result.poor[:2].tolist() == [1.0, 0.0] and math.isnan(result.poor[2])
    assert result.missing == 1 and result.share_poor == pytest.approx(0.5)
    # Contributions explain each prediction: constant + Σ contributions.
    assert result.contributions[0] == pytest.approx([-0.72, 0, 0.08])
    assert CONSTANT + result.contributions[1].sum() == pytest.approx(result.predicted[1])


def test_a_level_model_compares_the_prediction_with_the_threshold_itself():
    result = pmt(np.array([[1.0], [3.0]]), names=["x"], coefficients=[10], constant=0, threshold=20,
                 outcome="level")
    assert result.poor.tolist() == [1.0, 0.0]
    assert result.welfare.tolist() == [10.0, 30.0]


def test_a_log_model_needs_a_positive_threshold():
    with pytest.raises(EngineError, match="positive threshold"):
        pmt(np.zeros((1, 3)), names=NAMES, coefficients=BETA, constant=CONSTANT, threshold=0)


RANGES = [(1, 12), (0, 1), (1, 6)]


def test_the_points_scale_runs_from_the_best_off_to_the_worst_off():
    scale = points_scale(names=NAMES, coefficients=BETA, constant=CONSTANT, threshold=300, ranges=RANGES)
    best = points_score(np.array([[1, 1, 6]]), scale)
    worst = points_score(np.array([[12, 0, 1]]), scale)
    assert best.points.tolist() == pytest.approx([0.0]) and worst.points.tolist() == pytest.approx([100.0])
    assert (best.contributions >= 0).all() and (worst.contributions >= 0).all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(1, 12), st.sampled_from([0.0, 1.0]), st.floats(1, 6)), min_size=1,
                max_size=20), st.floats(100, 1500))
def test_unrounded_points_classify_exactly_as_the_regression(rows, threshold):
    x = np.array(rows)
    regression = pmt(x, names=NAMES, coefficients=BETA, constant=CONSTANT, threshold=threshold)
    scale = points_scale(names=NAMES, coefficients=BETA, constant=CONSTANT, threshold=threshold, ranges=RANGES)
    points = points_score(x, scale)
    near_cutoff = np.abs(points.points - scale.cutoff) < 1e-6
    assert (points.poor[~near_cutoff] == regression.poor[~near_cutoff]).all()


def test_rounded_points_are_whole_numbers_per_variable():
    scale = points_scale(names=NAMES, coefficients=BETA, constant=CONSTANT, threshold=300, ranges=RANGES,
                         rounded=True)
    result = points_score(np.array([[5, 0, 2], [7, 1, 4]]), scale)
    assert (result.contributions == np.round(result.contributions)).all()


ITEMS = [
    ScorecardItem("roof", points={"concrete": 0, "tin": 5, "straw": 10}),
    ScorecardItem("size", ranges=[(None, 3, 0), (3, 6, 5), (6, None, 10)]),
    ScorecardItem("water", points={"piped": 0, "well": 4}, default=8),
]


def test_an_analyst_scores_answers_and_places_units_in_bands():
    answers = [["straw", "concrete", "tin", None], [7, 2, 3, 4], ["well", "piped", None, "piped"]]
    bands = [Band("priority", 20), Band("eligible", 10, 20)]
    result = scorecard(answers, items=ITEMS, bands=bands)
    # straw 10 + size 7 → 10 + well 4 = 24 (priority); 0 + 0 + 0 = 0; tin 5 + size 3 → 5 + missing water → default
    # 8 = 18 (eligible); missing roof without default → undetermined.
    assert result.scores[:3].tolist() == [24, 0, 18] and math.isnan(result.scores[3])
    assert result.contributions[0].tolist() == [10, 10, 4]
    assert result.bands.tolist() == ["priority", "", "eligible", ""]
    assert result.undetermined == 1
    assert [(b.name, b.n) for b in result.band_shares] == [("priority", 1), ("eligible", 1)]
    assert result.band_shares[0].share == pytest.approx(1 / 3)


def test_an_answer_not_in_the_list_is_undetermined_without_a_default():
    result = scorecard([["thatch"], [1], ["piped"]], items=ITEMS)
    assert math.isnan(result.scores[0])


def test_an_item_needs_points_or_ranges():
    with pytest.raises(EngineError, match="either points per answer or ranges"):
        ScorecardItem("roof")
