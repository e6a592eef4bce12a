from wuye.core.api.viewsets import ScopedModelViewSet
from wuye.estate import filters
from wuye.estate.api.serializers import ProjectSerializer
from wuye.estate.models import Project


class ProjectViewSet(ScopedModelViewSet):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filterset_class = filters.ProjectFilterSet
