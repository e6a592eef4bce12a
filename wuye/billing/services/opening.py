"""Opening balances (期初) when a project moves to Wuye: what units still owe, and prepaid money held.

Only what is still owed is imported, one bill per unit, fee item and period, with its original
period, due date and (optionally) the date its limitation period last restarted. Payments made in
the old system are not replayed: a part-paid bill is imported with its remaining amount. Prepaid
balances become an ``opening`` movement on the unit's prepaid account, without a receipt (no money
changes hands on the day of the import, so it belongs to no cashier's day).

An opening bill uses the billing run's dedup key (unit, item, period start), so a later billing run
never bills that period again, and importing it twice is refused.

An opening bill is linked to the fee standard the unit is assigned for that item (the assignment in
force at the start of the period, else the nearest one), so late fees on old arrears follow the same
rule as on new bills; a unit with no such assignment gets no late fee on it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.billing.choices import BillSourceChoices, PrepaidMovementKindChoices
from wuye.billing.models import Bill, FeeAssignment, PrepaidAccount, PrepaidMovement
from wuye.billing.services.payments import general_account
from wuye.billing.services.runs import dedup_key
from wuye.core import audit
from wuye.core.money import ZERO, fen
from wuye.core.numbering import format_number, next_block
from wuye.estate.choices import DEVELOPER_STATUSES


@dataclass
class OpeningLine:
    unit: object  # estate.Unit
    item: object  # billing.FeeItem
    period_start: datetime.date
    period_end: datetime.date
    amount: Decimal
    due_date: datetime.date | None = None
    limitation_start: datetime.date | None = None
    description: str = ""

    @property
    def key(self) -> str:
        return dedup_key(self.unit.pk, None, self.item.pk, self.period_start)


def opening_line_problems(line: OpeningLine, project) -> dict[str, str]:
    """Problems of one line by field (empty when it can be imported)."""
    errors = {}
    if line.unit.project_id != project.pk:
        errors["unit"] = _("The unit belongs to another project.")
    if line.item.project_id != project.pk:
        errors["item"] = _("The fee item belongs to another project.")
    if line.amount is None or fen(line.amount) <= 0:
        errors["amount"] = _("The amount owed must be positive.")
    if line.period_end < line.period_start:
        errors["period"] = _("The period ends before it starts.")
    if line.limitation_start and line.due_date and line.limitation_start < line.due_date:
        errors["limitation_start"] = _("The limitation period cannot start before the due date.")
    return errors


def create_opening_bills(*, actor, project, lines: list[OpeningLine], note: str = "") -> list[Bill]:
    """Create one opening bill per line (source ``opening``), in one transaction.

    Raises ValidationError when a line is invalid or its unit already has a bill for that item and
    period; nothing is written then.
    """
    from wuye.billing.services.runs import _Payers

    if not lines:
        return []
    for index, line in enumerate(lines, start=1):
        errors = opening_line_problems(line, project)
        if errors:
            raise ValidationError(
                _("Line %(n)s: %(errors)s") % {"n": index, "errors": " ".join(errors.values())}
            )
    keys = [line.key for line in lines]
    if len(set(keys)) != len(keys):
        raise ValidationError(_("The same unit, item and period appears twice."))
    today = timezone.localdate()
    with transaction.atomic():
        taken = set(
            Bill.objects.filter(project=project, dedup_key__in=keys).values_list("dedup_key", flat=True)
        )
        if taken:
            raise ValidationError(
                _("%(n)s of these periods are already billed, e.g. %(key)s.")
                % {"n": len(taken), "key": min(taken)}
            )
        payers = _Payers(project)
        standards = _assigned_standards(project, lines)
        numbers = next_block(project, "bill", len(lines), today.year)
        prefix = format_number("bill", today.year, 0)[:-6]
        bills = []
        for line, value in zip(lines, numbers, strict=True):
            if line.unit.status in DEVELOPER_STATUSES:
                payer_id, payer_name = payers.developer_payer()
            else:
                payer_id, payer_name = payers.resident_payer(line.unit.pk)
            due = line.due_date or line.period_end
            amount = fen(line.amount)
            bills.append(
                Bill(
                    project=project,
                    number=f"{prefix}{value:06d}",
                    unit=line.unit,
                    payer_id=payer_id,
                    payer_name=payer_name or "",
                    item=line.item,
                    standard_id=standards.get(line.key),
                    period_start=line.period_start,
                    period_end=line.period_end,
                    due_date=due,
                    quantity=Decimal("1"),
                    unit_price=amount,
                    months=Decimal("0"),
                    amount=amount,
                    tax_rate=line.item.tax_rate,
                    description=(line.description or _opening_text(line))[:200],
                    calc={"item": line.item.name, "method": "opening", "note": note[:100]},
                    source=BillSourceChoices.OPENING,
                    source_ref=note[:64],
                    dedup_key=line.key,
                    limitation_start=line.limitation_start or due,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
            )
        Bill.objects.bulk_create(bills, batch_size=500)
        total = sum((b.amount for b in bills), ZERO)
        audit.record(
            actor=actor,
            action="billing.bill.opening",
            project=project,
            amount=total,
            message=note,
            data={"bills": len(bills), "first": bills[0].number, "last": bills[-1].number},
        )
    return bills


def _assigned_standards(project, lines: list[OpeningLine]) -> dict[str, int]:
    """The standard each line's unit is assigned for its item, by line key (one query).

    The assignment in force on the period start wins; otherwise the one whose start is nearest.
    """
    rows = (
        FeeAssignment.objects.filter(
            project=project,
            unit_id__in={line.unit.pk for line in lines},
            standard__item_id__in={line.item.pk for line in lines},
        )
        .values_list("unit_id", "standard__item_id", "standard_id", "start_date", "end_date")
        .order_by("start_date", "pk")
    )
    by_target: dict[tuple[int, int], list[tuple]] = {}
    for unit_id, item_id, standard_id, start, end in rows:
        by_target.setdefault((unit_id, item_id), []).append((standard_id, start, end))
    chosen = {}
    for line in lines:
        candidates = by_target.get((line.unit.pk, line.item.pk))
        if not candidates:
            continue
        day = line.period_start
        covering = [c for c in candidates if c[1] <= day and (c[2] is None or c[2] >= day)]
        best = covering[-1] if covering else min(candidates, key=lambda c: abs((c[1] - day).days))
        chosen[line.key] = best[0]
    return chosen


def _opening_text(line: OpeningLine) -> str:
    if (line.period_start.year, line.period_start.month) == (line.period_end.year, line.period_end.month):
        span = f"{line.period_start:%Y-%m}"
    else:
        span = f"{line.period_start:%Y-%m}~{line.period_end:%Y-%m}"
    return _("%(item)s %(period)s (opening balance)") % {"item": line.item.name, "period": span}


def record_opening_prepaid(*, actor, project, unit, amount, item=None, note: str = "") -> PrepaidMovement:
    """Put a unit's prepaid balance from the old system on its prepaid account (once per account)."""
    amount = fen(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("The prepaid balance must be positive.")})
    if unit.project_id != project.pk:
        raise ValidationError({"unit": _("The unit belongs to another project.")})
    if item is not None and item.project_id != project.pk:
        raise ValidationError({"item": _("The fee item belongs to another project.")})
    with transaction.atomic():
        if item is None:
            account = general_account(project, unit, lock=True)
        else:
            account, _created = PrepaidAccount.objects.select_for_update(of=("self",)).get_or_create(
                project=project, unit=unit, item=item
            )
        if PrepaidMovement.objects.filter(account=account, kind=PrepaidMovementKindChoices.OPENING).exists():
            raise ValidationError(
                _("Unit %(unit)s already has an opening prepaid balance%(item)s.")
                % {"unit": unit.code, "item": f" ({item.name})" if item else ""}
            )
        account.balance += amount
        account.save(update_fields=["balance", "updated_at"])
        movement = PrepaidMovement.objects.create(
            project=project,
            account=account,
            kind=PrepaidMovementKindChoices.OPENING,
            amount=amount,
            balance_after=account.balance,
            note=note[:200] or _("Opening balance"),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            actor=actor,
            action="billing.prepaid.opening",
            obj=account,
            amount=amount,
            message=note,
            data={"item": getattr(item, "name", None)},
        )
    return movement
