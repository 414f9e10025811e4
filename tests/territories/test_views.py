"""Zone pages and the web import, which runs as a job (inline here: the tests use the immediate backend)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parcours.core.models import Job
from parcours.territories.models import Zone

from ..conftest import login

DATA = Path(__file__).parent / "data"
SQUARE = {"type": "Polygon", "coordinates": [[[10, 36], [11, 36], [11, 37], [10, 37], [10, 36]]]}


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else (DATA / name).read_bytes())


def test_social_worker_browses_from_the_roots_down_with_a_breadcrumb(client, social_worker, zones):
    login(client, social_worker)
    page = client.get(reverse("territories:zone_list")).content.decode()
    assert "Pays démo" in page and "Nord" not in page
    assert 'href="?parent=XK"' in page  # the sub-zone count links one level down

    page = client.get(reverse("territories:zone_list"), {"parent": "XK01"}).content.decode()
    assert "Ville-Haute" in page and "المدينة العليا" in page
    assert "breadcrumb" in page and reverse("territories:zone_list") + "?parent=XK" in page
    assert "Sud" not in page


def test_search_finds_a_zone_by_its_arabic_name(client, social_worker, zones):
    login(client, social_worker)
    page = client.get(reverse("territories:zone_list"), {"q": "الجنوب"}).content.decode()
    assert "XK02" in page and "XK0101" not in page
    page = client.get(reverse("territories:zone_list"), {"q": "ville", "parent": "XK02"}).content.decode()
    assert "XK0101" not in page  # only under the parent


def test_an_unknown_parent_is_a_404(client, social_worker, zones):
    login(client, social_worker)
    assert client.get(reverse("territories:zone_list"), {"parent": "NOPE"}).status_code == 404
    assert client.get(reverse("territories:zone_detail", args=["NOPE"])).status_code == 404
    assert client.get(reverse("territories:zone_list"), {"parent": "X\x00"}).status_code == 404
    assert client.get("/zones/X%00/").status_code == 404


def test_zone_page_shows_ancestors_children_and_outline(client, partner_worker, zones):
    Zone.objects.filter(pk=zones["gov"].pk).update(geometry=SQUARE, population=12345)
    login(client, partner_worker)
    response = client.get(reverse("territories:zone_detail", args=["XK01"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Pays démo" in page and "Ville-Haute" in page
    assert "<svg" in page and "<path d=\"M" in page
    assert "12" in page and "345" in page


def test_anonymous_is_sent_to_sign_in(client, zones):
    response = client.get(reverse("territories:zone_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["manager", "social_worker", "partner_worker", "viewer"])
def test_only_administrators_reach_the_import_page(client, personas, persona):
    login(client, personas[persona])
    assert client.get(reverse("territories:zone_import")).status_code == 403
    response = client.post(reverse("territories:zone_import"), {"file": upload("zones_tn.csv")})
    assert response.status_code == 403
    assert not Zone.objects.exists() and not Job.objects.exists()


def test_admin_uploads_a_csv_and_the_job_page_shows_success_with_counts(client, admin):
    login(client, admin)
    assert "Import zones" in client.get(reverse("territories:zone_list")).content.decode()
    assert client.get(reverse("territories:zone_import")).status_code == 200

    response = client.post(reverse("territories:zone_import"), {"file": upload("zones_tn.csv")})

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == "succeeded" and job.created_by == admin
    assert job.result["counts"] == {"created": 5, "updated": 0, "unchanged": 0}
    assert job.params["file_name"] == "zones_tn.csv"
    assert Zone.objects.count() == 5
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="succeeded"' in page and "100 %" in page
    assert '<div class="value">5</div>' in page
    assert "hx-trigger" not in page  # finished: no more polling

    partial = client.get(reverse("core:job_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b"<html" not in partial.content and b'id="job-status"' in partial.content


def test_a_refused_upload_shows_the_problems_and_offers_the_report(client, admin):
    login(client, admin)
    response = client.post(reverse("territories:zone_import"), {"file": upload("bad_rows.csv")}, follow=True)
    job = Job.objects.get()
    assert job.status == "failed"
    page = response.content.decode()
    assert 'data-status="failed"' in page
    assert "7 problems" in page or "7 problèmes" in page
    assert "TN03" in page
    assert reverse("core:job_problems_csv", args=[job.pk]) in page
    assert not Zone.objects.exists()

    report = client.get(reverse("core:job_problems_csv", args=[job.pk]))
    assert report["Content-Type"].startswith("text/csv")
    lines = report.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 8  # header + 7 problems
    assert lines[5].startswith("bad_rows.csv,7,parent_code,")


def test_an_empty_upload_is_refused_on_the_form(client, admin):
    login(client, admin)
    response = client.post(reverse("territories:zone_import"), {"file": upload("empty.csv", b"")})
    assert response.status_code == 200
    assert not Job.objects.exists()
