"""Business steps on people and units: owner registration, transfer (过户), move-in (入住), move-out (迁出),
reveal and PIPL anonymisation. Plain functions, keyword-only ``actor``, one transaction each, audit rows.

Callers check permissions (the views and the API do); services check the business rules. Unit status
changes are written here directly (estate has no state machine for units) and recorded in the audit row.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core import audit
from wuye.estate.choices import DEVELOPER_STATUSES, UnitStatusChoices
from wuye.estate.models import Unit
from wuye.residents.choices import OccupancyKindChoices, OccupancyRelationChoices, PersonKindChoices
from wuye.residents.models import Occupancy, Ownership, Person, current_q

DELIVERED_STATUSES = (
    UnitStatusChoices.VACANT,
    UnitStatusChoices.OCCUPIED,
    UnitStatusChoices.RENOVATING,
    UnitStatusChoices.RENTED,
)


# -- queries used by other modules -------------------------------------------------------------------
def current_owners(unit, on: datetime.date | None = None):
    """The unit's ownerships in force (representative first)."""
    return (
        Ownership.objects.filter(unit=unit)
        .filter(current_q(on))
        .select_related("person")
        .order_by("-is_representative", "pk")
    )


def current_occupants(unit, on: datetime.date | None = None):
    return Occupancy.objects.filter(unit=unit).filter(current_q(on)).select_related("person")


def liable_person(unit) -> Person | None:
    """Who owes the unit's fees: the developer while the unit is unsold or undelivered, otherwise the
    representative current owner (民法典: the owner stays liable even when a tenant pays)."""
    if unit.status in DEVELOPER_STATUSES:
        return developer_for(unit.project)
    first = current_owners(unit).first()
    return first.person if first is not None else None


def payer_for(unit) -> Person | None:
    """Who receives the bills: a current tenant marked as payer, else the liable person."""
    if unit.status not in DEVELOPER_STATUSES:
        tenant = current_occupants(unit).filter(is_payer=True).first()
        if tenant is not None:
            return tenant.person
    return liable_person(unit)


# -- helpers ---------------------------------------------------------------------------------------
def _lock_unit(unit) -> Unit:
    """Re-read the unit FOR UPDATE: concurrent registrations of the same unit are serialised."""
    return Unit.objects.select_for_update(of=("self",)).select_related("project").get(pk=unit.pk)


def _check_date(date, field="date"):
    if date is None:
        raise ValidationError({field: _("Enter the date.")})
    if date > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def _check_person(person, unit, field="person"):
    if person.project_id != unit.project_id:
        raise ValidationError({field: _("%(person)s belongs to another project.") % {"person": person}})
    # Read the flag from the database: the caller's instance may predate an anonymisation.
    if person.is_anonymized or Person.objects.filter(pk=person.pk, anonymized_at__isnull=False).exists():
        raise ValidationError({field: _("%(person)s has been anonymised.") % {"person": person}})


def _set_status(unit, status, *, actor=None, note: str = "", delivery_date=None) -> dict:
    """Write the unit's status (and its delivery date when missing); return the change for our audit row.

    The status goes through ``estate.services.set_unit_status`` when estate offers it (it also ends a
    vacancy registration on a move-in and writes its own audit row), else it is written directly.
    """
    change = {}
    if delivery_date is not None and unit.delivery_date is None:
        change["delivery_date"] = [None, delivery_date.isoformat()]
        unit.delivery_date = delivery_date
        unit.save(update_fields=["delivery_date", "updated_at"])
    if status is not None and unit.status != status:
        change["status"] = [unit.status, str(status)]
        try:
            from wuye.estate.services import set_unit_status
        except ImportError:  # pragma: no cover - estate without services
            set_unit_status = None
        if set_unit_status is not None:
            set_unit_status(actor=actor, unit=unit, status=str(status), note=note)
        else:  # pragma: no cover
            unit.status = status
            unit.save(update_fields=["status", "updated_at"])
    return change


def _create(model, **fields):
    obj = model(**fields)
    obj.full_clean()
    obj.save()
    return obj


# -- the developer ---------------------------------------------------------------------------------
def developer_for(project) -> Person:
    """The project's developer (开发商): holds unsold units and pays for undelivered ones."""
    existing = Person.objects.filter(project=project, is_developer=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            person = Person.objects.create(
                project=project,
                is_developer=True,
                kind=PersonKindChoices.ORGANIZATION,
                id_type="credit_code",
                name=f"{project.name}开发商",
            )
            audit.record(actor=None, action="person.create_developer", obj=person)
            return person
    except IntegrityError:  # created concurrently: the unique constraint allows only one
        return Person.objects.get(project=project, is_developer=True)


# -- ownership ---------------------------------------------------------------------------------------
def do_register_owner(
    *,
    actor,
    unit,
    person,
    share=100,
    is_representative=None,
    certificate_number: str = "",
    start_date: datetime.date | None = None,
    note: str = "",
) -> Ownership:
    """Register an owner (or a co-owner) of ``unit``. Shares of current owners add up to at most 100.

    ``is_representative`` defaults to True for the first current owner; making a new owner the
    representative takes the role from the previous one. An owner other than the developer makes an
    unsold unit "sold, not delivered".
    """
    share = Decimal(str(share))
    with transaction.atomic():
        unit = _lock_unit(unit)
        _check_person(person, unit)
        if start_date is not None and start_date > timezone.localdate():
            raise ValidationError({"start_date": _("The date cannot be in the future.")})
        owners = list(current_owners(unit))
        if owners and not person.is_developer and all(o.person.is_developer for o in owners):
            raise ValidationError(
                _("The developer still holds this unit: record the sale as a transfer instead.")
            )
        if any(o.person_id == person.pk for o in owners):
            raise ValidationError({"person": _("%(person)s already owns this unit.") % {"person": person}})
        if is_representative is None:
            is_representative = not any(o.is_representative for o in owners)
        ownership = _create(
            Ownership,
            project=unit.project,
            unit=unit,
            person=person,
            share=share,
            is_representative=is_representative,
            certificate_number=certificate_number,
            start_date=start_date,
            note=note,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if is_representative:
            for other in owners:
                if other.is_representative:
                    other.is_representative = False
                    other.save(update_fields=["is_representative", "updated_at"])
        change = {}
        if unit.status == UnitStatusChoices.UNSOLD and not person.is_developer:
            change = _set_status(
                unit, UnitStatusChoices.SOLD_UNDELIVERED, actor=actor, note=_("Owner registered.")
            )
        audit.record(
            actor=actor,
            action="ownership.register",
            obj=ownership,
            message=_("%(person)s registered as owner of %(unit)s (%(share)s%%).")
            % {"person": person, "unit": unit, "share": share},
            data={"unit": unit.pk, "person": person.pk, "share": str(share), **change},
        )
    return ownership


def do_transfer_ownership(
    *,
    actor,
    unit,
    new_owners,
    date: datetime.date,
    certificate_number: str = "",
    deliver: bool = False,
    note: str = "",
) -> list[Ownership]:
    """过户: end every current ownership of ``unit`` on ``date`` and register ``new_owners``
    (a list of ``(person, share)``, shares adding up to 100; the first is the representative).

    History is kept. The unit's status follows: back to the developer -> unsold; the developer's
    unsold unit sold -> sold, not delivered; ``deliver=True`` hands it over (vacant, delivery date).
    """
    pairs = [(person, Decimal(str(share))) for person, share in new_owners]
    if not pairs:
        raise ValidationError(_("Name at least one new owner."))
    if len({p.pk for p, _s in pairs}) != len(pairs):
        raise ValidationError(_("A new owner is listed twice."))
    if any(s <= 0 for _p, s in pairs):
        raise ValidationError(_("Each new owner needs a share above 0."))
    total = sum(s for _p, s in pairs)
    if total != 100:
        raise ValidationError(
            _("The new owners' shares add up to %(total)s%%, not 100%%.") % {"total": total}
        )
    _check_date(date)
    with transaction.atomic():
        unit = _lock_unit(unit)
        for person, _share in pairs:
            _check_person(person, unit, field="new_owners")
        # Everyone still holding the unit on ``date`` (including rows starting later, which conflict).
        previous = list(
            Ownership.objects.filter(unit=unit)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=date))
            .select_related("person")
        )
        for old in previous:
            if old.start_date and old.start_date > date:
                raise ValidationError(
                    _("%(person)s became owner on %(start)s, after the transfer date.")
                    % {"person": old.person, "start": old.start_date}
                )
            old.end_date = date
            old.save(update_fields=["end_date", "updated_at"])
        created = []
        for index, (person, share) in enumerate(pairs):
            created.append(
                _create(
                    Ownership,
                    project=unit.project,
                    unit=unit,
                    person=person,
                    share=share,
                    is_representative=index == 0,
                    certificate_number=certificate_number,
                    start_date=date,
                    note=note,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
            )
        to_developer = all(p.is_developer for p, _s in pairs)
        status = None
        delivery = None
        if to_developer:
            if unit.status == UnitStatusChoices.SOLD_UNDELIVERED:
                status = UnitStatusChoices.UNSOLD
        elif deliver and unit.status in DEVELOPER_STATUSES:
            status, delivery = UnitStatusChoices.VACANT, date
        elif unit.status == UnitStatusChoices.UNSOLD:
            status = UnitStatusChoices.SOLD_UNDELIVERED
        change = _set_status(
            unit, status, actor=actor, note=_("Ownership transferred."), delivery_date=delivery
        )
        audit.record(
            actor=actor,
            action="ownership.transfer",
            obj=unit,
            message=_("Transferred from %(old)s to %(new)s on %(date)s.")
            % {
                "old": "、".join(str(o.person) for o in previous) or "—",
                "new": "、".join(str(p) for p, _s in pairs),
                "date": date.isoformat(),
            },
            data={
                "date": date.isoformat(),
                "ended": [o.pk for o in previous],
                "created": [o.pk for o in created],
                "new_owners": [{"person": p.pk, "share": str(s)} for p, s in pairs],
                **change,
            },
        )
    return created


# -- occupancy ----------------------------------------------------------------------------------------
def _occupant_entry(item) -> dict:
    """Accepts a Person, a ``(person, relationship)`` pair, or a dict with ``person`` and optional
    ``relationship``, ``is_payer``, ``kind``, ``note``."""
    if isinstance(item, Person):
        return {"person": item}
    if isinstance(item, tuple | list):
        person, relationship = item[0], item[1] if len(item) > 1 else OccupancyRelationChoices.OTHER
        return {"person": person, "relationship": relationship}
    return dict(item)


def do_move_in(
    *,
    actor,
    unit,
    date: datetime.date,
    occupants=(),
    tenant: Person | None = None,
    tenant_pays: bool = False,
    note: str = "",
) -> list[Occupancy]:
    """入住办理: record household members (and a tenant) living in ``unit`` from ``date``.

    The unit becomes occupied, or rented when a tenant moves in (or already lives there); a unit
    moved into counts as delivered, so a missing delivery date becomes ``date``.
    """
    _check_date(date)
    entries = [_occupant_entry(item) for item in occupants]
    if tenant is not None:
        entries.insert(
            0,
            {
                "person": tenant,
                "kind": OccupancyKindChoices.TENANT,
                "relationship": OccupancyRelationChoices.SELF,
                "is_payer": tenant_pays,
            },
        )
    if not entries:
        raise ValidationError(_("Name at least one person who moves in."))
    if len({e["person"].pk for e in entries}) != len(entries):
        raise ValidationError(_("A person is listed twice."))
    with transaction.atomic():
        unit = _lock_unit(unit)
        if unit.status == UnitStatusChoices.UNSOLD:
            raise ValidationError(_("The unit is unsold: register its owner (or transfer it) first."))
        living = {o.person_id for o in current_occupants(unit, on=date)}
        created = []
        for entry in entries:
            person = entry["person"]
            _check_person(person, unit, field="occupants")
            if person.pk in living:
                raise ValidationError(_("%(person)s already lives in this unit.") % {"person": person})
            created.append(
                _create(
                    Occupancy,
                    project=unit.project,
                    unit=unit,
                    person=person,
                    kind=entry.get("kind") or OccupancyKindChoices.HOUSEHOLD,
                    relationship=entry.get("relationship") or OccupancyRelationChoices.OTHER,
                    is_payer=bool(entry.get("is_payer", False)),
                    start_date=date,
                    note=entry.get("note", note),
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
            )
        has_tenant = current_occupants(unit).filter(kind=OccupancyKindChoices.TENANT).exists()
        status = UnitStatusChoices.RENTED if has_tenant else UnitStatusChoices.OCCUPIED
        change = _set_status(unit, status, actor=actor, note=_("Moved in."), delivery_date=date)
        audit.record(
            actor=actor,
            action="unit.move_in",
            obj=unit,
            message=_("%(people)s moved in on %(date)s.")
            % {"people": "、".join(str(o.person) for o in created), "date": date.isoformat()},
            data={"date": date.isoformat(), "occupancies": [o.pk for o in created], **change},
        )
    return created


def do_move_out(*, actor, unit, date: datetime.date, people=None, note: str = "") -> list[Occupancy]:
    """迁出: end the current occupancies of ``unit`` on ``date`` (all, or only those of ``people``).

    When nobody is left the unit becomes vacant; when only the tenants left it is occupied again.
    """
    _check_date(date)
    with transaction.atomic():
        unit = _lock_unit(unit)
        rows = list(current_occupants(unit, on=date))
        if people is not None:
            wanted = {p.pk for p in people}
            rows = [o for o in rows if o.person_id in wanted]
        if not rows:
            raise ValidationError(_("Nobody of those named lives in this unit."))
        for row in rows:
            if row.start_date and row.start_date > date:
                raise ValidationError(
                    _("%(person)s moved in on %(start)s, after the move-out date.")
                    % {"person": row.person, "start": row.start_date}
                )
            row.end_date = date
            if note:
                row.note = note[:200]
            row.save(update_fields=["end_date", "note", "updated_at"])
        remaining = current_occupants(unit)
        status = None
        if not remaining.exists():
            if unit.status in (UnitStatusChoices.OCCUPIED, UnitStatusChoices.RENTED):
                status = UnitStatusChoices.VACANT
        elif (
            unit.status == UnitStatusChoices.RENTED
            and not remaining.filter(kind=OccupancyKindChoices.TENANT).exists()
        ):
            status = UnitStatusChoices.OCCUPIED
        change = _set_status(unit, status, actor=actor, note=_("Moved out."))
        audit.record(
            actor=actor,
            action="unit.move_out",
            obj=unit,
            message=_("%(people)s moved out on %(date)s.")
            % {"people": "、".join(str(o.person) for o in rows), "date": date.isoformat()},
            data={"date": date.isoformat(), "occupancies": [o.pk for o in rows], **change},
        )
    return rows


# -- personal information ----------------------------------------------------------------------------
def do_reveal_person(*, actor, person, channel: str = "ui") -> dict:
    """Return the full phone and ID number, and log that ``actor`` saw them (never the values)."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="person.reveal",
            obj=person,
            message=_("Full phone and ID number shown."),
            data={"fields": ["phone", "id_number"], "channel": channel},
        )
    return {
        "phone": person.phone,
        "id_type": person.id_type,
        "id_number": person.id_number,
    }


def do_anonymize_person(*, actor, person) -> Person:
    """PIPL deletion: blank the personal fields, keep the row (bills and receipts refer to it).

    The change log of the person and of their ownerships and residences loses the old values too;
    the audit rows keep who did what and when.
    """
    from auditlog.context import disable_auditlog
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from wuye.core.models import AuditEvent

    if person.is_anonymized:
        raise ValidationError(_("This person has already been anonymised."))
    if person.is_developer:
        raise ValidationError(_("The developer is an organisation, not personal information."))
    with transaction.atomic():
        person = Person.objects.select_for_update(of=("self",)).get(pk=person.pk)
        person.name = f"已注销用户#{person.pk}"
        person.phone = ""
        person.id_number = ""
        person.birth_date = None
        person.gender = ""
        person.note = ""
        person.anonymized_at = timezone.now()
        with disable_auditlog():
            person.save()
        person_ct = ContentType.objects.get_for_model(Person)
        LogEntry.objects.filter(content_type=person_ct, object_pk=str(person.pk)).update(
            changes={}, changes_text="", serialized_data=None, object_repr=str(person)
        )
        AuditEvent.objects.filter(content_type=person_ct, object_id=str(person.pk)).update(
            object_repr=str(person)
        )
        for model, rows in (
            (Ownership, Ownership.objects.filter(person=person).select_related("unit", "person")),
            (Occupancy, Occupancy.objects.filter(person=person).select_related("unit", "person")),
        ):
            ct = ContentType.objects.get_for_model(model)
            for row in rows:
                LogEntry.objects.filter(content_type=ct, object_pk=str(row.pk)).update(object_repr=str(row))
                AuditEvent.objects.filter(content_type=ct, object_id=str(row.pk)).update(
                    object_repr=str(row)[:200]
                )
        audit.record(actor=actor, action="person.anonymize", obj=person)
    return person
