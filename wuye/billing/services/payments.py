"""Collecting money: the cashier desk, prepaid deposits, automatic deduction, refunds."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.billing.choices import (
    AllocationKindChoices,
    BillEventKindChoices,
    BillStatusChoices,
    PaymentChannelChoices,
    PrepaidMovementKindChoices,
)
from wuye.billing.models import (
    Bill,
    BillEvent,
    CashierDayClose,
    Payment,
    PaymentAllocation,
    PaymentTender,
    PrepaidAccount,
    PrepaidMovement,
)
from wuye.billing.services.latefees import late_fees_for
from wuye.core import audit
from wuye.core.money import ZERO, fen
from wuye.core.numbering import next_number

OPEN_STATUSES = (BillStatusChoices.OPEN, BillStatusChoices.PARTIAL)


def lock_cashier_day(cashier) -> None:
    """Serialise a cashier's money movements with the close of their day.

    Every payment, deposit and reversal takes this lock (the cashier's user row) before it checks
    that the day is open, and the day close takes it before it reads the day's payments; so a
    payment either commits before the close reads the day (and is counted in it) or sees the close
    and is refused. Without it a payment begun just before a close could land on a closed day.
    """
    list(get_user_model().objects.select_for_update(of=("self",)).filter(pk=cashier.pk).values_list("pk"))


def _check_day_open(project, cashier, day):
    lock_cashier_day(cashier)
    if CashierDayClose.objects.filter(project=project, cashier=cashier, business_date=day).exists():
        raise ValidationError(_("Your cashier day %(day)s is already closed.") % {"day": day})


def _tenders(tenders) -> list[tuple[str, Decimal, str]]:
    out = []
    for entry in tenders:
        channel, amount, *rest = entry
        if channel not in PaymentChannelChoices.values:
            raise ValidationError({"tenders": _("Unknown payment channel %(c)s.") % {"c": channel}})
        amount = fen(amount)
        if amount <= 0:
            raise ValidationError({"tenders": _("Each payment channel needs a positive amount.")})
        out.append((channel, amount, rest[0] if rest else ""))
    if not out:
        raise ValidationError({"tenders": _("Enter at least one payment amount.")})
    return out


def general_account(project, unit, lock=False) -> PrepaidAccount:
    qs = PrepaidAccount.objects.filter(unit=unit, item__isnull=True)
    if lock:
        qs = qs.select_for_update(of=("self",))
    account = qs.first()
    if account is None:
        account = PrepaidAccount.objects.create(project=project, unit=unit, item=None)
        if lock:
            account = PrepaidAccount.objects.select_for_update(of=("self",)).get(pk=account.pk)
    return account


def _move(account, kind, amount, *, actor, payment=None, bill=None, note=""):
    account.balance = account.balance + amount
    if account.balance < 0:
        raise ValidationError(_("The prepaid balance is not enough."))
    account.save(update_fields=["balance", "updated_at"])
    return PrepaidMovement.objects.create(
        project_id=account.project_id,
        account=account,
        kind=kind,
        amount=amount,
        balance_after=account.balance,
        payment=payment,
        bill=bill,
        note=note,
        created_by=actor,
    )


def _apply_to_bills(bills, late_fees, available: Decimal):
    """Allocate oldest first: every bill's charge first (stopping further late fees), then late fees."""
    plan = []
    remaining = available
    for bill in bills:
        if remaining <= 0:
            break
        share = min(remaining, bill.outstanding)
        if share > 0:
            plan.append((bill, AllocationKindChoices.PRINCIPAL, share))
            remaining -= share
    for bill in bills:
        if remaining <= 0:
            break
        fee = late_fees.get(bill.pk, ZERO)
        share = min(remaining, fee)
        if share > 0:
            plan.append((bill, AllocationKindChoices.LATE_FEE, share))
            remaining -= share
    return plan, remaining


def do_collect_payment(
    *,
    actor,
    project,
    unit,
    bills,
    tenders,
    expected_total: Decimal | None = None,
    cash_tendered: Decimal | None = None,
    payer=None,
    note: str = "",
    when: datetime.datetime | None = None,
) -> Payment:
    """Take one payment for ``unit`` settling ``bills`` (oldest first, late fees as of today).

    ``tenders``: [(channel, amount[, reference])]; channel ``prepaid`` draws on the unit's general
    prepaid balance. More than is due goes to the prepaid balance; less is a part payment.
    ``expected_total`` is what the cashier saw: if the bills changed meanwhile (another cashier was
    faster), nothing is taken and the cashier is asked to refresh.
    """
    when = when or timezone.now()
    day = timezone.localdate(when)
    tenders = _tenders(tenders)
    bill_ids = sorted({b.pk if hasattr(b, "pk") else int(b) for b in bills})
    with transaction.atomic():
        _check_day_open(project, actor, day)
        locked = list(
            Bill.objects.select_for_update(of=("self",))
            .filter(pk__in=bill_ids)
            .select_related("standard__late_fee_rule", "item")
            .order_by("due_date", "period_start", "pk")
        )
        if len(locked) != len(bill_ids):
            raise ValidationError(_("Some bills no longer exist."))
        for bill in locked:
            if bill.project_id != project.pk or (unit is not None and bill.unit_id != unit.pk):
                raise ValidationError(_("Bill %(n)s does not belong to this unit.") % {"n": bill.number})
            if bill.status not in OPEN_STATUSES:
                raise ValidationError(
                    _("Bill %(n)s is already %(s)s; refresh the list.")
                    % {"n": bill.number, "s": bill.get_status_display()}
                )
        fees = late_fees_for(locked, day)
        due_total = sum((b.outstanding for b in locked), ZERO) + sum(fees.values(), ZERO)
        if expected_total is not None and fen(expected_total) != due_total:
            raise ValidationError(
                _("The amount due changed from %(old)s to %(new)s (another payment was recorded); refresh.")
                % {"old": fen(expected_total), "new": due_total}
            )
        total = sum((t[1] for t in tenders), ZERO)
        prepaid_used = sum((t[1] for t in tenders if t[0] == PaymentChannelChoices.PREPAID), ZERO)
        account = None
        if prepaid_used:
            if unit is None:
                raise ValidationError({"tenders": _("A prepaid balance belongs to a unit.")})
            account = general_account(project, unit, lock=True)
            if account.balance < prepaid_used:
                raise ValidationError(
                    {
                        "tenders": _("The prepaid balance is %(b)s, less than %(a)s.")
                        % {"b": account.balance, "a": prepaid_used}
                    }
                )
        plan, leftover = _apply_to_bills(locked, fees, total)
        if leftover > 0 and (unit is None or prepaid_used >= total):
            raise ValidationError({"tenders": _("The payment is more than is due.")})
        if leftover > 0 and prepaid_used and leftover > total - prepaid_used:
            raise ValidationError(
                {"tenders": _("Use less of the prepaid balance: it would only move money back.")}
            )
        cash = sum((t[1] for t in tenders if t[0] == PaymentChannelChoices.CASH), ZERO)
        change = ZERO
        if cash_tendered is not None:
            cash_tendered = fen(cash_tendered)
            if cash_tendered < cash:
                raise ValidationError(
                    {"cash_tendered": _("The cash handed over is less than the cash amount.")}
                )
            change = cash_tendered - cash
        payer = payer or (locked[0].payer if locked else None)
        payment = Payment.objects.create(
            project=project,
            number=next_number(project, "receipt", day.year),
            unit=unit,
            payer=payer,
            payer_name=(payer.name if payer else (locked[0].payer_name if locked else "")),
            received_at=when,
            business_date=day,
            cashier=actor,
            amount=total,
            to_prepaid=leftover,
            cash_tendered=cash_tendered,
            change_given=change,
            note=note,
            created_by=actor,
        )
        PaymentTender.objects.bulk_create(
            [PaymentTender(payment=payment, channel=c, amount=a, reference=r) for c, a, r in tenders]
        )
        PaymentAllocation.objects.bulk_create(
            [PaymentAllocation(payment=payment, bill=b, kind=k, amount=a) for b, k, a in plan]
        )
        _post_allocations(plan, payment, day, actor)
        if prepaid_used:
            _move(
                account,
                PrepaidMovementKindChoices.DEDUCTION,
                -prepaid_used,
                actor=actor,
                payment=payment,
                note=_("Paid at the cashier desk"),
            )
        if leftover > 0:
            _move(
                account or general_account(project, unit, lock=True),
                PrepaidMovementKindChoices.OVERPAYMENT,
                leftover,
                actor=actor,
                payment=payment,
                note=_("Overpayment kept as prepaid balance"),
            )
        audit.record(
            actor=actor,
            action="billing.payment.collect",
            obj=payment,
            amount=total,
            data={
                "bills": [b.number for b in locked],
                "tenders": [[c, str(a)] for c, a, _r in tenders],
                "to_prepaid": str(leftover),
            },
        )
    return payment


def _post_allocations(plan, payment, day, actor):
    touched = {}
    for bill, kind, amount in plan:
        if kind == AllocationKindChoices.PRINCIPAL:
            bill.paid_amount += amount
        else:
            bill.late_fee_paid += amount
        touched[bill.pk] = bill
    for bill in touched.values():
        bill.refresh_status()
        if bill.status == BillStatusChoices.PAID:
            bill.paid_at = payment.received_at
        else:
            # A part payment acknowledges the debt and restarts its limitation period.
            BillEvent.objects.create(
                project_id=bill.project_id,
                bill=bill,
                kind=BillEventKindChoices.PART_PAYMENT,
                date=day,
                note=payment.number,
                created_by=actor,
            )
            bill.limitation_start = max(bill.limitation_start, day)
        bill.save(
            update_fields=[
                "paid_amount",
                "late_fee_paid",
                "status",
                "paid_at",
                "limitation_start",
                "updated_at",
            ]
        )


def do_deposit_prepaid(*, actor, project, unit, tenders, item=None, note="", when=None) -> Payment:
    """Money paid in advance for a unit (optionally earmarked for one fee item), with a receipt."""
    when = when or timezone.now()
    day = timezone.localdate(when)
    tenders = _tenders(tenders)
    if any(t[0] == PaymentChannelChoices.PREPAID for t in tenders):
        raise ValidationError({"tenders": _("A deposit cannot be paid from the prepaid balance.")})
    total = sum((t[1] for t in tenders), ZERO)
    payer = _unit_payer(unit)
    with transaction.atomic():
        _check_day_open(project, actor, day)
        if item is None:
            account = general_account(project, unit, lock=True)
        else:
            account, _created = PrepaidAccount.objects.select_for_update(of=("self",)).get_or_create(
                project=project, unit=unit, item=item
            )
        payment = Payment.objects.create(
            project=project,
            number=next_number(project, "receipt", day.year),
            unit=unit,
            received_at=when,
            business_date=day,
            cashier=actor,
            amount=total,
            to_prepaid=total,
            note=note,
            created_by=actor,
            payer=payer,
            payer_name=payer.name if payer else "",
        )
        PaymentTender.objects.bulk_create(
            [PaymentTender(payment=payment, channel=c, amount=a, reference=r) for c, a, r in tenders]
        )
        _move(account, PrepaidMovementKindChoices.DEPOSIT, total, actor=actor, payment=payment, note=note)
        audit.record(
            actor=actor,
            action="billing.prepaid.deposit",
            obj=payment,
            amount=total,
            data={"item": getattr(item, "name", None)},
        )
    return payment


def do_refund_prepaid(*, actor, project, unit, amount, reason, item=None) -> PrepaidMovement:
    """Pay back unused prepaid money (e.g. when the service contract ends)."""
    amount = fen(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("The refund must be positive.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the refund.")})
    with transaction.atomic():
        qs = PrepaidAccount.objects.select_for_update(of=("self",)).filter(unit=unit, item=item)
        account = qs.first()
        if account is None or account.balance < amount:
            raise ValidationError({"amount": _("The prepaid balance is not enough.")})
        movement = _move(account, PrepaidMovementKindChoices.REFUND, -amount, actor=actor, note=reason)
        audit.record(actor=actor, action="billing.prepaid.refund", obj=account, amount=amount, message=reason)
    return movement


def do_deduct_prepaid(*, project, as_of: datetime.date | None = None, actor=None) -> int:
    """Draw due bills from prepaid balances (item accounts first, then the general one), oldest first.

    Runs daily; returns how many payments it recorded. Late fees are not deducted automatically.
    """
    as_of = as_of or timezone.localdate()
    count = 0
    unit_ids = list(
        PrepaidAccount.objects.filter(project=project, balance__gt=0)
        .values_list("unit_id", flat=True)
        .distinct()
    )
    for unit_id in unit_ids:
        with transaction.atomic():
            accounts = list(
                PrepaidAccount.objects.select_for_update(of=("self",)).filter(unit_id=unit_id, balance__gt=0)
            )
            original = {a.pk: a.balance for a in accounts}
            bills = list(
                Bill.objects.select_for_update(of=("self",))
                .filter(unit_id=unit_id, status__in=OPEN_STATUSES, due_date__lte=as_of)
                .order_by("due_date", "period_start", "pk")
            )
            plan = []  # (bill, account, amount)
            for bill in bills:
                need = bill.outstanding
                for account in sorted(accounts, key=lambda a: a.item_id is None):
                    if need <= 0:
                        break
                    if account.item_id not in (None, bill.item_id) or account.balance <= 0:
                        continue
                    take = min(need, account.balance)
                    account.balance -= take
                    need -= take
                    plan.append((bill, account, take))
            if not plan:
                continue
            total = sum((a for _b, _acc, a in plan), ZERO)
            when = timezone.now()
            payment = Payment.objects.create(
                project=project,
                number=next_number(project, "receipt", as_of.year),
                unit_id=unit_id,
                payer=bills[0].payer,
                payer_name=bills[0].payer_name,
                received_at=when,
                business_date=as_of,
                cashier=actor or _system_user(),
                amount=total,
                note=_("Automatic deduction from prepaid balance"),
                created_by=actor,
            )
            PaymentTender.objects.create(payment=payment, channel=PaymentChannelChoices.PREPAID, amount=total)
            PaymentAllocation.objects.bulk_create(
                [
                    PaymentAllocation(payment=payment, bill=b, kind=AllocationKindChoices.PRINCIPAL, amount=a)
                    for b, _acc, a in plan
                ]
            )
            _post_allocations(
                [(b, AllocationKindChoices.PRINCIPAL, a) for b, _acc, a in plan], payment, as_of, actor
            )
            for account in accounts:
                account.balance = original[account.pk]  # planned on copies; now post for real
            for bill, account, amount in plan:
                _move(
                    account,
                    PrepaidMovementKindChoices.DEDUCTION,
                    -amount,
                    actor=actor,
                    payment=payment,
                    bill=bill,
                )
            audit.record(actor=actor, action="billing.prepaid.deduct", obj=payment, amount=total)
            count += 1
    return count


def _unit_payer(unit):
    """The person who pays for the unit: a paying tenant, else the representative current owner."""
    from wuye.residents.models import Occupancy, Ownership

    tenant = (
        Occupancy.objects.filter(unit=unit, end_date__isnull=True, is_payer=True)
        .select_related("person")
        .first()
    )
    if tenant is not None:
        return tenant.person
    owner = (
        Ownership.objects.filter(unit=unit, end_date__isnull=True)
        .order_by("-is_representative", "pk")
        .select_related("person")
        .first()
    )
    return owner.person if owner is not None else None


def _system_user():
    """The account that automatic postings are booked to (created on first use)."""
    from django.contrib.auth import get_user_model

    user, _created = get_user_model().objects.get_or_create(
        username="system", defaults={"display_name": "系统", "is_active": False}
    )
    return user
