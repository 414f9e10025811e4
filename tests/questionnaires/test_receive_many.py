"""The batch path (submissions_receive_many, used by file imports) against the one-by-one path (submission_receive):
a manager imports the same synthetic households of the default questionnaire both ways and gets the same registry,
the same quarantine and the same scores."""

import pytest
from django.db import transaction

from parcours.core.models import AuditEvent
from parcours.questionnaires.models import QuarantineEntry, Submission
from parcours.questionnaires.services import (
    SubmissionRejected,
    default_questionnaire_deploy,
    submission_receive,
    submissions_receive_many,
)
from parcours.registry.models import Household, Person
from parcours.scoring.models import Score
from parcours.scoring.services import default_model_install

synthetic = pytest.importorskip("bench.synthetic")

IMPORT = Submission.Channel.IMPORT


@pytest.fixture
def default_form(manager, programme, zones):
    version = default_questionnaire_deploy(actor=manager, programme=programme)
    default_model_install(actor=manager, programme=programme, questionnaire=version.questionnaire)
    return version


def _xmls(count=6, seed=11):
    """Synthetic households, plus: one with a whole number that is not one (fails the form's checks), one that
    comes back under another instance ID (an update of its household), one whose head has no name (fails the
    projection: the registry wants a given name)."""
    pairs = list(synthetic.submissions(count, zones=["XK0101"], seed=seed))
    xmls = [synthetic.to_instance_xml(answers, instance_id=instance_id) for instance_id, answers in pairs]
    bad = dict(pairs[0][1], **{"dwelling/rooms": "many"})
    bad["ident/hh_code"] = "S-BADROOMS"
    xmls.append(synthetic.to_instance_xml(bad, instance_id="uuid:00000000-0000-4000-8000-000000000001"))
    again = dict(pairs[1][1], **{"ident/address": "Nouvelle adresse 7"})
    xmls.append(synthetic.to_instance_xml(again, instance_id="uuid:00000000-0000-4000-8000-000000000002"))
    nameless = dict(pairs[2][1])
    nameless["ident/hh_code"] = "S-NONAME01"
    nameless["roster/member"] = [dict(row) for row in nameless["roster/member"]]
    for row in nameless["roster/member"]:
        row["given_name"] = row["given_name_ar"] = ""
        row["display_name"] = ""
    xmls.append(synthetic.to_instance_xml(nameless, instance_id="uuid:00000000-0000-4000-8000-000000000003"))
    return xmls


def _state() -> dict:
    """What the registry, the quarantine and the scores hold, without identifiers or times."""
    households = {}
    for household in Household.objects.prefetch_related("members__identifiers", "consents__organisations"):
        households[household.code] = {
            "zone": household.zone.code, "address": household.address, "sensitive": household.sensitive,
            "gps": (str(household.latitude), str(household.longitude)),
            "head": household.head.display_name if household.head else None,
            "members": sorted((p.given_name, p.given_name_ar, p.family_name, p.sex, str(p.date_of_birth),
                               p.date_of_birth_estimated, p.relationship, p.search_key,
                               tuple(sorted((i.scheme, i.value) for i in p.identifiers.all())))
                              for p in household.members.all()),
            "consents": sorted((c.purpose, str(c.given_on), c.given_by.display_name if c.given_by else None,
                                tuple(sorted(o.name for o in c.organisations.all())))
                               for c in household.consents.all()),
        }
    submissions = {s.instance_id: (s.status, s.household.code if s.household else None,
                                   sorted(f["message"] for f in s.flags), sorted(s.data.items(), key=str))
                   for s in Submission.objects.select_related("household")}
    quarantine = sorted((e.submission.instance_id, tuple(sorted(r["message"] for r in e.reasons)))
                        for e in QuarantineEntry.objects.select_related("submission"))
    scores = sorted((s.household.code, s.submission.instance_id, s.value, s.is_poor, s.band, sorted(
        s.deprivations.items()), s.is_current, s.is_baseline, s.head_sex, s.household_size, s.female_headed)
        for s in Score.objects.select_related("household", "submission"))
    return {"households": households, "submissions": submissions, "quarantine": quarantine, "scores": scores}


class _Undo(Exception):
    pass


def _one_by_one(programme, manager, xmls) -> dict:
    try:
        with transaction.atomic():
            for xml in xmls:
                submission_receive(programme=programme, xml=xml, channel=IMPORT, actor=manager)
            state = _state()
            raise _Undo
    except _Undo:
        return state


def test_a_batch_gives_the_registry_quarantine_and_scores_of_one_by_one(manager, programme, default_form):
    """A manager's import through the batch path lands exactly what the same submissions sent one by one land."""
    xmls = _xmls()
    expected = _one_by_one(programme, manager, xmls)
    assert not Household.objects.exists()
    outcomes = submissions_receive_many(programme=programme, xmls=xmls, channel=IMPORT, actor=manager)
    assert [o.outcome for o in outcomes] == ["created"] * len(xmls)
    got = _state()
    assert got == expected
    # What the comparison covers: households created and updated, both kinds of quarantine, scores.
    assert len(got["households"]) == 6
    assert "Nouvelle adresse 7" in {h["address"] for h in got["households"].values()}
    reasons = dict(got["quarantine"])
    assert len(reasons) == 2
    assert any("many" in message for message in reasons["uuid:00000000-0000-4000-8000-000000000001"])
    assert reasons["uuid:00000000-0000-4000-8000-000000000003"]
    assert len(got["scores"]) == 7  # 6 households, one scored twice (its update): the first stays as baseline
    assert sum(1 for s in got["scores"] if s[6]) == 6


def test_a_bad_submission_goes_to_quarantine_and_the_rest_of_its_batch_lands(manager, programme, default_form):
    """One submission of the batch fails the form's checks: it waits in quarantine, the others are projected."""
    xmls = _xmls(count=4)[:5]  # 4 good ones and the one with "many" rooms
    outcomes = submissions_receive_many(programme=programme, xmls=xmls, channel=IMPORT, actor=manager)
    statuses = [o.submission.status for o in outcomes]
    assert statuses == [Submission.Status.PROJECTED] * 4 + [Submission.Status.QUARANTINED]
    entry = QuarantineEntry.objects.get(submission=outcomes[4].submission)
    assert {r["field"] for r in entry.reasons} == {"dwelling/rooms"}
    assert Household.objects.count() == 4 and Score.objects.filter(is_current=True).count() == 4


def test_importing_the_same_batch_again_creates_nothing(manager, programme, default_form):
    """Re-importing the same file: every submission is recognised by its instanceID, nothing is duplicated."""
    xmls = _xmls(count=5)[:5]
    submissions_receive_many(programme=programme, xmls=xmls, channel=IMPORT, actor=manager)
    counts = (Submission.objects.count(), Household.objects.count(), Person.objects.count(), Score.objects.count(),
              AuditEvent.objects.count())
    outcomes = submissions_receive_many(programme=programme, xmls=xmls, channel=IMPORT, actor=manager)
    assert [o.outcome for o in outcomes] == ["duplicate"] * 5
    assert (Submission.objects.count(), Household.objects.count(), Person.objects.count(), Score.objects.count(),
            AuditEvent.objects.count()) == counts


def test_a_changed_submission_under_a_known_instance_id_is_refused(manager, programme, default_form):
    """The same instanceID with other answers is refused (409), as the single path refuses it; the rest lands."""
    pairs = list(synthetic.submissions(2, zones=["XK0101"], seed=5))
    first = [synthetic.to_instance_xml(a, instance_id=i) for i, a in pairs]
    submissions_receive_many(programme=programme, xmls=first[:1], channel=IMPORT, actor=manager)
    changed = synthetic.to_instance_xml(dict(pairs[0][1], **{"ident/address": "ailleurs"}),
                                        instance_id=pairs[0][0])
    outcomes = submissions_receive_many(programme=programme, xmls=[changed, first[1]], channel=IMPORT, actor=manager)
    assert isinstance(outcomes[0], SubmissionRejected) and outcomes[0].status == 409
    assert outcomes[1].outcome == "created"
    assert Household.objects.count() == 2


def test_bulk_created_records_have_their_audit_events(manager, programme, default_form):
    """Every household, member, identifier, consent, submission and score written in bulk is in the audit trail,
    under the manager's name."""
    outcomes = submissions_receive_many(programme=programme, xmls=_xmls(count=3)[:3], channel=IMPORT, actor=manager)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, actor=manager)
    for household in Household.objects.all():
        assert events.filter(object_type="registry.household", object_id=str(household.pk)).exists()
        for person in household.members.all():
            assert events.filter(object_type="registry.person", object_id=str(person.pk),
                                 parent_id=str(household.pk)).exists()
        for consent in household.consents.all():
            assert events.filter(object_type="registry.consent", object_id=str(consent.pk)).exists()
        created = events.get(object_type="registry.household", object_id=str(household.pk))
        assert created.changes["code"] == [None, household.code]
    for outcome in outcomes:
        assert events.filter(object_type="questionnaires.submission", object_id=str(outcome.submission.pk)).exists()
    for score in Score.objects.all():
        assert events.filter(object_type="scoring.score", object_id=str(score.pk)).exists()


def test_unreadable_and_unknown_forms_are_kept_as_the_single_path_keeps_them(manager, programme, default_form):
    """A batch holding broken XML and a form the server does not know: each is refused and kept in quarantine,
    the valid one lands."""
    good = _xmls(count=3)[0]
    unknown = good.replace(b'id="fiche_socio_economique"', b'id="autre_formulaire"').replace(
        b"uuid:", b"uuid:0", 1)
    outcomes = submissions_receive_many(programme=programme, xmls=[b"<pas du xml", unknown, good],
                                        channel=IMPORT, actor=manager)
    assert isinstance(outcomes[0], SubmissionRejected) and outcomes[0].status == 400
    assert isinstance(outcomes[1], SubmissionRejected) and outcomes[1].status == 404
    assert outcomes[2].submission.status == Submission.Status.PROJECTED
    assert QuarantineEntry.objects.count() == 2
