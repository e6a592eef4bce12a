"""Base serializer: related fields restricted to the user, model ``full_clean()`` on every write."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from wuye.core.scoping import ALL, RestrictedQuerySet, permission_name, user_scope


class ValidatedModelSerializer(serializers.ModelSerializer):
    display = serializers.SerializerMethodField()

    def get_display(self, obj) -> str:
        return str(obj)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        model = self.Meta.model
        for name, field in fields.items():
            related = getattr(field, "child_relation", field)
            qs = getattr(related, "queryset", None)
            if not isinstance(qs, RestrictedQuerySet) or qs.is_restricted:
                continue
            if name == "project":
                # Only the projects where the user may make this change.
                action = "change" if self.instance is not None else "add"
                scope = user_scope(user, permission_name(model, action))
                related.queryset = qs if scope is ALL else qs.filter(pk__in=sorted(scope))
            else:
                related.queryset = qs.restrict(user, "view")
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        if self.instance is None:
            m2m = {k: v for k, v in attrs.items() if model._meta.get_field(k).many_to_many}
            instance = model(**{k: v for k, v in attrs.items() if k not in m2m})
        else:
            instance = self.instance
            for key, value in attrs.items():
                if not model._meta.get_field(key).many_to_many:
                    setattr(instance, key, value)
        try:
            instance.full_clean(exclude=self._excluded_from_clean(model), validate_unique=True)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs

    def _excluded_from_clean(self, model):
        # Fields the serializer does not write (created_by, ...) are set by the server, not the client.
        writable = {name for name, f in self.fields.items() if not f.read_only}
        return [f.name for f in model._meta.fields if f.name not in writable]
