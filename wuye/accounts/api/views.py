from wuye.accounts import filters
from wuye.accounts.api import serializers
from wuye.accounts.models import Membership, Role, User
from wuye.core.api.viewsets import ScopedModelViewSet


class UserViewSet(ScopedModelViewSet):
    queryset = User.objects.all()
    serializer_class = serializers.UserSerializer
    filterset_class = filters.UserFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class RoleViewSet(ScopedModelViewSet):
    queryset = Role.objects.prefetch_related("permissions")
    serializer_class = serializers.RoleSerializer
    filterset_class = filters.RoleFilterSet


class MembershipViewSet(ScopedModelViewSet):
    queryset = Membership.objects.select_related("user", "role", "project")
    serializer_class = serializers.MembershipSerializer
    filterset_class = filters.MembershipFilterSet
