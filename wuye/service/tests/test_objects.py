"""Generated UI and API tests (permissions, scoping, query counts) for every service-desk object."""

from wuye.core.testing.cases import ObjectTests
from wuye.service.models import Category, PriceItem, ReturnVisit, ServiceSettings, SlaRule, Team, WorkOrder
from wuye.service.tests.factories import make_category, make_settings


class TestWorkOrderObject(ObjectTests):
    model = WorkOrder
    api_path = "/api/v1/service/orders/"
    ui_actions = ("list", "detail", "add", "edit", "changelog", "export")
    api_actions = ("list", "retrieve", "create", "update")

    def marker(self, obj):
        return obj.location  # numbers restart per project, so the first order of A and B share one

    def form_data(self, cast, project):
        return {
            "project": project.pk,
            "kind": "repair",
            "repair_scope": "common",
            "source": "phone",
            "category": make_category(project).pk,
            "priority": "normal",
            "location": "5栋电梯厅",
            "contact_name": "赵六",
            "contact_phone": "13700001234",
            "description": "电梯厅灯管闪烁",
        }

    def edit_data(self, cast, obj):
        data = self.form_data(cast, obj.project)
        data["category"] = obj.category_id
        data["description"] = "电梯厅灯管闪烁（已更正）"
        return data

    api_edit_data = edit_data


class TestTeamObject(ObjectTests):
    model = Team
    api_path = "/api/v1/service/teams/"

    def form_data(self, cast, project):
        return {
            "project": project.pk,
            "name": f"水电组{Team.objects.count()}",
            "dispatch_mode": "round_robin",
            "members": [cast.engineer_a.pk],
            "leader": cast.engineer_a.pk,
            "is_active": "on",
        }

    def api_data(self, cast, project):
        data = self.form_data(cast, project)
        data["is_active"] = True
        return data

    def edit_data(self, cast, obj):
        data = self.form_data(cast, obj.project)
        data["name"] = obj.name + "改"
        return data

    def api_edit_data(self, cast, obj):
        data = self.api_data(cast, obj.project)
        data["name"] = obj.name + "改"
        return data


class TestCategoryObject(ObjectTests):
    model = Category
    api_path = "/api/v1/service/categories/"

    def marker(self, obj):
        return obj.full_name

    def form_data(self, cast, project):
        return {
            "project": project.pk,
            "name": f"管道{Category.objects.count()}",
            "sort_order": 5,
            "is_active": "on",
        }

    def api_data(self, cast, project):
        return {"project": project.pk, "name": f"管道{Category.objects.count()}", "sort_order": 5}


class TestSlaRuleObject(ObjectTests):
    model = SlaRule
    api_path = "/api/v1/service/sla-rules/"

    def form_data(self, cast, project):
        return {
            "project": project.pk,
            "name": f"规则{SlaRule.objects.count()}",
            "kind": "complaint",
            "accept_minutes": 45,
            "complete_minutes": 720,
            "is_active": "on",
        }

    def api_data(self, cast, project):
        data = self.form_data(cast, project)
        data["is_active"] = True
        return data


class TestPriceItemObject(ObjectTests):
    model = PriceItem
    api_path = "/api/v1/service/prices/"

    def marker(self, obj):
        return obj.name

    def form_data(self, cast, project):
        return {
            "project": project.pk,
            "name": f"疏通下水{PriceItem.objects.count()}",
            "kind": "labour",
            "unit_label": "次",
            "price": "80.00",
            "is_active": "on",
        }

    def api_data(self, cast, project):
        data = self.form_data(cast, project)
        data["is_active"] = True
        return data


class TestServiceSettingsObject(ObjectTests):
    model = ServiceSettings
    api_path = "/api/v1/service/settings/"
    ui_actions = ("list", "detail", "edit", "changelog", "export")
    api_actions = ("list", "retrieve")

    def make(self, cast, project, **kwargs):
        if project in (cast.project_a, cast.project_b) and not ServiceSettings.objects.filter(
            project=project
        ):
            return make_settings(project)
        from wuye.accounts.models import Membership, Role
        from wuye.core.testing.factories import make_project

        extra = make_project()
        Membership.objects.create(
            user=cast.manager_a, role=Role.objects.get(slug="project-manager"), project=extra
        )
        cast.manager_a.clear_scope_cache()
        return make_settings(extra)

    def marker(self, obj):
        return obj.project.name

    def form_data(self, cast, project):
        return {
            "project": project.pk,
            "auto_confirm_days": 5,
            "repair_return_visit": "on",
            "warning_percent": 75,
            "escalation_interval_minutes": 30,
            "repeat_window_days": 30,
            "unsatisfied_threshold": 2,
            "unsatisfied_action": "escalate",
        }

    def test_api_update(self, cast, api_for):
        obj = make_settings(cast.project_a)
        response = api_for(cast.manager_a).patch(
            f"{self.api_path}{obj.pk}/", {"warning_percent": 70}, format="json"
        )
        assert response.status_code == 200, response.content
        obj.refresh_from_db()
        assert obj.warning_percent == 70
        assert api_for(cast.manager_a).post(self.api_path, {}, format="json").status_code == 405


class TestReturnVisitObject(ObjectTests):
    model = ReturnVisit
    api_path = "/api/v1/service/return-visits/"
    ui_actions = ("list", "detail", "changelog", "export")
    api_actions = ("list", "retrieve")

    def marker(self, obj):
        return obj.comment
