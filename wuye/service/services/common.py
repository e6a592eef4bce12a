"""Helpers shared by the service-desk services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wuye.core.scoping import user_scope
from wuye.service.models import WorkOrder
from wuye.service.models.orders import DISPATCH, HANDLE


def locked(order: WorkOrder) -> WorkOrder:
    """Re-read the order with a row lock (PostgreSQL; SQLite holds the database write lock)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock the order inside the service's transaction")
    return (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("project", "team", "category")
        .get(pk=order.pk)
    )


def holds(user, perm: str, order: WorkOrder) -> bool:
    return user is not None and order.project_id in user_scope(user, perm)


def require_handler(actor, order: WorkOrder) -> None:
    """Only the assignee carries out an order; a dispatcher may record steps on their behalf."""
    if actor is None:
        return
    if order.assignee_id == actor.pk or holds(actor, DISPATCH, order):
        return
    raise PermissionDenied(_("Only the assignee can do this."))


def can_handle(user, order: WorkOrder) -> bool:
    return holds(user, HANDLE, order)


def apply(order: WorkOrder, name: str, *, actor, note: str = "", data=None, fields=()) -> WorkOrder:
    return WorkOrder.machine.apply(order, name, actor=actor, note=note, data=data, save_fields=fields)


def elapsed_seconds(order: WorkOrder, now) -> int:
    """Seconds since the order was reported, the paused time left out."""
    return max(0, int((now - order.reported_at).total_seconds()) - order.paused_seconds)


def on_commit_notify(**kwargs) -> None:
    """``notifications.notify`` after the service's transaction commits."""
    from wuye.notifications.services import notify

    transaction.on_commit(lambda: notify(**kwargs))


def require(condition: bool, message: str, field: str | None = None) -> None:
    if not condition:
        raise ValidationError({field: message} if field else message)
