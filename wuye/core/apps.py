from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wuye.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from wuye.core import navigation, search
        from wuye.core.changelog import protect_personal_fields
        from wuye.core.db import analyze_after_migrate

        navigation.autodiscover()
        search.autodiscover()
        # Runs after django-auditlog registered every model (it is earlier in INSTALLED_APPS).
        protect_personal_fields()
        # SQLite plans without statistics until ANALYZE has run (PostgreSQL: autovacuum).
        post_migrate.connect(analyze_after_migrate, dispatch_uid="wuye.core.db.analyze")
