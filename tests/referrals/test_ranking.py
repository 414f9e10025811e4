"""Ranking suggested services on plain data (no database): need, zone coverage, distance, active only."""

import pytest

from parcours.referrals.ranking import Candidate, haversine_km, rank


def test_haversine_paris_london():
    assert haversine_km(48.8566, 2.3522, 51.5074, -0.1278) == pytest.approx(343.5, abs=1.0)
    assert haversine_km(36.8, 10.18, 36.8, 10.18) == 0


def _cand(name, *, terms=(), areas=(), points=(), active=True):
    return Candidate(key=name, name=name, active=active, term_codes=frozenset(terms), area_paths=tuple(areas),
                     points=tuple(points))


def test_need_beats_zone_beats_distance_and_inactive_services_are_left_out():
    candidates = [
        _cand("near, nothing else", points=[(36.801, 10.18)]),
        _cand("covers the zone", areas=["XK/XK01/"]),
        _cand("answers the need, far", terms=["food"], points=[(37.5, 10.18)]),
        _cand("answers the need, covers, near", terms=["food"], areas=["XK/"], points=[(36.81, 10.18)]),
        _cand("closed", terms=["food"], areas=["XK/"], active=False),
    ]
    ranked = rank(candidates, need_code="food", zone_path="XK/XK01/XK0101/", origin=(36.8, 10.18))
    assert [r.candidate.name for r in ranked] == [
        "answers the need, covers, near", "answers the need, far", "covers the zone", "near, nothing else"]
    best = ranked[0]
    assert best.need_match and best.zone_match and best.distance_km == pytest.approx(1.11, abs=0.02)
    assert len(best.reasons) == 3 and "1.1 km" in best.reasons[2]


def test_a_zone_elsewhere_does_not_count_and_no_origin_means_no_distance():
    ranked = rank([_cand("south", areas=["XK/XK02/"], points=[(36.0, 10.0)])], need_code=None,
                  zone_path="XK/XK01/XK0101/", origin=None)
    assert ranked[0].zone_match is False and ranked[0].distance_km is None and ranked[0].score == 0
