"""Tables of the meters screens."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wuye.billing.models.meters import Meter, MeterReading
from wuye.core.tables import ActionsColumn, BaseTable, ProjectColumnsMixin, StatusColumn

NUMBER = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}


class MeterTable(ProjectColumnsMixin, BaseTable):
    number = tables.Column(linkify=True)
    kind = tables.Column()
    is_public = tables.BooleanColumn()
    unit = tables.Column(linkify=True, order_by=("unit__sort_code",))
    building = tables.Column(linkify=True)
    standard = tables.Column()
    multiplier = tables.Column(attrs=NUMBER)
    digits = tables.Column(attrs=NUMBER)
    location = tables.Column()
    installed_on = tables.DateColumn(format="Y-m-d")
    is_active = tables.BooleanColumn()

    class Meta(BaseTable.Meta):
        model = Meter
        fields = (
            "number",
            "project",
            "kind",
            "is_public",
            "unit",
            "building",
            "standard",
            "multiplier",
            "digits",
            "location",
            "installed_on",
            "is_active",
        )
        sequence = (*fields, "...")
        default_columns = ("number", "kind", "unit", "building", "standard", "multiplier", "is_active")


class FlagColumn(tables.Column):
    """Zero or unusually high usage as a coloured badge; nothing for normal usage."""

    def render(self, value, record):
        if not record.flag:
            return ""
        return format_html('<span class="badge bg-{}-lt">{}</span>', record.flag_color, value)

    def value(self, value, **kwargs):
        return value


class ReadingActionsColumn(ActionsColumn):
    """No edit or delete buttons on billed readings (they are locked)."""

    def render(self, record, table, **kwargs):
        if record.status == "billed":
            return ""
        return super().render(record, table, **kwargs)


class MeterReadingTable(ProjectColumnsMixin, BaseTable):
    actions = ReadingActionsColumn()
    meter = tables.Column(linkify=True, order_by=("meter__number",))
    unit = tables.Column(accessor="meter__unit", verbose_name=_("unit"), order_by=("meter__unit__sort_code",))
    period = tables.DateColumn(format="Y-m", linkify=True)
    reading_date = tables.DateColumn(format="Y-m-d")
    previous_value = tables.Column(attrs=NUMBER)
    value = tables.Column(attrs=NUMBER)
    usage = tables.Column(attrs=NUMBER)
    average_usage = tables.Column(attrs=NUMBER)
    flag = FlagColumn()
    is_rollover = tables.BooleanColumn()
    is_replacement = tables.BooleanColumn()
    status = StatusColumn()
    note = tables.Column()

    class Meta(BaseTable.Meta):
        model = MeterReading
        fields = (
            "meter",
            "unit",
            "project",
            "period",
            "reading_date",
            "previous_value",
            "value",
            "usage",
            "average_usage",
            "flag",
            "is_rollover",
            "is_replacement",
            "status",
            "note",
        )
        sequence = (*fields, "...")
        default_columns = (
            "meter",
            "unit",
            "period",
            "previous_value",
            "value",
            "usage",
            "flag",
            "status",
        )

    def render_usage(self, value):
        return f"{value.normalize():f}"

    def render_average_usage(self, value):
        return f"{value.normalize():f}"
