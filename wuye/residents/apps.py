from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "wuye.residents"
    label = "residents"
    verbose_name = _("Residents")

    def ready(self):
        # The change log (django-auditlog, registered for every model from settings) would otherwise
        # store the decrypted ID number and the full phone of every edit in plain text. Re-register
        # Person so ID numbers (and their hash) never reach it and phones are stored masked.
        from auditlog.registry import auditlog

        from wuye.residents.models import Person

        if auditlog.contains(Person):
            auditlog.unregister(Person)
        auditlog.register(
            Person,
            exclude_fields=["id_number", "id_number_hash"],
            mask_fields=["phone"],
            mask_callable="wuye.core.privacy.mask_phone",
        )
