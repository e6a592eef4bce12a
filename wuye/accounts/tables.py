import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from wuye.accounts.models import Membership, Role, User
from wuye.core.tables import BaseTable


class UserTable(BaseTable):
    username = tables.Column(linkify=True)
    display_name = tables.Column()
    phone = tables.Column()
    email = tables.Column()
    is_active = tables.BooleanColumn(verbose_name=_("active"))
    last_login = tables.DateTimeColumn(format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = User
        fields = ("username", "display_name", "phone", "email", "is_active", "last_login")
        default_columns = ("username", "display_name", "phone", "is_active", "last_login")


class RoleTable(BaseTable):
    name = tables.Column(linkify=True)
    slug = tables.Column()
    is_system = tables.BooleanColumn()
    description = tables.Column()

    class Meta(BaseTable.Meta):
        model = Role
        fields = ("name", "slug", "is_system", "description")


class MembershipTable(BaseTable):
    user = tables.Column(linkify=True)
    role = tables.Column(linkify=True)
    project = tables.Column(linkify=True, default=_("All projects"))

    class Meta(BaseTable.Meta):
        model = Membership
        fields = ("user", "role", "project", "created_at")
