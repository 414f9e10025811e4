"""Casework fixtures: the default questionnaire and model of the demo programme, a phone that sends answers,
the programme's rule that opens a case above a deprivation score of 1/3, and a case helper."""

import pytest

from parcours.casework import services
from parcours.questionnaires.services import default_questionnaire_deploy, submission_receive
from parcours.questionnaires.services.forms import DEFAULT_FORM_DIR
from parcours.scoring.services import default_model_install

EXAMPLE = (DEFAULT_FORM_DIR / "example_submission.xml").read_text(encoding="utf-8")
INSTANCE = "uuid:6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"


def answers(instance: str = INSTANCE, **changes: tuple[str, str]) -> str:
    """The example submission (household TN-1101-00042) with answers replaced and its own instance id."""
    text = EXAMPLE.replace(INSTANCE, instance)
    for old, new in changes.values():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


# FIES 6 → food insecure (1/3), Sami out of school (1/6), shared toilet (1/18): c = 5/9, above 1/3.
POOR = {"fies": ("<fies_score>3<", "<fies_score>6<"), "school": ("<attends_school>yes<", "<attends_school>no<")}
# Six months later: enough food again (FIES 2), Sami back at school; the toilet is still shared: c = 1/18.
BETTER = {"fies": ("<fies_score>3<", "<fies_score>2<")}


@pytest.fixture
def device(manager, programme):
    from parcours.accounts.services import device_account_create

    return device_account_create(actor=manager, programme=programme, username="collect-casework",
                                 password="collect-casework-2026", label="Téléphone")


@pytest.fixture
def mpi(manager, programme, zones):
    from ..factories import ZoneFactory

    ZoneFactory(code="TN1101", name="Secteur exemple", name_ar="قطاع مثال", parent=zones["deleg"])
    default_questionnaire_deploy(actor=manager, programme=programme)
    return default_model_install(actor=manager, programme=programme)


@pytest.fixture
def auto_open(manager, programme, mpi):
    return services.settings_save(actor=manager, programme=programme, scoring_model=mpi, auto_open_threshold=1 / 3)


@pytest.fixture
def receive(programme, device):
    def send(xml: str):
        return submission_receive(programme=programme, xml=xml.encode(), channel="collect", actor=device)
    return send
