"""A small state machine for status fields: transitions declared once, each one recorded.

    class WorkOrder(ProjectScopedModel):
        status = models.CharField(choices=Status.choices, default=Status.NEW)
        machine = StateMachine("status", [
            Transition("assign", source=[Status.NEW], target=Status.ASSIGNED,
                       permission="service.dispatch_workorder", label=_("Assign")),
            ...
        ])

    WorkOrder.machine.apply(order, "assign", actor=user, note="...")

``apply`` checks the source state and the actor's permission in the object's project, saves the
field and writes a ``TransitionEvent`` in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wuye.core.models import TransitionEvent
from wuye.core.scoping import user_scope


@dataclass(frozen=True)
class Transition:
    name: str
    source: Iterable[str]
    target: str
    permission: str | None = None
    label: str = ""
    #: extra check ``condition(obj) -> str | None`` returning an error message to refuse
    condition: Callable | None = None
    sources: frozenset = field(init=False)

    def __post_init__(self):
        src = [self.source] if isinstance(self.source, str) else list(self.source)
        object.__setattr__(self, "sources", frozenset(src))


class StateMachine:
    def __init__(self, field_name: str, transitions: Iterable[Transition]):
        self.field = field_name
        self.transitions = {t.name: t for t in transitions}

    def __get__(self, instance, owner):
        return self

    def allowed(self, obj, actor=None) -> list[Transition]:
        current = getattr(obj, self.field)
        result = []
        for t in self.transitions.values():
            if current not in t.sources:
                continue
            if actor is not None and not self._permitted(t, obj, actor):
                continue
            if t.condition and t.condition(obj):
                continue
            result.append(t)
        return result

    @staticmethod
    def _permitted(t: Transition, obj, actor) -> bool:
        if t.permission is None:
            return True
        project = getattr(obj, "project_for_scope", None)
        scope = user_scope(actor, t.permission)
        return project is None and bool(scope) or (project is not None and project.pk in scope)

    def apply(self, obj, name: str, *, actor, note: str = "", data: dict | None = None, save_fields=()):
        try:
            t = self.transitions[name]
        except KeyError:
            raise ValueError(f"unknown transition {name!r}") from None
        current = getattr(obj, self.field)
        if current not in t.sources:
            display = getattr(obj, f"get_{self.field}_display", lambda: current)()
            raise ValidationError(
                _("Cannot %(action)s while the status is %(status)s.")
                % {"action": t.label or t.name, "status": display}
            )
        if actor is not None and not self._permitted(t, obj, actor):
            raise PermissionDenied(
                _("You do not have permission to %(action)s.") % {"action": t.label or t.name}
            )
        if t.condition:
            problem = t.condition(obj)
            if problem:
                raise ValidationError(problem)
        with transaction.atomic():
            setattr(obj, self.field, t.target)
            obj.save(
                update_fields=[
                    self.field,
                    *save_fields,
                    *(["updated_at"] if hasattr(obj, "updated_at") else []),
                ]
            )
            project = getattr(obj, "project_for_scope", None)
            TransitionEvent.objects.create(
                actor=actor if actor is not None and actor.is_authenticated else None,
                project=project,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
                field=self.field,
                transition=t.name,
                source=current,
                destination=t.target,
                note=note,
                data=data or {},
            )
        return obj


def history(obj):
    ct = ContentType.objects.get_for_model(obj)
    return TransitionEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")
