"""The import page: a manager uploads an export, a job runs it (inline: the tests use the immediate backend)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parcours.core.models import Job
from parcours.questionnaires.models import Submission

from ...conftest import login
from .conftest import data, kobo_member_row, kobo_workbook


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def page_url(form_version):
    return reverse("submission_imports:submission_import", args=[form_version.questionnaire_id])


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_manager_finds_the_import_on_the_questionnaire_page(client, manager, social_worker, mini_form):
    detail = reverse("questionnaires:questionnaire_detail", args=[mini_form.questionnaire_id])
    assert page_url(mini_form) in login(client, manager).get(detail).content.decode()
    client.logout()
    assert page_url(mini_form) not in login(client, social_worker).get(detail).content.decode()


@pytest.mark.parametrize(("persona", "status"), [
    ("social_worker", 403), ("partner_worker", 403), ("viewer", 404), ("stranger", 404)])
def test_others_cannot_import(client, personas, persona, status, mini_form):
    login(client, personas[persona])
    assert client.get(page_url(mini_form)).status_code == status
    response = client.post(page_url(mini_form), {"files": [upload(*data("kobo_mini.csv"))],
                                                  "version": mini_form.version})
    assert response.status_code == status
    assert not Job.objects.exists() and not Submission.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, mini_form):
    response = client.get(page_url(mini_form))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_manager_imports_a_kobo_workbook_and_follows_the_job(client, manager, mini_form):
    login(client, manager)
    page = client.get(page_url(mini_form)).content.decode()
    assert "2026110101 (current)" in page and 'type="file"' in page and "multiple" in page

    response = client.post(page_url(mini_form), {"files": [upload("kobo.xlsx", kobo_workbook())],
                                                 "version": mini_form.version})

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.kind == "submissions_import" and job.created_by == manager
    assert job.status == "succeeded", job.result
    assert job.result["counts"]["created"] == 2
    # The progress ends on the import phase: every main row was sent.
    assert (job.progress_done, job.progress_total, job.message) == (2, 2, "2 created, 0 already received, 0 in "
                                                                          "quarantine, 0 refused.")
    assert Submission.objects.filter(channel="import").count() == 2
    detail = client.get(response["Location"]).content.decode()
    assert 'data-status="succeeded"' in detail and "2 created" in detail
    partial = client.get(reverse("core:job_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b"<html" not in partial.content and b'id="job-status"' in partial.content
    # The page lists the manager's recent imports.
    assert reverse("core:job_detail", args=[job.pk]) in client.get(page_url(mini_form)).content.decode()


def test_manager_uploads_the_central_files_together(client, manager, mini_form):
    login(client, manager)
    client.post(page_url(mini_form), {"files": [upload(*data("central/mini_menage.csv")),
                                                upload(*data("central/mini_menage-member.csv"))],
                                      "version": mini_form.version})
    job = Job.objects.get()
    assert job.status == "succeeded", job.result
    assert job.params["file_names"] == ["mini_menage.csv", "mini_menage-member.csv"]
    assert job.result["files"] == ["mini_menage.csv", "mini_menage-member.csv"]
    assert Submission.objects.get(instance_id__endswith="0001").data["roster/member"][1]["given_name"] == "Sami"


def test_a_refused_import_shows_every_problem_and_offers_the_report(client, manager, mini_form):
    login(client, manager)
    members = [kobo_member_row(1, 1, "Fatma", "F", "head"), kobo_member_row(2, 5, "Orphan", "M", "child"),
               kobo_member_row(3, 2, "Youssef", "M", "head", age="vingt")]
    response = client.post(page_url(mini_form), {"files": [upload("kobo.xlsx", kobo_workbook(member_rows=members))],
                                                  "version": mini_form.version}, follow=True)
    job = Job.objects.get()
    assert job.status == "failed"
    assert job.message == "The files have 2 problem(s): nothing was imported."
    page = response.content.decode()
    assert 'data-status="failed"' in page and "2 problems" in page
    assert "kobo.xlsx [member]" in page
    assert not Submission.objects.exists()

    report = client.get(reverse("core:job_problems_csv", args=[job.pk]))
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("kobo.xlsx [member],3,_parent_index,")
    assert lines[2].startswith("kobo.xlsx [member],4,roster/member/age_declared,")


def test_unknown_columns_ignored_when_asked(client, manager, mini_form):
    login(client, manager)
    content = b"consent,ident/hh_code,ident/zone_code,remarks\nyes,HH-W001,XK0101,ok\n"
    client.post(page_url(mini_form), {"files": [upload("extra.csv", content)], "version": mini_form.version,
                                      "ignore_unknown_columns": "on"})
    job = Job.objects.get()
    assert job.status == "succeeded" and job.result["counts"]["created"] == 1
    assert job.result["problems"][0]["field"] == "remarks"


def test_a_file_of_another_kind_is_refused_on_the_form(client, manager, mini_form):
    login(client, manager)
    response = client.post(page_url(mini_form), {"files": [upload("notes.pdf", b"%PDF-1.4")],
                                                  "version": mini_form.version})
    assert response.status_code == 400
    assert "is not a CSV, XLSX or ZIP file" in response.content.decode()
    assert not Job.objects.exists()
