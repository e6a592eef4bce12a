import django_filters
from django.utils.translation import gettext_lazy as _

from wuye.accounts.models import Membership, Role, User
from wuye.core.filters import BaseFilterSet, ProjectFilterSetMixin


class UserFilterSet(BaseFilterSet):
    search_fields = ("username", "display_name", "phone", "email")
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = User
        fields = ["is_active"]


class RoleFilterSet(BaseFilterSet):
    search_fields = ("name", "slug", "description")

    class Meta:
        model = Role
        fields = ["is_system"]


class MembershipFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("user__username", "user__display_name", "role__name")

    class Meta:
        model = Membership
        fields = ["role", "project"]
