"""Generated tests for an object type: list, detail, add, edit, delete, history and export in the
UI, and list/retrieve/create/update/delete in the API, each with permission, without permission,
and across projects; plus the query-count guard for the list page and endpoint.

    class TestProjectObject(ObjectTests):
        model = Project
        api_path = "/api/v1/estate/projects/"
        creator = "ops_admin"

        def form_data(self, cast, project):    # valid form data for a new object in ``project``
            return {...}

Set ``form_data``/``api_data`` to None (or leave ``actions`` out) for what the model does not offer.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from wuye.core.scoping import ALL
from wuye.core.testing.factories import factory_for, make_user
from wuye.core.testing.queries import assert_constant_queries


class ObjectTests:
    model = None
    api_path: str | None = None
    #: cast members (attribute names) who may view / add / change / delete in project A
    viewer = "manager_a"
    creator = "manager_a"
    editor = "manager_a"
    deleter = "manager_a"
    #: someone in project A without the add/change/delete permission for this model
    reader_only = "cashier_a"
    #: a project-A user who tries to reach project B's objects
    outsider = "manager_a"
    ui_actions = ("list", "detail", "add", "edit", "delete", "changelog", "export")
    api_actions = ("list", "retrieve", "create", "update", "delete")

    # -- hooks -----------------------------------------------------------------------------
    def make(self, cast, project, **kwargs):
        return factory_for(self.model)(project=project, **kwargs)

    def form_data(self, cast, project) -> dict:
        raise NotImplementedError

    def edit_data(self, cast, obj) -> dict:
        """Form data for editing ``obj``; defaults to the create data of its project."""
        return self.form_data(cast, getattr(obj, "project_for_scope", None))

    def api_data(self, cast, project) -> dict:
        data = self.form_data(cast, project)
        return {k: v for k, v in data.items() if v != ""}

    def marker(self, obj) -> str:
        return str(obj)

    # -- helpers ---------------------------------------------------------------------------
    def url(self, name, **kwargs):
        opts = self.model._meta
        return reverse(f"{opts.app_label}:{opts.model_name}_{name}", kwargs=kwargs or None)

    def is_project_scoped(self):
        return getattr(self.model, "scope_field", None) is not None

    def skip_unless(self, action, actions):
        if action not in actions:
            pytest.skip(f"{self.model.__name__} has no {action}")

    # -- UI --------------------------------------------------------------------------------
    def test_ui_list_scoped(self, cast, client_for):
        self.skip_unless("list", self.ui_actions)
        mine = self.make(cast, cast.project_a)
        theirs = self.make(cast, cast.project_b)
        response = client_for(getattr(cast, self.viewer)).get(self.url("list"))
        assert response.status_code == 200
        body = response.content.decode()
        assert self.marker(mine) in body
        if self.is_project_scoped():
            assert self.marker(theirs) not in body

    def test_ui_list_requires_login_and_permission(self, cast, client_for):
        self.skip_unless("list", self.ui_actions)
        response = client_for(None).get(self.url("list"))
        assert response.status_code == 302 and "/login/" in response["Location"]
        nobody = make_user()
        assert client_for(nobody).get(self.url("list")).status_code == 403

    def test_ui_list_htmx_fragment(self, cast, client_for):
        self.skip_unless("list", self.ui_actions)
        self.make(cast, cast.project_a)
        response = client_for(getattr(cast, self.viewer)).get(
            self.url("list"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-list"
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "<table" in body and "<html" not in body

    def test_ui_list_constant_queries(self, cast, client_for):
        self.skip_unless("list", self.ui_actions)
        client = client_for(getattr(cast, self.viewer))
        self.make(cast, cast.project_a)
        assert_constant_queries(
            lambda: client.get(self.url("list")),
            lambda: [self.make(cast, cast.project_a) for _ in range(4)],
            label=f"{self.model.__name__} list page",
        )

    def test_ui_detail_and_history(self, cast, client_for):
        self.skip_unless("detail", self.ui_actions)
        mine = self.make(cast, cast.project_a)
        client = client_for(getattr(cast, self.viewer))
        response = client.get(self.url("detail", pk=mine.pk))
        assert response.status_code == 200
        assert self.marker(mine) in response.content.decode()
        if "changelog" in self.ui_actions:
            assert client.get(self.url("changelog", pk=mine.pk)).status_code == 200

    def test_ui_other_project_is_404(self, cast, client_for):
        if not self.is_project_scoped():
            pytest.skip("company-wide model")
        theirs = self.make(cast, cast.project_b)
        client = client_for(getattr(cast, self.outsider))
        for name in ("detail", "edit", "delete", "changelog"):
            if name in self.ui_actions:
                assert client.get(self.url(name, pk=theirs.pk)).status_code == 404, name
        if "edit" in self.ui_actions:
            assert client.post(self.url("edit", pk=theirs.pk), {}).status_code == 404
        if "delete" in self.ui_actions:
            assert client.post(self.url("delete", pk=theirs.pk)).status_code == 404
            assert self.model.objects.filter(pk=theirs.pk).exists()

    def test_ui_add(self, cast, client_for):
        self.skip_unless("add", self.ui_actions)
        before = self.model.objects.count()
        client = client_for(getattr(cast, self.creator))
        assert client.get(self.url("add")).status_code == 200
        response = client.post(self.url("add"), self.form_data(cast, cast.project_a))
        assert response.status_code == 302, _form_errors(response)
        assert self.model.objects.count() == before + 1
        obj = self.model.objects.order_by("-pk").first()
        assert obj.get_absolute_url() == response["Location"] or response["Location"]

    def test_ui_add_modal_for_htmx(self, cast, client_for):
        self.skip_unless("add", self.ui_actions)
        client = client_for(getattr(cast, self.creator))
        response = client.get(self.url("add"), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        body = response.content.decode()
        assert "modal-body" in body and "<html" not in body
        response = client.post(self.url("add"), self.form_data(cast, cast.project_a), HTTP_HX_REQUEST="true")
        assert response.status_code == 204 and response["HX-Redirect"]

    def test_ui_add_invalid_changes_nothing(self, cast, client_for):
        self.skip_unless("add", self.ui_actions)
        before = self.model.objects.count()
        response = client_for(getattr(cast, self.creator)).post(self.url("add"), {})
        assert response.status_code == 200
        assert "invalid-feedback" in response.content.decode()
        assert self.model.objects.count() == before

    def test_ui_add_into_other_project_refused(self, cast, client_for):
        self.skip_unless("add", self.ui_actions)
        if not self.is_project_scoped() or "project" not in [f.name for f in self.model._meta.fields]:
            pytest.skip("no project field")
        creator = getattr(cast, self.creator)
        if creator.scope_for(f"{self.model._meta.app_label}.add_{self.model._meta.model_name}") is ALL:
            pytest.skip("creator sees all projects")
        before = self.model.objects.count()
        response = client_for(creator).post(self.url("add"), self.form_data(cast, cast.project_b))
        assert response.status_code in (200, 403)
        assert self.model.objects.count() == before

    def test_ui_add_requires_permission(self, cast, client_for):
        self.skip_unless("add", self.ui_actions)
        client = client_for(getattr(cast, self.reader_only))
        assert client.get(self.url("add")).status_code == 403
        assert client.post(self.url("add"), self.form_data(cast, cast.project_a)).status_code == 403

    def test_ui_edit(self, cast, client_for):
        self.skip_unless("edit", self.ui_actions)
        mine = self.make(cast, cast.project_a)
        client = client_for(getattr(cast, self.editor))
        assert client.get(self.url("edit", pk=mine.pk)).status_code == 200
        response = client.post(self.url("edit", pk=mine.pk), self.edit_data(cast, mine))
        assert response.status_code == 302, _form_errors(response)

    def test_ui_delete(self, cast, client_for):
        self.skip_unless("delete", self.ui_actions)
        mine = self.make(cast, cast.project_a)
        client = client_for(getattr(cast, self.deleter))
        assert client.get(self.url("delete", pk=mine.pk)).status_code == 200
        response = client.post(self.url("delete", pk=mine.pk))
        assert response.status_code in (302, 409)
        if response.status_code == 302:
            assert not self.model.objects.filter(pk=mine.pk).exists()

    def test_ui_export_xlsx(self, cast, client_for):
        self.skip_unless("export", self.ui_actions)
        from openpyxl import load_workbook

        mine = self.make(cast, cast.project_a)
        theirs = self.make(cast, cast.project_b)
        response = client_for(getattr(cast, self.viewer)).get(self.url("list"), {"export": "xlsx"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        ws = load_workbook(io.BytesIO(response.content)).active
        cells = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
        text = " ".join(cells)
        assert self.export_marker(mine) in text
        if self.is_project_scoped():
            assert self.export_marker(theirs) not in text

    def export_marker(self, obj):
        return self.marker(obj)

    # -- API -------------------------------------------------------------------------------
    def test_api_list_scoped(self, cast, api_for):
        if not self.api_path or "list" not in self.api_actions:
            pytest.skip("no API list")
        mine = self.make(cast, cast.project_a)
        theirs = self.make(cast, cast.project_b)
        response = api_for(getattr(cast, self.viewer)).get(self.api_path)
        assert response.status_code == 200
        ids = {row["id"] for row in response.json()["results"]}
        assert mine.pk in ids
        if self.is_project_scoped():
            assert theirs.pk not in ids

    def test_api_requires_auth_and_permission(self, cast, api_for):
        if not self.api_path:
            pytest.skip("no API")
        assert api_for(None).get(self.api_path).status_code == 401
        assert api_for(make_user()).get(self.api_path).status_code == 403

    def test_api_list_constant_queries(self, cast, api_for):
        if not self.api_path or "list" not in self.api_actions:
            pytest.skip("no API list")
        client = api_for(getattr(cast, self.viewer))
        self.make(cast, cast.project_a)
        assert_constant_queries(
            lambda: client.get(self.api_path),
            lambda: [self.make(cast, cast.project_a) for _ in range(4)],
            label=f"{self.model.__name__} API list",
        )

    def test_api_other_project_is_404(self, cast, api_for):
        if not self.api_path or not self.is_project_scoped():
            pytest.skip("no API or company-wide")
        theirs = self.make(cast, cast.project_b)
        client = api_for(getattr(cast, self.outsider))
        url = f"{self.api_path}{theirs.pk}/"
        assert client.get(url).status_code == 404
        if "update" in self.api_actions:
            assert client.patch(url, {}, format="json").status_code == 404
        if "delete" in self.api_actions:
            assert client.delete(url).status_code == 404
            assert self.model.objects.filter(pk=theirs.pk).exists()

    def test_api_create_update_delete(self, cast, api_for):
        if not self.api_path or "create" not in self.api_actions:
            pytest.skip("no API create")
        client = api_for(getattr(cast, self.creator))
        response = client.post(self.api_path, self.api_data(cast, cast.project_a), format="json")
        assert response.status_code == 201, response.content
        pk = response.json()["id"]
        if "update" in self.api_actions:
            editor = api_for(getattr(cast, self.editor))
            obj = self.model.objects.get(pk=pk)
            response = editor.put(f"{self.api_path}{pk}/", self.api_edit_data(cast, obj), format="json")
            assert response.status_code == 200, response.content
        if "delete" in self.api_actions:
            response = api_for(getattr(cast, self.deleter)).delete(f"{self.api_path}{pk}/")
            assert response.status_code in (204, 409)

    def api_edit_data(self, cast, obj):
        return self.api_data(cast, getattr(obj, "project_for_scope", None))

    def test_api_create_invalid_is_400(self, cast, api_for):
        if not self.api_path or "create" not in self.api_actions:
            pytest.skip("no API create")
        before = self.model.objects.count()
        response = api_for(getattr(cast, self.creator)).post(self.api_path, {}, format="json")
        assert response.status_code == 400
        assert isinstance(response.json(), dict) and response.json()
        assert self.model.objects.count() == before

    def test_api_write_requires_permission(self, cast, api_for):
        if not self.api_path or "create" not in self.api_actions:
            pytest.skip("no API create")
        response = api_for(getattr(cast, self.reader_only)).post(
            self.api_path, self.api_data(cast, cast.project_a), format="json"
        )
        assert response.status_code == 403


def _form_errors(response):
    form = getattr(response, "context", None) and response.context.get("form")
    return form.errors.as_json() if form is not None else response.content[:500]
