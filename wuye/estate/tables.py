import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from wuye.core.tables import BaseTable, StatusColumn
from wuye.estate.models import Project


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
