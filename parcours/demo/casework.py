"""Demo casework: cases with support plans for the most vulnerable demo households.

The programme's rule (a case opens above a deprivation score of 1/3 under the default MPI model) is set by the
demo manager; cases open through that rule for the poorest scored households (by hand, by the demo social worker,
when no household is scored). Each gets a plan built from its proposed needs — goals, actions of several kinds
with the responsible organisation, some overdue — a review with the household, follow-up visits (the re-assessed
households show their change since the baseline), one restricted case (gender-based violence) and one closed case.
Everything goes through the casework services, as a worker would do it.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from parcours.casework import services
from parcours.casework.models import Action, Case, PlanReview
from parcours.registry.models import Household
from parcours.scoring.models import Score, ScoringModel

from . import data

CASES = 12
THRESHOLD = 1 / 3

# Per need (taxonomy code): the goal, then the action (kind, title, responsible organisation slug or None = the
# case's own organisation). Plain French, as a worker of the demo office would write it.
PLANS: dict[str, tuple[str, str, str, str | None]] = {
    "food": ("Le ménage mange à sa faim chaque jour", "cash", "Bons alimentaires pendant trois mois", None),
    "cash-transfer": ("Un revenu minimum régulier", "cash", "Inscription au programme d'aides aux familles "
                      "nécessiteuses", None),
    "health-care": ("Accès aux soins pour les membres malades", "referral", "Orientation vers le centre de santé "
                    "de base et la carte de soins", None),
    "rehabilitation": ("Aide technique adaptée pour le membre handicapé", "referral", "Évaluation et fauteuil "
                       "roulant par l'association Amal", "amal"),
    "education": ("Tous les enfants de 6 à 14 ans vont à l'école", "internal", "Rencontre avec le directeur de "
                  "l'école et fournitures scolaires", None),
    "vocational-training": ("Une formation qualifiante pour un adulte du ménage", "training", "Inscription à une "
                            "formation professionnelle courte", "nour"),
    "employment": ("Un emploi stable pour un adulte du ménage", "referral", "Accompagnement vers l'emploi avec "
                   "l'association Nour", "nour"),
    "micro-enterprise": ("Une petite activité génératrice de revenus", "training", "Formation à la gestion et "
                         "micro-crédit", "nour"),
    "housing": ("Un logement salubre", "internal", "Dossier d'aide à l'amélioration du logement", None),
    "legal-aid": ("Les droits du ménage reconnus", "referral", "Consultation juridique gratuite", None),
    "civil-documentation": ("Tous les membres ont leurs papiers", "documentation", "Extrait de naissance et carte "
                            "d'identité à l'état civil", None),
    "psychosocial-support": ("Le ménage va mieux moralement", "counselling", "Séances d'écoute avec la "
                             "psychologue", None),
    "gbv-response": ("La personne est en sécurité", "referral", "Prise en charge par le centre d'accueil "
                     "spécialisé", None),
    "child-protection": ("L'enfant est protégé", "referral", "Signalement au délégué à la protection de "
                         "l'enfance", None),
}


def _scored_candidates(model: ScoringModel) -> list[Score]:
    """Baseline scores above the threshold, poorest first (the diagnosis that opens the case)."""
    return list(Score.objects.filter(model=model, is_baseline=True, value__gt=THRESHOLD)
                .select_related("household", "model__programme").order_by("-value", "household__code")[:CASES])


def _plan(case: Case, *, worker, organisations, today: datetime.date, number: int) -> None:
    proposed = list(case.needs.select_related("term").order_by("priority", "created_at"))
    needs = []
    for need in proposed[:3]:
        needs.append(services.need_confirm(actor=worker, need=need))
    if not needs:
        from parcours.directory.models import TaxonomyTerm

        term = TaxonomyTerm.objects.filter(code="civil-documentation").first()
        if term is None:
            return
        needs.append(services.need_add(actor=worker, case=case, term=term))
    for rank, need in enumerate(needs):
        goal_title, kind, action_title, org_slug = PLANS.get(
            need.term.code, ("Besoin couvert", "internal", "Suivi par l'assistante sociale", None))
        goal = services.goal_create(actor=worker, case=case, need=need, title=goal_title,
                                    target_on=today + datetime.timedelta(days=90 + 30 * rank))
        # Every third case has its first action overdue: the caseload's overdue list is never empty.
        due = today - datetime.timedelta(days=10) if rank == 0 and number % 3 == 0 else \
            today + datetime.timedelta(days=14 * (rank + 1))
        services.action_create(actor=worker, case=case, goal=goal, kind=kind, title=action_title,
                               responsible_organisation=organisations.get(org_slug) if org_slug else None,
                               responsible_person=worker if org_slug is None else None, due_on=due)


def _review(case: Case, *, worker) -> None:
    head = case.household.head
    services.plan_review_record(actor=worker, case=case, agreed=True, method=PlanReview.Method.SIGNED,
                                participant=head, participant_name="" if head else "Représentant du ménage",
                                notes="Plan lu et expliqué en arabe.")


def _follow_up(case: Case, *, worker, today: datetime.date) -> None:
    current = Score.objects.filter(household=case.household_id, is_current=True, is_baseline=False).first()
    past = services.visit_schedule(actor=worker, case=case, scheduled_on=today - datetime.timedelta(days=20))
    services.visit_record(actor=worker, visit=past, done_on=past.scheduled_on, reassessment=current,
                          notes="Visite à domicile : le ménage suit le plan ; questionnaire rempli à nouveau."
                          if current else "Visite à domicile : le ménage suit le plan.")
    services.visit_schedule(actor=worker, case=case, scheduled_on=today + datetime.timedelta(days=30),
                            notes="Point sur les actions en cours")
    action = case.actions.filter(status=Action.Status.PLANNED).order_by("due_on").first()
    if action is not None:
        services.action_set_status(actor=worker, action=action, status=Action.Status.IN_PROGRESS)


def load(world) -> None:
    programme = world.programme
    manager = world.users[data.MANAGER_EMAIL]
    worker = world.users[data.REGISTRAR_EMAIL]
    today = timezone.localdate()
    model = ScoringModel.objects.filter(programme=programme, is_active=True).order_by("created_at").first()
    if model is not None:
        services.settings_save(actor=manager, programme=programme, scoring_model=model,
                               auto_open_threshold=THRESHOLD)
    cases: list[Case] = []
    if model is not None:
        for score in _scored_candidates(model):
            case = services.case_open_from_score(actor=worker, score=score)
            if case is not None:
                cases.append(case)
    if not cases:  # no scored household: the worker opens cases by hand
        households = Household.objects.filter(programme=programme, cases__isnull=True).order_by("code")[:CASES]
        cases = [services.case_open(actor=worker, household=h, programme=programme) for h in households]
    for number, case in enumerate(cases):
        restricted = number == 1
        if number == len(cases) - 1 and number > 2:
            continue  # the last case stays as opened from the diagnosis: unassigned work for the team caseload
        services.case_assign(actor=manager, case=case, workers=[worker], supervisor=manager)
        if restricted:
            services.case_restrict(actor=worker, case=case, restricted=True, restriction_kind="gbv")
        _plan(case, worker=worker, organisations=world.organisations, today=today, number=number)
        if number % 4 == 3:
            continue  # plan drafted, review with the household still to come
        _review(case, worker=worker)
        _follow_up(case, worker=worker, today=today)
    if len(cases) > 3:
        closed = cases[2]
        for action in closed.actions.filter(status__in=Action.OPEN_STATUSES):
            services.action_set_status(actor=worker, action=action, status=Action.Status.DONE,
                                       outcome="Réalisé avec le ménage")
        services.case_close(actor=worker, case=closed, reason=Case.ClosureReason.GOALS_MET,
                            summary="Objectifs atteints ; le ménage est autonome.")
