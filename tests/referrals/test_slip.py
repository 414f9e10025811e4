"""The printed slip for an organisation outside Parcours: a PDF with a French page and an Arabic page.

Read back with ``pdftotext`` (poppler-utils); the pages are also rendered to PNG in var/screenshots/ for people
to look at the Arabic shaping and right-to-left layout.
"""

import shutil
import subprocess

import pytest
from django.urls import reverse

from parcours.referrals import services
from parcours.referrals.slips import slip_pdf

from ..browser_support import SCREENSHOTS
from ..conftest import login

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is missing")


def _text(pdf: bytes, tmp_path, page: int) -> str:
    path = tmp_path / "slip.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
                          check=True, capture_output=True, text=True).stdout


@needs_poppler
def test_the_slip_has_a_french_page_and_an_arabic_page(send, social_worker, tmp_path):
    referral = send("workshop", slip_consent=True, fields=["given_name", "family_name", "phone", "need"])
    code = services.referral_slip_issue(actor=social_worker, referral=referral)
    pdf = slip_pdf(referral, code)
    assert pdf.startswith(b"%PDF")
    french, arabic = _text(pdf, tmp_path, 1), _text(pdf, tmp_path, 2)
    # French page: the service and organisation under their French names, the need's French name, the code.
    for words in ("Apprentissage en atelier", "Atelier de couture X", "Formation professionnelle", code,
                  "Bureau des affaires sociales A", "Cours de couture"):
        assert words in french, words
    # Arabic page: the Arabic names, read back in logical order (shaped glyphs map back to their letters).
    for words in ("تدريب في الورشة", "ورشة الخياطة إكس", "التكوين المهني", "فاطمة", "بن صالح", code):
        assert words in arabic, words
    assert "فاطمة" not in french.split("Fatma")[0]  # the French page starts in French
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "referral-slip.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(SCREENSHOTS / "referral-slip.pdf"),
                        str(SCREENSHOTS / "referral-slip")], check=True)


def test_the_sender_downloads_the_slip_and_the_partner_page_has_no_such_button(client, send, social_worker):
    referral = send("workshop", slip_consent=True)
    login(client, social_worker)
    page = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert reverse("referrals:referral_slip", args=[referral.pk]) in page
    assert client.get(reverse("referrals:referral_slip", args=[referral.pk])).status_code == 405  # a write: POST
    response = client.post(reverse("referrals:referral_slip", args=[referral.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and response["Cache-Control"] == "no-store"
    assert referral.events.filter(kind="slip_issued").count() == 1


def test_nobody_else_prints_a_slip(client, send, stranger, partner_worker):
    referral = send("workshop", slip_consent=True)
    assert login(client, stranger).post(reverse("referrals:referral_slip", args=[referral.pk])).status_code == 404
    assert login(client, partner_worker).post(reverse("referrals:referral_slip", args=[referral.pk])).status_code \
        == 404
