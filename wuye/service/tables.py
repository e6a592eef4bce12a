import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wuye.core.tables import BaseTable, ProjectColumnsMixin, StatusColumn
from wuye.service.models import Category, PriceItem, ReturnVisit, ServiceSettings, SlaRule, Team, WorkOrder


class PriorityColumn(tables.Column):
    def render(self, value, record):
        return format_html('<span class="badge bg-{}-lt">{}</span>', record.priority_color, value)


class WorkOrderTable(ProjectColumnsMixin, BaseTable):
    number = tables.Column(linkify=True)
    kind = tables.Column()
    category = tables.Column()
    priority = PriorityColumn()
    status = StatusColumn()
    where = tables.Column(verbose_name=_("location"), orderable=False, empty_values=())
    description = tables.Column(attrs={"td": {"class": "text-truncate", "style": "max-width:18rem"}})
    contact_name = tables.Column()
    contact_phone = tables.Column(
        accessor="contact_phone_masked", verbose_name=_("contact phone"), orderable=False
    )
    source = tables.Column()
    team = tables.Column()
    assignee = tables.Column()
    reported_at = tables.DateTimeColumn(format="Y-m-d H:i")
    completed_at = tables.DateTimeColumn(format="Y-m-d H:i")
    sla_breached = tables.BooleanColumn()
    is_repeat = tables.BooleanColumn()
    reopen_count = tables.Column()
    satisfaction = tables.Column()

    class Meta(BaseTable.Meta):
        model = WorkOrder
        fields = (
            "number",
            "project",
            "kind",
            "category",
            "priority",
            "status",
            "where",
            "description",
            "contact_name",
            "contact_phone",
            "source",
            "team",
            "assignee",
            "reported_at",
            "completed_at",
            "sla_breached",
            "is_repeat",
            "reopen_count",
            "satisfaction",
        )
        default_columns = (
            "number",
            "kind",
            "category",
            "priority",
            "status",
            "where",
            "description",
            "assignee",
            "reported_at",
            "sla_breached",
        )
        exclude = ("actions",)


class OverdueTable(WorkOrderTable):
    overdue = tables.Column(
        verbose_name=_("overdue by"), orderable=False, empty_values=(), accessor="first_due"
    )

    def render_overdue(self, value):
        if not value:
            return "—"
        minutes = int((timezone.now() - value).total_seconds() // 60)
        hours, minutes = divmod(max(minutes, 0), 60)
        return format_html('<span class="text-danger fw-bold">{}h {}m</span>', hours, minutes)

    class Meta(WorkOrderTable.Meta):
        fields = (*WorkOrderTable.Meta.fields, "overdue")
        default_columns = ("number", "category", "priority", "status", "where", "team", "assignee", "overdue")


class CategoryTable(ProjectColumnsMixin, BaseTable):
    full_name = tables.Column(linkify=True, verbose_name=_("category"))
    default_team = tables.Column()
    default_priority = tables.Column()
    sort_order = tables.Column()
    is_active = tables.BooleanColumn()

    class Meta(BaseTable.Meta):
        model = Category
        fields = ("full_name", "project", "default_team", "default_priority", "sort_order", "is_active")


class TeamTable(ProjectColumnsMixin, BaseTable):
    name = tables.Column(linkify=True)
    leader = tables.Column()
    dispatch_mode = tables.Column()
    is_active = tables.BooleanColumn()

    class Meta(BaseTable.Meta):
        model = Team
        fields = ("name", "project", "leader", "dispatch_mode", "is_active")


class SlaRuleTable(ProjectColumnsMixin, BaseTable):
    rule = tables.Column(accessor="pk", verbose_name=_("rule"), linkify=True, orderable=False)
    kind = tables.Column()
    category = tables.Column()
    priority = tables.Column()
    accept_minutes = tables.Column()
    arrive_minutes = tables.Column()
    arrive_at_appointment = tables.BooleanColumn()
    complete_minutes = tables.Column()
    is_active = tables.BooleanColumn()

    def render_rule(self, record):
        return str(record)

    class Meta(BaseTable.Meta):
        model = SlaRule
        fields = (
            "rule",
            "project",
            "kind",
            "category",
            "priority",
            "accept_minutes",
            "arrive_minutes",
            "arrive_at_appointment",
            "complete_minutes",
            "is_active",
        )


class PriceItemTable(ProjectColumnsMixin, BaseTable):
    name = tables.Column(linkify=True)
    kind = tables.Column()
    unit_label = tables.Column()
    price = tables.Column(attrs={"td": {"class": "text-end"}})
    is_active = tables.BooleanColumn()

    class Meta(BaseTable.Meta):
        model = PriceItem
        fields = ("name", "project", "kind", "unit_label", "price", "is_active")


class ServiceSettingsTable(BaseTable):
    project = tables.Column(linkify=lambda record: record.get_absolute_url())
    auto_confirm_days = tables.Column()
    repair_return_visit = tables.BooleanColumn()
    warning_percent = tables.Column()
    escalation_interval_minutes = tables.Column()
    unsatisfied_action = tables.Column()

    class Meta(BaseTable.Meta):
        model = ServiceSettings
        fields = (
            "project",
            "auto_confirm_days",
            "repair_return_visit",
            "warning_percent",
            "escalation_interval_minutes",
            "unsatisfied_action",
        )


class ReturnVisitTable(ProjectColumnsMixin, BaseTable):
    visited_at = tables.DateTimeColumn(format="Y-m-d H:i", linkify=True)
    order = tables.Column(linkify=True)
    method = tables.Column()
    reached = tables.BooleanColumn()
    satisfaction = tables.Column()
    comment = tables.Column()
    outcome = tables.Column()
    created_by = tables.Column(verbose_name=_("visited by"))

    class Meta(BaseTable.Meta):
        model = ReturnVisit
        fields = (
            "visited_at",
            "project",
            "order",
            "method",
            "reached",
            "satisfaction",
            "comment",
            "outcome",
            "created_by",
        )
        exclude = ("actions",)
