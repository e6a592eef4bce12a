from wuye.core.filters import BaseFilterSet
from wuye.estate.models import Project


class ProjectFilterSet(BaseFilterSet):
    search_fields = ("name", "code", "city", "district", "address")

    class Meta:
        model = Project
        fields = ["status", "service_grade", "fee_model", "city"]
