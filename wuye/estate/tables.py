import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wuye.core.tables import BaseTable, ProjectColumnsMixin, StatusColumn
from wuye.estate.models import Building, Entrance, ParkingLot, ParkingSpace, Project, Unit

NUMBER = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}


class ProjectTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    city = tables.Column()
    district = tables.Column()
    service_grade = tables.Column()
    fee_model = tables.Column()
    managed_area = tables.Column(attrs={"td": {"class": "text-end"}})
    handover_date = tables.DateColumn(format="Y-m-d")
    status = StatusColumn()
    service_phone = tables.Column(verbose_name=_("service phone"))

    class Meta(BaseTable.Meta):
        model = Project
        fields = (
            "code",
            "name",
            "city",
            "district",
            "service_grade",
            "fee_model",
            "managed_area",
            "handover_date",
            "status",
            "service_phone",
        )
        default_columns = ("code", "name", "city", "district", "service_grade", "managed_area", "status")


class BuildingTable(ProjectColumnsMixin, BaseTable):
    number = tables.Column(linkify=True, order_by=("sort_key", "number"))
    name = tables.Column(linkify=True)
    building_type = tables.Column()
    floors_above = tables.Column(attrs=NUMBER)
    floors_below = tables.Column(attrs=NUMBER)
    elevator_count = tables.Column(attrs=NUMBER)
    unit_count = tables.Column(verbose_name=_("units"), attrs=NUMBER)
    completion_date = tables.DateColumn(format="Y-m-d")
    grid = tables.Column(verbose_name=_("Building grid"), empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        model = Building
        fields = (
            "number",
            "name",
            "project",
            "building_type",
            "floors_above",
            "floors_below",
            "elevator_count",
            "unit_count",
            "completion_date",
            "grid",
        )
        sequence = (*fields, "...")
        default_columns = ("number", "name", "project", "building_type", "floors_above", "unit_count", "grid")

    def render_grid(self, record):
        return format_html(
            '<a href="{}" data-testid="grid-link-{}"><i class="ti ti-layout-grid me-1"></i>{}</a>',
            reverse("estate:building_grid", kwargs={"pk": record.pk}),
            record.pk,
            _("Building grid"),
        )

    def value_grid(self, record):
        return ""


class EntranceTable(ProjectColumnsMixin, BaseTable):
    building = tables.Column(linkify=True, order_by=("building__sort_key", "building__number", "number"))
    number = tables.Column(linkify=True)
    name = tables.Column()
    unit_count = tables.Column(verbose_name=_("units"), attrs=NUMBER)

    class Meta(BaseTable.Meta):
        model = Entrance
        fields = ("building", "number", "name", "project", "unit_count")
        sequence = (*fields, "...")
        default_columns = fields


class UnitTable(ProjectColumnsMixin, BaseTable):
    code = tables.Column(linkify=True, order_by=("sort_code",))
    building = tables.Column(linkify=True, order_by=("building__sort_key", "building__number"))
    entrance = tables.Column(order_by=("entrance__number",))
    floor = tables.Column(attrs=NUMBER)
    room_number = tables.Column()
    building_area = tables.Column(attrs=NUMBER)
    inner_area = tables.Column(attrs=NUMBER)
    usage = tables.Column()
    layout = tables.Column()
    status = StatusColumn()
    delivery_date = tables.DateColumn(format="Y-m-d")
    vacancy_registered = tables.BooleanColumn()

    class Meta(BaseTable.Meta):
        model = Unit
        fields = (
            "code",
            "project",
            "building",
            "entrance",
            "floor",
            "room_number",
            "building_area",
            "inner_area",
            "usage",
            "layout",
            "status",
            "delivery_date",
            "vacancy_registered",
        )
        sequence = (*fields, "...")
        default_columns = (
            "code",
            "project",
            "building",
            "entrance",
            "floor",
            "building_area",
            "usage",
            "status",
        )

    def render_entrance(self, value):
        # ``label`` leaves out the building, which has its own column (and needs no extra join).
        return value.label


class ParkingLotTable(ProjectColumnsMixin, BaseTable):
    name = tables.Column(linkify=True)
    kind = tables.Column()
    location = tables.Column()
    space_count = tables.Column(verbose_name=_("spaces"), attrs=NUMBER)

    class Meta(BaseTable.Meta):
        model = ParkingLot
        fields = ("name", "project", "kind", "location", "space_count")
        sequence = (*fields, "...")
        default_columns = fields


class ParkingSpaceTable(ProjectColumnsMixin, BaseTable):
    code = tables.Column(linkify=True)
    lot = tables.Column(linkify=True, order_by=("lot__name", "code"))
    kind = tables.Column()
    area = tables.Column(attrs=NUMBER)
    status = StatusColumn()
    unit = tables.Column(linkify=True, order_by=("unit__sort_code",))

    class Meta(BaseTable.Meta):
        model = ParkingSpace
        fields = ("code", "project", "lot", "kind", "area", "status", "unit")
        sequence = (*fields, "...")
        default_columns = fields
