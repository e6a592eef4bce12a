from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "wuye.residents"
    label = "residents"
    verbose_name = _("Residents")
    # Person's ID number and phone are kept out of the change log by the core rule
    # (wuye.core.changelog.protect_personal_fields).
