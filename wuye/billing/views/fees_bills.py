"""Bills: the filtered list with its totals, one bill explained, and its corrections.

Every correction calls the billing core (void, reduce, waive) or ``services.limitation``; when the
core answers with an approval request, the page says so and links to it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import View

from wuye.billing import filters, forms, tables
from wuye.billing.choices import BillStatusChoices, PricingMethodChoices
from wuye.billing.models import Bill
from wuye.billing.services import do_reduce_bill, do_void_bill, do_waive_late_fee, late_fee_for
from wuye.billing.services.limitation import do_record_bill_event
from wuye.billing.services.periods import add_months
from wuye.billing.views.fees import TEMPLATES, form_errors
from wuye.core.htmx import is_htmx
from wuye.core.models import ApprovalRequest, ApprovalStatus
from wuye.core.money import ZERO, fen
from wuye.core.views import ObjectDetailView, ObjectListView, ObjectViews
from wuye.core.views.generic import ScopedViewMixin

AREA_METHODS = (PricingMethodChoices.BUILDING_AREA, PricingMethodChoices.INNER_AREA)


def bill_totals(queryset) -> dict:
    """Count, charged, reductions, paid and outstanding of a bill queryset: one aggregate query.

    Voided bills count in ``count`` but not in the sums.
    """
    live = ~Q(status=BillStatusChoices.VOIDED)
    sums = queryset.order_by().aggregate(
        t_count=Count("pk"),
        t_amount=Sum("amount", filter=live),
        t_discount=Sum("discount_amount", filter=live),
        t_paid=Sum("paid_amount", filter=live),
        t_outstanding=Sum(tables.outstanding_expression()),
    )
    out = {key[2:]: fen(value) if value is not None else ZERO for key, value in sums.items()}
    out["count"] = sums["t_count"]
    return out


class BillListView(ObjectListView):
    template_name = f"{TEMPLATES}/bill_list.html"

    def build_table(self, paginate=True, filterset=None):
        filterset = filterset if filterset is not None else self.get_filterset()
        table = super().build_table(paginate=paginate, filterset=filterset)
        table.totals = bill_totals(table.data.data)
        return table


def cycle_days(bill) -> tuple[int, int] | None:
    """(billed days, days of the whole cycle) for a prorated run bill; None when it is a whole cycle."""
    standard = bill.standard
    if standard is None or bill.calc.get("method") not in {m.value for m in PricingMethodChoices}:
        return None
    cycle = standard.cycle_months
    first = bill.period_start.replace(day=1)
    first = first.replace(month=first.month - (first.month - 1) % cycle)
    last = add_months(first, cycle) - datetime.timedelta(days=1)
    days = (bill.period_end - bill.period_start).days + 1
    total = (last - first).days + 1
    if days >= total or bill.months >= cycle:
        return None
    return days, total


def explain(bill) -> list[str]:
    """The calculation of a bill in words: method, proration, vacancy rate, developer."""
    calc = bill.calc or {}
    lines = []
    method = calc.get("method")
    if method == "adhoc":
        lines.append(_("A one-off charge of the amount shown."))
    elif method in PricingMethodChoices.values:
        label = PricingMethodChoices(method).label
        if method in AREA_METHODS:
            lines.append(
                _("%(method)s: %(qty)s ㎡ × %(price)s per ㎡ per month × %(months)s months.")
                % {
                    "method": label,
                    "qty": tables.plain(bill.quantity),
                    "price": tables.plain(bill.unit_price),
                    "months": tables.plain(bill.months),
                }
            )
        else:
            lines.append(
                _("%(method)s: %(qty)s × %(price)s × %(months)s months.")
                % {
                    "method": label,
                    "qty": tables.plain(bill.quantity),
                    "price": tables.plain(bill.unit_price),
                    "months": tables.plain(bill.months),
                }
            )
    elif method:
        lines.append(_("Calculated by %(method)s.") % {"method": method})
    days = cycle_days(bill)
    if days:
        lines.append(
            _("Prorated by days: %(days)s of the %(total)s days of the billing cycle are charged.")
            % {"days": days[0], "total": days[1]}
        )
    if calc.get("vacancy_rate"):
        rate = Decimal(calc["vacancy_rate"])
        lines.append(
            _("Registered vacant: %(rate)s of the charge is payable (vacancy rate of the standard).")
            % {"rate": tables.percent(rate)}
        )
    if calc.get("developer"):
        lines.append(_("Billed to the developer: the unit was unsold or not yet delivered in this period."))
    for key, value in calc.items():
        if key not in ("item", "method", "months", "vacancy_rate", "developer"):
            lines.append(f"{key}: {value}")
    return lines


def url_or_blank(name, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


class BillDetailView(ObjectDetailView):
    template_name = f"{TEMPLATES}/bill_detail.html"

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .select_related(
                "project",
                "unit",
                "parking_space",
                "payer",
                "item",
                "standard__late_fee_rule",
                "run",
                "voided_by",
            )
        )

    def extra_context(self, bill):
        user = self.request.user
        today = timezone.localdate()
        late_fee = late_fee_for(bill, today)
        allocations = list(
            bill.allocations.select_related("payment__cashier").order_by("payment__received_at", "pk")
        )
        for a in allocations:
            a.payment_url = url_or_blank("billing:payment_detail", pk=a.payment_id)
        pending = ApprovalRequest.objects.restrict(user, "view").filter(
            content_type=ContentType.objects.get_for_model(Bill),
            object_id=str(bill.pk),
            status=ApprovalStatus.PENDING,
        )
        is_live = bill.status != BillStatusChoices.VOIDED
        rule = bill.standard.late_fee_rule if bill.standard_id else None
        return {
            "today": today,
            "late_fee": late_fee,
            "due_now": bill.outstanding + late_fee,
            "explain": explain(bill),
            "line": {
                "quantity": tables.plain(bill.quantity),
                "unit_price": tables.plain(bill.unit_price),
                "months": tables.plain(bill.months),
                "tax_rate": tables.percent(bill.tax_rate),
            },
            "allocations": allocations,
            "adjustments": list(bill.adjustments.select_related("created_by", "approval")),
            "events": list(bill.events.select_related("created_by")),
            "pending": list(pending),
            "rule": rule,
            "rule_rate": tables.percent(rule.daily_rate, 4) if rule else "",
            "rule_cap": tables.percent(rule.cap_ratio) if rule else "",
            "can_void": is_live
            and bill.paid_amount == 0
            and bill.late_fee_paid == 0
            and self.can("void_bill", bill),
            "can_reduce": is_live and bill.outstanding > 0 and self.can("reduce_bill", bill),
            "can_waive": is_live and late_fee > 0 and self.can("waive_late_fee", bill),
            "can_event": is_live and self.can("change", bill),
            "target_url": (bill.unit or bill.parking_space).get_absolute_url()
            if (bill.unit_id or bill.parking_space_id)
            else "",
            "statement_url": reverse("billing:unit_statement", kwargs={"pk": bill.unit_id})
            if bill.unit_id
            else "",
        }


class BillViews(ObjectViews):
    model = Bill
    table = tables.BillTable
    filterset = filters.BillFilterSet
    list_view = BillListView
    detail_view = BillDetailView
    actions = ("list", "detail", "changelog")
    select_related = ("project", "unit", "parking_space", "item")

    @classmethod
    def prepare_queryset(cls, qs):
        return super().prepare_queryset(qs).annotate(outstanding_amount=tables.outstanding_expression())


# -- corrections ------------------------------------------------------------------------------------
class BillActionView(ScopedViewMixin, View):
    """A form about one bill whose POST calls one service; subclasses set the form and the call."""

    model = Bill
    form_class = None
    title = ""
    submit = ""

    def initial(self, bill) -> dict:
        return {}

    def perform(self, bill, data):
        raise NotImplementedError

    def done_message(self, bill, result) -> str:
        return ""

    def render_form(self, bill, form, status=200):
        title = self.title % {"bill": bill.number}
        context = {
            "form": form,
            "object": bill,
            "opts": Bill._meta,
            "title": title,
            "cancel_url": bill.get_absolute_url(),
            "breadcrumbs": self.breadcrumbs(bill, title),
            "late_fee": late_fee_for(bill),
        }
        template = "core/htmx/form_modal.html" if is_htmx(self.request) else f"{TEMPLATES}/bill_action.html"
        return render(self.request, template, context, status=status)

    def get_object(self):
        bill = super().get_object()
        return Bill.objects.select_related("standard__late_fee_rule", "project").get(pk=bill.pk)

    def get(self, request, *args, **kwargs):
        bill = self.get_object()
        return self.render_form(bill, self.form_class(initial=self.initial(bill)))

    def post(self, request, *args, **kwargs):
        bill = self.get_object()
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                result = self.perform(bill, form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("You do not have permission for this."))
        if not form.is_valid():
            return self.render_form(bill, form, status=422 if is_htmx(request) else 200)
        if isinstance(result, ApprovalRequest):
            messages.info(
                request,
                format_html(
                    '{} <a href="{}" data-testid="approval-link">{}</a>',
                    _("The amount is above your limit: it was sent for approval."),
                    reverse("core:approval_detail", kwargs={"pk": result.pk}),
                    result.title,
                ),
            )
        else:
            messages.success(request, self.done_message(bill, result))
        url = bill.get_absolute_url()
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


class VoidBillView(BillActionView):
    action = "void_bill"
    form_class = forms.VoidBillForm
    title = _("Void bill %(bill)s")

    def perform(self, bill, data):
        return do_void_bill(actor=self.request.user, bill=bill, reason=data["reason"])

    def done_message(self, bill, result):
        return _("Bill %(n)s is voided.") % {"n": bill.number}


class ReduceBillView(BillActionView):
    action = "reduce_bill"
    form_class = forms.ReduceBillForm
    title = _("Reduce bill %(bill)s")

    def initial(self, bill):
        return {"kind": "reduction"}

    def perform(self, bill, data):
        return do_reduce_bill(
            actor=self.request.user,
            bill=bill,
            amount=data["amount"],
            reason=data["reason"],
            kind=data["kind"],
        )

    def done_message(self, bill, result):
        return _("%(amount)s taken off bill %(n)s.") % {"amount": result.amount, "n": bill.number}


class WaiveLateFeeView(BillActionView):
    action = "waive_late_fee"
    form_class = forms.WaiveLateFeeForm
    title = _("Waive the late fee of bill %(bill)s")

    def initial(self, bill):
        return {"amount": late_fee_for(bill)}

    def perform(self, bill, data):
        return do_waive_late_fee(
            actor=self.request.user, bill=bill, amount=data["amount"], reason=data["reason"]
        )

    def done_message(self, bill, result):
        return _("%(amount)s of late fee waived on bill %(n)s.") % {"amount": result.amount, "n": bill.number}


class BillEventView(BillActionView):
    action = "change"
    form_class = forms.BillEventForm
    title = _("Record a limitation event on bill %(bill)s")

    def initial(self, bill):
        return {"date": timezone.localdate()}

    def perform(self, bill, data):
        return do_record_bill_event(
            actor=self.request.user, bill=bill, kind=data["kind"], date=data["date"], note=data["note"]
        )

    def done_message(self, bill, result):
        bill.refresh_from_db(fields=["limitation_start"])
        return _("Recorded. The limitation period of bill %(n)s now ends on %(d)s.") % {
            "n": bill.number,
            "d": bill.limitation_date,
        }


urlpatterns = [
    *BillViews.urls("bills"),
    path("bills/<int:pk>/void/", VoidBillView.as_view(), name="bill_void"),
    path("bills/<int:pk>/reduce/", ReduceBillView.as_view(), name="bill_reduce"),
    path("bills/<int:pk>/waive-late-fee/", WaiveLateFeeView.as_view(), name="bill_waive"),
    path("bills/<int:pk>/limitation-event/", BillEventView.as_view(), name="bill_event"),
]
