"""The cashier desk (收银台): find a unit, see what it owes, take the money, print the receipt.

Every step calls the billing services; this module never writes a bill, payment or balance itself.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from wuye.billing.choices import BillStatusChoices, PaymentChannelChoices
from wuye.billing.models import Bill, CashierDayClose, Payment, PrepaidAccount
from wuye.billing.services import do_collect_payment, do_deposit_prepaid, late_fees_for
from wuye.billing.views import cashier_records
from wuye.billing.views.cashier_ui import DepositForm
from wuye.core.htmx import is_htmx
from wuye.core.money import ZERO, fen
from wuye.core.scoping import has_any_scope
from wuye.core.views.generic import ScopedViewMixin
from wuye.estate.models import Unit

COLLECT = "billing.collect_payment"
OPEN_STATUSES = (BillStatusChoices.OPEN, BillStatusChoices.PARTIAL)
LOOKUP_LIMIT = 8

#: keyboard shortcuts (Alt+key) of the channel buttons
CHANNEL_KEYS = {"cash": "c", "wechat": "w", "alipay": "a", "bank_card": "b", "transfer": "t", "prepaid": "p"}


def _hx_redirect(request, url):
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _collect_units(request):
    return Unit.objects.restrict(request.user, COLLECT).in_project(getattr(request, "project", None))


# -- finding a unit ------------------------------------------------------------------------------


def find_units(request, term: str, limit: int = LOOKUP_LIMIT) -> list[dict]:
    """Units for what the cashier typed: a unit code, an owner's or tenant's name, initials or
    phone tail, or a plate (the person's units). Each hit: {"unit", "via"} (how it was found)."""
    from wuye.estate.search import unit_search_q
    from wuye.residents.models import Occupancy, Ownership, Person, Vehicle
    from wuye.residents.search import PersonSearchProvider, VehicleSearchProvider

    term = (term or "").strip()
    if not term:
        return []
    user, project = request.user, getattr(request, "project", None)
    units = _collect_units(request).select_related("project", "building")
    hits: dict[int, dict] = {}
    for unit in units.filter(unit_search_q(term)).order_by("sort_code", "pk")[:limit]:
        hits[unit.pk] = {"unit": unit, "via": ""}
    if len(hits) < limit:
        people = {}
        if has_any_scope(user, "residents.view_person"):
            person_qs = Person.objects.restrict(user, "view").in_project(project)
            for person in PersonSearchProvider(Person).search(person_qs, term)[:limit]:
                people[person.pk] = person.name
        if has_any_scope(user, "residents.view_vehicle"):
            vehicle_qs = Vehicle.objects.restrict(user, "view").in_project(project).select_related("person")
            for vehicle in VehicleSearchProvider(Vehicle).search(vehicle_qs, term)[:limit]:
                if vehicle.person_id:
                    people.setdefault(vehicle.person_id, f"{vehicle.person.name} · {vehicle.plate}")
        if people:
            unit_ids: dict[int, str] = {}
            for model in (Ownership, Occupancy):
                rows = (
                    model.objects.restrict(user, "view")
                    .current()
                    .filter(person_id__in=list(people))
                    .values_list("unit_id", "person_id")
                )
                for unit_id, person_id in rows:
                    unit_ids.setdefault(unit_id, people[person_id])
            extra = units.filter(pk__in=[u for u in unit_ids if u not in hits]).order_by("sort_code", "pk")
            for unit in extra[: limit - len(hits)]:
                hits[unit.pk] = {"unit": unit, "via": unit_ids[unit.pk]}
    owners: dict[int, list[str]] = {}
    for unit_id, name in (
        Ownership.objects.restrict(user, "view")
        .current()
        .filter(unit_id__in=list(hits))
        .order_by("pk")
        .values_list("unit_id", "person__name")
    ):
        owners.setdefault(unit_id, []).append(name)
    for unit_id, hit in hits.items():
        hit["owners"] = owners.get(unit_id, [])
    return list(hits.values())


@login_required
def desk(request):
    """The desk page; ``?unit=<id>`` opens that unit (bookmarkable, used after a payment)."""
    if not has_any_scope(request.user, COLLECT):
        raise PermissionDenied
    term = request.GET.get("q", "").strip()
    context = {
        "title": _("Cashier desk"),
        "breadcrumbs": [(_("Cashier desk"), "")],
        "term": term,
        "hits": find_units(request, term) if term else [],
    }
    unit_id = request.GET.get("unit", "")
    if unit_id.isdigit():
        unit = get_object_or_404(Unit.objects.restrict(request.user, COLLECT), pk=int(unit_id))
        context.update(unit_context(request, unit))
    return render(request, "billing/cashier/desk.html", context)


@login_required
def lookup(request):
    """As-you-type results for the desk's search box (an HTMX fragment)."""
    if not has_any_scope(request.user, COLLECT):
        raise PermissionDenied
    term = request.GET.get("q", "").strip()
    hits = find_units(request, term) if term else []
    return render(request, "billing/cashier/lookup_results.html", {"term": term, "hits": hits})


# -- the unit panel: open bills, balances, the payment form ----------------------------------------


def open_bills(request, unit, as_of: datetime.date):
    bills = list(
        Bill.objects.restrict(request.user, "view")
        .filter(unit=unit, status__in=OPEN_STATUSES)
        .select_related("item", "standard__late_fee_rule")
        .order_by("due_date", "period_start", "pk")
    )
    fees = late_fees_for(bills, as_of)
    rows = []
    for bill in bills:
        late_fee = fees.get(bill.pk, ZERO)
        due = bill.outstanding + late_fee
        rows.append(
            {
                "bill": bill,
                "outstanding": bill.outstanding,
                "late_fee": late_fee,
                "due": due,
                "due_fen": int(due * 100),
                "overdue": bill.due_date < as_of,
            }
        )
    return rows


def unit_context(request, unit, *, error=None, posted=None) -> dict:
    from wuye.residents.models import Occupancy, Ownership

    today = timezone.localdate()
    rows = open_bills(request, unit, today)
    accounts = list(
        PrepaidAccount.objects.restrict(request.user, "view").filter(unit=unit).select_related("item")
    )
    general = next((a for a in accounts if a.item_id is None), None)
    owners = list(
        Ownership.objects.restrict(request.user, "view")
        .current()
        .filter(unit=unit)
        .select_related("person")
        .order_by("pk")
    )
    payers = list(
        Occupancy.objects.restrict(request.user, "view")
        .current()
        .filter(unit=unit, is_payer=True)
        .select_related("person")
    )
    payer_name = next((r["bill"].payer_name for r in rows if r["bill"].payer_name), "")
    if not payer_name:
        payer_name = (payers[0].person.name if payers else "") or (owners[0].person.name if owners else "")
    recent = list(
        Payment.objects.restrict(request.user, "view")
        .filter(unit=unit)
        .prefetch_related("tenders")
        .order_by("-received_at", "-pk")[:5]
    )
    closed = CashierDayClose.objects.filter(
        project_id=unit.project_id, cashier=request.user, business_date=today
    ).exists()
    channels = [
        {"value": value, "label": label, "key": CHANNEL_KEYS.get(value, "")}
        for value, label in PaymentChannelChoices.choices
    ]
    open_ids = [r["bill"].pk for r in rows]
    selected = open_ids
    if posted is not None:
        wanted = {int(b) for b in posted.getlist("bills") if b.isdigit()}
        selected = [pk for pk in open_ids if pk in wanted]
    return {
        "unit": unit,
        "rows": rows,
        "total_due": sum((r["due"] for r in rows), ZERO),
        "late_fee_total": sum((r["late_fee"] for r in rows), ZERO),
        "accounts": accounts,
        "general_balance": general.balance if general else ZERO,
        "owners": owners,
        "payer_name": payer_name,
        "recent": recent,
        "day_closed": closed,
        "today": today,
        "channels": channels,
        "error": error,
        "pay_config": {
            "bills": [{"id": r["bill"].pk, "due_fen": r["due_fen"]} for r in rows],
            "selected": [str(pk) for pk in selected],
            "balanceFen": int((general.balance if general else ZERO) * 100),
        },
        "can_refund": has_any_scope(request.user, "billing.refund_payment"),
    }


def _parse_tenders(data) -> list[tuple[str, Decimal, str]]:
    """Rows of the payment form: tender_channel / tender_amount / tender_reference lists."""
    channels = data.getlist("tender_channel")
    amounts = data.getlist("tender_amount")
    references = data.getlist("tender_reference") + [""] * len(channels)
    out = []
    for channel, amount, reference in zip(channels, amounts, references, strict=False):
        amount = (amount or "").replace(",", "").strip()
        if not amount:
            continue
        try:
            value = Decimal(amount)
        except InvalidOperation:
            raise ValidationError(_("“%(v)s” is not an amount.") % {"v": amount}) from None
        out.append((channel, value, reference.strip()[:64]))
    return out


def _decimal_or_none(text):
    text = (text or "").replace(",", "").strip()
    if not text:
        return None
    try:
        return fen(Decimal(text))
    except InvalidOperation:
        raise ValidationError(_("“%(v)s” is not an amount.") % {"v": text}) from None


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return exc.messages


class CashierUnitView(ScopedViewMixin, View):
    """GET: the unit's panel (HTMX fragment; a full page otherwise). POST: take a payment."""

    model = Unit
    action = COLLECT

    def get(self, request, pk):
        unit = self.get_object()
        if not is_htmx(request):
            return HttpResponseRedirect(f"{reverse('billing:cashier')}?unit={unit.pk}")
        return render(request, "billing/cashier/unit_panel.html", unit_context(request, unit))

    def post(self, request, pk):
        unit = self.get_object()
        bill_ids = [int(b) for b in request.POST.getlist("bills") if b.isdigit()]
        try:
            bills = list(
                Bill.objects.restrict(request.user, "view")
                .filter(unit=unit, pk__in=bill_ids)
                .values_list("pk", flat=True)
            )
            if len(bills) != len(set(bill_ids)):
                raise ValidationError(_("Some bills are no longer open for this unit; refresh."))
            tenders = _parse_tenders(request.POST)
            expected = _decimal_or_none(request.POST.get("expected_total"))
            if bills and expected is None:
                raise ValidationError(_("The amount due is missing; refresh the page."))
            payment = do_collect_payment(
                actor=request.user,
                project=unit.project,
                unit=unit,
                bills=bills,
                tenders=tenders,
                expected_total=expected,
                cash_tendered=_decimal_or_none(request.POST.get("cash_tendered")),
                note=request.POST.get("note", "").strip()[:200],
            )
        except ValidationError as exc:
            context = unit_context(request, unit, error=_messages_of(exc), posted=request.POST)
            if is_htmx(request):
                return render(request, "billing/cashier/unit_panel.html", context, status=422)
            context.update({"title": _("Cashier desk"), "breadcrumbs": [(_("Cashier desk"), "")]})
            return render(request, "billing/cashier/desk.html", context, status=422)
        messages.success(
            request,
            _("Received %(amount)s, receipt %(number)s.")
            % {"amount": f"{payment.amount:,.2f}", "number": payment.number},
        )
        return _hx_redirect(request, reverse("billing:payment_receipt", kwargs={"pk": payment.pk}))


class CashierDepositView(ScopedViewMixin, View):
    """Money paid in advance for a unit, general or for one fee item (a modal form)."""

    model = Unit
    action = COLLECT

    def render_form(self, form, unit, status=200):
        context = {
            "form": form,
            "unit": unit,
            "title": _("Deposit to the prepaid balance of %(u)s") % {"u": unit},
        }
        template = (
            "billing/cashier/deposit_modal.html" if is_htmx(self.request) else "billing/cashier/deposit.html"
        )
        context["breadcrumbs"] = [(_("Cashier desk"), reverse("billing:cashier")), (context["title"], "")]
        return render(self.request, template, context, status=status)

    def get(self, request, pk):
        unit = self.get_object()
        return self.render_form(DepositForm(unit=unit, user=request.user), unit)

    def post(self, request, pk):
        unit = self.get_object()
        form = DepositForm(request.POST, unit=unit, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment = do_deposit_prepaid(
                    actor=request.user,
                    project=unit.project,
                    unit=unit,
                    item=data["item"],
                    tenders=[(data["channel"], data["amount"], data["reference"])],
                    note=data["note"],
                )
            except ValidationError as exc:
                form.add_error(None, _messages_of(exc))
            else:
                messages.success(
                    request,
                    _("Deposited %(amount)s, receipt %(number)s.")
                    % {"amount": f"{payment.amount:,.2f}", "number": payment.number},
                )
                return _hx_redirect(request, reverse("billing:payment_receipt", kwargs={"pk": payment.pk}))
        return self.render_form(form, unit, status=422 if is_htmx(request) else 200)


urlpatterns = [
    path("cashier/", desk, name="cashier"),
    path("cashier/lookup/", lookup, name="cashier_lookup"),
    path("cashier/unit/<int:pk>/", CashierUnitView.as_view(), name="cashier_unit"),
    path("cashier/unit/<int:pk>/deposit/", CashierDepositView.as_view(), name="cashier_deposit"),
    *cashier_records.urlpatterns,
]
