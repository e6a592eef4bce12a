"""Tables of the billing screens (fee setup, runs, bills). Other billing screens may reuse them."""

from __future__ import annotations

from decimal import Decimal

import django_tables2 as tables
from django.db.models import Case, DecimalField, F, Value, When
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wuye.billing.choices import BillStatusChoices
from wuye.billing.models import (
    Bill,
    BillingRun,
    BillingSchedule,
    FeeAssignment,
    FeeItem,
    FeeStandard,
    LateFeeRule,
)
from wuye.core.tables import BaseTable, ProjectColumnsMixin, StatusColumn

NUMBER = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}


def money(value) -> str:
    """2 decimals, grouped the way the active language groups numbers (like ``floatformat:"2g"``)."""
    if value is None or value == "":
        return ""
    return number_format(Decimal(value).quantize(Decimal("0.01")), 2, force_grouping=True)


def plain(value) -> str:
    """A Decimal without trailing zeros and never in exponent form: 100.0000 -> 100, 2.3500 -> 2.35."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(value, places=2) -> str:
    if value is None:
        return ""
    text = f"{Decimal(value) * 100:.{places}f}".rstrip("0").rstrip(".")
    return f"{text}%"


def outstanding_expression():
    """``amount - reductions - paid`` as SQL (0 for voided bills), for sorting and totals."""
    return Case(
        When(status=BillStatusChoices.VOIDED, then=Value(Decimal("0.00"))),
        default=F("amount") - F("discount_amount") - F("paid_amount"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


class MoneyColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUMBER)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return money(value)

    def value(self, value):
        return "" if value is None else f"{Decimal(value):.2f}"


class PercentColumn(tables.Column):
    def __init__(self, *args, places=2, **kwargs):
        self.places = places
        kwargs.setdefault("attrs", NUMBER)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return percent(value, self.places)

    def value(self, value):
        return percent(value, self.places)


class DateColumn(tables.DateColumn):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", "Y-m-d")
        super().__init__(*args, **kwargs)


class FeeItemTable(ProjectColumnsMixin, BaseTable):
    name = tables.Column(linkify=True)
    category = tables.Column()
    tax_rate = PercentColumn()
    collected_on_behalf = tables.BooleanColumn()
    is_active = tables.BooleanColumn()
    sort_order = tables.Column(attrs=NUMBER)

    class Meta(BaseTable.Meta):
        model = FeeItem
        fields = ("name", "project", "category", "tax_rate", "collected_on_behalf", "is_active", "sort_order")
        sequence = (*fields, "...")
        default_columns = ("name", "project", "category", "tax_rate", "collected_on_behalf", "is_active")


class LateFeeRuleTable(ProjectColumnsMixin, BaseTable):
    name = tables.Column(linkify=True)
    daily_rate = PercentColumn(places=4, verbose_name=_("per day"))
    grace_days = tables.Column(attrs=NUMBER)
    cap_ratio = PercentColumn(verbose_name=_("cap"))

    class Meta(BaseTable.Meta):
        model = LateFeeRule
        fields = ("name", "project", "daily_rate", "grace_days", "cap_ratio")
        sequence = (*fields, "...")
        default_columns = fields


class FeeStandardTable(ProjectColumnsMixin, BaseTable):
    name = tables.Column(linkify=True)
    item = tables.Column(linkify=True, order_by=("item__sort_order", "item__name"))
    method = tables.Column()
    unit_price = tables.Column(attrs=NUMBER)
    cycle = tables.Column()
    due_day = tables.Column(attrs=NUMBER)
    effective_from = DateColumn()
    effective_to = DateColumn()
    late_fee_rule = tables.Column()
    vacancy_rate = PercentColumn()
    prepay = tables.Column(verbose_name=_("prepay discount"), empty_values=(), orderable=False)
    assignment_count = tables.Column(verbose_name=_("current assignments"), attrs=NUMBER)

    class Meta(BaseTable.Meta):
        model = FeeStandard
        fields = (
            "name",
            "project",
            "item",
            "method",
            "unit_price",
            "cycle",
            "due_day",
            "effective_from",
            "effective_to",
            "late_fee_rule",
            "vacancy_rate",
            "prepay",
            "assignment_count",
        )
        sequence = (*fields, "...")
        default_columns = (
            "name",
            "project",
            "item",
            "method",
            "unit_price",
            "cycle",
            "effective_from",
            "effective_to",
            "assignment_count",
        )

    def render_unit_price(self, value):
        return plain(value)

    def render_prepay(self, record):
        if not record.prepay_months:
            return "—"
        return _("%(n)s months: %(rate)s off") % {
            "n": record.prepay_months,
            "rate": percent(record.prepay_discount_rate),
        }

    def value_prepay(self, record):
        return self.render_prepay(record)


class FeeAssignmentTable(ProjectColumnsMixin, BaseTable):
    target = tables.Column(
        verbose_name=_("unit or space"), empty_values=(), order_by=("unit__sort_code", "parking_space__code")
    )
    standard = tables.Column(linkify=True, order_by=("standard__name",))
    item = tables.Column(verbose_name=_("fee item"), accessor="standard__item", orderable=False)
    start_date = DateColumn(verbose_name=_("start date"))
    end_date = DateColumn(verbose_name=_("end date"))
    weight = tables.Column(attrs=NUMBER)

    class Meta(BaseTable.Meta):
        model = FeeAssignment
        fields = ("target", "project", "standard", "item", "start_date", "end_date", "weight")
        sequence = (*fields, "...")
        default_columns = ("target", "project", "standard", "item", "start_date", "end_date")

    def render_target(self, record):
        target = record.unit or record.parking_space
        url = target.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, target) if url else str(target)

    def value_target(self, record):
        return str(record.unit or record.parking_space)


class BillingScheduleTable(ProjectColumnsMixin, BaseTable):
    day_of_month = tables.Column(linkify=True, attrs=NUMBER)
    item_names = tables.Column(verbose_name=_("fee items"), empty_values=(), orderable=False)
    is_enabled = tables.BooleanColumn()
    last_period = tables.DateColumn(format="Y-m")

    class Meta(BaseTable.Meta):
        model = BillingSchedule
        fields = ("project", "day_of_month", "item_names", "is_enabled", "last_period")
        sequence = (*fields, "...")
        default_columns = fields

    def render_item_names(self, record):
        names = [i.name for i in record.items.all()]
        return "、".join(names) if names else _("All active items")

    def value_item_names(self, record):
        return self.render_item_names(record)


class BillingRunTable(ProjectColumnsMixin, BaseTable):
    period = tables.DateColumn(format="Y-m", linkify=True)
    item_names = tables.Column(
        verbose_name=_("by fee item"), accessor="items", orderable=False, attrs={"td": {"class": "text-wrap"}}
    )
    created_count = tables.Column(attrs=NUMBER)
    skipped_count = tables.Column(attrs=NUMBER)
    total_amount = MoneyColumn()
    problems = tables.Column(verbose_name=_("problems"), empty_values=(), orderable=False, attrs=NUMBER)
    created_by = tables.Column(verbose_name=_("run by"))
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("started"))
    finished_at = tables.DateTimeColumn(format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = BillingRun
        fields = (
            "period",
            "project",
            "item_names",
            "created_count",
            "skipped_count",
            "total_amount",
            "problems",
            "created_by",
            "created_at",
            "finished_at",
        )
        sequence = (*fields, "...")
        default_columns = fields

    def render_item_names(self, value, record):
        """Each item with its bills and amount (``物业服务费 6 · 1,684.50``); the items asked for if none."""
        by_item = (record.summary or {}).get("by_item") or {}
        if by_item:
            return "；".join(f"{name} {v['count']} · {money(v['amount'])}" for name, v in by_item.items())
        return "、".join(value) if value else _("All active items")

    def value_item_names(self, value, record):
        return self.render_item_names(value, record)

    def render_problems(self, record):
        return (record.summary or {}).get("problem_count", 0)

    def value_problems(self, record):
        return self.render_problems(record)


class BillTable(ProjectColumnsMixin, BaseTable):
    number = tables.Column(linkify=True)
    target = tables.Column(
        verbose_name=_("unit or space"), empty_values=(), order_by=("unit__sort_code", "parking_space__code")
    )
    payer_name = tables.Column(verbose_name=_("payer"))
    item = tables.Column(order_by=("item__sort_order", "item__name"))
    period = tables.Column(verbose_name=_("period"), accessor="period_label", order_by=("period_start",))
    due_date = DateColumn()
    amount = MoneyColumn()
    discount_amount = MoneyColumn()
    paid_amount = MoneyColumn()
    outstanding_amount = MoneyColumn(verbose_name=_("outstanding"))
    status = StatusColumn()
    source = tables.Column()
    limitation = tables.Column(
        verbose_name=_("limitation date"), accessor="limitation_date", order_by=("limitation_start",)
    )

    class Meta(BaseTable.Meta):
        model = Bill
        template_name = "billing/fees/bill_table.html"
        fields = (
            "number",
            "project",
            "target",
            "payer_name",
            "item",
            "period",
            "due_date",
            "amount",
            "discount_amount",
            "paid_amount",
            "outstanding_amount",
            "status",
            "source",
            "limitation",
        )
        sequence = (*fields, "...")
        default_columns = (
            "number",
            "target",
            "payer_name",
            "item",
            "period",
            "due_date",
            "amount",
            "paid_amount",
            "outstanding_amount",
            "status",
        )

    def render_target(self, record):
        target = record.unit or record.parking_space
        if target is None:
            return "—"
        url = target.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, target) if url else str(target)

    def value_target(self, record):
        return str(record.unit or record.parking_space or "")

    def render_limitation(self, value):
        return f"{value:%Y-%m-%d}"

    def value_limitation(self, value):
        return f"{value:%Y-%m-%d}"
