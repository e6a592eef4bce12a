import pytest

from wuye.estate.models import Project


def test_project_code_validation_message(cast, client_for):
    response = client_for(cast.ops_admin).post(
        "/estate/projects/add/",
        {
            "name": "X",
            "code": "bad code!",
            "service_grade": "grade_1",
            "fee_model": "lump_sum",
            "managed_area": "1",
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert not Project.objects.filter(name="X").exists()


def test_project_manager_cannot_create_projects(cast, client_for, api_for):
    assert client_for(cast.manager_a).get("/estate/projects/add/").status_code == 403
    response = api_for(cast.manager_a).post(
        "/api/v1/estate/projects/", {"name": "X", "code": "X1"}, format="json"
    )
    assert response.status_code == 403


def test_manager_edits_own_project_not_others(cast, api_for):
    client = api_for(cast.manager_a)
    assert (
        client.patch(
            f"/api/v1/estate/projects/{cast.project_a.pk}/", {"city": "北京"}, format="json"
        ).status_code
        == 200
    )
    assert (
        client.patch(
            f"/api/v1/estate/projects/{cast.project_b.pk}/", {"city": "北京"}, format="json"
        ).status_code
        == 404
    )
    cast.project_b.refresh_from_db()
    assert cast.project_b.city != "北京"


def test_api_validation_names_the_field(cast, api_for):
    response = api_for(cast.ops_admin).post(
        "/api/v1/estate/projects/", {"name": "X", "code": "P X", "managed_area": "-1"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert "code" in body and "managed_area" in body


def test_protected_delete_answers_409_with_blockers(cast, api_for):
    from wuye.core.models import Job

    Job.objects.create(kind="x", name="占用", project=cast.project_b)
    response = api_for(cast.ops_admin).delete(f"/api/v1/estate/projects/{cast.project_b.pk}/")
    assert response.status_code == 409
    body = response.json()
    assert body["blocking"] and body["blocking"][0]["type"] == "core.job"
    assert Project.objects.filter(pk=cast.project_b.pk).exists()


@pytest.mark.parametrize("lang,text", [("zh-hans", "项目"), ("en", "Projects")])
def test_list_page_language(cast, client_for, lang, text):
    client = client_for(cast.ops_admin)
    client.cookies["django_language"] = lang
    body = client.get("/estate/projects/").content.decode()
    assert text in body
