import pytest

from wuye.accounts.models import Membership, Role, User
from wuye.accounts.roles import SYSTEM_ROLES, permission_matches, sync_system_roles
from wuye.core.scoping import ALL
from wuye.estate.models import Project


def test_permission_patterns():
    assert permission_matches("estate.view_unit", ["estate.*"])
    assert not permission_matches("estate.add_project", ["estate.*", "!estate.add_project"])
    assert permission_matches("billing.view_bill", ["*.view_*"])


@pytest.mark.django_db
def test_seeded_roles_exist_with_sensible_permissions():
    sync_system_roles()
    assert set(Role.objects.values_list("slug", flat=True)) >= set(SYSTEM_ROLES)
    codes = lambda slug: {p.codename for p in Role.objects.get(slug=slug).permissions.all()}  # noqa: E731
    assert "view_project" in codes("auditor") and "change_project" not in codes("auditor")
    assert "add_project" in codes("ops-admin") and "add_project" not in codes("project-manager")
    assert "change_project" in codes("project-manager")


@pytest.mark.django_db
def test_scope_resolution(cast):
    assert cast.ops_admin.scope_for("estate.view_project") is ALL
    assert cast.manager_a.scope_for("estate.view_project") == frozenset({cast.project_a.pk})
    assert cast.manager_a.scope_for("estate.add_project") == frozenset()
    assert cast.manager_a.has_perm("estate.change_project", cast.project_a)
    assert not cast.manager_a.has_perm("estate.change_project", cast.project_b)
    assert list(Project.objects.restrict(cast.manager_a, "change")) == [cast.project_a]
    assert list(Project.objects.restrict(None)) == []


@pytest.mark.django_db
def test_scopes_are_loaded_in_one_query(cast, django_assert_num_queries):
    user = User.objects.get(pk=cast.manager_a.pk)
    with django_assert_num_queries(1):
        user.scope_for("estate.view_project")
        user.scope_for("estate.change_project")
        user.scope_for("core.view_job")


@pytest.mark.django_db
def test_inactive_users_have_no_scope(cast):
    cast.manager_a.is_active = False
    cast.manager_a.save()
    user = User.objects.get(pk=cast.manager_a.pk)
    assert list(Project.objects.restrict(user)) == []


@pytest.mark.django_db
def test_manager_sees_only_members_of_own_projects(cast, client_for):
    body = client_for(cast.manager_a).get("/accounts/users/").content.decode()
    assert "pm_a" in body and "cashier_a" in body and "pm_b" not in body


@pytest.mark.django_db
def test_admin_creates_user_and_grants_membership(cast, client_for):
    client = client_for(cast.ops_admin)
    response = client.post(
        "/accounts/users/add/",
        {
            "username": "newcs",
            "display_name": "新客服",
            "phone": "13912345678",
            "email": "",
            "is_active": "on",
            "password1": "Str0ng-pass-2026",
            "password2": "Str0ng-pass-2026",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newcs")
    assert user.check_password("Str0ng-pass-2026") and user.password.startswith("argon2")
    page = client.get(f"/accounts/memberships/add/?user={user.pk}").content.decode()
    assert f'value="{user.pk}" selected' in page
    response = client.post(
        "/accounts/memberships/add/",
        {"user": user.pk, "role": Role.objects.get(slug="customer-service").pk, "project": cast.project_a.pk},
    )
    assert response.status_code == 302
    user = User.objects.get(pk=user.pk)
    assert user.scope_for("estate.view_project") == frozenset({cast.project_a.pk})


@pytest.mark.django_db
def test_user_form_rejects_weak_or_mismatched_passwords(cast, client_for):
    client = client_for(cast.ops_admin)
    response = client.post("/accounts/users/add/", {"username": "x", "password1": "123", "password2": "456"})
    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
def test_duplicate_all_projects_membership_is_refused(cast, client_for):
    role = Role.objects.get(slug="auditor")
    response = client_for(cast.ops_admin).post(
        "/accounts/memberships/add/", {"user": cast.auditor.pk, "role": role.pk, "project": ""}
    )
    assert response.status_code == 200
    assert Membership.objects.filter(user=cast.auditor, role=role).count() == 1


@pytest.mark.django_db
def test_role_permission_matrix_edit(cast, client_for, api_for):
    client = client_for(cast.ops_admin)
    role = Role.objects.create(name="物业助理", slug="assistant")
    page = client.get(f"/accounts/roles/{role.pk}/edit/").content.decode()
    assert 'name="permissions"' in page
    from django.contrib.auth.models import Permission

    perm = Permission.objects.get(codename="view_project")
    response = client.post(
        f"/accounts/roles/{role.pk}/edit/",
        {"name": "物业助理", "slug": "assistant", "permissions": [perm.pk]},
    )
    assert response.status_code == 302
    assert list(role.permissions.values_list("codename", flat=True)) == ["view_project"]
    data = api_for(cast.ops_admin).get(f"/api/v1/accounts/roles/{role.pk}/").json()
    assert data["permissions"] == ["estate.view_project"]
    response = api_for(cast.ops_admin).patch(
        f"/api/v1/accounts/roles/{role.pk}/",
        {"permissions": ["estate.view_project", "core.view_job"]},
        format="json",
    )
    assert response.status_code == 200 and sorted(response.json()["permissions"]) == [
        "core.view_job",
        "estate.view_project",
    ]


@pytest.mark.django_db
def test_password_change(cast, client_for):
    client = client_for(cast.cashier_a)
    response = client.post(
        "/account/password/",
        {"old_password": "wuye-demo", "new_password1": "An0ther-secret!", "new_password2": "An0ther-secret!"},
    )
    assert response.status_code == 302
    cast.cashier_a.refresh_from_db()
    assert cast.cashier_a.check_password("An0ther-secret!")
