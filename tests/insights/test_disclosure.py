"""The disclosure layer: no published cell under k, no suppressed cell recoverable from the published totals,
0 % / 100 % hidden on small groups — on random tables (Hypothesis) and on adversarial tiny zones and groups.

Personas: the ``partner_worker`` of B and the donor ``viewer`` of D see suppressed figures; the ``manager`` and
``social_worker`` of A (the lead organisation) see raw ones.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.insights import disclosure
from parcours.insights.figures import zone_figures
from tests.factories import ZoneFactory

from .scored import INDICATORS, install_model, score_household, scored_world

PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def recoverable(atoms: dict, margins: dict, suppressed: dict) -> list:
    """Suppressed atoms whose count follows from the published margins (exact linear algebra, independent of the
    layer's own method: least squares on two different right-hand sides consistent with the published data)."""
    unknowns = [key for key in atoms if key in suppressed]
    if not unknowns:
        return []
    index = {key: i for i, key in enumerate(unknowns)}
    rows = []
    for key, members in margins.items():
        if key in suppressed:
            continue
        row = np.zeros(len(unknowns))
        for member in members:
            if member in index:
                row[index[member]] = 1
        rows.append(row)
    if not rows:
        return []
    matrix = np.array(rows)
    found = []
    for key in unknowns:
        target = np.zeros(len(unknowns))
        target[index[key]] = 1
        # e_key is in the row space iff adding it does not raise the rank.
        if np.linalg.matrix_rank(np.vstack([matrix, target])) == np.linalg.matrix_rank(matrix):
            found.append(key)
    return found


def grid(counts: list[list[int]]):
    """A zones × groups table with its margins, as zone_figures builds it."""
    atoms = {(f"z{i}", f"g{j}"): n for i, row in enumerate(counts) for j, n in enumerate(row) if n > 0}
    margins = {("all", "all"): list(atoms)}
    for i in range(len(counts)):
        margins[(f"z{i}", "all")] = [key for key in atoms if key[0] == f"z{i}"]
    for j in range(len(counts[0])):
        margins[("all", f"g{j}")] = [key for key in atoms if key[1] == f"g{j}"]
    return atoms, {key: members for key, members in margins.items() if members}


tables = st.integers(1, 7).flatmap(lambda rows: st.integers(1, 5).flatmap(lambda cols: st.lists(
    st.lists(st.integers(0, 14), min_size=cols, max_size=cols), min_size=rows, max_size=rows)))


@PROPERTIES
@given(tables, st.integers(2, 10))
def test_no_published_cell_is_under_k_and_no_suppressed_cell_is_recoverable(counts, k):
    atoms, margins = grid(counts)
    if not atoms:
        return
    decision = disclosure.protect(atoms, margins, k=k)
    for key, n in atoms.items():
        if key not in decision.suppressed:
            assert n >= k
    for key, members in margins.items():
        if key not in decision.suppressed:
            assert sum(atoms[m] for m in members) >= k
    assert recoverable(atoms, margins, decision.suppressed) == []
    # Subtraction along every published margin: never exactly one suppressed atom left in it.
    for key, members in margins.items():
        if key not in decision.suppressed:
            assert sum(1 for m in members if m in decision.suppressed) != 1
    assert set(decision.suppressed.values()) <= set(disclosure.REASONS)


@PROPERTIES
@given(st.lists(st.integers(1, 12), min_size=2, max_size=12), st.integers(2, 8))
def test_nested_zone_totals_do_not_give_away_a_suppressed_zone(counts, k):
    # Zones under two parents; each parent's total is published by the table one level up.
    atoms = {(f"p{i % 2}/z{i}", None): n for i, n in enumerate(counts)}
    margins = {("all", None): list(atoms)}
    for parent in ("p0", "p1"):
        members = [key for key in atoms if key[0].startswith(parent + "/")]
        if members:
            margins[("ancestor", parent)] = members
    decision = disclosure.protect(atoms, margins, k=k)
    assert recoverable(atoms, margins, decision.suppressed) == []


def test_a_rate_of_0_or_100_percent_is_hidden_on_a_small_group_only():
    assert disclosure.extreme_rates({"H": 1.0, "severe": 0.0, "vulnerable": 0.5}, n=7, k=5) == {"H", "severe"}
    assert disclosure.extreme_rates({"H": 1.0}, n=10, k=5) == set()


def test_the_classic_case_a_single_small_cell_in_a_row_takes_the_next_smallest_with_it():
    atoms, margins = grid([[3, 20, 8], [30, 40, 50]])
    decision = disclosure.protect(atoms, margins, k=5)
    assert decision.reason(("z0", "g0")) == disclosure.BELOW_K
    assert decision.reason(("z0", "g2")) == disclosure.COMPLEMENTARY  # the next smallest in the row
    assert recoverable(atoms, margins, decision.suppressed) == []


# --- through zone_figures, with the personas ---------------------------------------------------------------------


@pytest.fixture
def tiny(db, zones, orgs, programme, manager, social_worker):
    """An adversarial world: a big delegation, a delegation of 2 households, a delegation of 6 all poor."""
    model = install_model(manager=manager, programme=programme)
    small = ZoneFactory(code="XK0102", name="Hameau", parent=zones["gov"])
    poor = ZoneFactory(code="XK0103", name="Douar", parent=zones["gov"])
    scored_world(social_worker=social_worker, organisation=orgs["A"], programme=programme, model=model,
                 zones=[zones["deleg"]], count=40)
    scored_world(social_worker=social_worker, organisation=orgs["A"], programme=programme, model=model,
                 zones=[small], count=2, seed=8)
    everything = dict.fromkeys(INDICATORS, 1)
    for household in scored_world(social_worker=social_worker, organisation=orgs["A"], programme=programme,
                                  model=model, zones=[poor], count=6, seed=9):
        score_household(household=household, model=model, deprivations=everything)
    return {"model": model, "small": small, "poor": poor}


def test_a_partner_sees_only_suppressed_figures(tiny, programme, zones, partner_worker, manager):
    raw = zone_figures(programme=programme, viewer=manager, zone=zones["gov"])
    rows = {row.zone_code: row for row in raw.rows}
    assert raw.suppression_k is None and rows["XK0102"].n_total == 2 and rows["XK0103"].H == 1.0
    table = zone_figures(programme=programme, viewer=partner_worker, zone=zones["gov"])
    assert table.suppression_k == 5
    rows = {row.zone_code: row for row in table.rows}
    assert rows["XK0102"].n is None and rows["XK0102"].suppressed == {"*": disclosure.BELOW_K}
    # The total is published, so a second zone goes with the tiny one: the smallest, the 6 poor households.
    assert rows["XK0103"].suppressed == {"*": disclosure.COMPLEMENTARY}
    assert table.totals.n_total == 48 and rows["XK0101"].n_total == 40
    published = [row for row in table.rows if not row.is_suppressed]
    assert all(row.n_total >= 5 for row in published)


def test_a_donor_and_the_public_see_the_same_suppression_and_staff_see_raw(tiny, programme, zones, viewer,
                                                                            social_worker):
    for who in (viewer, None):
        table = zone_figures(programme=programme, viewer=who, zone=zones["gov"])
        assert table.suppression_k == 5
        assert {row.zone_code for row in table.rows if row.is_suppressed} == {"XK0102", "XK0103"}
    assert zone_figures(programme=programme, viewer=social_worker, zone=zones["gov"]).suppression_k is None


def test_all_poor_in_a_small_group_is_not_published_as_100_percent(tiny, programme, zones, partner_worker):
    # k = 4: the 6 poor households form a publishable cell, but a small one (6 < 2k): H = 100 % is hidden.
    table = zone_figures(programme=programme, viewer=partner_worker, zone=tiny["poor"], level=2, k=4)
    row = {row.zone_code: row for row in table.rows}["XK0103"]
    assert row.n_total == 6
    assert row.H is None and row.M0 is None and row.suppressed["H"] == disclosure.EXTREME_RATE


@PROPERTIES
@given(tables, st.integers(2, 8))
def test_a_table_by_group_agrees_with_the_table_of_zones_published_beside_it(counts, k):
    atoms, margins = grid(counts)
    totals = {(f"z{i}", "all"): sum(row) for i, row in enumerate(counts) if sum(row) > 0}
    if not totals:
        return
    plain = disclosure.protect(totals, {("all", "all"): list(totals)}, k=k)
    decision = disclosure.protect(atoms, margins, k=k, hidden=plain.suppressed,
                                  shown=[key for key in [*totals, ("all", "all")] if key not in plain.suppressed])
    for key in totals:
        # A zone total published by the zones table is published here too, and one suppressed there stays so.
        assert (key in decision.suppressed) == (key in plain.suppressed)
    # Together, the two tables reveal no suppressed cell: the zones table's published totals are the same
    # equations as this table's published zone margins.
    assert recoverable(atoms, margins, decision.suppressed) == []
