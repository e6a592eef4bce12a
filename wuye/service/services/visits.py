"""After the work: the reporter confirms (or not), return visits, reopening and closing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core import audit
from wuye.core.scoping import user_scope
from wuye.service.choices import DeadlineChoices, UnsatisfiedActionChoices
from wuye.service.choices import WorkOrderStatusChoices as S
from wuye.service.models import ReturnVisit, ServiceSettings, WorkOrder
from wuye.service.models.orders import VISIT
from wuye.service.services.common import apply, locked, on_commit_notify, require
from wuye.service.services.setup import ensure_service_setup


def _require_reporter_side(actor, order):
    """Staff record the reporter's answer; a resident account will answer for its own orders."""
    from django.core.exceptions import PermissionDenied

    if actor is None:
        return
    if order.project_id in user_scope(actor, VISIT):
        return
    raise PermissionDenied(_("You cannot answer for the reporter of this order."))


def _reopen(order, *, actor, reason):
    from wuye.service.services.sla import restart_clock

    order.reopen_count += 1
    order.needs_attention = False
    order.completed_at = None
    order.confirmed_at = None
    # The rework gets the completion time the rule allows, from now; the first result is kept
    # in this event (and a breach stays on the order).
    previous = restart_clock(
        order, DeadlineChoices.COMPLETE, timezone.now(), ensure_service_setup(order.project)
    )
    apply(
        order,
        "reopen",
        actor=actor,
        note=reason,
        data={"count": order.reopen_count, "previous_completion": previous},
        fields=["reopen_count", "needs_attention", "completed_at", "confirmed_at"],
    )
    audit.record(actor=actor, action="service.reopened", obj=order, message=reason)
    if order.assignee_id:
        on_commit_notify(
            recipients=[order.assignee],
            title=_("%(number)s was reopened") % {"number": order.number},
            body=reason,
            link=order.get_absolute_url(),
            channels=("inbox", "sms"),
            project=order.project,
            kind="service.reopened",
        )


def do_confirm_workorder(
    *, actor, order: WorkOrder, satisfied: bool = True, rating: int | None = None, comment: str = ""
) -> WorkOrder:
    """The reporter confirms the work (and may rate it); not satisfied reopens the order."""
    with transaction.atomic():
        order = locked(order)
        _require_reporter_side(actor, order)
        require(rating is None or 1 <= int(rating) <= 5, _("Rate from 1 to 5."), "rating")
        if rating is not None:
            order.reporter_rating = int(rating)
        if not satisfied:
            require(order.status == S.COMPLETED, _("Only completed work can be rejected."))
            order.save(update_fields=["reporter_rating", "updated_at"])
            _reopen(order, actor=actor, reason=comment or _("The reporter is not satisfied."))
            return order
        order.confirmed_at = timezone.now()
        apply(
            order,
            "confirm",
            actor=actor,
            note=comment,
            data={"rating": rating},
            fields=["confirmed_at", "reporter_rating"],
        )
    return order


def do_reopen_workorder(*, actor, order: WorkOrder, reason: str) -> WorkOrder:
    with transaction.atomic():
        order = locked(order)
        _require_reporter_side(actor, order)
        require(bool(reason.strip()), _("Give a reason for reopening."), "reason")
        _reopen(order, actor=actor, reason=reason)
    return order


def do_return_visit_workorder(
    *,
    actor,
    order: WorkOrder,
    satisfaction: int | None,
    comment: str = "",
    method: str = "phone",
    reached: bool = True,
    close: bool = False,
) -> ReturnVisit:
    """Record a return visit. Unsatisfied (at or below the project's threshold) reopens the order or
    escalates it to the project manager, as the project is configured."""
    from wuye.service.services.sla import chain

    with transaction.atomic():
        order = locked(order)
        settings = ensure_service_setup(order.project)
        visit = ReturnVisit(
            project_id=order.project_id,
            order=order,
            method=method,
            reached=reached,
            satisfaction=satisfaction if reached else None,
            comment=comment,
            created_by=actor,
        )
        visit.full_clean()
        require(order.status == S.CONFIRMED, _("A return visit follows the reporter's confirmation."))
        if not reached:
            visit.outcome = "unreached"
            visit.save()
            audit.record(actor=actor, action="service.visit_unreached", obj=order, message=comment)
            return visit
        order.satisfaction = satisfaction
        order.visited_at = visit.visited_at
        apply(
            order,
            "return_visit",
            actor=actor,
            note=comment,
            data={"satisfaction": satisfaction},
            fields=["satisfaction", "visited_at"],
        )
        if satisfaction <= settings.unsatisfied_threshold:
            if settings.unsatisfied_action == UnsatisfiedActionChoices.REOPEN:
                visit.outcome = "reopened"
                _reopen(
                    order,
                    actor=actor,
                    reason=_("Return visit: unsatisfied (%(n)s/5). %(comment)s")
                    % {"n": satisfaction, "comment": comment},
                )
            else:
                visit.outcome = "escalated"
                order.needs_attention = True
                order.save(update_fields=["needs_attention", "updated_at"])
                audit.record(actor=actor, action="service.visit_escalated", obj=order, message=comment)
                on_commit_notify(
                    recipients=chain(order, 2),
                    title=_("Unsatisfied reporter: %(number)s (%(n)s/5)")
                    % {"number": order.number, "n": satisfaction},
                    body=comment,
                    link=order.get_absolute_url(),
                    channels=("inbox", "email"),
                    project=order.project,
                    kind="service.unsatisfied",
                )
        elif close:
            visit.outcome = "closed"
            _close(order, actor=actor, note="")
        visit.save()
    return visit


def _close(order, *, actor, note):
    order.closed_at = timezone.now()
    apply(order, "close", actor=actor, note=note, fields=["closed_at"])
    audit.record(actor=actor, action="service.closed", obj=order)


def do_close_workorder(*, actor, order: WorkOrder, note: str = "") -> WorkOrder:
    with transaction.atomic():
        order = locked(order)
        require(not order.needs_attention, _("The reporter was unsatisfied: deal with it (reopen) first."))
        _close(order, actor=actor, note=note)
    return order


def auto_confirm_due(now=None) -> int:
    """Confirm orders completed more than the project's N days ago (the periodic task calls this)."""
    now = now or timezone.now()
    done = 0
    days = dict(ServiceSettings.objects.values_list("project_id", "auto_confirm_days"))
    candidates = WorkOrder.objects.filter(
        status=S.COMPLETED, completed_at__lte=now - datetime.timedelta(days=1)
    )
    for order in candidates.only("pk", "project_id", "completed_at"):
        if order.completed_at > now - datetime.timedelta(days=days.get(order.project_id, 3)):
            continue
        with transaction.atomic():
            order = locked(order)
            if order.status != S.COMPLETED:
                continue
            order.confirmed_at = now
            apply(
                order,
                "auto_confirm",
                actor=None,
                note=_("No answer from the reporter in %(n)s days") % {"n": days.get(order.project_id, 3)},
                fields=["confirmed_at"],
            )
            done += 1
    return done
