"""Zone figures equal the Alkire–Foster engine on the same households, and ``parcours mpi`` on their CSV export.

Personas: the programme ``manager`` of organisation A (sees raw figures); ``social_worker`` of A registers the
households; ``partner_worker`` of B sees suppressed figures.
"""

import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from parcours.core.exceptions import ApplicationError
from parcours.insights.figures import zone_figures
from parcours.insights.services import diagnostic_export_csv
from parcours.insights.snapshot import snapshot_forget, snapshot_refresh
from parcours.scoring.models import Score
from tests.factories import ZoneFactory

from .scored import INDICATORS, engine_on, score_household, scored_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(zones, orgs, programme, manager, social_worker):
    from .scored import install_model

    model = install_model(manager=manager, programme=programme)
    second = ZoneFactory(code="XK0102", name="Ville-Basse", name_ar="المدينة السفلى", parent=zones["gov"])
    households = scored_world(social_worker=social_worker, organisation=orgs["A"], programme=programme, model=model,
                              zones=[zones["deleg"], second, zones["deleg"], zones["gov"]], count=90)
    return {"model": model, "households": households, "zones": {**zones, "second": second}}


def current(model, **filters):
    return list(Score.objects.filter(model=model, is_current=True, **filters))


def test_manager_sees_per_zone_figures_equal_to_the_engine_on_the_same_households(world, programme, manager):
    table = zone_figures(programme=programme, viewer=manager, zone=world["zones"]["gov"])
    assert table.suppression_k is None
    by_zone = {row.zone_code: row for row in table.rows}
    for code, zone in (("XK0101", world["zones"]["deleg"]), ("XK0102", world["zones"]["second"])):
        expected = engine_on(current(world["model"], zone=zone))
        row = by_zone[code]
        assert row.n == expected.n and row.n_total == expected.n_total
        assert pytest.approx(expected.H, abs=1e-12) == row.H
        assert pytest.approx(expected.A, abs=1e-12) == row.A
        assert pytest.approx(expected.M0, abs=1e-12) == row.M0
        assert row.se_H == pytest.approx(expected.se.H, abs=1e-12)
        assert row.se_M0 == pytest.approx(expected.se.M0, abs=1e-12)
        assert row.ci_H[0] <= row.H <= row.ci_H[1]
        for indicator in expected.indicators:
            assert row.censored[indicator.name] == pytest.approx(indicator.censored_h, abs=1e-12)
            assert row.uncensored[indicator.name] == pytest.approx(indicator.uncensored_h, abs=1e-12)
            assert row.contributions[indicator.name] == pytest.approx(indicator.contribution_pct, abs=1e-9)
        shares = {band.name: band.share for band in expected.bands}
        assert row.vulnerable == pytest.approx(shares["vulnerable"]) and row.severe == pytest.approx(shares["severe"])
    # The households registered at the governorate itself are above the delegation level: their own row.
    above = engine_on(current(world["model"], zone=world["zones"]["gov"]))
    assert by_zone[""].n_total == above.n_total
    total = engine_on(current(world["model"]))
    assert table.totals.n_total == 90 and pytest.approx(total.M0, abs=1e-12) == table.totals.M0


def test_figures_by_group_and_period_equal_the_engine_on_that_subset(world, programme, manager):
    table = zone_figures(programme=programme, viewer=manager, zone=world["zones"]["gov"], by="sex",
                         period="2025-Q1")
    scores = [s for s in current(world["model"]) if s.assessed_on <= datetime.date(2025, 3, 31)]
    for row in table.rows:
        subset = [s for s in scores if (row.group is None or s.head_sex == row.group)
                  and (row.zone_path is None or (s.zone.path.startswith(row.zone_path) if row.zone_path else
                                                 s.zone.level < 2))]
        expected = engine_on(subset)
        assert row.n_total == expected.n_total
        assert pytest.approx(expected.M0, abs=1e-12) == row.M0
        assert pytest.approx(expected.H, abs=1e-12) == row.H


def test_a_new_score_reaches_the_figures_after_an_incremental_refresh(world, programme, manager):
    before = zone_figures(programme=programme, viewer=manager, zone=world["zones"]["gov"])
    household = world["households"][0]
    score_household(household=household, model=world["model"], deprivations=dict.fromkeys(INDICATORS, 1))
    outcome = snapshot_refresh(world["model"])
    assert outcome["kind"] == "incremental" and outcome["changed"] >= 1
    after = zone_figures(programme=programme, viewer=manager, zone=world["zones"]["gov"])
    expected = engine_on(current(world["model"]))
    assert after.totals.n_total == before.totals.n_total == 90
    assert pytest.approx(expected.M0, abs=1e-12) == after.totals.M0
    # A process that starts afresh reads the base and delta files to the same figures.
    snapshot_forget()
    again = zone_figures(programme=programme, viewer=manager, zone=world["zones"]["gov"])
    assert pytest.approx(expected.M0, abs=1e-12) == again.totals.M0


def test_the_export_run_through_parcours_mpi_gives_the_same_figures(world, programme, manager, tmp_path):
    csv_path, model_path = tmp_path / "households.csv", tmp_path / "model.yaml"
    call_command("diagnostics", "export-csv", str(csv_path), "--programme", programme.slug, "--model-file",
                 str(model_path), "--as", manager.email, stdout=io.StringIO())
    out = io.StringIO()
    call_command("mpi", str(csv_path), "--model", str(model_path), "--by", "zone_level_2", "--by", "head_sex",
                 "--format", "json", stdout=out)
    mpi = json.loads(out.getvalue())
    table = zone_figures(programme=programme, viewer=manager)  # level 1: the governorate
    total = table.totals
    assert mpi["n"] == total.n
    assert mpi["H"] == pytest.approx(total.H, abs=1e-12) and mpi["M0"] == pytest.approx(total.M0, abs=1e-12)
    assert mpi["se"]["M0"] == pytest.approx(total.se_M0, abs=1e-12)
    for name, figures in mpi["indicators"].items():
        assert figures["censored_h"] == pytest.approx(total.censored[name], abs=1e-12)
        assert figures["contribution_pct"] == pytest.approx(total.contributions[name], abs=1e-9)
    by_zone = zone_figures(programme=programme, viewer=manager, zone=world["zones"]["gov"])
    for row in by_zone.rows:
        if row.zone_code:
            group = mpi["groups"]["zone_level_2"][row.zone_code]
            assert group["n"] == row.n and group["M0"] == pytest.approx(row.M0, abs=1e-12)
    by_sex = zone_figures(programme=programme, viewer=manager, by="sex")
    for row in by_sex.rows:
        if row.zone_path is None and row.group:
            assert mpi["groups"]["head_sex"][row.group]["H"] == pytest.approx(row.H, abs=1e-12)


def test_a_zone_with_no_scored_household_says_so(world, programme, manager):
    with pytest.raises(ApplicationError, match="No scored household"):
        zone_figures(programme=programme, viewer=manager, zone=world["zones"]["other"])
    with pytest.raises(ApplicationError, match="not a period"):
        zone_figures(programme=programme, viewer=manager, period="last spring")
    with pytest.raises(ApplicationError, match="not a population group"):
        zone_figures(programme=programme, viewer=manager, by="religion")


def test_the_export_is_for_the_lead_organisations_staff_only(world, programme, partner_worker, tmp_path):
    with pytest.raises(PermissionDenied):
        diagnostic_export_csv(actor=partner_worker, programme=programme, csv_file=tmp_path / "x.csv")
    with pytest.raises(CommandError):
        call_command("diagnostics", "export-csv", str(tmp_path / "x.csv"), "--programme", programme.slug, "--as",
                     partner_worker.email)
    assert not (tmp_path / "x.csv").exists()


def test_the_cli_prints_figures_as_the_named_account_sees_them(world, programme, partner_worker, manager):
    out = io.StringIO()
    call_command("diagnostics", "refresh", "--programme", programme.slug, stdout=out)
    assert json.loads(out.getvalue().splitlines()[0])["rows"] == 90
    out = io.StringIO()
    call_command("diagnostics", "figures", "--programme", programme.slug, "--zone", "XK01", "--as",
                 partner_worker.email, "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["suppression_k"] == 5
    out = io.StringIO()
    call_command("diagnostics", "figures", "--programme", programme.slug, "--zone", "XK01", "--by", "sex", "--as",
                 manager.email, stdout=out)
    assert "Ville-Basse" in out.getvalue() and "none (raw figures)" in out.getvalue()
