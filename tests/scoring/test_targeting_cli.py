"""``parcours targeting export|quotas`` and ``parcours scoring rescore``: the operator exports the tables of the
targeting pages, acting as the programme manager (``--as``); the same households and order as the pages."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from parcours.core.models import AuditEvent
from parcours.scoring.models import Score
from parcours.scoring.services import scoring_model_save

from . import test_flow, test_targeting_pages
from .test_targeting_pages import EXPECTED_ORDER

default_form, device, mpi, scored = (test_flow.default_form, test_flow.device, test_flow.mpi,
                                     test_targeting_pages.scored)


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_priority_list_exports_as_csv_on_the_standard_output(manager, scored):
    rows = list(csv.DictReader(io.StringIO(run("targeting", "export", "--programme", "demo", "--as",
                                               manager.email, "--places", "2"))))
    assert [row["Household"] for row in rows] == EXPECTED_ORDER
    assert [row["Within the places"] for row in rows] == ["yes", "yes", "no", "no", "no"]
    assert AuditEvent.objects.filter(action="export", actor=manager).count() == 1


def test_the_priority_list_of_a_zone_exports_as_xlsx(manager, scored, tmp_path):
    target = tmp_path / "liste.xlsx"
    run("targeting", "export", "--programme", "demo", "--zone", "TN1102", "--format", "xlsx", "--output",
        str(target), "--as", manager.email)
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["H-HUNGRY", "H-WOOD", "H-TOILET2"]


def test_the_quota_table_exports_by_extension(manager, scored, tmp_path):
    target = tmp_path / "quotas.csv"
    run("targeting", "quotas", "--programme", "demo", "--total", "10", "--within", "XK0101", "--output",
        str(target), "--as", manager.email)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [(r["Zone code"], r["Places"], r["Places filled"]) for r in rows] == [("TN1101", "8", "2"),
                                                                               ("TN1102", "2", "2")]


@pytest.mark.parametrize("args, words", [
    (["export", "--programme", "nowhere"], "No programme “nowhere”"),
    (["export", "--programme", "demo", "--zone", "ZZ99"], "No zone with the code ZZ99"),
    (["export", "--programme", "demo", "--format", "xlsx"], "needs --output"),
    (["quotas", "--programme", "demo", "--total", "5", "--within", "XK0101", "--minimum", "4"], "more than the 5"),
])
def test_bad_arguments_get_a_clear_message(manager, scored, args, words):
    with pytest.raises(CommandError, match=words):
        run("targeting", *args, "--as", manager.email)


def test_a_social_worker_may_not_export_the_list(social_worker, scored):
    with pytest.raises(CommandError, match="Only a manager"):
        run("targeting", "export", "--programme", "demo", "--as", social_worker.email)


def test_rescore_after_a_change_of_rules_from_the_command_line(manager, programme, mpi, scored):
    source = mpi.current.source.replace(" or ${sanitation_shared} = 'yes'", "")
    scoring_model_save(actor=manager, programme=programme, source=source, questionnaire=mpi.questionnaire,
                       model=mpi)
    out = run("scoring", "rescore", "--programme", "demo", "--as", manager.email)
    assert "5 households scored with version 2" in out
    assert Score.objects.filter(is_current=True, model_version__version=2).count() == 5
    assert "0 households scored" in run("scoring", "rescore", "--programme", "demo", "--as", manager.email)
