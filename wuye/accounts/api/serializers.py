from django.contrib.auth.models import Permission
from rest_framework import serializers

from wuye.accounts.models import Membership, Role, User
from wuye.core.api.serializers import ValidatedModelSerializer


class UserSerializer(ValidatedModelSerializer):
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})

    class Meta:
        model = User
        fields = [
            "id",
            "display",
            "username",
            "display_name",
            "phone",
            "email",
            "is_active",
            "last_login",
            "password",
        ]
        read_only_fields = ["last_login"]

    def create(self, validated_data):
        password = validated_data.pop("password", None)
        user = super().create(validated_data)
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user

    def update(self, instance, validated_data):
        password = validated_data.pop("password", None)
        user = super().update(instance, validated_data)
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user


class PermissionField(serializers.RelatedField):
    """A permission as ``app_label.codename``."""

    default_error_messages = {"unknown": "Unknown permission {value!r}; use app_label.codename."}

    def to_representation(self, value):
        return f"{value.content_type.app_label}.{value.codename}"

    def to_internal_value(self, data):
        app_label, _, codename = str(data).partition(".")
        try:
            return self.get_queryset().get(content_type__app_label=app_label, codename=codename)
        except Permission.DoesNotExist:
            self.fail("unknown", value=data)


class RoleSerializer(ValidatedModelSerializer):
    permissions = PermissionField(
        many=True, queryset=Permission.objects.select_related("content_type"), required=False
    )

    class Meta:
        model = Role
        fields = ["id", "display", "name", "slug", "description", "is_system", "permissions"]
        read_only_fields = ["is_system"]


class MembershipSerializer(ValidatedModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "display", "user", "role", "project"]
