"""Scores of a batch (file imports: submissions_score_many through submissions_receive_many) are those of the
same submissions scored one at a time, down to the explanation the household page shows; the form version's names,
compiled expressions and the answers each indicator reads are worked out once per form version, not per
submission."""

import pytest
from django.db import transaction

from parcours.questionnaires.models import Submission
from parcours.questionnaires.services import default_questionnaire_deploy, submission_receive, submissions_receive_many
from parcours.scoring import answers
from parcours.scoring.models import Score
from parcours.scoring.selectors import definition_of
from parcours.scoring.services import default_model_install

synthetic = pytest.importorskip("bench.synthetic")


@pytest.fixture
def model(manager, programme, zones):
    version = default_questionnaire_deploy(actor=manager, programme=programme)
    return default_model_install(actor=manager, programme=programme, questionnaire=version.questionnaire)


def _xmls(count=30, seed=7) -> list[bytes]:
    return [synthetic.to_instance_xml(answers, instance_id=instance_id)
            for instance_id, answers in synthetic.submissions(count, zones=["XK0101"], seed=seed)]


def _scores() -> list[tuple]:
    return sorted((s.submission.instance_id, s.value, s.is_poor, s.band, sorted(s.deprivations.items()),
                   s.explanation, s.missing, s.flags, s.is_current, s.is_baseline)
                  for s in Score.objects.select_related("submission"))


class _Undo(Exception):
    pass


def test_batch_scores_equal_one_by_one_scores(manager, programme, model):
    xmls = _xmls()
    try:
        with transaction.atomic():
            for xml in xmls:
                submission_receive(programme=programme, xml=xml, channel=Submission.Channel.IMPORT, actor=manager)
            expected = _scores()
            raise _Undo
    except _Undo:
        pass
    assert not Score.objects.exists()
    submissions_receive_many(programme=programme, xmls=xmls, channel=Submission.Channel.IMPORT, actor=manager)
    got = _scores()
    assert got == expected
    assert len(got) == 30 and len({s[1] for s in got}) > 3  # scored, and not all alike
    assert all(s[5]["indicators"] for s in got)  # each with the "why" of its indicators


def test_a_form_version_read_afresh_gives_the_same_evaluation(manager, programme, model):
    """The per-version cache is keyed by the description itself: another copy of it (read again from the
    database) is worked out again and evaluates the same."""
    submissions_receive_many(programme=programme, xmls=_xmls(5), channel=Submission.Channel.IMPORT, actor=manager)
    submission = Submission.objects.select_related("form_version").first()
    version = submission.form_version
    definition = definition_of(model.current, version)
    mapping = version.questionnaire.mapping or {}
    first = answers.evaluate(definition, xml=submission.xml, data=submission.data, schema=version.schema,
                             mapping=mapping)
    copy = type(version).objects.get(pk=version.pk).schema
    assert copy is not version.schema and copy == version.schema
    again = answers.evaluate(definition, xml=submission.xml, data=submission.data, schema=copy, mapping=mapping)
    assert (again.inputs, again.answers) == (first.inputs, first.answers)
    assert any(value is not None for value in first.inputs.values())
