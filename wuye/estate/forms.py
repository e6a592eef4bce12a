from wuye.core.forms import BaseModelForm
from wuye.estate.models import Project


class ProjectForm(BaseModelForm):
    class Meta:
        model = Project
        fields = [
            "name",
            "code",
            "city",
            "district",
            "address",
            "service_grade",
            "fee_model",
            "managed_area",
            "handover_date",
            "status",
            "service_phone",
        ]
