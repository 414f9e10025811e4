"""Who acts for a questionnaire command: the account named with --as, else a superuser, else the programme's
lead organisation's first administrator."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from parcours.accounts.models import Programme, Role, User
from parcours.core.management.helpers import account_by_email, first_superuser


def programme_actor(programme: Programme, email: str | None) -> User:
    if email:
        return account_by_email(email)
    user = first_superuser() or (
        User.objects.filter(is_active=True, memberships__organisation=programme.lead, memberships__is_active=True,
                            memberships__role=Role.ADMINISTRATOR).order_by("memberships__created_at").first()
    )
    if user is None:
        raise CommandError(_("No superuser and no administrator of %(org)s: name an account with --as.")
                           % {"org": programme.lead})
    return user
