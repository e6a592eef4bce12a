"""Explicit audit rows for business actions. Call from services, inside their transaction."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from wuye.core.models import AuditEvent


def record(*, actor, action: str, obj=None, project=None, amount=None, message: str = "", data=None):
    """Write one audit row. ``project`` defaults to the object's project."""
    if project is None and obj is not None:
        project = getattr(obj, "project_for_scope", None)
    ct = ContentType.objects.get_for_model(obj) if obj is not None else None
    actor_id = getattr(actor, "pk", None) if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor_id=actor_id,
        project=project,
        action=action,
        content_type=ct,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        amount=amount,
        message=message,
        data=data or {},
    )


def events_for(obj):
    ct = ContentType.objects.get_for_model(obj)
    return AuditEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")
