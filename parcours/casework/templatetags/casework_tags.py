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
    is_open = case is not None and case.status != Case.Status.CLOSED
    may_open = selectors.user_may_open_case(user, household)
    # A restricted case hidden from this worker: say one exists (a second case cannot be opened), and offer a
    # manager to break the glass; its kind and content stay hidden.
    hidden = None
    if not is_open and may_open:
        hidden = Case.objects.filter(household=household, restricted=True).exclude(
            status=Case.Status.CLOSED).first()
    return {"household": household, "case": case, "open": is_open, "may_open": may_open and hidden is None,
            "hidden": hidden, "may_break_glass": hidden is not None and selectors.user_may_break_glass(user, hidden)}
