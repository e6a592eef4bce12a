import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction

from wuye.accounts.models import Membership, User
from wuye.estate.models import Project


@pytest.mark.django_db
def test_demo_is_idempotent_and_gives_every_role_a_login(rf):
    call_command("demo", "--projects", "2", "--seed", "7", stdout=io.StringIO())
    counts = (Project.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("demo", "--projects", "2", "--seed", "7", stdout=io.StringIO())
    assert (Project.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert counts[0] == 2
    admin = User.objects.get(username="admin")
    assert admin.memberships.get().project is None and admin.memberships.get().role.slug == "ops-admin"
    pm1, pm2 = User.objects.get(username="pm1"), User.objects.get(username="pm2")
    assert pm1.memberships.get().project.code == "P001" and pm2.memberships.get().project.code == "P002"
    slugs = set(Membership.objects.values_list("role__slug", flat=True))
    assert slugs == {
        "ops-admin",
        "project-manager",
        "customer-service",
        "engineer",
        "security-guard",
        "cleaning-greening",
        "cashier",
        "finance",
        "auditor",
    }
    request = rf.post("/login/")
    assert authenticate(request, username="admin", password="wuye-demo") == admin


@pytest.mark.django_db
def test_demo_if_empty_leaves_a_real_database_alone():
    User.objects.create(username="real-user")
    call_command("demo", "--if-empty", stdout=io.StringIO())
    assert not User.objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_demo_is_deterministic_with_seed():
    def snapshot():
        return list(Project.objects.order_by("code").values_list("code", "managed_area", "service_phone"))

    # the first run is rolled back (projects cannot be deleted once units refer to them)
    with transaction.atomic():
        call_command("demo", "--projects", "3", "--seed", "11", "--units", "40", stdout=io.StringIO())
        first = snapshot()
        transaction.set_rollback(True)
    assert not Project.objects.exists()
    call_command("demo", "--projects", "3", "--seed", "11", "--units", "40", stdout=io.StringIO())
    assert snapshot() == first
