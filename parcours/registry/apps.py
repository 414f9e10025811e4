from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "parcours.registry"
    verbose_name = _("Household registry")
