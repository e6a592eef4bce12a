"""A repair and a complaint walked through every state, with the timeline, pauses and reopening."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wuye.core.models import TransitionEvent
from wuye.core.states import history
from wuye.core.testing.factories import make_user
from wuye.service import services
from wuye.service.models import Category, ReturnVisit, SlaClock, WorkOrder
from wuye.service.services.sla import check_deadlines
from wuye.service.tests.factories import make_order, make_person, make_unit

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def cat(project, top, child=None):
    services.ensure_service_setup(project)
    parent = Category.objects.get(project=project, parent=None, name=top)
    return Category.objects.get(parent=parent, name=child) if child else parent


def clock(order, deadline):
    return SlaClock.objects.get(order=order, deadline=deadline)


def test_repair_walks_through_every_state(cast, on_commit):
    unit = make_unit(cast.project_a)
    person = make_person(cast.project_a)
    with time_machine.travel(START, tick=False) as traveller:
        order = WorkOrder(
            project=cast.project_a,
            kind="repair",
            repair_scope="household",
            source="phone",
            category=cat(cast.project_a, "水电", "漏水渗水"),
            priority="urgent",
            unit=unit,
            reporter=person,
            description="卫生间天花板漏水",
            contact_name="张三",
            contact_phone="13812345678",
        )
        with on_commit():
            order = services.do_create_workorder(actor=cast.manager_a, order=order)
        assert order.number == "GD-2026-000001"
        assert order.status == "new" and order.building_id == unit.building_id
        assert order.return_visit_required  # grade 1: every repair gets a return visit
        # urgent repair, grade 1: accept 15 min, on site 60 min, complete 8 h
        assert clock(order, "accept").due_at == START + datetime.timedelta(minutes=15)
        assert clock(order, "arrive").due_at == START + datetime.timedelta(minutes=60)
        assert clock(order, "complete").due_at == START + datetime.timedelta(hours=8)

        order = services.do_assign_workorder(actor=cast.manager_a, order=order, assignee=cast.engineer_a)
        traveller.shift(datetime.timedelta(minutes=5))
        order = services.do_accept_workorder(actor=cast.engineer_a, order=order)
        assert order.response_seconds == 300 and clock(order, "accept").met is True
        traveller.shift(datetime.timedelta(minutes=20))
        order = services.do_arrive_workorder(actor=cast.engineer_a, order=order)
        assert order.arrival_seconds == 25 * 60 and clock(order, "arrive").met is True
        order = services.do_start_workorder(actor=cast.engineer_a, order=order)

        # pause two hours waiting for parts: the completion deadline moves by two hours
        traveller.shift(datetime.timedelta(minutes=10))
        order = services.do_pause_workorder(actor=cast.engineer_a, order=order, reason="parts", note="等阀门")
        assert order.status == "paused"
        traveller.shift(datetime.timedelta(hours=2))
        order = services.do_resume_workorder(actor=cast.engineer_a, order=order)
        assert order.status == "in_progress"
        assert order.paused_seconds == 7200
        assert clock(order, "complete").due_at == START + datetime.timedelta(hours=10)

        traveller.shift(datetime.timedelta(minutes=30))
        order = services.do_complete_workorder(
            actor=cast.engineer_a, order=order, resolution="更换三通阀", materials="三通阀 x1"
        )
        assert order.status == "completed"
        # 3 h 05 min since the report, minus 2 h paused
        assert order.completion_seconds == 65 * 60
        assert clock(order, "complete").met is True and not order.sla_breached

        order = services.do_confirm_workorder(actor=cast.manager_a, order=order, rating=5)
        assert order.status == "confirmed" and order.reporter_rating == 5
        with pytest.raises(ValidationError):
            services.do_close_workorder(actor=cast.manager_a, order=order)  # return visit first
        visit = services.do_return_visit_workorder(
            actor=cast.manager_a, order=order, satisfaction=5, comment="满意"
        )
        order.refresh_from_db()
        assert order.status == "visited" and order.satisfaction == 5 and visit.outcome == ""
        order = services.do_close_workorder(actor=cast.manager_a, order=order)
        assert order.status == "closed"

    steps = [(t.transition, t.source, t.destination) for t in history(order)]
    assert steps == [
        ("assign", "new", "assigned"),
        ("accept", "assigned", "accepted"),
        ("arrive", "accepted", "on_site"),
        ("start", "on_site", "in_progress"),
        ("pause", "in_progress", "paused"),
        ("resume_in_progress", "paused", "in_progress"),
        ("complete", "in_progress", "completed"),
        ("confirm", "completed", "confirmed"),
        ("return_visit", "confirmed", "visited"),
        ("close", "visited", "closed"),
    ]
    assert all(t.project_id == cast.project_a.pk for t in TransitionEvent.objects.all())


def test_complaint_answered_reopened_and_closed(cast, on_commit):
    services.ensure_service_setup(cast.project_a)
    unit = make_unit(cast.project_a)
    with time_machine.travel(START, tick=False) as traveller:
        complaint = WorkOrder(
            project=cast.project_a,
            kind="complaint",
            source="portal",
            category=cat(cast.project_a, "噪音", "装修噪音"),
            unit=unit,
            description="楼上周日早上七点装修",
            responsible_department="security",
            complaint_cause="noise",
        )
        complaint = services.do_create_workorder(actor=cast.manager_a, order=complaint)
        assert complaint.return_visit_required
        assert clock(complaint, "accept").due_at == START + datetime.timedelta(
            minutes=60
        )  # answered within 1 h
        assert not SlaClock.objects.filter(order=complaint, deadline="arrive").exists()
        traveller.shift(datetime.timedelta(minutes=40))
        complaint = services.do_resolve_workorder(
            actor=cast.manager_a, order=complaint, resolution="已联系业主停工"
        )
        assert complaint.status == "completed" and complaint.assignee == cast.manager_a
        assert complaint.response_seconds == 2400
        complaint = services.do_confirm_workorder(actor=cast.manager_a, order=complaint)
        # the return visit finds the reporter unsatisfied (2/5): the order is reopened, count kept
        visit = services.do_return_visit_workorder(
            actor=cast.manager_a, order=complaint, satisfaction=2, comment="还在装修"
        )
        complaint.refresh_from_db()
        assert visit.outcome == "reopened"
        assert complaint.status == "assigned" and complaint.reopen_count == 1
        complaint = services.do_accept_workorder(actor=cast.manager_a, order=complaint)
        complaint = services.do_arrive_workorder(actor=cast.manager_a, order=complaint)
        complaint = services.do_complete_workorder(
            actor=cast.manager_a, order=complaint, resolution="约谈装修队"
        )
        complaint = services.do_confirm_workorder(actor=cast.manager_a, order=complaint)
        services.do_return_visit_workorder(actor=cast.manager_a, order=complaint, satisfaction=4, close=True)
        complaint.refresh_from_db()
        assert complaint.status == "closed" and complaint.satisfaction == 4
        assert ReturnVisit.objects.filter(order=complaint).count() == 2

        # a second noise complaint about the same unit within 30 days is flagged and linked
        again = services.do_create_workorder(
            actor=cast.manager_a,
            order=WorkOrder(
                project=cast.project_a,
                kind="complaint",
                source="phone",
                category=complaint.category,
                unit=unit,
                description="又在装修",
            ),
        )
        assert again.is_repeat and again.repeat_of == complaint


def test_reporter_rejects_work_and_escalate_setting(cast, on_commit):
    settings = services.ensure_service_setup(cast.project_a)
    settings.unsatisfied_action = "escalate"
    settings.save()
    order = make_order(cast.project_a, actor=cast.manager_a)
    services.do_assign_workorder(actor=cast.manager_a, order=order, assignee=cast.engineer_a)
    services.do_accept_workorder(actor=cast.engineer_a, order=order)
    services.do_arrive_workorder(actor=cast.engineer_a, order=order)
    services.do_complete_workorder(actor=cast.engineer_a, order=order, resolution="修好")
    order = services.do_confirm_workorder(
        actor=cast.manager_a, order=order, satisfied=False, comment="灯还闪"
    )
    assert order.status == "assigned" and order.reopen_count == 1
    services.do_accept_workorder(actor=cast.engineer_a, order=order)
    services.do_arrive_workorder(actor=cast.engineer_a, order=order)
    services.do_complete_workorder(actor=cast.engineer_a, order=order, resolution="换镇流器")
    services.do_confirm_workorder(actor=cast.manager_a, order=order)
    with on_commit():
        visit = services.do_return_visit_workorder(actor=cast.manager_a, order=order, satisfaction=1)
    order.refresh_from_db()
    assert visit.outcome == "escalated" and order.needs_attention and order.status == "visited"
    from wuye.notifications.models import Notification

    assert Notification.objects.filter(recipient=cast.manager_a, kind="service.unsatisfied").exists()
    with pytest.raises(ValidationError):
        services.do_close_workorder(actor=cast.manager_a, order=order)
    order = services.do_reopen_workorder(actor=cast.manager_a, order=order, reason="安排主管上门")
    assert order.reopen_count == 2 and not order.needs_attention


def test_reopened_order_gets_a_new_completion_deadline(cast, on_commit):
    """Rework is timed from the reopening with the time the rule allows; the first result is kept."""
    with time_machine.travel(START, tick=False) as traveller:
        order = make_order(cast.project_a, actor=cast.manager_a)
        first = clock(order, "complete")
        allowed = first.due_at - first.started_at
        services.do_assign_workorder(actor=cast.manager_a, order=order, assignee=cast.engineer_a)
        services.do_accept_workorder(actor=cast.engineer_a, order=order)
        services.do_arrive_workorder(actor=cast.engineer_a, order=order)
        services.do_complete_workorder(actor=cast.engineer_a, order=order, resolution="修好")
        assert clock(order, "complete").met is True
        traveller.shift(datetime.timedelta(days=3))  # long after the first deadline
        order = services.do_confirm_workorder(
            actor=cast.manager_a, order=order, satisfied=False, comment="灯还闪"
        )
        rework = clock(order, "complete")
        assert rework.started_at == timezone.now() and rework.due_at == timezone.now() + allowed
        assert rework.met is None and rework.stopped_at is None and rework.breached_at is None
        reopen = [t for t in history(order) if t.transition == "reopen"][-1]
        assert reopen.data["previous_completion"]["met"] is True

        # the rework overruns its deadline: the check marks the breach
        traveller.shift(allowed + datetime.timedelta(minutes=1))
        with on_commit():
            check_deadlines()
        order.refresh_from_db()
        assert clock(order, "complete").breached_at is not None and order.sla_breached
        services.do_accept_workorder(actor=cast.engineer_a, order=order)
        services.do_arrive_workorder(actor=cast.engineer_a, order=order)
        services.do_complete_workorder(actor=cast.engineer_a, order=order, resolution="换镇流器")
        assert clock(order, "complete").met is False


def test_permissions_and_wrong_states(cast):
    order = make_order(cast.project_a, actor=cast.manager_a)
    with pytest.raises(PermissionDenied):  # engineers cannot dispatch
        services.do_assign_workorder(actor=cast.engineer_a, order=order, assignee=cast.engineer_a)
    with pytest.raises(ValidationError):  # cashiers cannot handle orders
        services.do_assign_workorder(actor=cast.manager_a, order=order, assignee=cast.cashier_a)
    services.do_assign_workorder(actor=cast.manager_a, order=order, assignee=cast.engineer_a)
    with pytest.raises(ValidationError):
        services.do_arrive_workorder(actor=cast.engineer_a, order=order)  # accept first
    with pytest.raises(PermissionDenied):
        services.do_accept_workorder(actor=cast.staff_b, order=order)
    services.do_accept_workorder(actor=cast.engineer_a, order=order)
    services.do_arrive_workorder(actor=cast.engineer_a, order=order)
    services.do_complete_workorder(actor=cast.engineer_a, order=order, resolution="x")
    with pytest.raises(PermissionDenied):  # the reporter's side is customer service's, not the engineer's
        services.do_confirm_workorder(actor=cast.engineer_a, order=order)
    other_engineer = make_user(role_slug="engineer", project=cast.project_a)
    order2 = make_order(cast.project_a, actor=cast.manager_a)
    services.do_assign_workorder(actor=cast.manager_a, order=order2, assignee=cast.engineer_a)
    with pytest.raises(PermissionDenied):  # only the assignee (or a dispatcher) records the steps
        services.do_accept_workorder(actor=other_engineer, order=order2)


def test_cancel_and_transfer(cast, on_commit):
    services.ensure_service_setup(cast.project_a)
    order = make_order(
        cast.project_a, actor=cast.manager_a, category=cat(cast.project_a, "公共设施", "路灯照明")
    )
    assert order.team.name == "工程维修组"  # the category's team, inherited from its parent
    other = order.team.__class__.objects.get(project=cast.project_a, name="秩序维护组")
    services.do_assign_workorder(actor=cast.manager_a, order=order, assignee=cast.engineer_a)
    order = services.do_transfer_workorder(actor=cast.manager_a, order=order, team=other, reason="属于秩序")
    assert order.status == "new" and order.team == other and order.assignee is None
    with pytest.raises(ValidationError):
        services.do_cancel_workorder(actor=cast.manager_a, order=order, reason=" ")
    order = services.do_cancel_workorder(actor=cast.manager_a, order=order, reason="业主撤销")
    assert order.status == "cancelled"
    assert not SlaClock.objects.filter(order=order, stopped_at__isnull=True).exists()
    assert (
        SlaClock.objects.filter(order=order, met__isnull=True).count()
        == SlaClock.objects.filter(order=order).count()
    )


def test_validation_rules(cast):
    services.ensure_service_setup(cast.project_a)
    category = cat(cast.project_a, "水电")
    order = WorkOrder(
        project=cast.project_a, kind="repair", repair_scope="household", category=category, description="x"
    )
    with pytest.raises(ValidationError) as exc:
        order.full_clean(exclude=["number"])
    assert "unit" in exc.value.message_dict
    unit_b = make_unit(cast.project_b)
    order = WorkOrder(
        project=cast.project_a,
        kind="repair",
        repair_scope="household",
        category=category,
        unit=unit_b,
        description="x",
        contact_phone="12",
    )
    with pytest.raises(ValidationError) as exc:
        order.full_clean(exclude=["number"])
    assert {"unit", "contact_phone"} <= set(exc.value.message_dict)
    order = WorkOrder(
        project=cast.project_a,
        kind="consultation",
        category=category,
        description="x",
        is_paid=True,
        appointment_at=timezone.now() - datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as exc:
        order.full_clean(exclude=["number"])
    assert {"is_paid", "appointment_at"} <= set(exc.value.message_dict)
