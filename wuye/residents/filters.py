import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuye.core.filters import BaseFilterSet, ProjectFilterSetMixin
from wuye.core.widgets import AutocompleteSelect
from wuye.estate.models import Unit
from wuye.residents.models import Occupancy, Ownership, Person, Vehicle, current_q
from wuye.residents.validators import normalize_plate


def unit_filter(label):
    """A unit dropdown that renders the chosen unit only (a project has up to 100,000): the browser
    loads the others from the API as the user types a code."""
    return django_filters.ModelChoiceFilter(
        queryset=Unit.objects.all(),
        label=label,
        widget=AutocompleteSelect("estate-unit-list", forward=("project",)),
    )


def person_filter(label):
    """A person dropdown that renders the chosen person only (a big project has 200,000 people)."""
    return django_filters.ModelChoiceFilter(
        queryset=Person.objects.all(),
        label=label,
        widget=AutocompleteSelect("residents-person-list", forward=("project",)),
    )


def name_or_initials(queryset, value):
    """``张`` matches names containing it; ``zs`` also matches 张三 by pinyin initials."""
    value = (value or "").strip()
    if not value:
        return queryset
    clause = Q(name__icontains=value)
    if value.isascii() and value.isalnum():
        clause |= Q(name_initials__startswith=value.lower())
    return queryset.filter(clause)


class CurrentFilter(django_filters.BooleanFilter):
    """``current=true``: in force today; ``current=false``: ended (or not yet started)."""

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(current_q()) if value else qs.exclude(current_q())


class PersonFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("name", "name_initials", "note")
    name = django_filters.CharFilter(method="filter_name", label=_("name or pinyin initials"))
    phone_tail = django_filters.CharFilter(
        field_name="phone_tail", lookup_expr="exact", label=_("phone tail (last 4 digits)")
    )
    is_developer = django_filters.BooleanFilter(label=_("developer"))

    class Meta:
        model = Person
        fields = ["kind", "is_developer", "id_type", "project"]

    def filter_name(self, queryset, name, value):
        return name_or_initials(queryset, value)

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if value.isdigit() and len(value) == 4:
            return queryset.filter(Q(phone_tail=value) | Q(name__icontains=value))
        return name_or_initials(queryset, value)


class OwnershipFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("person__name", "person__name_initials", "unit__code", "certificate_number")
    unit = unit_filter(_("unit"))
    person = person_filter(_("owner"))
    current = CurrentFilter(label=_("current only"))

    class Meta:
        model = Ownership
        fields = ["unit", "person", "current", "is_representative", "project"]


class OccupancyFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("person__name", "person__name_initials", "unit__code")
    unit = unit_filter(_("unit"))
    person = person_filter(_("person"))
    current = CurrentFilter(label=_("current only"))

    class Meta:
        model = Occupancy
        fields = ["kind", "relationship", "current", "is_payer", "unit", "person", "project"]


class VehicleFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("plate", "brand", "person__name")
    plate = django_filters.CharFilter(method="filter_plate", label=_("plate"))
    is_new_energy = django_filters.BooleanFilter(label=_("new energy"))
    person = person_filter(_("owner"))

    class Meta:
        model = Vehicle
        fields = ["plate", "vehicle_type", "is_new_energy", "person", "project"]

    def filter_plate(self, queryset, name, value):
        value = normalize_plate(value)
        return queryset.filter(plate__icontains=value) if value else queryset

    def search(self, queryset, name, value):
        plate = normalize_plate(value)
        clause = Q(person__name__icontains=(value or "").strip()) | Q(brand__icontains=(value or "").strip())
        if plate:
            clause |= Q(plate__icontains=plate)
        return queryset.filter(clause)
