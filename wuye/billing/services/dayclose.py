"""日结: one cashier's takings of one business day, totalled by channel and locked.

The totals are computed from the Payment and PaymentTender rows of that cashier, project and business
day, reversals included (they carry negative amounts), so the sum over channels always equals the sum
of the payments. Closing links those payments to the close; the payment services refuse anything
new for a closed day (``payments._check_day_open``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.billing.choices import PaymentChannelChoices, PaymentStatusChoices
from wuye.billing.models import CashierDayClose, Payment, PaymentTender
from wuye.billing.services.payments import lock_cashier_day
from wuye.core import audit
from wuye.core.money import ZERO, fen
from wuye.core.scoping import user_scope


@dataclass
class DayTotals:
    """What a cashier took on one day: per channel, in total, reversals and prepaid top-ups."""

    payment_count: int = 0
    amount_total: Decimal = ZERO
    by_channel: dict[str, Decimal] = field(default_factory=dict)
    reversal_count: int = 0
    reversal_total: Decimal = ZERO
    to_prepaid: Decimal = ZERO
    change_given: Decimal = ZERO

    @property
    def channel_rows(self) -> list[tuple[str, str, Decimal]]:
        """(channel, label, amount) in the order of the channel choices, channels used only."""
        labels = dict(PaymentChannelChoices.choices)
        return [
            (c, labels[c], self.by_channel[c]) for c in PaymentChannelChoices.values if c in self.by_channel
        ]

    @property
    def money_in(self) -> Decimal:
        """New money taken (cash, WeChat, ...): the total less what was drawn from prepaid balances."""
        return self.amount_total - self.by_channel.get(PaymentChannelChoices.PREPAID, ZERO)

    @property
    def channel_sum(self) -> Decimal:
        return sum(self.by_channel.values(), ZERO)

    def totals_json(self) -> dict:
        return {c: str(a) for c, a in self.by_channel.items()}


def day_payments(*, project, cashier, business_date):
    return Payment.objects.filter(project=project, cashier=cashier, business_date=business_date)


def day_totals(*, project, cashier, business_date: datetime.date) -> DayTotals:
    """Totals of ``cashier``'s payments in ``project`` on ``business_date`` (three queries)."""
    payments = day_payments(project=project, cashier=cashier, business_date=business_date)
    agg = payments.aggregate(
        n=Count("pk"), total=Sum("amount"), to_prepaid=Sum("to_prepaid"), change=Sum("change_given")
    )
    reversals = payments.filter(status=PaymentStatusChoices.REVERSAL).aggregate(
        n=Count("pk"), total=Sum("amount")
    )
    by_channel = {
        row["channel"]: row["total"]
        for row in PaymentTender.objects.filter(payment__in=payments)
        .values("channel")
        .annotate(total=Sum("amount"))
        .order_by("channel")
    }
    return DayTotals(
        payment_count=agg["n"] or 0,
        amount_total=fen(agg["total"] or ZERO),
        by_channel={c: fen(a) for c, a in by_channel.items()},
        reversal_count=reversals["n"] or 0,
        reversal_total=fen(reversals["total"] or ZERO),
        to_prepaid=fen(agg["to_prepaid"] or ZERO),
        change_given=fen(agg["change"] or ZERO),
    )


def stored_totals(close: CashierDayClose) -> DayTotals:
    """The totals as closed (what finance reviews), with the reversals among the linked payments."""
    linked = close.payments.all()
    agg = linked.aggregate(to_prepaid=Sum("to_prepaid"), change=Sum("change_given"))
    reversals = linked.filter(status=PaymentStatusChoices.REVERSAL).aggregate(
        n=Count("pk"), total=Sum("amount")
    )
    return DayTotals(
        payment_count=close.payment_count,
        amount_total=close.amount_total,
        by_channel={c: Decimal(v) for c, v in (close.totals or {}).items()},
        reversal_count=reversals["n"] or 0,
        reversal_total=fen(reversals["total"] or ZERO),
        to_prepaid=fen(agg["to_prepaid"] or ZERO),
        change_given=fen(agg["change"] or ZERO),
    )


def _has(actor, perm, project) -> bool:
    return project.pk in user_scope(actor, perm)


def do_close_day(*, actor, project, business_date: datetime.date, cashier=None) -> CashierDayClose:
    """Close ``cashier``'s day (the actor's own by default): totals stored, payments linked, audited.

    Closing someone else's day (a cashier who left without closing) needs ``billing.review_day``.
    A day is closed once; a future day cannot be closed.
    """
    cashier = cashier or actor
    if not _has(actor, "billing.close_day", project):
        raise PermissionDenied(_("You may not close cashier days in this project."))
    if cashier.pk != actor.pk and not _has(actor, "billing.review_day", project):
        raise PermissionDenied(_("Only finance may close another cashier's day."))
    if business_date > timezone.localdate():
        raise ValidationError({"business_date": _("A day in the future cannot be closed.")})
    try:
        with transaction.atomic():
            # Wait for the cashier's payments in flight; new ones then see the close and stop.
            lock_cashier_day(cashier)
            if CashierDayClose.objects.filter(
                project=project, cashier=cashier, business_date=business_date
            ).exists():
                raise ValidationError(
                    _("The day %(day)s of %(cashier)s is already closed.")
                    % {"day": business_date, "cashier": cashier}
                )
            payments = day_payments(project=project, cashier=cashier, business_date=business_date)
            # Lock the day's payments so that the totals and the links describe the same rows.
            ids = list(payments.select_for_update(of=("self",)).values_list("pk", flat=True))
            totals = day_totals(project=project, cashier=cashier, business_date=business_date)
            close = CashierDayClose.objects.create(
                project=project,
                cashier=cashier,
                business_date=business_date,
                payment_count=totals.payment_count,
                amount_total=totals.amount_total,
                totals=totals.totals_json(),
                created_by=actor,
            )
            Payment.objects.filter(pk__in=ids).update(day_close=close)
            audit.record(
                actor=actor,
                action="billing.day.close",
                obj=close,
                amount=totals.amount_total,
                data={
                    "cashier": cashier.pk,
                    "business_date": business_date.isoformat(),
                    "payments": totals.payment_count,
                    "totals": totals.totals_json(),
                },
            )
    except IntegrityError:
        # Two closes of the same day at once: the unique constraint let one through.
        raise ValidationError(_("The day %(day)s is already closed.") % {"day": business_date}) from None
    return close


def do_review_day(*, actor, close: CashierDayClose, note: str = "") -> CashierDayClose:
    """Finance marks a day close as reviewed (checked against the bank and the cash box)."""
    if not _has(actor, "billing.review_day", close.project):
        raise PermissionDenied(_("You may not review day closes in this project."))
    with transaction.atomic():
        close = CashierDayClose.objects.select_for_update(of=("self",)).get(pk=close.pk)
        if close.reviewed_at is not None:
            raise ValidationError(_("This day close is already reviewed."))
        if close.cashier_id == actor.pk:
            raise ValidationError(_("Someone other than the cashier must review a day close."))
        close.reviewed_by = actor
        close.reviewed_at = timezone.now()
        close.save(update_fields=["reviewed_by", "reviewed_at", "updated_at"])
        audit.record(
            actor=actor, action="billing.day.review", obj=close, amount=close.amount_total, message=note
        )
    return close
