"""Scored households for zone diagnostics tests (shared by the insights tests; not a test module).

``scored_world(...)`` publishes the default questionnaire and MPI model to the programme (through the services),
creates households through the registry service and gives each a current score as the scoring service stores it:
deprivations per indicator (1, 0 or missing), the profile columns, and the engine's score and identification.
Drawing answers and scoring real submissions for hundreds of households would make each test take minutes; the
flow from submission to score is tested in tests/scoring/test_flow.py.
"""

from __future__ import annotations

import datetime
import random

import numpy as np
from django.utils import timezone

from parcours.questionnaires.services import default_questionnaire_deploy
from parcours.registry import services as registry
from parcours.scoring.engines import NoUnitsError, alkire_foster
from parcours.scoring.engines.common import Band
from parcours.scoring.models import Score
from parcours.scoring.services import default_model_install
from tests.factories import member

INDICATORS = ["food_insecurity", "years_of_schooling", "school_attendance", "cooking_fuel", "sanitation",
              "drinking_water", "electricity", "housing", "assets"]
WEIGHTS = [1 / 3, 1 / 6, 1 / 6, 1 / 18, 1 / 18, 1 / 18, 1 / 18, 1 / 18, 1 / 18]
DIMENSIONS = ["health", "education", "education"] + ["living_standards"] * 6


def install_model(*, manager, programme):
    version = default_questionnaire_deploy(actor=manager, programme=programme)
    return default_model_install(actor=manager, programme=programme, questionnaire=version.questionnaire)


def score_household(*, household, model, deprivations: dict, profile: dict | None = None,
                    assessed_on: datetime.date | None = None) -> Score:
    """Give ``household`` a new current score under ``model`` (the previous one stops being current)."""
    g0 = np.array([[np.nan if deprivations.get(name) is None else float(deprivations[name])
                    for name in INDICATORS]])
    try:
        result = alkire_foster(g0, weights=WEIGHTS, dimensions=DIMENSIONS, names=INDICATORS, k=1 / 3,
                               missing="reweight", se=None)
    except NoUnitsError:  # a whole dimension unanswered: not measured
        result = None
    value = None if result is None or not result.included[0] else float(result.scores[0])
    poor = None if value is None else bool(result.poor[0])
    earlier = Score.objects.filter(household=household, model=model)
    baseline = not earlier.exists()
    earlier.filter(is_current=True).update(is_current=False, updated_at=timezone.now())
    profile = profile or {}
    return Score.objects.create(
        household=household, model=model, model_version=model.current, computed_at=timezone.now(),
        assessed_on=assessed_on or datetime.date(2025, 3, 15), value=value, is_poor=poor,
        deprivations={name: deprivations.get(name) for name in INDICATORS}, zone=household.zone,
        head_sex=profile.get("head_sex", "F"), head_age_group=profile.get("head_age_group", "18_59"),
        household_size=profile.get("household_size", 4),
        member_with_disability=profile.get("member_with_disability", False),
        migrant_or_displaced=profile.get("migrant_or_displaced", False), is_current=True, is_baseline=baseline,
    )


def draw(rng: random.Random) -> tuple[dict, dict]:
    """Random deprivations (some missing) and profile."""
    deprivations = {}
    for name in INDICATORS:
        roll = rng.random()
        deprivations[name] = None if roll < 0.05 else int(roll < 0.45)
    profile = {"head_sex": rng.choice("FFM"), "head_age_group": rng.choice(["18_59", "18_59", "60_plus", "under_18"]),
               "household_size": rng.randint(1, 9), "member_with_disability": rng.random() < 0.2,
               "migrant_or_displaced": rng.random() < 0.15}
    return deprivations, profile


def scored_world(*, social_worker, organisation, programme, model, zones: list, count: int, seed: int = 7,
                 months: tuple = (1, 2, 3, 4, 5, 6)) -> list:
    """``count`` households spread over ``zones``, each scored once; returns the households."""
    rng = random.Random(seed)
    households = []
    for index in range(count):
        zone = zones[index % len(zones)]
        household = registry.household_create(actor=social_worker, organisation=organisation, zone=zone,
                                              programme=programme, code=f"HX{seed}{index:05d}", members=[member()])
        deprivations, profile = draw(rng)
        score_household(household=household, model=model, deprivations=deprivations, profile=profile,
                        assessed_on=datetime.date(2025, rng.choice(months), rng.randint(1, 28)))
        households.append(household)
    return households


def engine_on(scores):
    """The engine run directly on the deprivations of ``scores`` (what the figures must equal)."""
    g0 = np.array([[np.nan if s.deprivations.get(n) is None else float(s.deprivations[n]) for n in INDICATORS]
                   for s in scores])
    bands = [Band("vulnerable", 0.2, 1 / 3), Band("poor", 1 / 3, 0.5), Band("severe", 0.5)]
    weights = [getattr(s, "sampling_weight", 1.0) for s in scores]
    return alkire_foster(g0, weights=WEIGHTS, dimensions=DIMENSIONS, names=INDICATORS, k=1 / 3, missing="reweight",
                         bands=bands, sample_weights=weights)
