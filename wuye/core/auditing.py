"""Read side of the audit trail: one object's history, and the scoped global lists."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from wuye.core.models import AuditEvent, TransitionEvent
from wuye.core.scoping import ALL, user_scope


def object_history(obj) -> list[dict]:
    """Data changes, status changes and audit events of ``obj``, newest first."""
    ct = ContentType.objects.get_for_model(obj)
    items = []
    for entry in LogEntry.objects.filter(content_type=ct, object_pk=str(obj.pk)).select_related("actor"):
        items.append(
            {
                "at": entry.timestamp,
                "actor": entry.actor,
                "kind": "change",
                "action": entry.get_action_display(),
                "changes": _changes(entry),
            }
        )
    for ev in TransitionEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor"):
        items.append(
            {
                "at": ev.at,
                "actor": ev.actor,
                "kind": "transition",
                "action": ev.transition,
                "changes": [("status", ev.source, ev.destination)],
                "note": ev.note,
            }
        )
    for ev in AuditEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor"):
        items.append(
            {
                "at": ev.at,
                "actor": ev.actor,
                "kind": "audit",
                "action": ev.action,
                "changes": [],
                "note": ev.message,
                "amount": ev.amount,
            }
        )
    items.sort(key=lambda item: item["at"], reverse=True)
    return items


def _changes(entry) -> list[tuple]:
    changes = entry.changes_dict or {}
    out = []
    for field, values in changes.items():
        if isinstance(values, list | tuple) and len(values) == 2:
            out.append((field, values[0], values[1]))
        else:
            out.append((field, "", values))
    return out


def logentries_for(user):
    """Model change rows the user may read: all for all-project auditors, else their projects."""
    scope = user_scope(user, "core.view_auditevent")
    qs = LogEntry.objects.select_related("actor", "content_type")
    if scope is ALL:
        return qs
    if not scope:
        return qs.none()
    return qs.filter(additional_data__project_id__in=sorted(scope))
