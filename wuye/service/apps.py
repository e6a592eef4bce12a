from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "wuye.service"
    label = "service"
    verbose_name = _("Service desk")

    def ready(self):
        from django.db.backends.signals import connection_created

        from wuye.service.aggregates import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="wuye.service.sqlite_functions")
