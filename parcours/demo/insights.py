"""Demo insights: the demo manager publishes the programme's zone diagnostic to the partner association and the
donor, and as a public read-only link (90 days), through the same service as the publication page.

The public link's token is shown once (only its digest is stored); for the demonstration it is written to
``PARCOURS_INSIGHTS_DIR/demo_public_link.txt`` so that the link can be tried.
"""

from __future__ import annotations

import datetime
import logging

from django.urls import reverse
from django.utils import timezone

from parcours.insights.models import Publication
from parcours.insights.services import publication_create
from parcours.insights.snapshot import insights_dir
from parcours.scoring.models import Score

logger = logging.getLogger(__name__)
MANAGER = "manager@demo.parcours.org"
PARTNER, DONOR = "nour", "fonds-solidarite"


def load(world) -> None:
    programme = world.programme
    manager = world.users.get(MANAGER)
    if manager is None or Publication.objects.filter(programme=programme).exists():
        return
    if not Score.objects.filter(model__programme=programme, is_current=True).exists():
        return  # a demo without households has no figures to publish
    title = f"Diagnostic de vulnérabilité — {programme.name}"
    publication_create(actor=manager, programme=programme, title=title, level=1,
                       organisations=[world.organisations[PARTNER], world.organisations[DONOR]])
    _publication, token = publication_create(
        actor=manager, programme=programme, title=f"{title} (lien public)", level=1, public=True,
        expires_at=timezone.now() + datetime.timedelta(days=90))
    path = reverse("insights:publication_public", kwargs={"token": token})
    directory = insights_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "demo_public_link.txt").write_text(path + "\n", encoding="utf-8")
    logger.info("demo public diagnostic: %s", path)

