"""Home-page widget: this month's billing of the current project (or all the user's projects) against
what has been collected on it, and the money received this month."""

from __future__ import annotations

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.billing.choices import BillStatusChoices, PaymentChannelChoices
from wuye.billing.models import Bill, PaymentTender
from wuye.billing.services.periods import add_months
from wuye.billing.tables import money
from wuye.core.money import ZERO
from wuye.core.scoping import has_any_scope


def month_figures(user, project, today=None) -> dict:
    """Billed (charge less reductions) and collected on bills whose period starts this month, and
    money received this month (prepaid drawdowns are not new money). Two aggregate queries."""
    today = today or timezone.localdate()
    start = today.replace(day=1)
    end = add_months(start, 1)
    bills = (
        Bill.objects.restrict(user, "view")
        .in_project(project)
        .filter(period_start__gte=start, period_start__lt=end)
        .exclude(status=BillStatusChoices.VOIDED)
    )
    sums = bills.order_by().aggregate(
        amount=Sum("amount"), discount=Sum("discount_amount"), paid=Sum("paid_amount")
    )
    billed = (sums["amount"] or ZERO) - (sums["discount"] or ZERO)
    collected = sums["paid"] or ZERO
    from wuye.billing.models import Payment

    payments = Payment.objects.restrict(user, "view").in_project(project)
    received = (
        PaymentTender.objects.filter(
            payment__in=payments.filter(business_date__gte=start, business_date__lt=end).values("pk")
        )
        .filter(~Q(channel=PaymentChannelChoices.PREPAID))
        .aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    rate = int(collected * 100 / billed) if billed > 0 else None
    return {"start": start, "billed": billed, "collected": collected, "received": received, "rate": rate}


def billed_vs_collected(request):
    user = request.user
    if not has_any_scope(user, "billing.view_bill"):
        return None
    project = getattr(request, "project", None)
    f = month_figures(user, project)
    url = reverse("billing:bill_list") + f"?period={f['start']:%Y-%m}"
    if project is not None:
        url += f"&project={project.pk}"
    note = _("Collected %(collected)s of %(billed)s billed · received this month %(received)s") % {
        "collected": money(f["collected"]),
        "billed": money(f["billed"]),
        "received": money(f["received"]),
    }
    return {
        "key": "billing-month",
        "title": _("Billed in %(month)s") % {"month": f"{f['start']:%Y-%m}"},
        "value": money(f["billed"]) if f["rate"] is None else f"{money(f['billed'])} · {f['rate']}%",
        "url": url,
        "note": note,
    }


widgets = [billed_vs_collected]
