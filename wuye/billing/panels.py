"""The "Bills" tab of the unit page: open bills with today's late fees, recent payments, prepaid
balances, the total due, and links to the cashier desk (pre-filled with the unit) and the statement."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.billing.choices import BillStatusChoices
from wuye.billing.models import Bill, Payment, PrepaidAccount
from wuye.billing.services.latefees import late_fees_for
from wuye.core.money import ZERO
from wuye.core.panels import Panel
from wuye.core.scoping import user_scope

OPEN = (BillStatusChoices.OPEN, BillStatusChoices.PARTIAL)


def _url(name, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def unit_bills(request, unit):
    user = request.user
    if unit.project_id not in user_scope(user, "billing.view_bill"):
        return None
    today = timezone.localdate()
    bills = list(
        Bill.objects.restrict(user, "view")
        .filter(unit=unit, status__in=OPEN)
        .select_related("item", "standard__late_fee_rule")
        .order_by("due_date", "period_start", "pk")
    )
    fees = late_fees_for(bills, today)
    for bill in bills:
        bill.late_fee = fees[bill.pk]
    payments = list(
        Payment.objects.restrict(user, "view")
        .filter(unit=unit)
        .select_related("cashier")
        .order_by("-received_at", "-pk")[:5]
    )
    for payment in payments:
        payment.url = _url("billing:payment_detail", pk=payment.pk)
    prepaid = list(PrepaidAccount.objects.restrict(user, "view").filter(unit=unit).select_related("item"))
    outstanding = sum((b.outstanding for b in bills), ZERO)
    late_fees = sum(fees.values(), ZERO)
    cashier_url = ""
    if unit.project_id in user_scope(user, "billing.collect_payment"):
        cashier_url = _url("billing:cashier")
        if cashier_url:
            cashier_url += "?" + urlencode({"unit": unit.pk})
    return {
        "today": today,
        "open_bills": bills,
        "outstanding": outstanding,
        "late_fees": late_fees,
        "due_now": outstanding + late_fees,
        "payments": payments,
        "prepaid": prepaid,
        "prepaid_total": sum((a.balance for a in prepaid), ZERO),
        "cashier_url": cashier_url,
        "statement_url": reverse("billing:unit_statement", kwargs={"pk": unit.pk}),
        "bills_url": reverse("billing:bill_list")
        + "?"
        + urlencode({"project": unit.project_id, "unit_code": unit.code}),
        "count": len(bills),
    }


panels = [
    Panel(
        model="estate.unit",
        key="bills",
        label=_("Bills"),
        order=30,
        template="billing/fees/panels/unit_bills.html",
        permission="billing.view_bill",
        context=unit_bills,
    ),
]

# The meters screens register their own panels (unit meters, a building's public meters).
from wuye.billing.panels_meters import panels as meter_panels  # noqa: E402

panels += meter_panels
