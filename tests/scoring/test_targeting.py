"""Targeting as pure functions: a programme officer ranks households, shares places among zones and an analyst
measures targeting errors against a reference list (no database).

Targeting errors follow Grosh, Leite, Wai-Poi & Tesliuc (2022), *Revisiting Targeting in Social Assistance*, World
Bank, ch. 7: exclusion error = eligible not selected / eligible; inclusion error = selected not eligible /
selected; targeting differential (their table 7.4) = coverage − inclusion error.
"""

import math
import random

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.scoring.engines import EngineError, alkire_foster
from parcours.scoring.targeting import (
    TieBreak,
    apply_quotas,
    priority_list,
    quotas,
    targeting_errors,
    zone_table,
)

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Grosh et al. (2022), table 7.3: ten persons by income; 4 poor (poverty line), 2 in the poorest 20 %.
POOR = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
POOREST_20 = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
SCENARIOS = {
    "perfect for the poorest two": [1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    "one of the two poorest": [0, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    "misses the two poorest": [0, 0, 1, 1, 0, 0, 0, 0, 0, 0],
    "universal": [1] * 10,
}
# (exclusion error, inclusion error, targeting differential) in %: against the poverty line, the poorest 20 %.
BOOK = {
    "perfect for the poorest two": ((50, 0, 50), (0, 0, 100)),
    "one of the two poorest": ((50, 0, 50), (50, 50, 0)),
    "misses the two poorest": ((50, 0, 50), (100, 100, -100)),
    "universal": ((0, 60, 40), (0, 80, 20)),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_an_analyst_reproduces_the_errors_of_the_ten_person_economy(scenario):
    for reference, expected in zip((POOR, POOREST_20), BOOK[scenario], strict=True):
        errors = targeting_errors(SCENARIOS[scenario], reference)
        got = (errors.exclusion_error, errors.inclusion_error, errors.targeting_differential)
        assert pytest.approx([value / 100 for value in expected]) == list(got)


def test_an_analyst_gets_the_weighted_confusion_table_computed_by_hand():
    selected = [True, True, False, False, True]
    eligible = [True, False, True, False, True]
    errors = targeting_errors(selected, eligible, weights=[2, 1, 3, 4, 1])
    # Correctly in: units 1 and 5 (2 + 1); wrongly in: unit 2 (1); left out: unit 3 (3); rightly out: unit 4 (4).
    assert (errors.selected_eligible, errors.selected_not_eligible) == (3, 1)
    assert (errors.eligible_not_selected, errors.neither, errors.population, errors.n) == (3, 4, 11, 5)
    assert errors.exclusion_error == pytest.approx(3 / 6) == errors.undercoverage
    assert errors.coverage == pytest.approx(3 / 6)
    assert errors.inclusion_error == pytest.approx(1 / 4) == errors.leakage
    assert errors.non_eligible_coverage == pytest.approx(1 / 5)
    assert errors.program_size == pytest.approx(4 / 11)
    assert errors.eligible_share == pytest.approx(6 / 11)
    assert errors.participation_differential == pytest.approx(3 / 6 - 1 / 5)


def test_a_selection_of_nobody_has_no_inclusion_error_to_speak_of():
    errors = targeting_errors(pl.Series([False, False]), pl.Series([True, False]))
    assert errors.exclusion_error == 1 and errors.coverage == 0
    assert math.isnan(errors.inclusion_error) and math.isnan(errors.targeting_differential)


def test_undetermined_or_mismatched_flags_are_refused():
    with pytest.raises(EngineError, match="unit 1 is undetermined"):
        targeting_errors([True, True], pl.Series([True, None]))
    with pytest.raises(EngineError, match="one value per unit each"):
        targeting_errors([True, True], [True])
    with pytest.raises(EngineError, match="not true/false or 1/0"):
        targeting_errors([1, 2], [1, 0])
    with pytest.raises(EngineError, match="sampling weights"):
        targeting_errors([1, 0], [1, 0], weights=[1, -1])


@st.composite
def selections(draw):
    n = draw(st.integers(1, 40))
    flags = st.lists(st.booleans(), min_size=n, max_size=n)
    weights = draw(st.none() | st.lists(st.integers(0, 9), min_size=n, max_size=n))
    return draw(flags), draw(flags), weights


@PROPERTY_SETTINGS
@given(selections())
def test_error_rates_are_shares_and_coverage_is_one_minus_the_exclusion_error(case):
    selected, eligible, weights = case
    errors = targeting_errors(selected, eligible, weights=weights)
    for name in ("exclusion_error", "inclusion_error", "coverage", "non_eligible_coverage", "program_size"):
        value = getattr(errors, name)
        assert math.isnan(value) or 0 <= value <= 1
    if not math.isnan(errors.coverage):
        assert errors.coverage == pytest.approx(1 - errors.exclusion_error)
    parts = errors.selected_eligible + errors.selected_not_eligible + errors.eligible_not_selected + errors.neither
    assert parts == pytest.approx(errors.population)


@PROPERTY_SETTINGS
@given(selections())
def test_perfect_targeting_makes_no_error(case):
    _, eligible, weights = case
    errors = targeting_errors(eligible, eligible, weights=weights)
    assert errors.exclusion_error == 0 or math.isnan(errors.exclusion_error)  # NaN: nobody eligible
    assert errors.inclusion_error == 0 or math.isnan(errors.inclusion_error)  # NaN: nobody selected
    assert errors.selected_not_eligible == 0 and errors.eligible_not_selected == 0


# Priority lists -----------------------------------------------------------------------------------------------

UNITS = pl.DataFrame({
    "code": ["H05", "H01", "H02", "H03", "H04", "H06", "H07"],
    "score": [0.5, 0.5, 0.5, 0.5, 0.8, None, 0.5],
    "flags": [["widow"], ["widow", "disability"], ["widow"], ["widow"], [], ["widow"], ["widow"]],
    "children_under_5": [1, 0, 2, 1, 0, 3, 1],
    "member_with_disability": [0, 0, 0, 1, 0, 0, 0],
    "registered_at": ["2025-03-01", "2025-05-01", "2025-04-01", "2025-06-01", "2025-01-01", "2025-01-01",
                      "2025-03-01"],
    "zone": ["N", "N", "S", "S", "N", "S", "N"],
})


def test_a_programme_officer_gets_the_documented_order_and_the_quota_line():
    ranked = priority_list(UNITS, quota=3)
    # H04 has the highest score; H01 has two flags; H02 two young children; H03 a member with a disability;
    # H05 and H07 tie on everything but the code; H06 has no score: not ranked.
    assert ranked["code"].to_list() == ["H04", "H01", "H02", "H03", "H05", "H07", "H06"]
    assert ranked["rank"].to_list() == [1, 2, 3, 4, 5, 6, None]
    assert ranked["within_quota"].to_list() == [True, True, True, False, False, False, False]


def test_tie_breaks_given_explicitly_replace_the_defaults_and_must_exist():
    ranked = priority_list(UNITS, tie_breaks=[TieBreak("registered_at")], key="code")
    assert ranked["code"].to_list()[:3] == ["H04", "H05", "H07"]
    with pytest.raises(EngineError, match="'household_size'"):
        priority_list(UNITS, tie_breaks=[TieBreak("household_size", descending=True)])


def test_a_welfare_prediction_ranks_the_lowest_first():
    units = pl.DataFrame({"code": ["a", "b", "c"], "welfare": [900.0, float("nan"), 450.0]})
    ranked = priority_list(units, score="welfare", higher_first=False, tie_breaks=[])
    assert ranked["code"].to_list() == ["c", "a", "b"]
    assert ranked["rank"].to_list() == [1, 2, None]


def test_codes_must_be_unique_and_present():
    with pytest.raises(EngineError, match="'H01' appears more than once"):
        priority_list(pl.DataFrame({"code": ["H01", "H01"], "score": [0.1, 0.2]}))
    with pytest.raises(EngineError, match="every unit needs a code"):
        priority_list(pl.DataFrame({"code": ["H01", None], "score": [0.1, 0.2]}))
    with pytest.raises(EngineError, match="no column 'score'"):
        priority_list(pl.DataFrame({"code": ["H01"]}))


@PROPERTY_SETTINGS
@given(st.lists(st.tuples(st.sampled_from([0.2, 0.4, None]), st.integers(0, 2), st.integers(0, 2)),
                min_size=1, max_size=30), st.randoms())
def test_the_order_does_not_depend_on_the_order_of_the_rows(rows, rng):
    units = pl.DataFrame({
        "code": [f"H{i:02d}" for i in range(len(rows))], "score": [row[0] for row in rows],
        "children_under_5": [row[1] for row in rows], "member_with_disability": [row[2] for row in rows],
    }, schema_overrides={"score": pl.Float64})
    shuffled = units.sample(fraction=1.0, shuffle=True, seed=rng.randint(0, 10**6))
    assert priority_list(units).equals(priority_list(shuffled))


# Quotas -------------------------------------------------------------------------------------------------------

ZONES = pl.DataFrame({"zone": ["A", "B", "C"], "population": [5000, 3000, 2000], "poor": [500.0, 900.0, 600.0]})


def test_places_are_shared_by_largest_remainder():
    table = quotas(ZONES, total=7)
    # Exact shares 3.5, 2.1, 1.4: whole parts 3 + 2 + 1 = 6, the 7th place to the largest remainder (A).
    assert table["exact"].to_list() == pytest.approx([3.5, 2.1, 1.4])
    assert table["quota"].to_list() == [4, 2, 1]
    by_poor = quotas(ZONES, total=10, basis="poor")
    assert by_poor["quota"].to_list() == [2, 5, 3]  # 2.5, 4.5, 3.0: the tie on .5 goes to the larger basis (B)


def test_a_minimum_per_zone_is_given_first_and_the_rest_stays_proportional():
    table = quotas(ZONES, total=7, minimum=2)
    # C's share 1.4 < 2 → C gets 2; then B's share of the 5 left (1.875) < 2 → B gets 2; A gets the last 3.
    assert table["quota"].to_list() == [3, 2, 2]
    assert table["at_minimum"].to_list() == [False, True, True]


def test_impossible_quotas_are_refused():
    with pytest.raises(EngineError, match="more than the 5 to share"):
        quotas(ZONES, total=5, minimum=2)
    with pytest.raises(EngineError, match="nothing to share the places by"):
        quotas(ZONES.with_columns(pl.lit(0).alias("population")), total=3)
    with pytest.raises(EngineError, match="each zone must appear once"):
        quotas(pl.concat([ZONES, ZONES]), total=3)
    with pytest.raises(EngineError, match="zone 'B' needs a number"):
        quotas(ZONES.with_columns(pl.Series("poor", [1.0, -1.0, 2.0])), total=3, basis="poor")
    with pytest.raises(EngineError, match="unknown basis"):
        quotas(ZONES, total=3, basis="income")


@st.composite
def zone_sets(draw):
    count = draw(st.integers(1, 12))
    bases = draw(st.lists(st.integers(0, 10_000), min_size=count, max_size=count))
    if not any(bases):
        bases[0] = 1
    minimum = draw(st.integers(0, 3))
    total = draw(st.integers(minimum * count, minimum * count + 500))
    zones = pl.DataFrame({"zone": [f"Z{i}" for i in range(count)], "population": bases})
    return zones, total, minimum


@PROPERTY_SETTINGS
@given(zone_sets())
def test_quotas_sum_to_the_total_and_stay_within_one_place_of_the_exact_share(case):
    zones, total, minimum = case
    table = quotas(zones, total=total, minimum=minimum)
    assert table["quota"].sum() == total
    assert (table["quota"] >= minimum).all()
    assert ((table["quota"] - table["exact"]).abs() < 1).all()
    if minimum == 0:
        share = np.array(zones["population"].to_list(), dtype=float) / sum(zones["population"])
        assert np.all(np.abs(table["quota"].to_numpy() - total * share) < 1)


@PROPERTY_SETTINGS
@given(zone_sets())
def test_a_zone_with_a_larger_basis_never_gets_fewer_places(case):
    zones, total, minimum = case
    table = quotas(zones, total=total, minimum=minimum)
    basis, quota = table["basis"].to_list(), table["quota"].to_list()
    for i in range(len(basis)):
        for j in range(len(basis)):
            if basis[i] > basis[j]:
                assert quota[i] >= quota[j]
            elif basis[i] == basis[j]:
                assert abs(quota[i] - quota[j]) <= 1


def test_places_are_filled_from_the_top_of_each_zone():
    ranked = priority_list(UNITS)
    places = pl.DataFrame({"zone": ["N", "S"], "quota": [2, 5]})
    chosen = apply_quotas(ranked, places)
    assert chosen.filter("selected")["code"].to_list() == ["H04", "H01", "H02", "H03"]
    assert chosen.filter(pl.col("code") == "H05")["zone_rank"].item() == 3
    # S has 5 places but only 2 ranked households (H06 has no score): 3 places stay unfilled.
    filled = chosen.group_by("zone").agg(pl.col("selected").sum(), pl.col("quota").first()).sort("zone")
    assert filled.rows() == [("N", 2, 2), ("S", 2, 5)]


def test_a_zone_without_quota_gets_no_place():
    chosen = apply_quotas(priority_list(UNITS), pl.DataFrame({"zone": ["N"], "quota": [10]}))
    assert not chosen.filter(pl.col("zone") == "S")["selected"].any()
    with pytest.raises(EngineError, match="each zone must appear once"):
        apply_quotas(priority_list(UNITS), pl.DataFrame({"zone": ["N", "N"], "quota": [1, 1]}))


def test_quotas_by_the_estimated_poor_of_a_measure():
    g0 = np.array([[1, 1], [1, 0], [0, 0], [1, 1], [0, 0], [0, 0]], dtype=float)
    result = alkire_foster(g0, weights=[0.5, 0.5], dimensions=["a", "b"], k=1, se=None,
                           sample_weights=[1, 1, 2, 3, 1, 1], groups={"zone": ["N", "N", "N", "S", "S", "S"]})
    table = zone_table(result)
    assert table.rows() == [("N", 4.0, 1.0), ("S", 5.0, 3.0)]
    assert quotas(table, total=8, basis="poor")["quota"].to_list() == [2, 6]
    with pytest.raises(EngineError, match="not decomposed by 'district'"):
        zone_table(result, "district")


def test_the_whole_chain_is_deterministic_on_a_larger_random_table():
    rng = random.Random(7)
    units = pl.DataFrame({
        "code": [f"H{i:04d}" for i in range(500)], "score": [rng.choice([0.1, 0.3, 0.5, None]) for _ in range(500)],
        "children_under_5": [rng.randint(0, 3) for _ in range(500)], "zone": [rng.choice("NSEW") for _ in range(500)],
    })
    places = quotas(units.group_by("zone").len().rename({"len": "population"}).sort("zone"), total=60)
    first = apply_quotas(priority_list(units), places)
    second = apply_quotas(priority_list(units.reverse()), places)
    assert first.equals(second)
    assert first["selected"].sum() == 60
