"""SLA clocks: which rule applies, when each deadline falls, pauses, warnings, breaches, escalation.

Each order gets up to three clocks (accept, arrive, complete) when it is reported. For each
deadline the most specific active rule that sets it wins: the rule matching more of kind,
category and priority; on a tie, a category rule beats a kind rule, which beats a priority rule.
A top-level category's rule covers its children. While an order is paused its clocks stand still:
on resume every running deadline moves by the paused time. ``check_deadlines`` (every minute)
warns at the project's warning percentage, marks breaches and escalates along the chain
assignee -> team lead -> project manager -> operations centre.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core import audit
from wuye.service.choices import DeadlineChoices, WorkOrderStatusChoices
from wuye.service.models import ServiceSettings, SlaClock, SlaRule, WorkOrder

log = logging.getLogger(__name__)
D = DeadlineChoices

#: escalation levels: 1 at the breach (assignee and team lead), 2 project manager, 3 operations centre
MAX_LEVEL = 3


def _rank(rule: SlaRule, order: WorkOrder) -> tuple:
    return (
        (1 if rule.kind else 0) + (1 if rule.category_id else 0) + (1 if rule.priority else 0),
        2 if rule.category_id == order.category_id else (1 if rule.category_id else 0),
        1 if rule.kind else 0,
        1 if rule.priority else 0,
        -rule.pk,
    )


def matching_rules(order: WorkOrder) -> list[SlaRule]:
    categories = [order.category_id]
    if order.category_id and order.category.parent_id:
        categories.append(order.category.parent_id)
    rules = SlaRule.objects.filter(project_id=order.project_id, is_active=True).filter(
        Q(kind="") | Q(kind=order.kind),
        Q(priority="") | Q(priority=order.priority),
        Q(category__isnull=True) | Q(category_id__in=categories),
    )
    return sorted(rules, key=lambda r: _rank(r, order), reverse=True)


def deadlines_for(order: WorkOrder, rules=None) -> dict:
    """deadline -> (due_at, rule) for the order, from the most specific rule setting each one."""
    rules = matching_rules(order) if rules is None else rules
    start = order.reported_at
    appointment = order.appointment_at if order.appointment_at and order.appointment_at > start else None
    out = {}
    for rule in rules:
        if D.ACCEPT not in out and rule.accept_minutes:
            out[D.ACCEPT] = (start + datetime.timedelta(minutes=rule.accept_minutes), rule)
        if D.ARRIVE not in out:
            if rule.arrive_at_appointment and appointment:
                out[D.ARRIVE] = (appointment, rule)
            elif rule.arrive_minutes:
                out[D.ARRIVE] = (start + datetime.timedelta(minutes=rule.arrive_minutes), rule)
        if D.COMPLETE not in out and rule.complete_minutes:
            base = appointment or start
            out[D.COMPLETE] = (base + datetime.timedelta(minutes=rule.complete_minutes), rule)
    return out


def _warn_at(start, due, percent: int):
    return start + (due - start) * percent / 100


def start_clocks(order: WorkOrder, settings: ServiceSettings) -> list[SlaClock]:
    clocks = []
    for deadline, (due, rule) in deadlines_for(order).items():
        clocks.append(
            SlaClock(
                project_id=order.project_id,
                order=order,
                deadline=deadline,
                rule=rule,
                started_at=order.reported_at,
                due_at=due,
                warn_at=_warn_at(order.reported_at, due, settings.warning_percent),
            )
        )
    return SlaClock.objects.bulk_create(clocks)


def stop_clocks(order: WorkOrder, deadlines, now, *, counted: bool = True) -> None:
    """Stop running clocks: met when now is not past the due time (and no breach was recorded)."""
    for clock in order.clocks.filter(deadline__in=list(deadlines), stopped_at__isnull=True):
        clock.stopped_at = now
        if counted:
            clock.met = clock.breached_at is None and now <= clock.due_at
        clock.save(update_fields=["stopped_at", "met", "updated_at"])
        if counted and not clock.met and not order.sla_breached:
            order.sla_breached = True
            order.save(update_fields=["sla_breached", "updated_at"])


def restart_clock(order: WorkOrder, deadline: str, now, settings: ServiceSettings) -> dict | None:
    """Run a stopped deadline again from ``now`` with the time it allowed (rework after a reopen).

    Returns the result it had (kept in the reopen's timeline event), or None when the order has no
    such clock. A breach already recorded stays on the order (``sla_breached``).
    """
    clock = order.clocks.filter(deadline=deadline).first()
    if clock is None:
        return None
    before = {
        "deadline": deadline,
        "due_at": clock.due_at.isoformat(),
        "stopped_at": clock.stopped_at.isoformat() if clock.stopped_at else None,
        "met": clock.met,
    }
    allowed = clock.due_at - clock.started_at
    clock.started_at = now
    clock.due_at = now + allowed
    clock.warn_at = _warn_at(now, clock.due_at, settings.warning_percent)
    clock.warned_at = clock.breached_at = clock.stopped_at = clock.met = None
    clock.level = 0
    clock.save()
    return before


def shift_clocks(order: WorkOrder, delta: datetime.timedelta) -> None:
    """Move every running deadline of the order by ``delta`` (the time it was paused)."""
    for clock in order.clocks.filter(stopped_at__isnull=True, breached_at__isnull=True):
        clock.due_at += delta
        clock.warn_at += delta
        clock.save(update_fields=["due_at", "warn_at", "updated_at"])


# -- recipients along the chain -----------------------------------------------------------
def _role_users(project_id, slug, all_projects=False):
    from wuye.accounts.models import User

    filt = {"memberships__role__slug": slug}
    filt["memberships__project__isnull" if all_projects else "memberships__project_id"] = (
        True if all_projects else project_id
    )
    return list(User.objects.filter(is_active=True, **filt).distinct())


def chain(order: WorkOrder, level: int) -> list:
    """Who hears about a deadline at ``level`` (0 warning, 1 breach, 2 manager, 3 operations)."""
    team = order.team
    lead = team.leader if team is not None and team.leader_id else None
    if level == 0:
        if order.assignee_id:
            return [order.assignee]
        if lead is not None:
            return [lead]
        return list(team.members.filter(is_active=True)) if team is not None else []
    if level == 1:
        return [u for u in (order.assignee, lead) if u is not None]
    if level == 2:
        return _role_users(order.project_id, "project-manager")
    return _role_users(order.project_id, "ops-admin", all_projects=True)


# -- the periodic check -------------------------------------------------------------------
def _notify(order, clock, level, title, channels):
    from wuye.notifications.services import notify

    notify(
        recipients=chain(order, level),
        title=title,
        body=f"{order.category} · {order.where} · {order.description[:80]}",
        link=order.get_absolute_url(),
        channels=channels,
        project=order.project,
        kind=f"service.sla_level{level}",
    )


def check_deadlines(now=None) -> dict:
    """Warn, mark breaches and escalate. Safe to run in several workers at once (conditional updates)."""
    now = now or timezone.now()
    counts = {"warned": 0, "breached": 0, "escalated": 0}
    running = (
        SlaClock.objects.filter(stopped_at__isnull=True)
        .exclude(order__status=WorkOrderStatusChoices.PAUSED)
        .select_related(
            "order",
            "order__team",
            "order__team__leader",
            "order__assignee",
            "order__project",
            "order__category",
            "order__unit",
            "order__building",
        )
    )
    for clock in running.filter(
        warned_at__isnull=True, breached_at__isnull=True, warn_at__lte=now, due_at__gt=now
    ):
        with transaction.atomic():
            if not SlaClock.objects.filter(pk=clock.pk, warned_at__isnull=True).update(warned_at=now):
                continue
            order = clock.order
            left = int((clock.due_at - now).total_seconds() // 60)
            title = _("%(number)s: %(deadline)s due in %(minutes)s minutes") % {
                "number": order.number,
                "deadline": clock.get_deadline_display(),
                "minutes": left,
            }
            audit.record(
                actor=None,
                action="service.sla_warning",
                obj=order,
                message=title,
                data={"deadline": clock.deadline},
            )
            _notify(order, clock, 0, title, ("inbox",))
            counts["warned"] += 1
    for clock in running.filter(breached_at__isnull=True, due_at__lte=now):
        with transaction.atomic():
            if not SlaClock.objects.filter(pk=clock.pk, breached_at__isnull=True).update(
                breached_at=now, met=False, level=1
            ):
                continue
            order = (
                WorkOrder.objects.select_for_update(of=("self",))
                .select_related("team", "team__leader", "assignee", "project", "category", "unit", "building")
                .get(pk=clock.order_id)
            )
            if not order.sla_breached:
                order.sla_breached = True
                order.save(update_fields=["sla_breached", "updated_at"])
            title = _("%(number)s: %(deadline)s deadline missed") % {
                "number": order.number,
                "deadline": clock.get_deadline_display(),
            }
            audit.record(
                actor=None,
                action="service.sla_breached",
                obj=order,
                message=title,
                data={"deadline": clock.deadline, "level": 1},
            )
            _notify(order, clock, 1, title, ("inbox", "email"))
            counts["breached"] += 1
    escalating = list(running.filter(breached_at__isnull=False, level__lt=MAX_LEVEL))
    if escalating:
        intervals = dict(
            ServiceSettings.objects.filter(project_id__in={c.project_id for c in escalating}).values_list(
                "project_id", "escalation_interval_minutes"
            )
        )
        for clock in escalating:
            interval = datetime.timedelta(minutes=intervals.get(clock.project_id, 60))
            if now < clock.breached_at + interval * clock.level:
                continue
            level = clock.level + 1
            with transaction.atomic():
                if not SlaClock.objects.filter(pk=clock.pk, level=clock.level).update(level=level):
                    continue
                order = clock.order
                title = _("Escalated: %(number)s %(deadline)s overdue") % {
                    "number": order.number,
                    "deadline": clock.get_deadline_display(),
                }
                audit.record(
                    actor=None,
                    action="service.sla_escalated",
                    obj=order,
                    message=title,
                    data={"deadline": clock.deadline, "level": level},
                )
                _notify(order, clock, level, title, ("inbox", "email", "sms"))
                counts["escalated"] += 1
    return counts
