from django.db.models import Prefetch

from wuye.accounts import filters, forms, tables
from wuye.accounts.models import Membership, Role, User
from wuye.core.views import ObjectDetailView, ObjectViews


class UserDetailView(ObjectDetailView):
    detail_fields = [
        "username",
        "display_name",
        "phone",
        "email",
        "is_active",
        "is_resident",
        "last_login",
        "date_joined",
    ]

    def extra_context(self, obj):
        memberships = (
            Membership.objects.restrict(self.request.user, "view")
            .filter(user=obj)
            .select_related("role", "project")
        )
        # Company-wide memberships are visible to those who see all projects.
        return {
            "memberships": memberships,
            "can_add_membership": self.can_membership("add"),
            "can_delete_membership": self.can_membership("delete"),
        }

    def can_membership(self, action):
        from wuye.core.scoping import has_any_scope, permission_name

        return has_any_scope(self.request.user, permission_name(Membership, action))


class UserViews(ObjectViews):
    model = User
    table = tables.UserTable
    filterset = filters.UserFilterSet
    form = forms.UserForm
    detail_view = UserDetailView
    actions = ("list", "detail", "add", "edit", "changelog")


class RoleDetailView(ObjectDetailView):
    detail_fields = ["name", "slug", "description", "is_system"]

    def extra_context(self, obj):
        return {"role_form": forms.RoleForm(instance=obj, user=self.request.user)}


class RoleViews(ObjectViews):
    model = Role
    table = tables.RoleTable
    filterset = filters.RoleFilterSet
    form = forms.RoleForm
    detail_view = RoleDetailView
    prefetch_related = (Prefetch("permissions"),)


class MembershipViews(ObjectViews):
    model = Membership
    table = tables.MembershipTable
    filterset = filters.MembershipFilterSet
    form = forms.MembershipForm
    select_related = ("user", "role", "project")
    actions = ("list", "add", "edit", "delete", "detail", "changelog")
