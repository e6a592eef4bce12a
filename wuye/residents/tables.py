"""List tables. Personal data is rendered masked (138****1234, 1****************4): the Excel export
writes what the table renders, so exports are masked too."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wuye.core.tables import BaseTable, ProjectColumnsMixin
from wuye.residents.models import Occupancy, Ownership, Person, Vehicle


class CurrentColumn(tables.Column):
    """A badge: current or ended (ownership and occupancy rows)."""

    empty_values = ()

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", _("current"))
        kwargs.setdefault("orderable", False)
        super().__init__(**kwargs)

    def render(self, record):
        if record.is_current:
            return format_html('<span class="badge bg-green-lt">{}</span>', _("Current"))
        return format_html('<span class="badge bg-secondary-lt">{}</span>', _("Ended"))

    def value(self, record, **kwargs):
        return str(_("Current") if record.is_current else _("Ended"))


class PersonTable(ProjectColumnsMixin, BaseTable):
    name = tables.Column(verbose_name=_("name"), linkify=True)
    kind = tables.Column(verbose_name=_("kind"))
    phone = tables.Column(verbose_name=_("phone"), accessor="phone_masked", order_by=("phone_tail",))
    id_type = tables.Column(verbose_name=_("ID type"))
    id_number = tables.Column(verbose_name=_("ID number"), accessor="id_number_masked", orderable=False)
    gender = tables.Column(verbose_name=_("gender"))
    birth_date = tables.DateColumn(verbose_name=_("birth date"), format="Y-m-d")
    is_developer = tables.BooleanColumn(verbose_name=_("developer"))
    created_at = tables.DateTimeColumn(verbose_name=_("created at"), format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = Person
        fields = (
            "name",
            "kind",
            "phone",
            "id_type",
            "id_number",
            "gender",
            "birth_date",
            "is_developer",
            "project",
            "created_at",
        )
        default_columns = ("name", "kind", "phone", "id_number", "gender", "is_developer", "project")


class OwnershipTable(ProjectColumnsMixin, BaseTable):
    id = tables.Column(verbose_name=_("No."), linkify=True)
    unit = tables.Column(verbose_name=_("unit"), linkify=True, order_by=("unit__code",))
    person = tables.Column(verbose_name=_("owner"), linkify=True, order_by=("person__name",))
    phone = tables.Column(verbose_name=_("phone"), accessor="person__phone_masked", orderable=False)
    share = tables.Column(verbose_name=_("share (%)"), attrs={"td": {"class": "text-end"}})
    is_representative = tables.BooleanColumn(verbose_name=_("representative"))
    certificate_number = tables.Column(verbose_name=_("title certificate"))
    start_date = tables.DateColumn(verbose_name=_("start date"), format="Y-m-d")
    end_date = tables.DateColumn(verbose_name=_("end date"), format="Y-m-d")
    current = CurrentColumn()

    class Meta(BaseTable.Meta):
        model = Ownership
        fields = (
            "id",
            "unit",
            "person",
            "phone",
            "share",
            "is_representative",
            "certificate_number",
            "start_date",
            "end_date",
            "current",
            "project",
        )
        default_columns = (
            "id",
            "unit",
            "person",
            "phone",
            "share",
            "is_representative",
            "start_date",
            "end_date",
            "current",
        )


class OccupancyTable(ProjectColumnsMixin, BaseTable):
    id = tables.Column(verbose_name=_("No."), linkify=True)
    unit = tables.Column(verbose_name=_("unit"), linkify=True, order_by=("unit__code",))
    person = tables.Column(verbose_name=_("person"), linkify=True, order_by=("person__name",))
    phone = tables.Column(verbose_name=_("phone"), accessor="person__phone_masked", orderable=False)
    kind = tables.Column(verbose_name=_("kind"))
    relationship = tables.Column(verbose_name=_("relationship"))
    is_payer = tables.BooleanColumn(verbose_name=_("pays the fees"))
    start_date = tables.DateColumn(verbose_name=_("start date"), format="Y-m-d")
    end_date = tables.DateColumn(verbose_name=_("end date"), format="Y-m-d")
    current = CurrentColumn()

    class Meta(BaseTable.Meta):
        model = Occupancy
        fields = (
            "id",
            "unit",
            "person",
            "phone",
            "kind",
            "relationship",
            "is_payer",
            "start_date",
            "end_date",
            "current",
            "project",
        )
        default_columns = (
            "id",
            "unit",
            "person",
            "phone",
            "kind",
            "relationship",
            "start_date",
            "end_date",
            "current",
        )


class VehicleTable(ProjectColumnsMixin, BaseTable):
    plate = tables.Column(verbose_name=_("plate"), linkify=True)
    vehicle_type = tables.Column(verbose_name=_("type"))
    is_new_energy = tables.BooleanColumn(verbose_name=_("new energy"))
    brand = tables.Column(verbose_name=_("brand"))
    color = tables.Column(verbose_name=_("colour"))
    person = tables.Column(verbose_name=_("owner"), linkify=True, order_by=("person__name",))
    phone = tables.Column(verbose_name=_("phone"), accessor="person__phone_masked", orderable=False)
    parking_space = tables.Column(verbose_name=_("parking space"), linkify=True)

    class Meta(BaseTable.Meta):
        model = Vehicle
        fields = (
            "plate",
            "vehicle_type",
            "is_new_energy",
            "brand",
            "color",
            "person",
            "phone",
            "parking_space",
            "project",
        )
        default_columns = (
            "plate",
            "vehicle_type",
            "is_new_energy",
            "brand",
            "person",
            "phone",
            "parking_space",
        )
