"""From a diagnosis to needs: which taxonomy terms a deprivation or an expressed need stands for.

Pure functions (no database): casework proposes needs with them, insights uses ``terms_for_indicator`` to find
service gaps. Term codes are those of the shared needs taxonomy (``directory.TaxonomyTerm.code``).
"""

from __future__ import annotations

# Indicator of the default multidimensional poverty model (parcours/scoring/defaults/default_mpi.yaml) → the needs
# a deprived household most likely has. The first term is the main one. Indicators of living standards with no
# direct service (water, sanitation, electricity, cooking fuel) point to housing support, and assets to income.
INDICATOR_TERMS: dict[str, tuple[str, ...]] = {
    "food_insecurity": ("food", "cash-transfer"),
    "years_of_schooling": ("vocational-training", "education"),
    "school_attendance": ("education", "child-protection"),
    "cooking_fuel": ("housing",),
    "sanitation": ("housing",),
    "drinking_water": ("housing",),
    "electricity": ("housing",),
    "housing": ("housing",),
    "assets": ("cash-transfer", "employment", "micro-enterprise"),
}

# Choice names of the default questionnaire's "needs" list (form_choices_people.py) → taxonomy term codes.
EXPRESSED_TERMS: dict[str, str] = {
    "food": "food",
    "cash": "cash-transfer",
    "health_care": "health-care",
    "rehabilitation": "rehabilitation",
    "education": "education",
    "vocational_training": "vocational-training",
    "employment": "employment",
    "micro_enterprise": "micro-enterprise",
    "legal_aid": "legal-aid",
    "civil_documentation": "civil-documentation",
    "housing": "housing",
    "psychosocial": "psychosocial-support",
    "gbv_response": "gbv-response",
    "child_protection": "child-protection",
}

# Where the default questionnaire keeps the expressed needs (submission data keys).
EXPRESSED_FIELD = "needs/needs_expressed"
PRIORITY_FIELDS = ("needs/need_priority_1", "needs/need_priority_2", "needs/need_priority_3")


def terms_for_indicator(indicator_name: str) -> list[str]:
    """Taxonomy term codes for a deprivation in ``indicator_name`` (empty for an indicator it does not know)."""
    return list(INDICATOR_TERMS.get(indicator_name, ()))


def term_for_expressed(choice: str) -> str | None:
    """The taxonomy term code for a choice of the questionnaire's needs list (None for an unknown choice)."""
    return EXPRESSED_TERMS.get(choice)


def deprivation_terms(deprivations: dict) -> list[tuple[str, str]]:
    """(term code, indicator) for each deprived indicator of a score, each term once, in indicator order."""
    seen: dict[str, str] = {}
    for indicator, value in (deprivations or {}).items():
        if value:
            for code in terms_for_indicator(indicator)[:1]:
                seen.setdefault(code, indicator)
    return list(seen.items())


def expressed_terms(data: dict) -> list[tuple[str, int | None]]:
    """(term code, priority) for the needs a submission says the household expressed; priority 1 = most urgent."""
    data = data or {}
    chosen = str(data.get(EXPRESSED_FIELD) or "").split()
    priorities = {str(data.get(name) or ""): rank for rank, name in enumerate(PRIORITY_FIELDS, start=1)}
    out: list[tuple[str, int | None]] = []
    for choice in chosen:
        code = term_for_expressed(choice)
        if code and code not in {c for c, _ in out}:
            out.append((code, priorities.get(choice)))
    return sorted(out, key=lambda item: (item[1] is None, item[1] or 0))
