"""The household's case on the registry's household page (``{% load casework_tags %}{% household_case %}``).

The registry sits below casework and cannot import it: its template loads this library instead.
"""

from __future__ import annotations

from django import template

from .. import selectors
from ..models import Case

register = template.Library()


@register.inclusion_tag("casework/_household_case.html", takes_context=True)
def household_case(context, household):
    user = context["request"].user
    case = selectors.case_for_household_visible(user, household)
    return {"household": household, "case": case, "open": case is not None and case.status != Case.Status.CLOSED,
            "may_open": selectors.user_may_open_case(user, household)}
