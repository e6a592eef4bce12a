"""Automatic dispatch (round robin, least loaded), the grab pool and its race."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from wuye.core.testing.factories import make_user
from wuye.service import services
from wuye.service.models import WorkOrder
from wuye.service.tests.factories import make_category, make_order, make_team


def engineers(project, n):
    return [make_user(f"eng{project.pk}_{i}", "engineer", project) for i in range(n)]


def test_round_robin_spreads_100_orders_evenly(cast):
    members = engineers(cast.project_a, 4)
    team = make_team(cast.project_a, dispatch_mode="round_robin", members=members)
    category = make_category(cast.project_a, default_team=team)
    orders = [make_order(cast.project_a, category=category) for _ in range(100)]
    assert all(o.status == "assigned" for o in orders)
    sequence = [o.assignee_id for o in orders]
    assert sequence[:8] == [m.pk for m in members] * 2  # strictly in turn
    assert Counter(sequence) == {m.pk: 25 for m in members}


def test_least_loaded_fills_the_emptiest_first(cast):
    members = engineers(cast.project_a, 3)
    team = make_team(cast.project_a, dispatch_mode="least_loaded", members=members)
    category = make_category(cast.project_a, default_team=team)
    # member 0 already has 10 open orders, member 1 has 4
    manual = make_team(cast.project_a)
    for member, count in ((members[0], 10), (members[1], 4)):
        for _ in range(count):
            o = make_order(cast.project_a, team=manual, category=make_category(cast.project_a))
            services.do_assign_workorder(actor=cast.manager_a, order=o, assignee=member)
    orders = [make_order(cast.project_a, category=category) for _ in range(100)]
    got = Counter(o.assignee_id for o in orders)
    # 114 open orders end up spread 38/38/38 at most one apart
    totals = {m.pk: got[m.pk] + {0: 10, 1: 4, 2: 0}[i] for i, m in enumerate(members)}
    assert max(totals.values()) - min(totals.values()) <= 1
    assert got[members[2].pk] > got[members[1].pk] > got[members[0].pk]
    # finishing orders frees capacity: the next order goes to whoever has the fewest open
    for o in WorkOrder.objects.filter(assignee=members[1], status="assigned")[:5]:
        services.do_cancel_workorder(actor=cast.manager_a, order=o, reason="重复")
    assert make_order(cast.project_a, category=category).assignee == members[1]


def test_manual_team_waits_for_a_dispatcher(cast):
    team = make_team(cast.project_a, members=engineers(cast.project_a, 2))
    order = make_order(cast.project_a, category=make_category(cast.project_a, default_team=team))
    assert order.status == "new" and order.team == team and order.assignee is None


def test_grab_pool_one_wins(cast):
    a, b = engineers(cast.project_a, 2)
    outsider = make_user("eng_out", "engineer", cast.project_a)
    team = make_team(cast.project_a, dispatch_mode="pool", members=[a, b])
    order = make_order(cast.project_a, category=make_category(cast.project_a, default_team=team))
    assert order.status == "new"
    with pytest.raises(ValidationError):
        services.do_grab_workorder(actor=outsider, order=order)
    services.do_grab_workorder(actor=a, order=order)
    with pytest.raises(ValidationError, match="already taken"):
        services.do_grab_workorder(actor=b, order=order)  # b still holds the stale object
    order.refresh_from_db()
    assert order.assignee == a and order.status == "assigned"


@pytest.mark.django_db(transaction=True)
def test_grab_race_on_a_real_database(cast):
    """Two engineers grab the same order at the same moment: exactly one wins (row lock / write lock)."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.skip("needs a database shared between threads (PostgreSQL: make test-pg)")
    people = engineers(cast.project_a, 6)
    team = make_team(cast.project_a, dispatch_mode="pool", members=people)
    order = make_order(cast.project_a, category=make_category(cast.project_a, default_team=team))
    barrier = threading.Barrier(len(people))
    results = []

    def grab(user):
        from django.db import connections

        try:
            barrier.wait()
            services.do_grab_workorder(actor=user, order=order)
            results.append(("won", user.pk))
        except ValidationError:
            results.append(("lost", user.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=grab, args=(u,)) for u in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [pk for r, pk in results if r == "won"]
    assert len(winners) == 1 and len(results) == len(people)
    order.refresh_from_db()
    assert order.assignee_id == winners[0]


def test_decline_goes_to_the_next_member(cast):
    a, b = engineers(cast.project_a, 2)
    team = make_team(cast.project_a, dispatch_mode="round_robin", members=[a, b])
    order = make_order(cast.project_a, category=make_category(cast.project_a, default_team=team))
    first = order.assignee
    order = services.do_decline_workorder(actor=first, order=order, reason="在休假")
    assert order.status == "assigned" and order.assignee != first
