"""Tables, filter sets and forms of the cashier screens: payments, prepaid accounts, day closes.

(The fee screens' shared ones live in billing/tables.py, filters.py and forms.py.)
"""

from __future__ import annotations

from decimal import Decimal

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib.auth import get_user_model
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wuye.billing.choices import PaymentChannelChoices, PaymentStatusChoices
from wuye.billing.models import CashierDayClose, FeeItem, Payment, PrepaidAccount
from wuye.core.filters import BaseFilterSet, ProjectFilterSetMixin
from wuye.core.forms import BaseForm
from wuye.core.tables import BaseTable, ProjectColumnsMixin

PAYMENT_STATUS_COLORS = {"posted": "green", "reversed": "secondary", "reversal": "red"}


def payment_status_badge(payment) -> str:
    return format_html(
        '<span class="badge bg-{}-lt">{}</span>',
        PAYMENT_STATUS_COLORS.get(payment.status, "secondary"),
        payment.get_status_display(),
    )


class MoneyColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "text-end"}, "th": {"class": "text-end"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return f"{value:,.2f}"

    def value(self, value):
        return f"{value:.2f}"


# -- payments ---------------------------------------------------------------------------------


class PaymentTable(ProjectColumnsMixin, BaseTable):
    number = tables.Column(linkify=True)
    received_at = tables.DateTimeColumn(format="Y-m-d H:i")
    unit = tables.Column()
    amount = MoneyColumn()
    to_prepaid = MoneyColumn()
    channels = tables.Column(verbose_name=_("channels"), empty_values=(), orderable=False)
    status = tables.Column()
    cashier = tables.Column()
    day_close = tables.Column(verbose_name=_("day closed"), orderable=False)

    class Meta(BaseTable.Meta):
        model = Payment
        fields = (
            "number",
            "received_at",
            "business_date",
            "unit",
            "payer_name",
            "amount",
            "to_prepaid",
            "channels",
            "status",
            "cashier",
            "day_close",
            "print_count",
            "project",
        )
        default_columns = (
            "number",
            "received_at",
            "unit",
            "payer_name",
            "amount",
            "channels",
            "status",
            "cashier",
        )

    def render_channels(self, record):
        labels = dict(PaymentChannelChoices.choices)
        return ", ".join(f"{labels.get(t.channel, t.channel)} {t.amount:,.2f}" for t in record.tenders.all())

    def value_channels(self, record):
        return self.render_channels(record)

    def render_status(self, record):
        return payment_status_badge(record)

    def value_status(self, record):
        return record.get_status_display()

    def render_day_close(self, record):
        return _("Yes") if record.day_close_id else ""

    def value_day_close(self, record):
        return self.render_day_close(record)


def _cashiers(request):
    """Users who took payments the viewer may see (not the whole user directory)."""
    user = getattr(request, "user", None)
    visible = Payment.objects.restrict(user, "view").values("cashier")
    return get_user_model().objects.filter(pk__in=visible).order_by("username")


def _unit_filter(queryset, name, value):
    from wuye.estate.search import unit_search_q

    value = (value or "").strip()
    return queryset.filter(unit_search_q(value, prefix="unit__")) if value else queryset


class PaymentFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    date_from = django_filters.DateFilter(field_name="business_date", lookup_expr="gte", label=_("date from"))
    date_to = django_filters.DateFilter(field_name="business_date", lookup_expr="lte", label=_("date to"))
    cashier = django_filters.ModelChoiceFilter(queryset=_cashiers, label=_("cashier"))
    channel = django_filters.ChoiceFilter(
        choices=PaymentChannelChoices.choices, method="filter_channel", label=_("channel")
    )
    status = django_filters.ChoiceFilter(choices=PaymentStatusChoices.choices, label=_("status"))
    unit = django_filters.CharFilter(method="filter_unit", label=_("unit"))

    search_fields = ("number", "payer_name", "unit__code", "note")

    class Meta:
        model = Payment
        fields = ["project", "date_from", "date_to", "cashier", "channel", "status", "unit"]

    def filter_channel(self, queryset, name, value):
        return queryset.filter(tenders__channel=value).distinct() if value else queryset

    def filter_unit(self, queryset, name, value):
        return _unit_filter(queryset, name, value)


# -- prepaid accounts ----------------------------------------------------------------------------


class PrepaidAccountTable(ProjectColumnsMixin, BaseTable):
    unit = tables.Column(linkify=lambda record: record.get_absolute_url())
    item = tables.Column(default=_("General"))
    balance = MoneyColumn()
    updated_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("last movement"))

    class Meta(BaseTable.Meta):
        model = PrepaidAccount
        fields = ("unit", "item", "balance", "updated_at", "project")
        default_columns = ("unit", "item", "balance", "updated_at")


class PrepaidAccountFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    unit = django_filters.CharFilter(method="filter_unit", label=_("unit"))
    item = django_filters.ModelChoiceFilter(queryset=FeeItem.objects.all(), label=_("fee item"))
    has_balance = django_filters.BooleanFilter(method="filter_balance", label=_("with a balance"))

    search_fields = ("unit__code", "item__name")

    class Meta:
        model = PrepaidAccount
        fields = ["project", "unit", "item", "has_balance"]

    def filter_unit(self, queryset, name, value):
        return _unit_filter(queryset, name, value)

    def filter_balance(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(balance__gt=0) if value else queryset.filter(balance=0)


# -- day closes --------------------------------------------------------------------------------


class CashierDayCloseTable(ProjectColumnsMixin, BaseTable):
    business_date = tables.DateColumn(format="Y-m-d", linkify=True)
    cashier = tables.Column()
    payment_count = tables.Column(attrs={"td": {"class": "text-end"}})
    amount_total = MoneyColumn()
    closed_at = tables.DateTimeColumn(format="Y-m-d H:i")
    reviewed = tables.Column(verbose_name=_("reviewed"), empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        model = CashierDayClose
        fields = (
            "business_date",
            "cashier",
            "payment_count",
            "amount_total",
            "closed_at",
            "reviewed",
            "project",
        )
        default_columns = (
            "business_date",
            "cashier",
            "payment_count",
            "amount_total",
            "closed_at",
            "reviewed",
        )

    def render_reviewed(self, record):
        if record.reviewed_at is None:
            return format_html('<span class="badge bg-orange-lt">{}</span>', _("Not reviewed"))
        return format_html(
            '<span class="badge bg-green-lt">{}</span> {}', _("Reviewed"), record.reviewed_by or ""
        )

    def value_reviewed(self, record):
        return str(record.reviewed_by) if record.reviewed_at else ""


def _closers(request):
    user = getattr(request, "user", None)
    visible = CashierDayClose.objects.restrict(user, "view").values("cashier")
    return get_user_model().objects.filter(pk__in=visible).order_by("username")


class CashierDayCloseFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    date_from = django_filters.DateFilter(field_name="business_date", lookup_expr="gte", label=_("date from"))
    date_to = django_filters.DateFilter(field_name="business_date", lookup_expr="lte", label=_("date to"))
    cashier = django_filters.ModelChoiceFilter(queryset=_closers, label=_("cashier"))
    reviewed = django_filters.BooleanFilter(
        field_name="reviewed_at", lookup_expr="isnull", exclude=True, label=_("reviewed")
    )

    search_fields = ("cashier__username", "cashier__display_name")

    class Meta:
        model = CashierDayClose
        fields = ["project", "date_from", "date_to", "cashier", "reviewed"]


# -- forms ---------------------------------------------------------------------------------------


class ReasonForm(BaseForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RefundForm(BaseForm):
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        if account is not None:
            self.fields["amount"].max_value = account.balance
            self.fields["amount"].help_text = _("At most %(b)s.") % {"b": f"{account.balance:,.2f}"}
            self.fields["amount"].widget.attrs["max"] = str(account.balance)


class DepositForm(BaseForm):
    item = forms.ModelChoiceField(
        label=_("For fee item"),
        queryset=FeeItem.objects.none(),
        required=False,
        empty_label=_("General (any fee item)"),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[c for c in PaymentChannelChoices.choices if c[0] != PaymentChannelChoices.PREPAID],
    )
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    reference = forms.CharField(label=_("Reference"), max_length=64, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, unit=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if unit is not None:
            self.fields["item"].queryset = FeeItem.objects.restrict(user, "view").filter(
                project_id=unit.project_id, is_active=True
            )


class ReviewForm(BaseForm):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
