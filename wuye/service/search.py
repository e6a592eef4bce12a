from django.utils.translation import gettext_lazy as _

from wuye.core.search import SearchProvider
from wuye.service.models import WorkOrder


class WorkOrderSearch(SearchProvider):
    def describe(self, obj):
        return f"{obj.get_status_display()} · {obj.description[:40]}"


providers = [
    WorkOrderSearch(
        WorkOrder,
        label=_("Work orders"),
        fields=("number", "description", "location"),
        order=40,
        select_related=("project",),
    )
]
