"""The default questionnaire (Fiche socio-économique) imported from synthetic Kobo and Central exports (manager)."""

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook

from parcours.questionnaires.models import Submission
from parcours.questionnaires.services import default_questionnaire_deploy
from parcours.registry.models import Household

from .conftest import run

synthetic = pytest.importorskip("bench.synthetic")


@pytest.fixture
def default_form(manager, programme, zones):
    return default_questionnaire_deploy(actor=manager, programme=programme)


@pytest.fixture
def households():
    return list(synthetic.submissions(4, zones=["XK0101"], seed=7))


def _tables(rows, headers) -> dict[str, list[list[str]]]:
    tables = {name: [header] for name, header in headers.items()}
    for name, row in rows:
        tables[name].append(row)
    return tables


def test_kobo_workbook_of_the_default_questionnaire(manager, default_form, households):
    book = Workbook(write_only=True)
    for title, rows in _tables(synthetic.to_kobo_rows(households), synthetic.kobo_headers()).items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    result = run(manager, default_form, ("kobo.xlsx", buffer.getvalue()))
    assert result["counts"]["created"] == 4 and result["counts"]["quarantined"] == 0, result["problems"]
    for instance_id, answers in households:
        submission = Submission.objects.get(instance_id=instance_id)
        assert submission.status == Submission.Status.PROJECTED
        assert len(submission.data["roster/member"]) == len(answers["roster/member"])
        assert submission.data["assets/assets"] == answers["assets/assets"]
        household = Household.objects.get(code=answers["ident/hh_code"])
        assert household.members.count() == len(answers["roster/member"])


def test_central_zip_of_the_default_questionnaire_without_then_with_choice_columns(manager, default_form,
                                                                                households):
    for split in (False, True):
        buffer = io.BytesIO()
        tables = _tables(synthetic.to_central_rows(households, split_multiple=split),
                         synthetic.central_headers(split_multiple=split))
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, rows in tables.items():
                text = io.StringIO()
                csv.writer(text).writerows(rows)
                archive.writestr(f"{name}.csv", text.getvalue())
        result = run(manager, default_form, ("central.zip", buffer.getvalue()))
        # The second import holds the same answers: nothing new.
        expected = {"created": 0 if split else 4, "duplicates": 4 if split else 0, "quarantined": 0}
        assert {key: result["counts"][key] for key in expected} == expected, result["problems"]
    assert Household.objects.count() == 4
