"""Business steps on the estate archive that other modules call (residents on a move-in, billing on a
vacancy discount, the handover process...). Plain functions, keyword-only ``actor``, one transaction,
an audit row for each business action.

They do not check permissions: the caller (a view, an API action, a job) has already decided that
``actor`` may do this; a move-in registered by customer service may change a unit's status although
customer service cannot edit units.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wuye.core import audit
from wuye.estate.choices import UnitStatusChoices
from wuye.estate.models import Unit

#: statuses in which someone lives in or works on the unit: a vacancy registration ends
NOT_VACANT_STATUSES = (UnitStatusChoices.OCCUPIED, UnitStatusChoices.RENTED, UnitStatusChoices.RENOVATING)


def _locked(unit: Unit) -> Unit:
    """The unit re-read with a row lock, so concurrent status changes serialise."""
    return Unit.objects.select_for_update(of=("self",)).select_related("project", "building").get(pk=unit.pk)


def set_unit_status(*, actor, unit: Unit, status: str, note: str = "", on: datetime.date | None = None):
    """Change ``unit.status`` and record it. Moving in (occupied, rented, renovating) ends a vacancy
    registration. Returns the unit; unchanged (and nothing recorded) when the status is the same."""
    if status not in UnitStatusChoices.values:
        raise ValidationError({"status": _("Unknown unit status %(status)s.") % {"status": status}})
    with transaction.atomic():
        locked = _locked(unit)
        old = locked.status
        if old == status:
            _copy(locked, unit)
            return unit
        locked.status = status
        fields = ["status", "updated_at"]
        ended_vacancy = False
        if status in NOT_VACANT_STATUSES and locked.vacancy_registered:
            locked.vacancy_registered = False
            locked.vacancy_registered_on = None
            fields += ["vacancy_registered", "vacancy_registered_on"]
            ended_vacancy = True
        locked.save(update_fields=fields)
        audit.record(
            actor=actor,
            action="estate.unit.status",
            obj=locked,
            message=note
            or _("Status %(old)s → %(new)s")
            % {"old": UnitStatusChoices(old).label, "new": UnitStatusChoices(status).label},
            data={
                "from": old,
                "to": status,
                "on": (on or datetime.date.today()).isoformat(),
                "vacancy_ended": ended_vacancy,
            },
        )
    _copy(locked, unit)
    return unit


def register_vacancy(*, actor, unit: Unit, since: datetime.date | None = None, note: str = ""):
    """Register a delivered, vacant unit as vacant from ``since`` (default today), for the vacancy
    discount some projects grant. Refused for units that are occupied, rented, being renovated or
    not yet delivered (the developer pays for those)."""
    since = since or datetime.date.today()
    with transaction.atomic():
        locked = _locked(unit)
        if locked.status != UnitStatusChoices.VACANT:
            raise ValidationError(
                {
                    "vacancy_registered": _(
                        "Only a delivered, vacant unit can be registered as vacant (status: %(status)s)."
                    )
                    % {"status": locked.get_status_display()}
                }
            )
        if locked.delivery_date and since < locked.delivery_date:
            raise ValidationError(
                {"vacancy_registered_on": _("The vacancy cannot start before the delivery date.")}
            )
        if locked.vacancy_registered and locked.vacancy_registered_on == since:
            _copy(locked, unit)
            return unit
        locked.vacancy_registered = True
        locked.vacancy_registered_on = since
        locked.save(update_fields=["vacancy_registered", "vacancy_registered_on", "updated_at"])
        audit.record(
            actor=actor,
            action="estate.unit.vacancy_registered",
            obj=locked,
            message=note or _("Registered as vacant from %(date)s") % {"date": since.isoformat()},
            data={"since": since.isoformat()},
        )
    _copy(locked, unit)
    return unit


def end_vacancy(*, actor, unit: Unit, note: str = ""):
    """End a vacancy registration (the owner moved in, or withdrew it)."""
    with transaction.atomic():
        locked = _locked(unit)
        if not locked.vacancy_registered:
            _copy(locked, unit)
            return unit
        since = locked.vacancy_registered_on
        locked.vacancy_registered = False
        locked.vacancy_registered_on = None
        locked.save(update_fields=["vacancy_registered", "vacancy_registered_on", "updated_at"])
        audit.record(
            actor=actor,
            action="estate.unit.vacancy_ended",
            obj=locked,
            message=note or _("Vacancy registration ended"),
            data={"since": since.isoformat() if since else None},
        )
    _copy(locked, unit)
    return unit


def _copy(source: Unit, target: Unit) -> None:
    """Callers keep using their own instance: bring it up to date."""
    if source is target:
        return
    for name in ("status", "vacancy_registered", "vacancy_registered_on", "updated_at"):
        setattr(target, name, getattr(source, name))
