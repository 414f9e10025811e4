"""Zone report ("Zone vulnerability diagnostic") as a background job: PDF, XLSX and CSV, from each persona's side.

Personas: ``manager`` of office A (lead: raw figures), ``partner_worker`` of association B (suppressed figures),
``stranger`` of C (no access). Tasks run immediately in tests (settings.test), so the job is finished when the
POST answers; its progress steps are checked through the job runner's callback.
"""

import csv
import io
import re
import subprocess
import unicodedata

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from parcours.core.models import Job
from parcours.insights.reports_tasks import ZONE_REPORT, report_job_create, report_job_run
from tests.conftest import login

from .dashboard_world import dashboard_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(zones, orgs, programme, manager, social_worker):
    return dashboard_world(zones=zones, orgs=orgs, programme=programme, manager=manager, social_worker=social_worker)


def produce(client, user, code="XK01", language="fr", **data) -> Job:
    login(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("insights:report_create", args=["demo", code]), data)
    assert response.status_code == 302, response.content.decode()[:500]
    job = Job.objects.get(kind=ZONE_REPORT, created_by=user)
    assert response["Location"] == reverse("insights:report_status", args=[job.pk])
    return job


def download(client, job, fmt) -> bytes:
    response = client.get(reverse("insights:report_download", args=[job.pk, fmt]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def pdf_text(data: bytes, tmp_path, *extra) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", *extra, str(path), "-"], check=True, capture_output=True, text=True).stdout


def plain(text: str) -> str:
    """Arabic as pdftotext gives it, back to base letters (shaped presentation forms → letters), spaces dropped."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_manager_produces_the_report_and_downloads_pdf_xlsx_and_csv(client, world, manager, tmp_path):
    """The manager asks for Nord's report; the job succeeds and offers the three files; the PDF's text has the
    title, the zone, the map and charts sections and the methodology (model, version, k, suppression, period)."""
    job = produce(client, manager)

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    status = client.get(reverse("insights:report_status", args=[job.pk])).content.decode()
    for fmt in ("pdf", "xlsx", "csv"):
        assert reverse("insights:report_download", args=[job.pk, fmt]) in status
    pdf = download(client, job, "pdf")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    with translation.override("fr"):
        title = gettext("Zone vulnerability diagnostic")
    assert title in text
    assert "Nord" in text and "XK01" in text and "Ville-Basse" in text
    assert "2025-01" in text and "2025-06" in text  # the data period
    assert "k" in text and world["model"].name in text
    left, _right, width = title_extent(pdf, tmp_path)
    assert left < width * 0.1, "the French title does not start at the left margin"


def test_the_arabic_pdf_has_the_arabic_title_and_names_laid_out_right_to_left(client, world, manager, tmp_path):
    """In Arabic, the PDF carries the Arabic title and zone names (shaped text that extracts back to the same
    letters), and the title stands against the right margin."""
    job = produce(client, manager, language="ar")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    pdf = download(client, job, "pdf")

    text = plain(pdf_text(pdf, tmp_path))
    with translation.override("ar"):
        title = gettext("Zone vulnerability diagnostic")
    for words in (title, "الشمال", "المدينة السفلى"):
        wanted = plain(words)
        assert wanted in text or wanted[::-1] in text, f"{words} not found in the Arabic PDF"
    left, right, width = title_extent(pdf, tmp_path)
    assert right > width * 0.85 and left > width * 0.25, "the Arabic title does not stand at the right margin"


def title_extent(pdf: bytes, tmp_path) -> tuple[float, float, float]:
    """Leftmost and rightmost x of the words on the first line of page 1, and the page width (points)."""
    boxes = pdf_text(pdf, tmp_path, "-bbox", "-f", "1", "-l", "1")
    words = [(float(a), float(b), float(c)) for a, b, c in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"', boxes)]
    first_line = [word for word in words if abs(word[1] - words[0][1]) < 2]
    width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))
    return min(w[0] for w in first_line), max(w[2] for w in first_line), width


def test_xlsx_and_csv_hold_the_tables_with_suppressed_cells_as_words_for_a_partner(client, world, partner_worker):
    """The partner's report: the sub-zones table lists Hameau (3 households) with "suppressed" in place of its
    figures, in the XLSX and the CSV alike, and the methodology sheet states the suppression rule."""
    job = produce(client, partner_worker)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message

    book = load_workbook(io.BytesIO(download(client, job, "xlsx")))
    with translation.override("fr"):
        suppressed, sub_zones = gettext("suppressed"), gettext("Sub-zones")
    sheet = book[sub_zones]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["XK0103"][2] == suppressed and rows["XK0103"][8] == suppressed
    # One of the two big delegations is also hidden (secondary suppression: else Nord's total minus it gives
    # Hameau); the other is published with its count.
    published = [rows[code][2] for code in ("XK0101", "XK0102") if rows[code][2] != suppressed]
    assert len(published) == 1 and isinstance(published[0], int) and published[0] >= 5
    methodology = " ".join(str(cell) for row in book.worksheets[0].iter_rows(values_only=True) for cell in row if cell)
    assert "5" in methodology and world["model"].name in methodology

    table = list(csv.reader(io.StringIO(download(client, job, "csv").decode("utf-8-sig"))))
    hameau = next(row for row in table if row[1] == "XK0103")
    assert hameau[3] == suppressed and "3" not in hameau[3:]
    assert sum(1 for row in table if row[0] == sub_zones) == 3


def test_the_manager_report_shows_the_small_zone_unsuppressed(client, world, manager):
    """Staff of the lead organisation get the raw figures: Hameau's 3 households are counted in the XLSX."""
    job = produce(client, manager)
    book = load_workbook(io.BytesIO(download(client, job, "xlsx")))
    with translation.override("fr"):
        sheet = book[gettext("Sub-zones")]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["XK0103"][2] == 3


def test_the_job_reports_its_progress_step_by_step(world, programme, manager):
    """The job moves through figures, PDF, XLSX, CSV and recording, in that order, to 5 of 5."""
    job = report_job_create(actor=manager, programme=programme, zone=world["zones"]["gov"])
    steps = []

    job = report_job_run(job, on_progress=lambda done, total, message: steps.append((done, total)))

    assert job.status == Job.Status.SUCCEEDED
    assert steps == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert (job.progress_done, job.progress_total) == (5, 5)
    assert set(job.result["files"]) == {"pdf", "xlsx", "csv"}


def test_a_report_for_a_zone_without_data_fails_plainly(client, world, manager):
    """Sud has no scored household: the job fails with a message saying so, and offers no file."""
    job = produce(client, manager, code="XK02")
    job.refresh_from_db()

    assert job.status == Job.Status.FAILED
    assert "Sud" in job.message
    assert client.get(reverse("insights:report_download", args=[job.pk, "pdf"])).status_code == 404


def test_a_malformed_period_is_refused_before_any_job(client, world, manager):
    login(client, manager)
    response = client.post(reverse("insights:report_create", args=["demo", "XK01"]), {"period": "2025-13"})
    assert response.status_code == 400
    assert "2025-13" in response.content.decode()
    assert not Job.objects.filter(kind=ZONE_REPORT).exists()


def test_someone_else_cannot_see_or_download_the_report(client, world, manager, partner_worker, stranger):
    """The report's files are its creator's: another user gets 404, and a stranger cannot start one."""
    job = produce(client, manager)
    login(client, partner_worker)
    assert client.get(reverse("insights:report_status", args=[job.pk])).status_code == 404
    assert client.get(reverse("insights:report_download", args=[job.pk, "pdf"])).status_code == 404
    login(client, stranger)
    assert client.post(reverse("insights:report_create", args=["demo", "XK01"])).status_code == 404
