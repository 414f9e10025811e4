"""Scoring pages: the household's diagnosis in French and Arabic, the model pages and who may use them.

Personas as in tests/conftest.py; the phone (``device``) of the programme sends the example household.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from parcours.core.models import Job
from parcours.scoring.models import Score, ScoringModel

from ..conftest import login
from . import test_flow
from .test_flow import EXAMPLE, receive

# The fixtures of test_flow.py: the default questionnaire, the default model, a phone.
default_form, device, mpi = test_flow.default_form, test_flow.device, test_flow.mpi


@pytest.fixture
def scored(programme, device, mpi):
    return receive(programme, device, EXAMPLE).submission.household


def page(client, user, url, language="fr"):
    login(client, user)
    with translation.override(language):
        return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def test_the_social_worker_sees_the_diagnosis_and_why_in_french(client, social_worker, scored):
    client.cookies["django_language"] = "fr"
    response = page(client, social_worker, reverse("registry:household_detail", args=[scored.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Indice de pauvreté multidimensionnelle (IPM) du ménage" in text
    assert "5,6 %" in text or "5.6 %" in text
    assert "Toilettes non améliorées ou partagées" in text and "Niveau de vie" in text
    # The answers that made it so, with the form's French labels and choice labels.
    assert "Ces toilettes sont-elles partagées avec d&#x27;autres ménages ?" in text
    assert "Latrine à fosse avec dalle" in text
    with translation.override("fr"):  # the flags, in French once translated
        flags = [str(Score._meta.get_field(name).verbose_name) for name in ("female_headed", "single_parent")]
    assert all(flag in text for flag in flags), flags


def test_the_social_worker_reads_it_in_arabic(client, social_worker, scored):
    client.cookies["django_language"] = "ar"
    response = page(client, social_worker, reverse("registry:household_detail", args=[scored.pk]), "ar")
    text = response.content.decode()
    assert "مؤشر الفقر متعدد الأبعاد للأسرة" in text
    assert "مرحاض غير محسَّن أو مشترك" in text and "مستوى المعيشة" in text
    assert "هل تتقاسم الأسرة هذا المرحاض مع أسر أخرى؟" in text
    assert "←" in text or "Since the baseline" not in text


def test_the_change_since_the_baseline_is_shown(client, manager, programme, device, mpi, scored):
    from parcours.scoring.services import scoring_model_save

    source = mpi.current.source.replace(" or ${sanitation_shared} = 'yes'", "")
    scoring_model_save(actor=manager, programme=programme, source=source, questionnaire=mpi.questionnaire,
                       model=mpi)
    client.force_login(manager)
    response = client.post(reverse("scoring:model_rescore", args=[mpi.pk]))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert Score.objects.filter(household=scored).count() == 2
    text = page(client, manager, reverse("registry:household_detail", args=[scored.pk])).content.decode()
    assert "-5,6" in text or "-5.6" in text


def test_a_partner_worker_never_opens_the_sensitive_example_household(client, partner_worker, scored):
    # The example household is sensitive (a protection concern): a partner never opens it.
    response = page(client, partner_worker, reverse("registry:household_detail", args=[scored.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("who, status", [("admin", 200), ("manager", 200), ("social_worker", 200),
                                         ("partner_worker", 404), ("viewer", 404), ("stranger", 404)])
def test_who_sees_the_model_pages(client, personas, mpi, who, status):
    user = personas[who]
    assert page(client, user, reverse("scoring:model_list", args=[mpi.programme.slug])).status_code == status
    response = page(client, user, reverse("scoring:model_detail", args=[mpi.pk]))
    assert response.status_code == status
    if status == 200:
        assert "food_insecurity" in response.content.decode()
        export = page(client, user, reverse("scoring:model_export", args=[mpi.pk]))
        assert export.content.decode() == mpi.current.source


def test_anonymous_is_sent_to_sign_in(client, mpi):
    response = client.get(reverse("scoring:model_detail", args=[mpi.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("who, status", [("social_worker", 403), ("viewer", 404), ("stranger", 404)])
def test_only_managers_edit_or_rescore(client, personas, mpi, who, status):
    login(client, personas[who])
    assert client.get(reverse("scoring:model_edit", args=[mpi.pk])).status_code == status
    assert client.post(reverse("scoring:model_rescore", args=[mpi.pk])).status_code == status
    assert not Job.objects.exists() and ScoringModel.objects.get().version == 1


def test_the_manager_edits_the_rules_and_errors_name_the_indicator(client, manager, mpi):
    client.force_login(manager)
    url = reverse("scoring:model_edit", args=[mpi.pk])
    assert "deprived_if" in client.get(url).content.decode()
    bad = mpi.current.source.replace("${electricity} = 'no'", "${electricty} = 'no'")
    response = client.post(url, {"questionnaire": str(mpi.questionnaire_id), "source": bad})
    text = response.content.decode()
    assert response.status_code == 422
    assert "electricity" in text and "electricty" in text and "indicators.6.deprived_if" in text
    good = mpi.current.source.replace("k: 1/3", "k: 0.4")
    response = client.post(url, {"questionnaire": str(mpi.questionnaire_id), "source": good})
    assert response.status_code == 302
    mpi.refresh_from_db()
    assert mpi.version == 2 and "k: 0.4" in mpi.current.source


def test_the_manager_imports_a_model_file(client, manager, mpi, programme):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(manager)
    upload = SimpleUploadedFile("mpi.yaml", mpi.current.source.encode())
    response = client.post(reverse("scoring:model_create", args=[programme.slug]),
                           {"questionnaire": str(mpi.questionnaire_id), "name": "IPM importé", "file": upload})
    assert response.status_code == 302
    assert ScoringModel.objects.get(name="IPM importé").version == 1


def test_the_manager_installs_the_default_model_from_the_list(client, manager, programme, default_form):
    client.force_login(manager)
    listing = client.get(reverse("scoring:model_list", args=[programme.slug])).content.decode()
    assert reverse("scoring:model_default_install", args=[programme.slug]) in listing
    response = client.post(reverse("scoring:model_default_install", args=[programme.slug]))
    model = ScoringModel.objects.get()
    assert response.status_code == 302 and model.method == "alkire-foster"
    client.post(reverse("scoring:model_default_install", args=[programme.slug]))
    assert ScoringModel.objects.count() == 1
