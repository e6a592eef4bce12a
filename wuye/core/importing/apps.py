from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportingConfig(AppConfig):
    """Excel import of archives: an app of its own (label ``importing``) for its ImportBatch table."""

    name = "wuye.core.importing"
    label = "importing"
    verbose_name = _("Imports")

    def ready(self):
        # A batch is a working record (its JSON holds samples of the uploaded personal data); the
        # business trail is the audit events the import services write. Keep it out of the change log.
        from auditlog.registry import auditlog

        from wuye.core.importing.models import ImportBatch

        if auditlog.contains(ImportBatch):
            auditlog.unregister(ImportBatch)
