"""Background work of insights: bring the columnar snapshots up to date with the scores.

A snapshot is refreshed in three ways (docs/insights.md, "Snapshot"): on read, when a page or the API asks for
figures and the last check is older than ``PARCOURS_INSIGHTS_REFRESH_SECONDS``; by ``parcours diagnostics
refresh`` run from cron (or this task queued by it) so that readers rarely wait; and in full when the model's
rules change. Not after each scored submission: bench/insights_dashboard.py measures why (one Parquet file and a
database round trip per submission cost more than one refresh per minute of a thousand households).
"""

from __future__ import annotations

from django_tasks import task

from parcours.scoring.models import ScoringModel

from .snapshot import snapshot_rebuild, snapshot_refresh


def snapshots_refresh(*, programme=None, rebuild: bool = False) -> list[dict]:
    """Refresh (or rebuild) the snapshot of every active Alkire–Foster model (of ``programme``)."""
    models = ScoringModel.objects.filter(method=ScoringModel.Method.ALKIRE_FOSTER, is_active=True)
    if programme is not None:
        models = models.filter(programme=programme)
    done = []
    for model in models.select_related("programme", "questionnaire"):
        if rebuild:
            snapshot = snapshot_rebuild(model)
            outcome = {"kind": "rebuild", "rows": snapshot.frame.height}
        else:
            outcome = snapshot_refresh(model)
        done.append({"programme": model.programme.slug, "model": model.name, **outcome})
    return done


@task()
def snapshots_refresh_task() -> int:
    return len(snapshots_refresh())
