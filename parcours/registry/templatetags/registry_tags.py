"""Template tags of the registry, for pages owned by apps below it (the home page lives in accounts)."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("registry/_home_summary.html", takes_context=True)
def household_summary(context):
    """The registry's figures for the signed-in user, or why their role shows none."""
    user = context["request"].user
    if selectors.user_sees_only_aggregates(user):
        return {"aggregates_only": True}
    return {
        "counts": selectors.household_counts(user),
        "may_register": selectors.user_may_register(user),
    }
