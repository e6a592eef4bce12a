import pytest
from django.urls import reverse

from wuye.core import audit
from wuye.core.models import AuditEvent


def test_healthz_checks_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    body = client.get("/login/").content.decode()
    assert 'lang="zh-hans"' in body
    assert "登录" in body and "用户名" in body and "密码" in body


@pytest.mark.django_db
def test_login_with_demo_password_and_home(cast, client):
    response = client.post("/login/", {"username": "pm_a", "password": "wuye-demo"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert "项目甲" in body  # the project switcher lists the user's project
    assert "项目乙" not in body


@pytest.mark.django_db
def test_lockout_after_five_failures_for_fifteen_minutes(cast, client, settings):
    for _ in range(5):
        client.post("/login/", {"username": "pm_a", "password": "wrong"})
    response = client.post("/login/", {"username": "pm_a", "password": "wuye-demo"})
    assert response.status_code == 429
    assert "15" in response.content.decode()
    assert settings.AXES_FAILURE_LIMIT == 5 and settings.AXES_COOLOFF_TIME.total_seconds() == 900


def test_passwords_are_hashed_with_argon2(settings):
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_demo_password_hash_is_argon2(cast):
    assert cast.manager_a.password.startswith("argon2")


@pytest.mark.django_db
def test_project_switcher_narrows_lists_and_refuses_foreign_projects(cast, client_for):
    client = client_for(cast.ops_admin)
    response = client.post("/switch-project/", {"project": cast.project_b.pk, "next": "/estate/projects/"})
    assert response.status_code == 302 and response["Location"] == "/estate/projects/"
    body = client.get("/estate/projects/").content.decode()
    assert "项目乙" in body and ">项目甲<" not in body
    client.post("/switch-project/", {"project": "all"})
    assert ">项目甲<" in client.get("/estate/projects/").content.decode()
    # a manager of A cannot switch into B
    assert (
        client_for(cast.manager_a).post("/switch-project/", {"project": cast.project_b.pk}).status_code == 404
    )
    # an external "next" is not followed
    response = client.post("/switch-project/", {"project": "all", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_global_search_is_scoped(cast, client_for):
    body = client_for(cast.manager_a).get("/search/", {"q": "项目"}).content.decode()
    assert "项目甲" in body and "项目乙" not in body
    fragment = (
        client_for(cast.manager_a).get("/search/", {"q": "PA"}, HTTP_HX_REQUEST="true").content.decode()
    )
    assert "项目甲" in fragment and "<html" not in fragment


@pytest.mark.django_db
def test_navigation_shows_only_permitted_modules(cast, client_for):
    admin = client_for(cast.ops_admin).get("/").content.decode()
    cashier = client_for(cast.cashier_a).get("/").content.decode()
    assert reverse("accounts:user_list") in admin
    assert reverse("accounts:user_list") not in cashier
    assert reverse("estate:project_list") in cashier


@pytest.mark.django_db
def test_audit_trail_pages(cast, client_for):
    audit.record(actor=cast.manager_a, action="billing.refund", obj=cast.project_a, message="甲退款")
    audit.record(actor=cast.staff_b, action="billing.refund", obj=cast.project_b, message="乙退款")
    # model changes are logged with the acting user
    client_for(cast.ops_admin).post(
        f"/estate/projects/{cast.project_a.pk}/edit/",
        {
            "name": "项目甲",
            "code": "PA",
            "service_grade": "grade_2",
            "fee_model": "lump_sum",
            "managed_area": "1",
            "status": "active",
        },
    )
    manager = client_for(cast.manager_a)
    events = manager.get("/audit/").content.decode()
    assert "甲退款" in events and "乙退款" not in events
    changes = manager.get("/audit/", {"tab": "changes"}).content.decode()
    assert "项目甲" in changes
    history = manager.get(f"/estate/projects/{cast.project_a.pk}/history/").content.decode()
    assert "service_grade" in history and "billing.refund" in history
    assert client_for(cast.cashier_a).get("/audit/").status_code == 403
    ids = {
        row["object_id"]
        for row in __import__("json").loads(
            client_for(cast.auditor).get("/api/v1/audit-events/", HTTP_ACCEPT="application/json").content
        )["results"]
    }
    assert ids == {str(cast.project_a.pk), str(cast.project_b.pk)}
    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db
def test_column_choice_is_remembered(cast, client_for):
    client = client_for(cast.ops_admin)
    client.post("/estate/projects/", {"columns": ["code", "city"]})
    body = client.get("/estate/projects/").content.decode()
    assert "PA" in body and "项目甲</a>" not in body
    client.post("/estate/projects/", {"reset": "1"})
    assert "项目甲</a>" in client.get("/estate/projects/").content.decode()
