"""Publishing diagnostics: a manager shares frozen, suppressed figures with a partner and a donor, or behind a public
link with an expiry; revocation; expired or revoked links answer 404 revealing nothing.

Personas: ``manager`` of A publishes; ``social_worker`` of A may not; ``partner_worker`` of B and the donor ``viewer``
of D read what was shared with them; ``stranger`` of C sees nothing; anonymous readers use the public link.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from parcours.core.exceptions import ApplicationError
from parcours.core.models import AuditEvent
from parcours.insights import disclosure
from parcours.insights.models import Publication
from parcours.insights.selectors import publication_by_token, publication_figures, publications_visible_to
from parcours.insights.services import publication_create, publication_revoke
from tests.conftest import login
from tests.factories import ZoneFactory

from .scored import install_model, scored_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(zones, orgs, programme, manager, social_worker):
    model = install_model(manager=manager, programme=programme)
    hamlet = ZoneFactory(code="XK0102", name="Hameau", parent=zones["gov"])
    scored_world(social_worker=social_worker, organisation=orgs["A"], programme=programme, model=model,
                 zones=[zones["deleg"]], count=30)
    scored_world(social_worker=social_worker, organisation=orgs["A"], programme=programme, model=model,
                 zones=[hamlet], count=3, seed=3)
    return model


def publish(manager, programme, orgs, **options):
    defaults = {"title": "Diagnostic Nord 2025", "organisations": [orgs["B"], orgs["D"]]}
    defaults.update(options)
    return publication_create(actor=manager, programme=programme, **defaults)


def test_manager_publishes_frozen_suppressed_figures_to_a_partner_and_a_donor(scored, programme, orgs, manager,
                                                                                 partner_worker, viewer, stranger):
    publication, token = publish(manager, programme, orgs)
    assert token is None and publication.k == 5 and publication.model_version == scored.current
    table = publication_figures(publication, table="subzones")
    hamlet = next(row for row in table.rows if row.zone_code == "XK0102")
    assert hamlet.n_total is None and hamlet.suppressed == {"*": disclosure.BELOW_K}
    assert all(row.n_total is None or row.n_total >= 5 for row in table.rows)
    assert publication_figures(publication, by="sex").by == "sex"
    for reader in (partner_worker, viewer, manager):
        assert publication in publications_visible_to(reader)
    assert publication not in publications_visible_to(stranger)
    assert AuditEvent.objects.filter(object_id=str(publication.pk), action=AuditEvent.Action.CREATE).exists()


def test_only_a_manager_publishes_and_the_threshold_cannot_go_below_k(scored, programme, orgs, social_worker,
                                                                      manager):
    with pytest.raises(PermissionDenied):
        publish(social_worker, programme, orgs)
    with pytest.raises(ApplicationError, match="below 5"):
        publish(manager, programme, orgs, k=2)
    with pytest.raises(ApplicationError, match="neither a partner"):
        publish(manager, programme, orgs, organisations=[orgs["C"]])
    with pytest.raises(ApplicationError, match="expiry"):
        publish(manager, programme, orgs, public=True)
    assert not Publication.objects.exists()


def test_a_public_link_works_until_it_expires_or_is_revoked_then_answers_404(scored, programme, orgs, manager,
                                                                              client):
    publication, token = publish(manager, programme, orgs, organisations=[], public=True,
                                 expires_at=timezone.now() + datetime.timedelta(days=7))
    assert len(token) >= 40 and token not in publication.token_digest
    url = reverse("insights:publication_public", kwargs={"token": token})
    page = client.get(url)
    assert page.status_code == 200 and "Diagnostic Nord 2025" in page.content.decode()
    assert "Hameau" in page.content.decode() and page["X-Robots-Tag"] == "noindex"
    assert client.get(reverse("insights:publication_public", kwargs={"token": token[:-1] + "x"})).status_code == 404

    Publication.objects.filter(pk=publication.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    expired = client.get(url)
    assert expired.status_code == 404 and "Diagnostic" not in expired.content.decode()
    with pytest.raises(Http404):
        publication_by_token(token)

    Publication.objects.filter(pk=publication.pk).update(expires_at=timezone.now() + datetime.timedelta(days=1))
    publication.refresh_from_db()
    publication_revoke(actor=manager, publication=publication)
    revoked = client.get(url)
    assert revoked.status_code == 404 and "Diagnostic" not in revoked.content.decode()


def test_a_revoked_publication_disappears_for_the_partner(scored, programme, orgs, manager, partner_worker, client):
    publication, _ = publish(manager, programme, orgs)
    login(client, partner_worker)
    detail = reverse("insights:publication_detail", kwargs={"pk": publication.pk})
    assert client.get(detail).status_code == 200
    publication_revoke(actor=manager, publication=publication)
    assert client.get(detail).status_code == 404
    assert publication in publications_visible_to(manager)  # the owner keeps the record


def test_manager_publishes_and_revokes_through_the_pages(scored, programme, orgs, manager, client):
    login(client, manager)
    listing = reverse("insights:publication_list", kwargs={"slug": programme.slug})
    assert client.get(listing).status_code == 200
    response = client.post(reverse("insights:publication_new", kwargs={"slug": programme.slug}), {
        "title": "Nord", "organisations": [str(orgs["B"].pk)], "public": "1",
        "expires_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()})
    assert response.status_code == 302
    page = client.get(listing).content.decode()
    assert "/diagnostics/public/" in page  # the link, shown once
    assert "/diagnostics/public/" not in client.get(listing).content.decode()
    publication = Publication.objects.get()
    client.post(reverse("insights:publication_revoke", kwargs={"pk": publication.pk}))
    publication.refresh_from_db()
    assert publication.revoked_at is not None
    bad = client.post(reverse("insights:publication_new", kwargs={"slug": programme.slug}),
                      {"title": "x", "k": "many"}, follow=True)
    assert bad.status_code == 200 and "whole number" in bad.content.decode()


def test_a_partner_may_not_publish_through_the_pages(scored, programme, orgs, partner_worker, client):
    login(client, partner_worker)
    response = client.post(reverse("insights:publication_new", kwargs={"slug": programme.slug}), {"title": "x"})
    assert response.status_code == 403 and not Publication.objects.exists()


def test_the_demo_publishes_to_the_partner_and_the_donor_and_as_a_public_link(db, client, settings):
    from io import StringIO

    from django.core.management import call_command

    call_command("demo", "--households", "25", stdout=StringIO())
    publications = Publication.objects.order_by("is_public")
    assert publications.count() == 2
    shared, public = publications
    assert {o.slug for o in shared.organisations.all()} == {"nour", "fonds-solidarite"}
    assert public.is_public and public.expires_at > timezone.now()
    assert shared.figures["zones"]["suppression_k"] == 5
    link = (settings.PARCOURS_INSIGHTS_DIR / "demo_public_link.txt").read_text().strip()
    assert client.get(link).status_code == 200


def test_the_donor_finds_and_reads_what_was_shared_with_it(scored, programme, orgs, manager, viewer, stranger,
                                                            client):
    publication, _ = publish(manager, programme, orgs)
    login(client, viewer)
    listing = client.get(reverse("insights:publications")).content.decode()
    assert "Diagnostic Nord 2025" in listing
    page = client.get(reverse("insights:publication_detail", kwargs={"pk": publication.pk}))
    text = page.content.decode()
    assert page.status_code == 200 and "Hameau" in text and "suppressed" in text
    assert "by=sex" in text and client.get(reverse("insights:publication_detail", kwargs={"pk": publication.pk}),
                                           {"by": "disability"}).status_code == 200
    login(client, stranger)
    assert "Diagnostic Nord 2025" not in client.get(reverse("insights:publications")).content.decode()
    assert client.get(reverse("insights:publication_detail", kwargs={"pk": publication.pk})).status_code == 404
