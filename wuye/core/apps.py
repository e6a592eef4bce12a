from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wuye.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from wuye.core import navigation, search

        navigation.autodiscover()
        search.autodiscover()
