"""API errors: model validation as 400 by field, protected deletes as 409 with the blockers."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def blocking_payload(objects) -> list[dict]:
    out = []
    for obj in list(objects)[:50]:
        out.append(
            {
                "type": obj._meta.label_lower,
                "id": obj.pk,
                "display": str(obj),
            }
        )
    return out


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError | RestrictedError):
        objs = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", [])
        return Response(
            {
                "detail": "This object is referenced by other records and cannot be deleted.",
                "blocking": blocking_payload(objs),
            },
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
