"""Jobs: how work ends up on the job page, and who may see it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse

from parcours.core.exceptions import ApplicationError, Problem
from parcours.core.jobs import job_actor, job_create, job_run
from parcours.core.models import Job

from ..conftest import login


def test_work_that_succeeds_keeps_its_result_and_message(admin):
    job = job_create(kind="test", label="Test", actor=admin)
    seen = []

    def work(progress):
        for done in range(1, 1001):
            progress(done, 1000, "Counting")
        seen.append(Job.objects.get(pk=job.pk).progress_done)
        return {"message": "All counted.", "counts": {"created": 3}}

    job = job_run(job, work)
    assert job.status == "succeeded" and job.message == "All counted." and job.percent == 100
    assert job.result["counts"] == {"created": 3}
    assert seen == [1000]  # the last step is always written, even when throttled
    assert job.started_at and job.finished_at


def test_an_application_error_fails_the_job_with_its_problems(admin):
    def work(progress):
        raise ApplicationError("Two problems.", [Problem("Bad", row=2, field="code", file="f.csv"),
                                                 Problem("Worse", row=3)])

    job = job_run(job_create(kind="test", label="Test", actor=admin), work)
    assert job.status == "failed" and job.message == "Two problems."
    assert job.result["problems"][0] == {"message": "Bad", "file": "f.csv", "row": 2, "field": "code"}


def test_a_refusal_fails_the_job_with_its_reason_and_a_crash_with_a_generic_message(admin, caplog):
    def refused(progress):
        raise PermissionDenied("Only administrators may do this.")

    def crash(progress):
        raise RuntimeError("secret detail")

    assert job_run(job_create(kind="t", label="t", actor=admin), refused).message == \
        "Only administrators may do this."
    crashed = job_run(job_create(kind="t", label="t", actor=admin), crash)
    assert crashed.status == "failed" and "secret detail" not in crashed.message


def test_a_job_started_without_an_account_acts_under_its_label(db):
    job = job_create(kind="t", label="t", actor="cli", input_file=ContentFile(b"x", name="x.csv"))
    assert job.created_by is None and job_actor(job) == "cli"
    assert job.input_file.read() == b"x"


@pytest.fixture
def admin_job(admin):
    def work(progress):
        raise ApplicationError("One problem.", [Problem("Bad", row=2, field="code", file="f.csv")])

    return job_run(job_create(kind="test", label="Import of f.csv", actor=admin), work)


@pytest.mark.parametrize("name", ["job_detail", "job_progress", "job_problems_csv"])
def test_a_job_is_hidden_from_other_users(client, admin_job, manager, name):
    login(client, manager)
    assert client.get(reverse(f"core:{name}", args=[admin_job.pk])).status_code == 404


@pytest.mark.parametrize("name", ["job_detail", "job_progress", "job_problems_csv"])
def test_a_superuser_sees_any_job(client, admin_job, name):
    from ..factories import UserFactory

    login(client, UserFactory(email="root@example.org", is_superuser=True, is_staff=True))
    assert client.get(reverse(f"core:{name}", args=[admin_job.pk])).status_code == 200


def test_anonymous_is_sent_to_sign_in(client, admin_job):
    assert client.get(reverse("core:job_detail", args=[admin_job.pk])).status_code == 302


def test_the_job_list_shows_only_my_jobs(client, admin, admin_job, manager):
    job_create(kind="test", label="Manager's own job", actor=manager)
    login(client, manager)
    page = client.get(reverse("core:job_list")).content.decode()
    assert "Manager&#x27;s own job" in page or "Manager's own job" in page
    assert "Import of f.csv" not in page
    login(client, admin)
    assert "Import of f.csv" in client.get(reverse("core:job_list")).content.decode()


def test_a_running_job_polls_its_progress_every_second(client, admin):
    job = job_create(kind="test", label="Slow", actor=admin)
    Job.objects.filter(pk=job.pk).update(status="running", progress_done=30, progress_total=120)
    login(client, admin)
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert f'hx-get="{reverse("core:job_progress", args=[job.pk])}"' in page
    assert 'hx-trigger="every 1s"' in page
    assert 'aria-valuenow="25"' in page and "width: 25%" in page
    partial = client.get(reverse("core:job_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in partial and "<html" not in partial


def test_the_problem_report_is_a_csv_with_every_problem(client, admin, admin_job):
    login(client, admin)
    response = client.get(reverse("core:job_problems_csv", args=[admin_job.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig").splitlines()[1] == "f.csv,2,code,Bad"
