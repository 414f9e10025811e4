"""The columnar snapshot: incremental refresh, files another process wrote, compaction, deleted households, a new
model version, and survey sampling weights read from the answers.

Personas: ``manager`` of A (raw figures; changes the model); ``social_worker`` of A registers and re-assesses
households.
"""

import random

import pytest

from parcours.insights import snapshot as snapshots
from parcours.insights.figures import zone_figures
from parcours.insights.snapshot import COMPACT_AFTER, snapshot_forget, snapshot_open, snapshot_refresh
from parcours.questionnaires.models import Submission
from parcours.registry.models import Household
from parcours.scoring.models import Score
from parcours.scoring.services import DEFAULT_MODEL_FILE, scoring_model_save

from .scored import INDICATORS, draw, engine_on, install_model, score_household, scored_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(zones, orgs, programme, manager, social_worker):
    model = install_model(manager=manager, programme=programme)
    households = scored_world(social_worker=social_worker, organisation=orgs["A"], programme=programme, model=model,
                              zones=[zones["deleg"]], count=30)
    return {"model": model, "households": households}


def current(model):
    return list(Score.objects.filter(model=model, is_current=True))


def total_M0(programme, manager):
    return zone_figures(programme=programme, viewer=manager).totals.M0


def test_a_refresh_reads_only_the_changed_scores_and_writes_one_small_delta(world, programme, manager, tmp_path):
    snapshot_open(world["model"])
    rng = random.Random(3)
    for household in world["households"][:4]:
        score_household(household=household, model=world["model"], deprivations=draw(rng)[0])
    outcome = snapshot_refresh(world["model"])
    assert outcome["kind"] == "incremental" and outcome["changed"] == 4 and outcome["rows"] == 30
    # Nothing changed since: the look-back re-reads those rows but writes nothing.
    assert snapshot_refresh(world["model"])["changed"] == 0
    manifest = snapshots._read_manifest(tmp_path / "insights" / str(world["model"].pk))
    assert len(manifest["deltas"]) == 1
    assert total_M0(programme, manager) == pytest.approx(engine_on(current(world["model"])).M0, abs=1e-12)


def test_a_process_catches_up_with_the_deltas_another_process_wrote(world, programme, manager):
    mine = snapshot_open(world["model"])
    mine.cube("sex")  # cubes built before the other process's refresh must be updated too
    before = mine.generation
    snapshot_forget()  # "another process": a fresh snapshot object writes the next delta
    score_household(household=world["households"][0], model=world["model"],
                    deprivations=dict.fromkeys(INDICATORS, 1))
    snapshot_refresh(world["model"])
    snapshot_forget(world["model"])
    snapshots._CACHE[str(world["model"].pk)] = mine  # back to the first process's copy
    mine.checked_at = 0
    table = zone_figures(programme=programme, viewer=manager, by="sex")
    assert mine.generation == before + 1
    expected = engine_on(current(world["model"]))
    assert pytest.approx(expected.M0, abs=1e-12) == table.totals.M0


def test_deltas_are_folded_into_a_new_base_after_a_while(world, programme, manager, tmp_path):
    snapshot_open(world["model"])
    rng = random.Random(5)
    kinds = []
    for index in range(COMPACT_AFTER):
        household = world["households"][index % len(world["households"])]
        score_household(household=household, model=world["model"], deprivations=draw(rng)[0])
        kinds.append(snapshot_refresh(world["model"])["kind"])
    assert kinds[-1] == "compacted" and set(kinds[:-1]) == {"incremental"}
    folder = tmp_path / "insights" / str(world["model"].pk)
    assert sorted(path.name.split("-")[0] for path in folder.glob("*.parquet")) == ["base", "base"]  # rows, cubes
    snapshot_forget()
    assert total_M0(programme, manager) == pytest.approx(engine_on(current(world["model"])).M0, abs=1e-12)


def test_a_deleted_household_leaves_the_figures_at_the_periodic_refresh(world, programme, manager):
    snapshot_open(world["model"])
    Household.objects.filter(pk=world["households"][0].pk).delete()
    outcome = snapshot_refresh(world["model"])  # what `parcours diagnostics refresh` runs
    assert outcome["rows"] == 29
    assert zone_figures(programme=programme, viewer=manager).totals.n_total == 29
    snapshot_forget()  # the removal is in the files too
    assert zone_figures(programme=programme, viewer=manager).totals.n_total == 29


def test_a_new_model_version_rebuilds_the_snapshot(world, programme, manager):
    snapshot_open(world["model"])
    source = DEFAULT_MODEL_FILE.read_text(encoding="utf-8").replace("k: 1/3", "k: 1/2", 1)
    assert "k: 1/2" in source
    model = scoring_model_save(actor=manager, programme=programme, source=source,
                               questionnaire=world["model"].questionnaire, model=world["model"])
    assert model.version == 2
    table = zone_figures(programme=programme, viewer=manager)
    assert table.k == pytest.approx(0.5) and table.model_version == 2
    # The households keep the deprivations they were scored with; identification follows the new cut-off.
    scores = current(world["model"])
    assert pytest.approx(sum(1 for s in scores if s.value is not None and s.value >= 0.5 - 1e-9)
                                           / sum(1 for s in scores if s.value is not None), abs=1e-12) == table.totals.H


def test_sampling_weights_from_the_answers_weigh_each_household(world, programme, manager, orgs):
    questionnaire = world["model"].questionnaire
    questionnaire.mapping = {**(questionnaire.mapping or {}), "sampling_weight": "weight"}
    questionnaire.save(update_fields=["mapping"])
    rng = random.Random(11)
    for index, score in enumerate(current(world["model"])):
        weight = round(rng.uniform(0.5, 4), 3)
        submission = Submission.objects.create(programme=programme, instance_id=f"uuid:w{index}", xml="<x/>",
                                               xml_md5="0" * 32, data={"weight": str(weight)}, channel="web")
        Score.objects.filter(pk=score.pk).update(submission=submission)
    world["model"].refresh_from_db()
    snapshots.snapshot_rebuild(world["model"])
    scores = current(world["model"])
    for score in scores:
        score.sampling_weight = float(score.submission.data["weight"])
    expected = engine_on(scores)
    total = zone_figures(programme=programme, viewer=manager).totals
    assert total.population == pytest.approx(expected.population)
    assert pytest.approx(expected.H, abs=1e-12) == total.H and pytest.approx(expected.M0, abs=1e-12) == total.M0
    assert total.se_M0 == pytest.approx(expected.se.M0, abs=1e-12)
    assert total.n == expected.n  # households, not weighted


def test_a_web_process_follows_the_periodic_refresh_holding_only_the_cubes(world, programme, manager, settings):
    settings.PARCOURS_INSIGHTS_REFRESH_SECONDS = 3600  # pages never ask the database: cron refreshes
    snapshot_refresh(world["model"])
    snapshot_forget()
    reader = snapshot_open(world["model"])  # loaded from the files
    assert reader.rows_frame is None
    snapshot_forget()
    score_household(household=world["households"][1], model=world["model"],
                    deprivations=dict.fromkeys(INDICATORS, 1))
    snapshot_refresh(world["model"])  # "parcours diagnostics refresh" in another process
    snapshots._CACHE[str(world["model"].pk)] = reader
    table = zone_figures(programme=programme, viewer=manager)
    assert reader.rows_frame is None and len(reader.files) == 2
    assert pytest.approx(engine_on(current(world["model"])).M0, abs=1e-12) == table.totals.M0
