"""Casework's hook on a batch (file imports) does what it does one submission at a time: the same cases,
transitions, proposed needs, re-assessments linked to follow-up visits and audit events, with a number of queries
that does not grow with the batch.

Personas: a phone of the programme (``device``) sends the answers; the ``social_worker`` of organisation A
schedules follow-up visits; the ``manager`` of A sets the programme's rule (``auto_open``).
"""

import datetime
import logging
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.casework import services
from parcours.casework.models import Case, CaseTransition, FollowUpVisit, Need
from parcours.core.models import AuditEvent
from parcours.questionnaires.models import Submission
from parcours.questionnaires.services import submission_receive, submissions
from parcours.questionnaires.services.receive_many import submissions_receive_many
from parcours.scoring.services import submission_score_on_arrival

from .conftest import BETTER, EXAMPLE, INSTANCE, POOR

CODE = "TN-1101-00042"
TODAY = datetime.date.today()


def xml(code: str, changes: dict | None = None) -> bytes:
    """The example submission for household ``code``, a new instance id, ``changes`` applied."""
    number = code.replace("-", "")[-5:]  # each household's own people (identity numbers, phones)
    text = (EXAMPLE.replace(INSTANCE, f"uuid:{uuid.uuid4()}").replace(CODE, code)
            .replace("01234567", f"012{number}").replace("+21698123456", f"+2169812{number}"))
    for old, new in (changes or {}).values():
        text = text.replace(old, new, 1)
    return text.encode()


def scenario(prefix: str) -> list[bytes]:
    """A re-assessment of a household with a case and two free visits (twice: both visits get one), a poor household
    (a case opens), a household above need (nothing), a household met twice (opens, then nothing to link)."""
    return [xml(f"TN-1101-{prefix}01", BETTER), xml(f"TN-1101-{prefix}02", POOR), xml(f"TN-1101-{prefix}03"),
            xml(f"TN-1101-{prefix}04", POOR), xml(f"TN-1101-{prefix}04", BETTER), xml(f"TN-1101-{prefix}01", POOR)]


def prepare(prefix: str, programme, device, social_worker) -> None:
    """Household <prefix>01 already has a case (a diagnosis) with two follow-up visits planned."""
    household = submission_receive(programme=programme, xml=xml(f"TN-1101-{prefix}01", POOR), channel="collect",
                                   actor=device).submission.household
    case = Case.objects.get(household=household)
    for days in (10, 20):
        services.visit_schedule(actor=social_worker, case=case, scheduled_on=TODAY + datetime.timedelta(days=days))


def state(prefix: str) -> dict:
    """What casework wrote for the households whose code starts with ``prefix``, without ids, codes made neutral."""
    def neutral(text) -> str:
        return str(text).replace(f"TN-1101-{prefix}", "TN-1101-##")

    cases = Case.objects.filter(household__code__startswith=f"TN-1101-{prefix}")
    case_ids = [str(pk) for pk in cases.values_list("pk", flat=True)]
    children = [str(pk) for model in (Need, FollowUpVisit) for pk in model.objects.filter(
        case__in=cases).values_list("pk", flat=True)]
    events = AuditEvent.objects.filter(object_id__in=case_ids + children)
    return {
        "cases": sorted((neutral(c.household.code), c.status, c.opened_from, c.opening_score.submission.data[
            "food/fies_score"], c.opening_score.value) for c in cases),
        "transitions": sorted((neutral(t.case.household.code), t.from_status, t.to_status, t.reason)
                              for t in CaseTransition.objects.filter(case__in=cases)),
        "needs": sorted((neutral(n.case.household.code), n.term.code, n.source, n.indicator, n.priority or 0,
                         n.confirmed) for n in Need.objects.filter(case__in=cases)),
        "visits": sorted((neutral(v.case.household.code), v.scheduled_on,
                          v.reassessment.submission.data["food/fies_score"] if v.reassessment else None,
                          v.reassessment.value if v.reassessment else None)
                         for v in FollowUpVisit.objects.filter(case__in=cases)),
        "events": sorted((e.action, e.object_type, neutral(e.object_repr), e.parent_type, neutral(e.changes),
                          e.note, e.actor_label) for e in events),
    }


def test_a_batch_writes_what_one_by_one_writes(auto_open, programme, device, social_worker, caplog):
    prepare("1", programme, device, social_worker)
    prepare("2", programme, device, social_worker)
    for one in scenario("1"):
        submission_receive(programme=programme, xml=one, channel="collect", actor=device)
    with caplog.at_level(logging.ERROR):
        outcomes = submissions_receive_many(programme=programme, xmls=scenario("2"), channel="collect",
                                            actor=device)
    assert not caplog.records  # the batch form ran: no fallback to the hook one by one
    assert all(o.submission.status == "projected" for o in outcomes)
    one_by_one, batch = state("1"), state("2")
    assert batch == one_by_one
    # What the scenario is about, so that equal does not mean equally empty.
    assert [c[0] for c in batch["cases"]] == ["TN-1101-##01", "TN-1101-##02", "TN-1101-##04"]
    assert all(v[3] is not None for v in batch["visits"]) and len(batch["visits"]) == 2  # both got one
    assert len(batch["needs"]) == 15 and len(batch["transitions"]) == 3
    assert sum(e[0] == "update" and e[1] == "casework.followupvisit" for e in batch["events"]) == 2


def _received_without_casework(monkeypatch, programme, device, xmls) -> list[Submission]:
    monkeypatch.setattr(submissions, "PROJECTED_HOOKS", [submission_score_on_arrival])
    outcomes = submissions_receive_many(programme=programme, xmls=xmls, channel="collect", actor=device)
    monkeypatch.undo()
    return list(Submission.objects.filter(pk__in=[o.submission.pk for o in outcomes]).order_by("created_at",
                                                                                             "instance_id"))


@pytest.mark.parametrize("size", [2, 12])
def test_the_batch_form_takes_the_same_number_of_queries_whatever_its_size(
        size, auto_open, programme, device, social_worker, monkeypatch):
    prepare("9", programme, device, social_worker)
    counts = {}
    for prefix, count in (("3", 2), ("5", size)):
        arrived = _received_without_casework(
            monkeypatch, programme, device,
            [xml(f"TN-1101-{prefix}{n:03d}", POOR) for n in range(count)] + [xml(f"TN-1101-{prefix}{count:03d}")]
            + [xml("TN-1101-901", BETTER)])
        with CaptureQueriesContext(connection) as queries:
            services.submission_case_on_arrival.many(actor=device, submissions=arrived)
        counts[prefix] = len(queries)
        assert Case.objects.filter(household__code__startswith=f"TN-1101-{prefix}").count() == count
    assert FollowUpVisit.objects.filter(reassessment__isnull=False).count() == 2
    assert counts["5"] == counts["3"] <= 16
