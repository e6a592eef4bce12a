"""Who works on an order: manual assignment, automatic dispatch (round robin or least loaded),
the grab pool (抢单), declining and transfers between teams."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core import audit
from wuye.service.choices import ACTIVE_STATUSES, DispatchModeChoices, PriorityChoices
from wuye.service.choices import WorkOrderStatusChoices as S
from wuye.service.models import Team, WorkOrder
from wuye.service.models.orders import HANDLE
from wuye.service.services.common import apply, holds, locked, on_commit_notify, require

AUTOMATIC = (DispatchModeChoices.ROUND_ROBIN, DispatchModeChoices.LEAST_LOADED)


def pick_member(team: Team, exclude=()):
    """The next member for an automatic team (locks the team row so parallel dispatches queue up)."""
    team = Team.objects.select_for_update(of=("self",)).get(pk=team.pk)
    excluded = {u.pk for u in exclude}
    members = [m for m in team.members.filter(is_active=True).order_by("pk") if m.pk not in excluded]
    if not members:
        return None
    last = team.rr_last_user_id or 0
    # members after the cursor first, then from the start: the round-robin order
    order = sorted(members, key=lambda m: (m.pk <= last, m.pk))
    if team.dispatch_mode == DispatchModeChoices.LEAST_LOADED:
        loads = dict(
            WorkOrder.objects.filter(assignee__in=members, status__in=ACTIVE_STATUSES)
            .values("assignee")
            .annotate(n=Count("id"))
            .values_list("assignee", "n")
        )
        chosen = min(order, key=lambda m: loads.get(m.pk, 0))  # ties go round robin
    else:
        chosen = order[0]
    Team.objects.filter(pk=team.pk).update(rr_last_user=chosen)
    return chosen


def auto_dispatch(order: WorkOrder, exclude=()) -> WorkOrder:
    """Route a new order inside its team as the team is configured; tell people about it."""
    team = order.team
    if team is None or order.status != S.NEW:
        return order
    if team.dispatch_mode in AUTOMATIC:
        member = pick_member(team, exclude=exclude)
        if member is not None:
            return _assign(order, member, actor=None, name="assign", note=_("Automatic dispatch"), auto=True)
    if team.dispatch_mode == DispatchModeChoices.POOL:
        recipients = list(team.members.filter(is_active=True))
        title = _("New order in the pool: %(number)s %(category)s") % {
            "number": order.number,
            "category": order.category,
        }
    else:
        recipients = [team.leader] if team.leader_id else []
        title = _("New order to dispatch: %(number)s %(category)s") % {
            "number": order.number,
            "category": order.category,
        }
    on_commit_notify(
        recipients=recipients,
        title=title,
        body=order.description[:140],
        link=order.get_absolute_url(),
        channels=("inbox",),
        project=order.project,
        kind="service.new_order",
    )
    return order


def _assign(order, assignee, *, actor, name, note="", auto=False):
    if not holds(assignee, HANDLE, order):
        raise ValidationError(
            {"assignee": _("%(user)s cannot handle work orders in this project.") % {"user": assignee}}
        )
    previous = order.assignee
    order.assignee = assignee
    order.assigned_at = timezone.now()
    apply(
        order,
        name,
        actor=actor,
        note=note,
        data={"assignee": assignee.pk, "auto": auto},
        fields=["assignee", "assigned_at", "team"],
    )
    channels = ("inbox", "sms") if order.priority == PriorityChoices.EMERGENCY else ("inbox",)
    on_commit_notify(
        recipients=[assignee],
        title=_("Order for you: %(number)s %(category)s %(where)s")
        % {
            "number": order.number,
            "category": order.category,
            "where": order.where,
        },
        body=order.description[:140],
        link=order.get_absolute_url(),
        channels=channels,
        project=order.project,
        kind="service.assigned",
    )
    if previous is not None and previous != assignee:
        on_commit_notify(
            recipients=[previous],
            title=_("%(number)s was reassigned") % {"number": order.number},
            link=order.get_absolute_url(),
            channels=("inbox",),
            project=order.project,
            kind="service.reassigned",
        )
    return order


def do_assign_workorder(*, actor, order: WorkOrder, assignee, team: Team | None = None, note: str = ""):
    with transaction.atomic():
        order = locked(order)
        if team is not None:
            require(team.project_id == order.project_id, _("The team belongs to another project."), "team")
            order.team = team
        name = "assign" if order.status == S.NEW else "reassign"
        _assign(order, assignee, actor=actor, name=name, note=note)
        audit.record(actor=actor, action="service.assigned", obj=order, data={"assignee": assignee.pk})
    return order


def do_grab_workorder(*, actor, order: WorkOrder) -> WorkOrder:
    """A team member takes an order from the pool. Two people grabbing at once: one wins, the other
    gets a validation error (the row lock serialises them; the second sees it assigned)."""
    with transaction.atomic():
        order = locked(order)
        require(order.status == S.NEW, _("Someone else has already taken this order."))
        team = order.team
        require(
            team is not None and team.dispatch_mode == DispatchModeChoices.POOL,
            _("This order is not in a grab pool."),
        )
        require(
            team.members.filter(pk=actor.pk).exists(),
            _("Only members of %(team)s can take it.") % {"team": team},
        )
        _assign(order, actor, actor=actor, name="grab", note=_("Taken from the pool"))
        audit.record(actor=actor, action="service.grabbed", obj=order)
    return order


def do_decline_workorder(*, actor, order: WorkOrder, reason: str) -> WorkOrder:
    with transaction.atomic():
        order = locked(order)
        require(order.assignee_id == actor.pk, _("Only the assignee can decline."))
        require(bool(reason.strip()), _("Give a reason."), "reason")
        order.assignee = None
        order.assigned_at = None
        apply(order, "decline", actor=actor, note=reason, fields=["assignee", "assigned_at"])
        auto_dispatch(order, exclude=[actor])
    return order


def do_transfer_workorder(*, actor, order: WorkOrder, team: Team, reason: str = "") -> WorkOrder:
    with transaction.atomic():
        order = locked(order)
        require(team.project_id == order.project_id, _("The team belongs to another project."), "team")
        require(team.pk != order.team_id, _("The order is already with this team."), "team")
        old = order.team
        order.team = team
        order.assignee = None
        order.assigned_at = None
        apply(
            order,
            "transfer",
            actor=actor,
            note=reason,
            data={"from_team": old.pk if old else None, "to_team": team.pk},
            fields=["team", "assignee", "assigned_at"],
        )
        audit.record(
            actor=actor, action="service.transferred", obj=order, message=reason, data={"to_team": team.pk}
        )
        auto_dispatch(order)
    return order
