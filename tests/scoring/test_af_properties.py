"""Properties of the Alkire–Foster measures that hold for any data (an analyst relies on them; Hypothesis checks).

Alkire et al. 2015, ch. 5: M0 = H × A; M0 = Σⱼ wⱼ hⱼ(k) (censored headcounts); population-share weighted subgroup
M0s add up to M0 (subgroup decomposability); M0 satisfies dimensional monotonicity; k at its smallest gives the
union identification, k = 1 the intersection.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.scoring.engines import alkire_foster

PROPERTY_SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def data_sets(draw, weighted=None):
    n = draw(st.integers(1, 25))
    d = draw(st.integers(1, 6))
    g0 = np.array(draw(st.lists(st.lists(st.sampled_from([0.0, 1.0]), min_size=d, max_size=d),
                                min_size=n, max_size=n)))
    raw = np.array(draw(st.lists(st.integers(1, 20), min_size=d, max_size=d)), dtype=float)
    dimensions = draw(st.lists(st.sampled_from(["education", "health", "living"]), min_size=d, max_size=d))
    k = draw(st.sampled_from([1e-9, 0.1, 0.25, 1 / 3, 0.5, 0.75, 1.0]))
    if weighted is None:
        weighted = draw(st.booleans())
    sample = np.array(draw(st.lists(st.integers(1, 9), min_size=n, max_size=n)), dtype=float) if weighted else None
    groups = draw(st.lists(st.sampled_from(["north", "south", "east"]), min_size=n, max_size=n))
    return {"g0": g0, "weights": raw / raw.sum(), "dimensions": dimensions, "k": k, "sample_weights": sample,
            "groups": {"zone": groups}}


def measure(case, **changes):
    options = {**case, **changes}
    return alkire_foster(options.pop("g0"), **options)


@PROPERTY_SETTINGS
@given(data_sets())
def test_m0_is_h_times_a(case):
    result = measure(case)
    assert pytest.approx(result.H * result.A, abs=1e-12) == result.M0
    # Weights summing to 1 in floating point may give a score of 1 + 1 ulp: bounds hold to rounding.
    assert 0 <= result.M0 <= result.H + 1e-12 and result.H <= 1
    if result.H > 0:
        assert case["k"] - 1e-9 <= result.A <= 1 + 1e-12


@PROPERTY_SETTINGS
@given(data_sets())
def test_m0_is_the_weighted_sum_of_censored_headcounts(case):
    result = measure(case)
    assert pytest.approx(sum(i.weight * i.censored_h for i in result.indicators), abs=1e-12) == result.M0
    if result.M0 > 0:
        assert sum(i.contribution_pct for i in result.indicators) == pytest.approx(100)
        assert sum(result.dimensions.values()) == pytest.approx(100)


@PROPERTY_SETTINGS
@given(data_sets())
def test_subgroup_contributions_add_up_to_m0(case):
    result = measure(case)
    groups = result.groups["zone"].values()
    assert sum(g.population_share for g in groups) == pytest.approx(1)
    assert sum(g.population_share * g.M0 for g in groups) == pytest.approx(result.M0, abs=1e-12)
    assert sum(g.n for g in groups) == result.n
    if result.M0 > 0:
        assert sum(g.contribution_pct for g in groups) == pytest.approx(100)


@PROPERTY_SETTINGS
@given(data_sets(), st.data())
def test_a_poor_unit_newly_deprived_raises_m0(case, data):
    result = measure(case)
    candidates = [(i, j) for i in np.flatnonzero(result.poor) for j in range(case["g0"].shape[1])
                  if case["g0"][i, j] == 0]
    if not candidates:
        return
    i, j = data.draw(st.sampled_from(candidates))
    worse = case["g0"].copy()
    worse[i, j] = 1
    after = measure(case, g0=worse)
    assert after.M0 > result.M0  # strictly: the unit stays poor and its score rises (sampling weights are > 0)
    assert pytest.approx(result.H) == after.H


@PROPERTY_SETTINGS
@given(data_sets())
def test_k_at_its_bounds_gives_union_and_intersection(case):
    g0 = case["g0"]
    union = measure(case, k=1e-9)
    assert union.poor.tolist() == (g0.sum(axis=1) > 0).tolist()
    intersection = measure(case, k=1.0)
    assert intersection.poor.tolist() == (g0.sum(axis=1) == g0.shape[1]).tolist()


@PROPERTY_SETTINGS
@given(data_sets())
def test_without_missing_data_both_policies_agree(case):
    exclude, reweight = measure(case, missing="exclude"), measure(case, missing="reweight")
    assert (exclude.H, exclude.M0, exclude.excluded) == pytest.approx((reweight.H, reweight.M0, 0))


@st.composite
def with_missing(draw):
    n, d = draw(st.integers(1, 20)), draw(st.integers(1, 5))
    g0 = np.array(draw(st.lists(st.lists(st.sampled_from([0.0, 1.0, np.nan]), min_size=d, max_size=d),
                                min_size=n, max_size=n)))
    dimensions = draw(st.lists(st.sampled_from(["education", "health"]), min_size=d, max_size=d))
    return g0, dimensions, draw(st.sampled_from(["exclude", "reweight"])), draw(st.sampled_from([0.2, 1 / 3, 1.0]))


@PROPERTY_SETTINGS
@given(with_missing())
def test_the_fast_path_of_a_trusted_matrix_gives_the_same_figures(case):
    """apply.measure hands the engine a matrix it built (trusted, consumed in place): same figures as the checks."""
    g0, dimensions, missing, k = case
    options = {"weights": np.full(g0.shape[1], 1 / g0.shape[1]), "dimensions": dimensions, "k": k,
               "missing": missing, "groups": {"g": ["a", "b"] * (g0.shape[0] // 2) + ["a"] * (g0.shape[0] % 2)}}
    try:
        slow = alkire_foster(g0.copy(), **options)
    except ValueError:
        with pytest.raises(ValueError):
            alkire_foster(g0.copy(), trusted=True, consume=True, **options)
        return
    fast = alkire_foster(g0.copy(), trusted=True, consume=True, **options)
    assert (fast.n, fast.excluded) == (slow.n, slow.excluded)
    expected = pytest.approx((slow.H, slow.A, slow.M0), abs=1e-12)
    assert expected == (fast.H, fast.A, fast.M0)
    assert [i.censored_h for i in fast.indicators] == pytest.approx([i.censored_h for i in slow.indicators],
                                                                    abs=1e-12, nan_ok=True)
    assert np.array_equal(fast.poor, slow.poor) and np.allclose(fast.scores, slow.scores, equal_nan=True)
    assert {key: g.M0 for key, g in fast.groups["g"].items()} == pytest.approx(
        {key: g.M0 for key, g in slow.groups["g"].items()}, nan_ok=True)


@st.composite
def tables(draw):
    g0, dimensions, _missing, k = draw(with_missing())
    n = g0.shape[0]
    sample = np.array(draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)), dtype=float)
    zones = draw(st.lists(st.sampled_from(["north", " north", "south ", "", None]), min_size=n, max_size=n))
    return g0, dimensions, k, sample, zones


@PROPERTY_SETTINGS
@given(tables())
def test_the_table_engine_gives_the_numpy_engine_s_figures(case):
    """apply.measure on a table sums in Polars (no per-unit result): the same H, A, M0, headcounts, contributions,
    subgroups (zone values differing by spaces are one group, an empty one missing), standard errors and bands."""
    import polars as pl

    from parcours.scoring.apply import _group_codes
    from parcours.scoring.engines import Band, alkire_foster_frame

    g0, dimensions, k, sample, zones = case
    d = g0.shape[1]
    options = {"weights": np.full(d, 1 / d), "dimensions": dimensions, "k": k, "sample_weights": sample,
               "bands": [Band("vulnerable", 0.2, 1 / 3), Band("severe", 0.5)], "se": "analytic"}
    frame = pl.DataFrame({f"i{j}": g0[:, j] for j in range(d)})
    zone = pl.Series("zone", zones, dtype=pl.Utf8)
    try:
        slow = alkire_foster(g0.copy(), groups={"zone": _group_codes(zone)}, **options)
    except ValueError:
        with pytest.raises(ValueError):
            alkire_foster_frame(frame, groups={"zone": zone}, **options)
        return
    fast = alkire_foster_frame(frame.lazy(), groups={"zone": zone}, height=frame.height, **options)
    assert (fast.n, fast.excluded, fast.population) == (slow.n, slow.excluded, pytest.approx(slow.population))
    expected = pytest.approx((slow.H, slow.A, slow.M0, slow.se.H, slow.se.M0), abs=1e-9, nan_ok=True)
    assert expected == (fast.H, fast.A, fast.M0, fast.se.H, fast.se.M0)
    for mine, theirs in zip(fast.indicators, slow.indicators, strict=True):
        assert pytest.approx((theirs.uncensored_h, theirs.censored_h, theirs.contribution_pct), abs=1e-9,
                             nan_ok=True) == (mine.uncensored_h, mine.censored_h, mine.contribution_pct)
    assert list(fast.groups["zone"]) == list(slow.groups["zone"])
    for key, group in slow.groups["zone"].items():
        other = fast.groups["zone"][key]
        assert other.n == group.n
        assert pytest.approx((group.population_share, group.H, group.M0, group.contribution_pct), abs=1e-9,
                             nan_ok=True) == (other.population_share, other.H, other.M0, other.contribution_pct)
    assert [(b.share, b.n) for b in fast.bands] == [(pytest.approx(b.share, nan_ok=True), b.n) for b in slow.bands]
