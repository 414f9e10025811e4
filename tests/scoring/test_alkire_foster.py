"""Alkire–Foster engine on small data sets computed by hand (an analyst runs the pure engine; no database).

Definitions (Alkire & Foster 2011, J. Public Econ. 95; Alkire et al. 2015, Multidimensional Poverty Measurement
and Analysis, OUP/OPHI, ch. 5): cᵢ = Σⱼ wⱼ gᵢⱼ; poor if cᵢ ≥ k; H = q/n; A = Σ_poor cᵢ / q; M0 = H·A;
censored headcount hⱼ(k) = share poor and deprived in j; contributionⱼ = wⱼ hⱼ(k)/M0.
"""

import itertools
import math

import numpy as np
import pytest

from parcours.scoring.engines import Band, EngineError, alkire_foster, unit_weights

# Four indicators, three dimensions: schooling (1/3), nutrition (1/3), water (1/6), electricity (1/6); k = 1/3.
WEIGHTS = [1 / 3, 1 / 3, 1 / 6, 1 / 6]
DIMENSIONS = ["education", "health", "living", "living"]
NAMES = ["schooling", "nutrition", "water", "electricity"]
G0 = np.array([
    [1, 1, 1, 1],  # h1: c = 1          poor
    [0, 1, 0, 0],  # h2: c = 1/3        poor (exactly at k)
    [1, 0, 1, 0],  # h3: c = 1/2        poor
    [0, 0, 0, 1],  # h4: c = 1/6        not poor: its electricity deprivation is censored
    [0, 0, 0, 0],  # h5: c = 0
    [1, 0, 0, 0],  # h6: c = 1/3        poor
], dtype=float)
ZONES = ["A", "A", "A", "B", "B", "B"]


def run(g0=G0, **options):
    options.setdefault("k", 1 / 3)
    return alkire_foster(g0, weights=WEIGHTS, dimensions=DIMENSIONS, names=NAMES, **options)


def test_an_analyst_gets_h_a_m0_and_contributions_computed_by_hand():
    result = run()
    # q = 4 poor of 6 → H = 2/3. Censored scores 1, 1/3, 1/2, 0, 0, 1/3 sum to 13/6 → M0 = 13/36; A = 13/24.
    assert pytest.approx(2 / 3) == result.H
    assert pytest.approx(13 / 36) == result.M0
    assert pytest.approx(13 / 24) == result.A
    assert result.n == 6 and result.excluded == 0 and result.missing_policy == "exclude"
    assert list(result.poor) == [True, True, True, False, False, True]
    assert result.scores == pytest.approx([1, 1 / 3, 1 / 2, 1 / 6, 0, 1 / 3])
    indicator = result.indicator
    # Uncensored: schooling 3/6, nutrition 2/6, water 2/6, electricity 2/6 (h1, h4).
    assert [indicator[n].uncensored_h for n in NAMES] == pytest.approx([1 / 2, 1 / 3, 1 / 3, 1 / 3])
    # Censored: h4 is not poor, so electricity drops to 1/6.
    assert [indicator[n].censored_h for n in NAMES] == pytest.approx([1 / 2, 1 / 3, 1 / 3, 1 / 6])
    # Σ wⱼhⱼ(k) = 1/6 + 1/9 + 1/18 + 1/36 = 13/36 = M0; contributions 6/13, 4/13, 2/13, 1/13.
    assert [indicator[n].contribution for n in NAMES] == pytest.approx([6 / 13, 4 / 13, 2 / 13, 1 / 13])
    assert [indicator[n].contribution_pct for n in NAMES] == pytest.approx([600 / 13, 400 / 13, 200 / 13, 100 / 13])
    assert result.dimensions == pytest.approx({"education": 600 / 13, "health": 400 / 13, "living": 300 / 13})
    assert result.censored[3].tolist() == [0, 0, 0, 0]  # the non-poor unit's deprivations are censored


def test_an_analyst_decomposes_by_zone_and_the_contributions_add_up():
    result = run(groups={"zone": ZONES})
    zone_a, zone_b = result.groups["zone"]["A"], result.groups["zone"]["B"]
    # A: h1, h2, h3 all poor, censored scores 1 + 1/3 + 1/2 = 11/6 → M0 = 11/18, H = 1, share 1/2.
    assert (zone_a.n, zone_a.population_share, zone_a.H) == (3, 0.5, 1.0)
    assert pytest.approx(11 / 18) == zone_a.M0 and pytest.approx(11 / 18) == zone_a.A
    # B: only h6 poor (1/3) → H = 1/3, M0 = 1/9, A = 1/3.
    assert pytest.approx(1 / 3) == zone_b.H and pytest.approx(1 / 9) == zone_b.M0 and pytest.approx(1 / 3) == zone_b.A
    # Contributions (share · M0_g / M0): 11/13 and 2/13.
    assert zone_a.contribution_pct == pytest.approx(1100 / 13)
    assert zone_b.contribution_pct == pytest.approx(200 / 13)


def test_an_analyst_decomposes_by_two_variables_with_a_missing_value():
    sex = ["f", "m", None, "f", "m", float("nan")]
    result = run(groups={"zone": ZONES, "sex": sex})
    assert set(result.groups) == {"zone", "sex"}
    groups = result.groups["sex"]
    assert set(groups) == {"f", "m", None}  # None and NaN are one "missing" group
    assert groups[None].n == 2
    assert sum(g.population_share * g.M0 for g in groups.values()) == pytest.approx(result.M0)


def test_sampling_weights_give_the_weighted_shares():
    # Weights 2, 1, 1, 1, 3, 2 (total 10): H = (2+1+1+2)/10 = 0.6; M0 = (2·1 + 1/3 + 1/2 + 2·1/3)/10 = 0.35.
    result = run(sample_weights=[2, 1, 1, 1, 3, 2])
    assert pytest.approx(0.6) == result.H
    assert pytest.approx(0.35) == result.M0
    assert pytest.approx(0.35 / 0.6) == result.A
    assert result.population == 10


def test_k_is_inclusive_and_its_bounds_give_union_and_intersection():
    assert pytest.approx(2 / 3) == run(k=0.3333).H  # 1/3 ≥ 0.3333: rounded weights keep the cut-off inclusive
    union = run(k=1e-9)  # any deprivation: h4 joins
    assert pytest.approx(5 / 6) == union.H
    intersection = run(k=1.0)  # deprived in everything: only h1
    assert pytest.approx(1 / 6) == intersection.H and pytest.approx(1) == intersection.A


def test_k_one_still_means_every_indicator_when_weights_are_written_to_four_decimals():
    result = alkire_foster(G0, weights=[0.3333, 0.3333, 0.1667, 0.1666], dimensions=DIMENSIONS, k=1.0)
    assert pytest.approx(1 / 6) == result.H


def test_missing_data_exclude_drops_units_with_any_missing_indicator():
    g0 = G0.copy()
    g0[2, 2] = np.nan  # h3 has no water answer
    result = run(g0, missing="exclude")
    assert (result.n, result.excluded, result.missing_policy) == (5, 1, "exclude")
    assert not result.included[2] and math.isnan(result.scores[2]) and not result.poor[2]
    # Without h3: poor h1, h2, h6; censored scores 1 + 1/3 + 1/3 = 5/3 over 5 units.
    assert pytest.approx(3 / 5) == result.H and pytest.approx(1 / 3) == result.M0


def test_missing_data_reweight_gives_the_dimension_weight_to_the_observed_indicators():
    g0 = G0.copy()
    g0[2, 2] = np.nan  # h3: water missing → electricity carries the whole living weight (1/3) for h3
    g0[4, 0] = np.nan  # h5: schooling missing → education is wholly missing → excluded
    result = run(g0, missing="reweight")
    assert (result.n, result.excluded, result.missing_policy) == (5, 1, "reweight")
    assert result.unit_weights[2].tolist() == pytest.approx([1 / 3, 1 / 3, 0, 1 / 3])
    # h3 is now deprived in schooling only: c = 1/3 → still poor (at k).
    assert result.scores[2] == pytest.approx(1 / 3) and result.poor[2]
    assert math.isnan(result.scores[4])
    # Units h1, h2, h3, h4, h6: censored scores 1, 1/3, 1/3, 0, 1/3 → M0 = 2/5, H = 4/5.
    assert pytest.approx(4 / 5) == result.H and pytest.approx(2 / 5) == result.M0
    # Contributions still add up to 100 % under reweighting.
    assert sum(i.contribution_pct for i in result.indicators) == pytest.approx(100)
    # Water is observed for 4 of the 5 units counted; deprived: h1 → 1/4.
    assert result.indicator["water"].uncensored_h == pytest.approx(1 / 4)


def test_unit_weights_keep_each_dimension_weight():
    observed = np.array([[True, True, True, False], [True, True, False, False]])
    weights = unit_weights(observed, np.array(WEIGHTS), DIMENSIONS)
    assert weights[0].tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 3, 0])
    assert np.isnan(weights[1, 2:]).all()  # living wholly missing


def test_bands_report_vulnerable_and_severe_shares():
    bands = [Band("vulnerable", 0.1, 1 / 3), Band("severe", 0.5)]
    result = run(bands=bands)
    vulnerable, severe = result.bands
    assert (vulnerable.n, severe.n) == (1, 2)  # h4 (1/6); h1 (1) and h3 (1/2, inclusive)
    assert vulnerable.share == pytest.approx(1 / 6) and severe.share == pytest.approx(1 / 3)


def test_nobody_poor_gives_zero_measures_and_undefined_contributions():
    result = run(np.zeros((3, 4)))
    assert (result.H, result.A, result.M0) == (0, 0, 0)
    assert all(math.isnan(i.contribution) for i in result.indicators)


def brute_force_variance(values):
    """Exact variance of the mean over all nⁿ equally likely with-replacement samples of size n (ideal bootstrap)."""
    n = len(values)
    means = [np.mean([values[i] for i in sample]) for sample in itertools.product(range(n), repeat=n)]
    return float(np.var(means))


def test_analytic_standard_errors_match_a_brute_force_enumeration():
    result = run()
    q = result.poor.astype(float)
    c_k = result.scores * q
    n = 6
    # Ideal-bootstrap variance is σ²/n with σ² = Σ(x−x̄)²/n; the analytic formula uses n−1: × n/(n−1).
    assert pytest.approx(brute_force_variance(q) * n / (n - 1)) == result.se.H ** 2
    assert pytest.approx(brute_force_variance(c_k) * n / (n - 1)) == result.se.M0 ** 2
    # By hand: SE(H) = √(H(1−H)/(n−1)) = √(2/45); SE(M0)² = 894/1296/30.
    assert pytest.approx(math.sqrt(2 / 45)) == result.se.H
    assert pytest.approx(math.sqrt(894 / 1296 / 30)) == result.se.M0


def test_weighted_standard_errors_match_the_delta_method_on_the_two_totals():
    rng = np.random.default_rng(3)
    g0 = (rng.random((40, 4)) < 0.4).astype(float)
    s = rng.uniform(0.5, 4, 40)
    result = alkire_foster(g0, weights=WEIGHTS, dimensions=DIMENSIONS, k=1 / 3, sample_weights=s)
    q = result.poor.astype(float)
    for x, se in ((q, result.se.H), (result.scores * q, result.se.M0)):
        # Ratio R = T_x / T_w; Var(T̂) by with-replacement PSUs: n/(n−1)·Σ(uᵢ − ū)(uᵢ − ū)'; gradient by
        # finite differences.
        u = np.column_stack([s * x, s])
        cov = np.cov(u, rowvar=False, ddof=1) * len(s)
        totals = u.sum(axis=0)
        h = 1e-6
        gradient = np.array([(((totals[0] + h) / totals[1]) - totals[0] / totals[1]) / h,
                             ((totals[0] / (totals[1] + h)) - totals[0] / totals[1]) / h])
        assert se == pytest.approx(math.sqrt(gradient @ cov @ gradient), rel=1e-4)


def test_equal_sampling_weights_give_the_simple_random_sampling_errors():
    weighted, simple = run(sample_weights=np.full(6, 7.0)).se, run().se
    assert pytest.approx((simple.H, simple.M0)) == (weighted.H, weighted.M0)


def test_bootstrap_is_seeded_and_close_to_the_analytic_error():
    rng = np.random.default_rng(11)
    g0 = (rng.random((400, 4)) < 0.35).astype(float)
    analytic = alkire_foster(g0, weights=WEIGHTS, dimensions=DIMENSIONS, k=1 / 3)
    boot = alkire_foster(g0, weights=WEIGHTS, dimensions=DIMENSIONS, k=1 / 3, se="bootstrap", replications=400,
                         seed=5)
    again = alkire_foster(g0, weights=WEIGHTS, dimensions=DIMENSIONS, k=1 / 3, se="bootstrap", replications=400,
                          seed=5)
    assert boot.se == again.se
    assert (boot.se.method, boot.se.replications, boot.se.seed) == ("bootstrap", 400, 5)
    assert pytest.approx(analytic.se.H, rel=0.15) == boot.se.H
    assert pytest.approx(analytic.se.M0, rel=0.15) == boot.se.M0


@pytest.mark.parametrize(("options", "message"), [
    ({"weights": [0.5, 0.5, 0.5, 0.5]}, "sum to 1 (they sum to 2"),
    ({"k": 0}, "cut-off k"),
    ({"k": 1.2}, "cut-off k"),
    ({"missing": "impute"}, "missing-data policy"),
    ({"weights": [1 / 3, 1 / 3, 1 / 3]}, "as many weights"),
    ({"se": "jackknife"}, "standard-error method"),
])
def test_inconsistent_inputs_are_refused_with_a_reason(options, message):
    arguments = {"weights": WEIGHTS, "dimensions": DIMENSIONS, "k": 1 / 3, **options}
    with pytest.raises(EngineError, match=message.replace("(", r"\(")):
        alkire_foster(G0, **arguments)


def test_values_other_than_zero_one_and_missing_are_refused():
    with pytest.raises(EngineError, match="0, 1 or NaN"):
        run(np.full((2, 4), 2.0))
