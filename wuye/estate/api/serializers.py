from wuye.core.api.serializers import ValidatedModelSerializer
from wuye.estate.models import Project


class ProjectSerializer(ValidatedModelSerializer):
    class Meta:
        model = Project
        fields = [
            "id",
            "display",
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
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
