"""Targeting pages: the programme manager ranks the scored households, shares places among zones, exports both, and
measures targeting errors against a reference list; who may see what.

Personas as in tests/conftest.py. A phone of the programme (``device``, a social worker of organisation A) sends
variants of the example household; the default model scores each on arrival:
- ``H-CLEAN``  (sector TN1101): toilets not shared → c = 0, not poor;
- ``H-TOILET`` and ``H-TOILET2`` (TN1101, TN1102): the example as is → c = 1/18 ≈ 5.6 % (sanitation), not poor —
  equal scores and flags: the one registered first comes first;
- ``H-WOOD`` (TN1102): sanitation and wood for cooking → c = 2/18 ≈ 11.1 %, not poor;
- ``H-HUNGRY`` (TN1102): FIES 6 and sanitation → c = 1/3 + 1/18 = 7/18 ≈ 38.9 %, poor.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from parcours.core.models import AuditEvent
from parcours.registry.models import Household
from parcours.territories.models import Zone

from ..conftest import login
from ..factories import ZoneFactory
from . import test_flow
from .test_flow import example, receive

default_form, device, mpi = test_flow.default_form, test_flow.device, test_flow.mpi

VARIANTS = [  # code, sector, replacements; received in this order
    ("H-TOILET", "TN1101", {}),
    ("H-CLEAN", "TN1101", {"shared": ("<sanitation_shared>yes<", "<sanitation_shared>no<")}),
    ("H-WOOD", "TN1102", {"fuel": ("<cooking_fuel>lpg_gas<", "<cooking_fuel>wood<")}),
    ("H-HUNGRY", "TN1102", {"fies": ("<fies_score>3<", "<fies_score>6<")}),
    ("H-TOILET2", "TN1102", {}),
]
EXPECTED_ORDER = ["H-HUNGRY", "H-WOOD", "H-TOILET", "H-TOILET2", "H-CLEAN"]


@pytest.fixture
def scored(programme, device, mpi, zones):
    ZoneFactory(code="TN1101", parent=zones["deleg"])  # made by default_form: give it a population
    Zone.objects.filter(code="TN1101").update(population=3000)
    zones["gov"].population = 4000
    zones["gov"].save()
    ZoneFactory(code="TN1102", name="Secteur deux", name_ar="القطاع الثاني", population=1000, parent=zones["deleg"])
    for number, (code, sector, changes) in enumerate(VARIANTS):
        xml = example(code=("TN-1101-00042", code), zone=("<zone_code>TN1101<", f"<zone_code>{sector}<"),
                      instance=("6f1c2d3e-4b5a", f"6f1c2d3e-{number:04d}"),
                      nid=("<national_id>01234567<", f"<national_id>0123456{number}<"), **changes)
        received = receive(programme, device, xml)
        assert received.submission.household is not None, received.submission.flags
    return {h.code: h for h in Household.objects.all()}


def get(client, user, name, *args, **params):
    login(client, user)
    return client.get(reverse(name, args=args), params)


def codes_in(text: str) -> list[str]:
    return [code for _, code in sorted((text.index(f">{code}<"), code) for code in EXPECTED_ORDER
                                       if f">{code}<" in text)]


def test_the_manager_sees_households_ranked_with_the_tie_breaks_explained(client, manager, scored):
    response = get(client, manager, "scoring:priority_list", "demo")
    text = response.content.decode()
    assert response.status_code == 200
    assert codes_in(text) == EXPECTED_ORDER
    assert "38.9 %" in text or "38,9 %" in text
    assert "registered earlier" in text and "household code" in text  # the documented tie-breaks


def test_the_manager_filters_by_zone_at_any_level_and_marks_the_places(client, manager, scored, zones):
    text = get(client, manager, "scoring:priority_list", "demo", zone="TN1102", places=2).content.decode()
    assert codes_in(text) == ["H-HUNGRY", "H-WOOD", "H-TOILET2"]
    assert "2 within the places" in text
    governorate = get(client, manager, "scoring:priority_list", "demo", zone="XK01").content.decode()
    assert codes_in(governorate) == EXPECTED_ORDER
    ZoneFactory(code="XK0102", parent=zones["gov"])
    empty = get(client, manager, "scoring:priority_list", "demo", zone="XK0102").content.decode()
    assert codes_in(empty) == [] and "No household has a current score" in empty
    outside = get(client, manager, "scoring:priority_list", "demo", zone="XK02").content.decode()  # not the programme's
    assert codes_in(outside) == [] and "Select a valid choice" in outside


def test_the_list_is_paginated(client, manager, scored, settings):
    settings.PARCOURS_PAGE_SIZE = 2
    first = get(client, manager, "scoring:priority_list", "demo").content.decode()
    third = get(client, manager, "scoring:priority_list", "demo", page=3).content.decode()
    assert codes_in(first) == EXPECTED_ORDER[:2] and codes_in(third) == EXPECTED_ORDER[4:]


def test_the_list_holds_only_households_the_manager_may_see(client, manager, scored, orgs):
    # H-WOOD moves to organisation C (another office took over its file): A's manager no longer sees it.
    Household.objects.filter(code="H-WOOD").update(organisation=orgs["C"])
    text = get(client, manager, "scoring:priority_list", "demo").content.decode()
    assert "H-WOOD" not in text and len(codes_in(text)) == 4


@pytest.mark.parametrize("who, status", [("admin", 200), ("manager", 200), ("social_worker", 403),
                                         ("partner_worker", 404), ("viewer", 404), ("stranger", 404)])
@pytest.mark.parametrize("name", ["scoring:priority_list", "scoring:quotas", "scoring:targeting_errors"])
def test_only_administrators_and_managers_of_the_lead_organisation_use_targeting(client, personas, scored, who,
                                                                                status, name):
    assert get(client, personas[who], name, "demo").status_code == status


@pytest.mark.parametrize("name", ["scoring:priority_export", "scoring:quotas_export"])
def test_exports_are_refused_like_the_pages(client, personas, scored, name):
    for who, status in [("social_worker", 403), ("partner_worker", 404), ("viewer", 404)]:
        assert get(client, personas[who], name, "demo", "csv").status_code == status
    client.logout()
    assert client.get(reverse(name, args=["demo", "csv"])).status_code == 302  # to the login page


def test_the_scoring_pages_link_to_targeting_for_managers_only(client, manager, social_worker, scored, mpi):
    for url in (reverse("scoring:model_list", args=["demo"]), reverse("scoring:model_detail", args=[mpi.pk])):
        login(client, manager)
        assert reverse("scoring:quotas", args=["demo"]) in client.get(url).content.decode()
        login(client, social_worker)
        assert reverse("scoring:quotas", args=["demo"]) not in client.get(url).content.decode()


def test_the_priority_list_exports_as_csv_and_xlsx_with_an_audit_trail(client, manager, scored):
    response = get(client, manager, "scoring:priority_export", "demo", "csv", places=3)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="demo-priority-' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Household"] for row in rows] == EXPECTED_ORDER
    assert [row["Rank"] for row in rows] == ["1", "2", "3", "4", "5"]
    assert [row["Within the places"] for row in rows] == ["yes", "yes", "yes", "no", "no"]
    assert rows[0]["Poor"] == "yes" and float(rows[0]["Score"]) == pytest.approx(7 / 18, abs=1e-6)
    assert "female-headed" in rows[0]["Intersectional flags"]
    book = load_workbook(io.BytesIO(get(client, manager, "scoring:priority_export", "demo", "xlsx",
                                        zone="TN1101").content))
    values = list(book.active.iter_rows(values_only=True))
    assert values[0][:2] == ("Rank", "Household") and [row[1] for row in values[1:]] == ["H-TOILET", "H-CLEAN"]
    events = AuditEvent.objects.filter(action="export", object_type="accounts.programme")
    assert events.count() == 2 and "priority list csv: 5 rows" in events.order_by("id").first().note


def test_quotas_share_the_places_by_population_with_the_largest_remainder(client, manager, scored):
    # Sectors of Ville-Haute: TN1101 (3000 people) and TN1102 (1000). 10 places: exact 7.5 and 2.5; the
    # remainders tie (0.5 each): the larger population wins → 8 and 2. TN1101 has 2 households: 2 filled.
    response = get(client, manager, "scoring:quotas", "demo", total=10, basis="population", within="XK0101")
    text = response.content.decode()
    assert response.status_code == 200
    assert "10 places; 4 filled from 5 households scored." in text
    csv_rows = list(csv.DictReader(io.StringIO(get(
        client, manager, "scoring:quotas_export", "demo", "csv", total=10, basis="population",
        within="XK0101").content.decode("utf-8-sig"))))
    assert [(r["Zone code"], r["Places"], r["Places filled"]) for r in csv_rows] == [("TN1101", "8", "2"),
                                                                                   ("TN1102", "2", "2")]
    assert [float(r["Exact share"]) for r in csv_rows] == [7.5, 2.5]


def test_quotas_by_the_number_of_poor_go_where_the_poor_are(client, manager, scored):
    # Only H-HUNGRY (TN1102) is poor: all 3 places go to TN1102, filled by its three best-ranked households.
    book = load_workbook(io.BytesIO(get(client, manager, "scoring:quotas_export", "demo", "xlsx", total=3,
                                        basis="poor", within="XK0101").content))
    rows = list(book.active.iter_rows(values_only=True))
    header = rows[0]
    table = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [(r["Zone code"], r["Places"], r["Identified as poor"], r["Places filled"]) for r in table] == [
        ("TN1101", 0, 0, 0), ("TN1102", 3, 1, 3)]


def test_bad_quota_inputs_get_a_clear_message(client, manager, scored):
    response = get(client, manager, "scoring:quotas", "demo", total=-3, within="XK0101")
    assert response.status_code == 200 and "greater than or equal to 0" in response.content.decode()
    ZoneFactory(code="TN1103", parent=Household.objects.first().zone.parent)  # no population recorded
    response = get(client, manager, "scoring:quotas", "demo", total=5, within="XK0101")
    assert response.status_code == 422 and "Zone TN1103 has no population" in response.content.decode()
    assert get(client, manager, "scoring:quotas_export", "demo", "pdf", total=5).status_code == 404


def upload(client, user, content: str, **fields):
    login(client, user)
    data = {"model": fields.pop("model", ""), "selection": "poor", **fields,
            "file": SimpleUploadedFile("reference.csv", content.encode(), content_type="text/csv")}
    return client.post(reverse("scoring:targeting_errors", args=["demo"]), data)


def test_targeting_errors_against_a_reference_list(client, manager, scored, mpi):
    # Reference: H-HUNGRY and H-WOOD eligible, the others not; H-NOBODY is unknown. The model selects H-HUNGRY
    # (its only poor household): selected∩eligible 1, selected∖eligible 0, eligible not selected 1 (H-WOOD),
    # neither 3 → exclusion error 1/2 = 50 %, inclusion error 0/1 = 0 %, coverage 50 %, leakage 0 %.
    reference = "code,eligible\nH-HUNGRY,1\nh-wood,yes\nH-TOILET,0\nH-TOILET2,no\nH-CLEAN,false\nH-NOBODY,1\n"
    response = upload(client, manager, reference, model=str(mpi.pk))
    text = response.content.decode()
    assert response.status_code == 200
    assert "5 households compared" in text and "H-NOBODY" in text
    figures = dict(zip(["Exclusion error", "Inclusion error", "Coverage", "Leakage"], ["50.0 %", "0.0 %", "50.0 %",
                                                                                   "0.0 %"], strict=True))
    for name, value in figures.items():
        row = text[text.index(f">{name}<"):]
        assert row.index(value) < row.index("</tr>"), name
    assert "Grosh" in text and "Eligible households not selected ÷ eligible households" in text


def test_targeting_errors_from_a_welfare_measure_and_the_first_places(client, manager, scored, mpi):
    # Eligible: welfare below 100 → H-CLEAN and H-TOILET. Selection: the first 2 of the list (H-HUNGRY, H-WOOD):
    # nobody selected is eligible → exclusion error 100 %, inclusion error 100 %, coverage 0 %.
    reference = "code;welfare\nH-HUNGRY;150\nH-WOOD;120,5\nH-TOILET;90\nH-TOILET2;300\nH-CLEAN;40\n"
    response = upload(client, manager, reference, model=str(mpi.pk), threshold="100", selection="places",
                      places="2")
    text = response.content.decode()
    assert response.status_code == 200 and "5 households compared" in text
    row = text[text.index(">Exclusion error<"):]
    assert row.index("100.0 %") < row.index("</tr>")


@pytest.mark.parametrize("content, fields, words", [
    ("code,welfare\nH-HUNGRY,12\nH-WOOD,abc\n", {"threshold": "100"}, ["“abc” is not a number", ">3<", "welfare"]),
    ("code,eligible\nH-HUNGRY,maybe\n", {}, ["“maybe” is not 1/0", ">2<", "eligible"]),
    ("household_id,eligible\nH-HUNGRY,1\n", {}, ["needs a column “code”"]),
    ("code,score\nH-HUNGRY,1\n", {}, ["column “eligible”"]),
    ("code,welfare\nH-HUNGRY,12\n", {}, ["give the threshold"]),
    ("code,eligible\nH-HUNGRY,1\nH-HUNGRY,0\n", {}, ["already on row 2"]),
    ("", {}, ["empty"]),
])
def test_a_bad_reference_file_gets_a_clear_message_naming_row_and_column(client, manager, scored, mpi, content,
                                                                          fields, words):
    response = upload(client, manager, content, model=str(mpi.pk), **fields)
    text = response.content.decode()
    assert response.status_code == 422
    for word in words:
        assert word in text, word
    assert "households compared" not in text


def test_a_reference_file_that_is_not_utf8_is_refused(client, manager, scored, mpi):
    login(client, manager)
    response = client.post(reverse("scoring:targeting_errors", args=["demo"]), {
        "model": str(mpi.pk), "selection": "poor",
        "file": SimpleUploadedFile("reference.csv", "code,eligible\nH-É,1\n".encode("cp1252"))})
    assert response.status_code == 422 and "not UTF-8" in response.content.decode()
