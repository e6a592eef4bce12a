"""Base FilterSet: one class drives the UI list filters and the API query parameters."""

from __future__ import annotations

import operator
from functools import reduce

import django_filters
from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuye.core.scoping import RestrictedQuerySet


class BaseFilterSet(django_filters.FilterSet):
    """``q`` searches ``search_fields`` (``Meta.search_fields`` or the class attribute)."""

    q = django_filters.CharFilter(method="search", label=_("Search"))

    search_fields: tuple = ()

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for flt in self.filters.values():
            qs = getattr(flt, "queryset", None)
            if isinstance(qs, RestrictedQuerySet) and not qs.is_restricted:
                flt.queryset = qs.restrict(user, "view")

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_wuye_styled", False) and not _is_api_request(self.request):
            # Bootstrap classes for the list page's filter bar; the API only validates the form.
            from wuye.core.forms import style_fields

            style_fields(form)
            for field in form.fields.values():
                field.widget.attrs.pop("data-tom-select", None)
                if field.widget.attrs.get("class") == "form-select":
                    field.widget.attrs["class"] = "form-select"
            form._wuye_styled = True
        return form

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value or not self.search_fields:
            return queryset
        clauses = [Q(**{f"{field}__icontains": value}) for field in self.search_fields]
        return queryset.filter(reduce(operator.or_, clauses))


def _is_api_request(request) -> bool:
    from rest_framework.request import Request

    return isinstance(request, Request)


def _user_projects(request):
    Project = apps.get_model(settings.WUYE_PROJECT_MODEL)
    user = getattr(request, "user", None)
    return Project.objects.restrict(user, "view")


class ProjectFilterSetMixin(django_filters.FilterSet):
    """Adds a ``project`` filter whose choices are only the user's projects."""

    project = django_filters.ModelChoiceFilter(queryset=_user_projects, label=_("project"))
