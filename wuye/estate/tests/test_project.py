from wuye.core.testing.cases import ObjectTests
from wuye.estate.models import Project


class TestProjectObject(ObjectTests):
    model = Project
    api_path = "/api/v1/estate/projects/"
    creator = "ops_admin"
    editor = "ops_admin"
    deleter = "ops_admin"

    def make(self, cast, project, **kwargs):
        # Each call makes a new project; "in project A" means visible to project A's staff only
        # when it *is* project A, so list tests use the cast's own projects plus extra ones.
        from wuye.estate.tests.factories import ProjectFactory

        if project is cast.project_a and not getattr(self, "_used_a", False):
            self._used_a = True
            return project
        if project is cast.project_b:
            return project
        new = ProjectFactory()
        # give the viewer access to the new project so it counts as "mine"
        from wuye.accounts.models import Membership, Role

        Membership.objects.get_or_create(
            user=getattr(cast, self.viewer), role=Role.objects.get(slug="project-manager"), project=new
        )
        getattr(cast, self.viewer).clear_scope_cache()
        return new

    def form_data(self, cast, project):
        return {
            "name": "新项目",
            "code": f"NEW{Project.objects.count()}",
            "city": "上海",
            "district": "徐汇区",
            "address": "漕溪北路1号",
            "service_grade": "grade_1",
            "fee_model": "lump_sum",
            "managed_area": "12345.60",
            "handover_date": "2024-05-01",
            "status": "active",
            "service_phone": "021-12345678",
        }

    def edit_data(self, cast, obj):
        data = self.form_data(cast, obj)
        data["code"] = obj.code
        data["name"] = obj.name + "（改）"
        return data

    api_edit_data = edit_data
