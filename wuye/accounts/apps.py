from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "wuye.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from wuye.accounts.roles import sync_system_roles_after_migrate

        post_migrate.connect(sync_system_roles_after_migrate, dispatch_uid="wuye.accounts.roles")
