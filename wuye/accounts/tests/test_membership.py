from wuye.accounts.models import Membership, Role
from wuye.core.testing.cases import ObjectTests


class TestMembershipObject(ObjectTests):
    model = Membership
    api_path = "/api/v1/accounts/memberships/"
    viewer = "manager_a"
    creator = "ops_admin"
    editor = "ops_admin"
    deleter = "ops_admin"

    def form_data(self, cast, project):
        from wuye.accounts.tests.factories import UserFactory

        return {
            "user": UserFactory().pk,
            "role": Role.objects.get(slug="engineer").pk,
            "project": project.pk if project else "",
        }

    def api_data(self, cast, project):
        return self.form_data(cast, project)

    def edit_data(self, cast, obj):
        return {"user": obj.user_id, "role": Role.objects.get(slug="cashier").pk, "project": obj.project_id}

    api_edit_data = edit_data

    def marker(self, obj):
        return str(obj.user)
