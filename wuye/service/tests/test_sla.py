"""SLA rules, warnings at 80 %, breaches and escalation along the chain, with a controllable clock."""

from __future__ import annotations

import datetime

import time_machine

from wuye.accounts.models import Membership, Role
from wuye.core.models import AuditEvent
from wuye.core.testing.factories import make_user
from wuye.notifications.models import Notification
from wuye.service import services
from wuye.service.models import Category, SlaClock, SlaRule, Team, WorkOrder
from wuye.service.services.sla import check_deadlines, deadlines_for
from wuye.service.tests.factories import make_unit

START = datetime.datetime(2026, 5, 4, 2, 0, tzinfo=datetime.UTC)
M = datetime.timedelta(minutes=1)


def setup_project(cast):
    settings = services.ensure_service_setup(cast.project_a)
    lead = make_user("lead_a", "engineer", cast.project_a)
    team = Team.objects.get(project=cast.project_a, name="工程维修组")
    team.leader = lead
    team.save()
    team.members.add(cast.engineer_a, lead)
    return settings, team, lead


def elevator_order(cast, **kw):
    parent = Category.objects.get(project=cast.project_a, parent=None, name="电梯")
    trapped = Category.objects.get(parent=parent, name="电梯困人")
    order = WorkOrder(
        project=cast.project_a,
        kind="repair",
        repair_scope="common",
        category=trapped,
        priority="emergency",
        location="2栋1号梯",
        description="电梯困人，2人",
        **kw,
    )
    return services.do_create_workorder(actor=cast.manager_a, order=order)


def titles(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def test_most_specific_rule_wins(cast):
    setup_project(cast)
    with time_machine.travel(START, tick=False):
        order = elevator_order(cast)
    due = {c.deadline: c.due_at for c in order.clocks.all()}
    # the elevator-entrapment rule (kind + category + priority) beats the emergency-repair rule
    assert due == {
        "accept": START + 5 * M,
        "arrive": START + 30 * M,
        "complete": START + 120 * M,
    }
    # a category rule on the child beats one on its parent; inactive rules are ignored
    SlaRule.objects.create(
        project=cast.project_a,
        kind="repair",
        category=order.category,
        priority="emergency",
        arrive_minutes=20,
    )
    SlaRule.objects.create(
        project=cast.project_a,
        kind="repair",
        category=order.category,
        priority="emergency",
        arrive_minutes=1,
        is_active=False,
    )
    found = deadlines_for(order)
    assert found["arrive"][0] == START + 20 * M
    assert found["accept"][0] == START + 5 * M  # still from the parent rule (the child rule sets no accept)


def test_grade_two_project_gets_slower_defaults(cast):
    cast.project_b.service_grade = "grade_2"
    cast.project_b.save()
    services.ensure_service_setup(cast.project_b)
    rule = SlaRule.objects.get(project=cast.project_b, kind="repair", priority="emergency", category=None)
    assert rule.arrive_minutes == 60


def test_appointment_sets_the_arrival_deadline(cast):
    services.ensure_service_setup(cast.project_a)
    unit = make_unit(cast.project_a)
    category = Category.objects.get(project=cast.project_a, name="门窗")
    with time_machine.travel(START, tick=False):
        appointment = START + datetime.timedelta(days=1, hours=6)
        order = services.do_create_workorder(
            actor=cast.manager_a,
            order=WorkOrder(
                project=cast.project_a,
                kind="repair",
                repair_scope="household",
                unit=unit,
                category=category,
                priority="normal",
                description="窗户关不上",
                appointment_at=appointment,
            ),
        )
    arrive = SlaClock.objects.get(order=order, deadline="arrive")
    assert arrive.due_at == appointment
    assert SlaClock.objects.get(order=order, deadline="complete").due_at == appointment + datetime.timedelta(
        days=2
    )


def test_warning_breach_and_escalation_at_the_right_moments(
    cast, django_capture_on_commit_callbacks, sms_outbox
):
    settings, team, lead = setup_project(cast)
    ops = cast.ops_admin
    ops.phone = "13900000003"
    ops.save()
    with time_machine.travel(START, tick=False) as t:
        order = elevator_order(cast)
        services.do_assign_workorder(actor=cast.manager_a, order=order, assignee=cast.engineer_a)
        services.do_accept_workorder(actor=cast.engineer_a, order=order)  # accept clock met
        arrive = SlaClock.objects.get(order=order, deadline="arrive")
        assert arrive.warn_at == START + 24 * M  # 80 % of 30 minutes

        def run(minutes):
            t.move_to(START + minutes * M)
            with django_capture_on_commit_callbacks(execute=True):
                return check_deadlines()

        assert run(23) == {"warned": 0, "breached": 0, "escalated": 0}
        assert run(24)["warned"] == 1
        assert titles(cast.engineer_a) == ["service.sla_level0"]
        assert run(25) == {"warned": 0, "breached": 0, "escalated": 0}  # warned once
        assert run(29)["breached"] == 0
        assert run(30)["breached"] == 1
        arrive.refresh_from_db()
        order.refresh_from_db()
        assert arrive.met is False and arrive.level == 1 and order.sla_breached
        assert "service.sla_level1" in titles(lead) and "service.sla_level1" in titles(cast.engineer_a)
        assert "service.sla_level2" not in titles(cast.manager_a)
        # escalation every 60 minutes (the project's setting): project manager, then operations centre
        assert run(89)["escalated"] == 0
        assert run(90)["escalated"] == 1
        assert "service.sla_level2" in titles(cast.manager_a)
        assert "service.sla_level3" not in titles(ops)
        assert run(150)["escalated"] == 1
        assert "service.sla_level3" in titles(ops)
        arrive.refresh_from_db()
        assert arrive.level == 3
        run(400)  # (the completion deadline, missed at 120, escalates on its own clock)
        arrive.refresh_from_db()
        assert arrive.level == 3  # the chain ends at the operations centre
        assert {n.kind for n in Notification.objects.filter(kind="service.sla_level3")} == {
            "service.sla_level3"
        }
        events = AuditEvent.objects.filter(object_id=str(order.pk), data__deadline="arrive")
        actions = list(events.values_list("action", flat=True))
        assert (
            actions
            == [
                "service.sla_warning",
                "service.sla_breached",
                "service.sla_escalated",
                "service.sla_escalated",
            ][::-1]
        )  # newest first
        assert any(phone == "13900000003" for phone, _text in sms_outbox)  # level 3 also goes by SMS

        # arriving late keeps the breach on record
        services.do_arrive_workorder(actor=cast.engineer_a, order=order)
        arrive.refresh_from_db()
        assert arrive.met is False and arrive.stopped_at is not None


def test_paused_orders_do_not_breach_and_resume_moves_deadlines(cast, django_capture_on_commit_callbacks):
    setup_project(cast)
    with time_machine.travel(START, tick=False) as t:
        order = elevator_order(cast)
        services.do_assign_workorder(actor=cast.manager_a, order=order, assignee=cast.engineer_a)
        services.do_accept_workorder(actor=cast.engineer_a, order=order)
        t.move_to(START + 10 * M)
        services.do_arrive_workorder(actor=cast.engineer_a, order=order)
        services.do_pause_workorder(
            actor=cast.engineer_a, order=order, reason="third_party", note="等维保公司"
        )
        t.move_to(START + 300 * M)  # long past the 120-minute completion deadline, but paused
        assert check_deadlines()["breached"] == 0
        services.do_resume_workorder(actor=cast.engineer_a, order=order)
        complete = SlaClock.objects.get(order=order, deadline="complete")
        assert complete.due_at == START + 120 * M + 290 * M
        assert complete.warn_at == START + 96 * M + 290 * M
        t.move_to(START + 409 * M)
        assert check_deadlines()["breached"] == 0
        t.move_to(START + 410 * M)
        assert check_deadlines()["breached"] == 1


def test_unassigned_warning_goes_to_the_team_lead(cast, django_capture_on_commit_callbacks):
    settings, team, lead = setup_project(cast)
    with time_machine.travel(START, tick=False) as t:
        order = elevator_order(cast)
        t.move_to(START + 4 * M)  # 80 % of the 5-minute accept deadline
        with django_capture_on_commit_callbacks(execute=True):
            check_deadlines()
    assert "service.sla_level0" in titles(lead)
    assert order.team == team


def test_operations_centre_members_only(cast):
    """Level 3 reaches all-project ops admins, not a project's own admin-role member."""
    from wuye.service.services.sla import chain

    setup_project(cast)
    local_admin = make_user("local_ops", None)
    Membership.objects.create(
        user=local_admin, role=Role.objects.get(slug="ops-admin"), project=cast.project_b
    )
    with time_machine.travel(START, tick=False):
        order = elevator_order(cast)
    assert cast.ops_admin in chain(order, 3) and local_admin not in chain(order, 3)
    assert chain(order, 2) == [cast.manager_a]
