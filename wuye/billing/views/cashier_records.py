"""Records of the cashier desk: payments and receipts, prepaid accounts, the day close (日结)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from wuye.billing.choices import PaymentStatusChoices
from wuye.billing.models import CashierDayClose, Payment, PaymentTender, PrepaidAccount
from wuye.billing.services import do_refund_prepaid, do_reverse_payment
from wuye.billing.services.dayclose import day_totals, do_close_day, do_review_day, stored_totals
from wuye.billing.services.receipts import do_print_receipt, receipt_for
from wuye.billing.views.cashier_ui import (
    CashierDayCloseFilterSet,
    CashierDayCloseTable,
    PaymentFilterSet,
    PaymentTable,
    PrepaidAccountFilterSet,
    PrepaidAccountTable,
    ReasonForm,
    RefundForm,
    ReviewForm,
    payment_status_badge,
)
from wuye.core.export import rows_to_xlsx
from wuye.core.htmx import is_htmx
from wuye.core.models import ApprovalRequest, ApprovalStatus
from wuye.core.scoping import ALL, user_scope
from wuye.core.views import ObjectDetailView, ObjectListView, ObjectViews
from wuye.core.views.generic import ScopedViewMixin


class OwnTemplatesMixin:
    """Templates of these screens live under billing/cashier/."""

    def templates(self, suffix, default):
        return [f"billing/cashier/{self.model._meta.model_name}_{suffix}.html", default]


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return exc.messages


def _render_form(request, form, obj, title, action_url, *, status=200, submit=None, danger=False):
    context = {
        "form": form,
        "object": obj,
        "title": title,
        "action_url": action_url,
        "cancel_url": obj.get_absolute_url(),
        "submit_label": submit or _("Save"),
        "danger": danger,
        "breadcrumbs": [(str(obj), obj.get_absolute_url()), (title, "")],
    }
    template = "billing/cashier/form_modal.html" if is_htmx(request) else "billing/cashier/form_page.html"
    return render(request, template, context, status=status)


def _redirect(request, url):
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


# -- payments -------------------------------------------------------------------------------------


def pending_reversal(payment) -> ApprovalRequest | None:
    return (
        ApprovalRequest.objects.filter(
            kind="billing.reverse_payment", object_id=str(payment.pk), status=ApprovalStatus.PENDING
        )
        .order_by("-pk")
        .first()
    )


class PaymentDetailView(OwnTemplatesMixin, ObjectDetailView):
    template_name = "billing/cashier/payment_detail.html"

    def base_queryset(self):
        return (
            super().base_queryset().select_related("project", "unit", "cashier", "reversal_of", "day_close")
        )

    def extra_context(self, obj):
        allocations = list(obj.allocations.select_related("bill__item").order_by("bill__due_date", "pk"))
        reversal = Payment.objects.filter(reversal_of=obj).first()
        approval = pending_reversal(obj) if obj.status == PaymentStatusChoices.POSTED else None
        can_reverse = (
            obj.status == PaymentStatusChoices.POSTED and approval is None and self.can("refund_payment", obj)
        )
        return {
            "allocations": allocations,
            "tenders": list(obj.tenders.all()),
            "reversal": reversal,
            "approval": approval,
            "approval_url": reverse("core:approval_detail", kwargs={"pk": approval.pk}) if approval else "",
            "can_reverse": can_reverse,
            "status_badge": payment_status_badge(obj),
            "receipt": receipt_for(obj),
        }


class PaymentViews(ObjectViews):
    model = Payment
    table = PaymentTable
    filterset = PaymentFilterSet
    detail_view = PaymentDetailView
    actions = ("list", "detail", "changelog")
    select_related = ("project", "unit", "cashier")
    prefetch_related = (Prefetch("tenders", queryset=PaymentTender.objects.order_by("pk")),)


class PaymentReceiptView(ScopedViewMixin, View):
    """The receipt as a page, with the button that prints the PDF."""

    model = Payment

    def get(self, request, pk):
        payment = self.get_object()
        return render(
            request,
            "billing/cashier/receipt.html",
            {
                "title": _("Receipt %(n)s") % {"n": payment.number},
                "payment": payment,
                "receipt": receipt_for(payment),
                "breadcrumbs": [
                    (_("Payments"), reverse("billing:payment_list")),
                    (payment.number, payment.get_absolute_url()),
                    (_("Receipt"), ""),
                ],
            },
        )


class PaymentReceiptPdfView(ScopedViewMixin, View):
    """POST prints the receipt PDF (each print is counted and audited; later prints say 补打)."""

    model = Payment

    def get(self, request, pk):
        payment = self.get_object()
        return HttpResponseRedirect(reverse("billing:payment_receipt", kwargs={"pk": payment.pk}))

    def post(self, request, pk):
        payment = self.get_object()
        pdf, _count = do_print_receipt(actor=request.user, payment=payment)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{payment.number}.pdf"'
        return response


class PaymentReverseView(ScopedViewMixin, View):
    """Reverse (refund) a payment with a reason; above the limit it becomes an approval request."""

    model = Payment
    action = "refund_payment"

    def title(self, payment):
        return _("Reverse payment %(n)s") % {"n": payment.number}

    def url(self, payment):
        return reverse("billing:payment_reverse", kwargs={"pk": payment.pk})

    def get(self, request, pk):
        payment = self.get_object()
        return _render_form(
            request,
            ReasonForm(),
            payment,
            self.title(payment),
            self.url(payment),
            submit=_("Reverse"),
            danger=True,
        )

    def post(self, request, pk):
        payment = self.get_object()
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                result = do_reverse_payment(
                    actor=request.user, payment=payment, reason=form.cleaned_data["reason"]
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _messages_of(exc) if isinstance(exc, ValidationError) else str(exc))
            else:
                if isinstance(result, ApprovalRequest):
                    messages.info(
                        request,
                        _("The reversal of %(n)s is waiting for approval (%(a)s).")
                        % {"n": payment.number, "a": result.title},
                    )
                    return _redirect(request, payment.get_absolute_url())
                messages.success(
                    request, _("Reversed %(n)s with %(r)s.") % {"n": payment.number, "r": result.number}
                )
                return _redirect(request, result.get_absolute_url())
        return _render_form(
            request,
            form,
            payment,
            self.title(payment),
            self.url(payment),
            status=422 if is_htmx(request) else 200,
            submit=_("Reverse"),
            danger=True,
        )


# -- prepaid accounts ----------------------------------------------------------------------------


class PrepaidAccountDetailView(OwnTemplatesMixin, ObjectDetailView):
    """The account with its statement (every movement and the balance after it); ?export=xlsx."""

    template_name = "billing/cashier/prepaidaccount_detail.html"

    def base_queryset(self):
        return super().base_queryset().select_related("project", "unit", "item")

    def movements(self, obj):
        return list(obj.movements.select_related("payment", "created_by").order_by("pk"))

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            obj = self.get_object()
            rows = [[_("Date"), _("Kind"), _("Amount"), _("Balance after"), _("Receipt"), _("Note")]]
            for m in self.movements(obj):
                rows.append(
                    [
                        f"{timezone.localtime(m.created_at):%Y-%m-%d %H:%M}",
                        m.get_kind_display(),
                        f"{m.amount:.2f}",
                        f"{m.balance_after:.2f}",
                        m.payment.number if m.payment_id else "",
                        m.note,
                    ]
                )
            response = HttpResponse(
                rows_to_xlsx(rows, str(_("Statement"))),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="prepaid-{obj.pk}.xlsx"'
            return response
        return super().get(request, *args, **kwargs)

    def extra_context(self, obj):
        return {
            "movements": self.movements(obj),
            "can_refund": obj.balance > 0 and self.can("refund_payment", obj),
            "can_deposit": obj.project_id in user_scope(self.request.user, "billing.collect_payment"),
        }


class PrepaidAccountViews(ObjectViews):
    model = PrepaidAccount
    table = PrepaidAccountTable
    filterset = PrepaidAccountFilterSet
    detail_view = PrepaidAccountDetailView
    actions = ("list", "detail", "changelog")
    select_related = ("project", "unit", "item")


class PrepaidRefundView(ScopedViewMixin, View):
    """Pay back unused prepaid money (billing.refund_payment)."""

    model = PrepaidAccount
    action = "refund_payment"

    def title(self, account):
        return _("Refund from %(a)s") % {"a": account}

    def url(self, account):
        return reverse("billing:prepaidaccount_refund", kwargs={"pk": account.pk})

    def get(self, request, pk):
        account = self.get_object()
        return _render_form(
            request,
            RefundForm(account=account),
            account,
            self.title(account),
            self.url(account),
            submit=_("Refund"),
        )

    def post(self, request, pk):
        account = self.get_object()
        form = RefundForm(request.POST, account=account)
        if form.is_valid():
            try:
                do_refund_prepaid(
                    actor=request.user,
                    project=account.project,
                    unit=account.unit,
                    item=account.item,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error(None, _messages_of(exc))
            else:
                messages.success(request, _("Refunded %(a)s.") % {"a": f"{form.cleaned_data['amount']:,.2f}"})
                return _redirect(request, account.get_absolute_url())
        return _render_form(
            request,
            form,
            account,
            self.title(account),
            self.url(account),
            status=422 if is_htmx(request) else 200,
            submit=_("Refund"),
        )


# -- day close ----------------------------------------------------------------------------------


def _closes_for(user, qs):
    """Finance (billing.review_day) sees every cashier's closes; a cashier only their own."""
    scope = user_scope(user, "billing.review_day")
    if scope is ALL:
        return qs
    return qs.filter(Q(cashier=user) | Q(project_id__in=sorted(scope)))


class DayCloseListView(ObjectListView):
    def get_queryset(self, action=None):
        return _closes_for(self.request.user, super().get_queryset(action))


class DayCloseDetailView(OwnTemplatesMixin, ObjectDetailView):
    template_name = "billing/cashier/cashierdayclose_detail.html"

    def get_object(self):
        qs = _closes_for(self.request.user, self.base_queryset().restrict(self.request.user, "view"))
        return get_object_or_404(qs, pk=self.kwargs["pk"])

    def extra_context(self, obj):
        payments = list(
            obj.payments.select_related("unit").prefetch_related("tenders").order_by("received_at", "pk")
        )
        live = day_totals(project=obj.project, cashier=obj.cashier, business_date=obj.business_date)
        return {
            "payments": payments,
            "totals": stored_totals(obj),
            "late_payments": live.payment_count - len(payments),
            "can_review": obj.reviewed_at is None
            and obj.cashier_id != self.request.user.pk
            and self.can("review_day", obj),
        }


class CashierDayCloseViews(ObjectViews):
    model = CashierDayClose
    table = CashierDayCloseTable
    filterset = CashierDayCloseFilterSet
    list_view = DayCloseListView
    detail_view = DayCloseDetailView
    actions = ("list", "detail", "changelog")
    select_related = ("project", "cashier", "reviewed_by")


class DayCloseReviewView(ScopedViewMixin, View):
    model = CashierDayClose
    action = "review_day"

    def title(self, close):
        return _("Review day close %(c)s") % {"c": close}

    def get(self, request, pk):
        close = self.get_object()
        url = reverse("billing:cashierdayclose_review", kwargs={"pk": close.pk})
        return _render_form(request, ReviewForm(), close, self.title(close), url, submit=_("Mark reviewed"))

    def post(self, request, pk):
        close = self.get_object()
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                do_review_day(actor=request.user, close=close, note=form.cleaned_data["note"])
            except ValidationError as exc:
                form.add_error(None, _messages_of(exc))
            else:
                messages.success(request, _("Marked %(c)s as reviewed.") % {"c": close})
                return _redirect(request, close.get_absolute_url())
        url = reverse("billing:cashierdayclose_review", kwargs={"pk": close.pk})
        return _render_form(
            request, form, close, self.title(close), url, status=422 if is_htmx(request) else 200
        )


def _close_projects(request):
    """The projects in which the user may close their day."""
    from wuye.estate.models import Project

    scope = user_scope(request.user, "billing.close_day")
    return Project.objects.all() if scope is ALL else Project.objects.filter(pk__in=sorted(scope))


@login_required
def cashier_day(request):
    """The cashier's own day: totals by channel, the receipts, and the button that closes the day."""
    if not user_scope(request.user, "billing.close_day"):
        raise PermissionDenied
    projects = list(_close_projects(request).order_by("code"))
    project = None
    wanted = request.POST.get("project") or request.GET.get("project") or ""
    if wanted.isdigit():
        project = next((p for p in projects if p.pk == int(wanted)), None)
    if project is None:
        current = getattr(request, "project", None)
        project = next((p for p in projects if current and p.pk == current.pk), None) or (
            projects[0] if projects else None
        )
    today = timezone.localdate()
    try:
        day = datetime.date.fromisoformat(request.POST.get("date") or request.GET.get("date") or "")
    except ValueError:
        day = today
    error = None
    if request.method == "POST" and project is not None:
        try:
            close = do_close_day(actor=request.user, project=project, business_date=day)
        except (ValidationError, PermissionDenied) as exc:
            error = _messages_of(exc) if isinstance(exc, ValidationError) else [str(exc)]
        else:
            messages.success(request, _("Closed the day %(d)s.") % {"d": day})
            return HttpResponseRedirect(close.get_absolute_url())
    context = {
        "title": _("My day"),
        "breadcrumbs": [(_("Cashier desk"), reverse("billing:cashier")), (_("My day"), "")],
        "projects": projects,
        "project": project,
        "day": day,
        "today": today,
        "error": error,
    }
    if project is not None:
        context["totals"] = day_totals(project=project, cashier=request.user, business_date=day)
        context["payments"] = list(
            Payment.objects.restrict(request.user, "view")
            .filter(project=project, cashier=request.user, business_date=day)
            .select_related("unit")
            .prefetch_related("tenders")
            .order_by("received_at", "pk")
        )
        context["close"] = CashierDayClose.objects.filter(
            project=project, cashier=request.user, business_date=day
        ).first()
    return render(request, "billing/cashier/day.html", context, status=422 if error else 200)


urlpatterns = [
    *PaymentViews.urls("payments"),
    path("payments/<int:pk>/receipt/", PaymentReceiptView.as_view(), name="payment_receipt"),
    path("payments/<int:pk>/receipt.pdf", PaymentReceiptPdfView.as_view(), name="payment_receipt_pdf"),
    path("payments/<int:pk>/reverse/", PaymentReverseView.as_view(), name="payment_reverse"),
    *PrepaidAccountViews.urls("prepaid"),
    path("prepaid/<int:pk>/refund/", PrepaidRefundView.as_view(), name="prepaidaccount_refund"),
    path("cashier/day/", cashier_day, name="cashier_day"),
    *CashierDayCloseViews.urls("day-closes"),
    path("day-closes/<int:pk>/review/", DayCloseReviewView.as_view(), name="cashierdayclose_review"),
]
