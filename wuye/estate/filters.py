"""Filter sets of the estate app: they drive the list filters and the API query parameters."""

import datetime

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuye.core.filters import BaseFilterSet, ProjectFilterSetMixin
from wuye.core.scoping import ALL, user_scope
from wuye.core.widgets import AutocompleteSelect, FastSelect
from wuye.estate.choices import UnitStatusChoices, UnitUsageChoices
from wuye.estate.models import Building, Entrance, ParkingLot, ParkingSpace, Project, Unit
from wuye.estate.search import normalize_input, unit_search_q


def current(relation: str) -> Q:
    """Ownerships or occupancies in force today, seen from the unit (``relation`` is the reverse
    name): not ended (no end date, or ending after today) and started (no start date, or by today).
    The same rule as ``residents.models.current_q``, written on the unit's relation names so that
    estate does not import residents."""
    today = datetime.date.today()
    return (Q(**{f"{relation}__end_date__isnull": True}) | Q(**{f"{relation}__end_date__gt": today})) & (
        Q(**{f"{relation}__start_date__isnull": True}) | Q(**{f"{relation}__start_date__lte": today})
    )


class ProjectFilterSet(BaseFilterSet):
    search_fields = ("name", "code", "city", "district", "address")

    class Meta:
        model = Project
        fields = ["status", "service_grade", "fee_model", "city"]


class CurrentProjectChoicesMixin:
    """Dropdowns over scoped models (buildings, lots...) offer only the current project's rows
    when the user has switched to one: an operations admin should not scroll through every
    building of the company. Call after ``BaseFilterSet.__init__`` restricted them."""

    narrowed_filters: tuple = ()

    def narrow_choices(self):
        project = getattr(self.request, "project", None)
        for name in self.narrowed_filters:
            flt = self.filters.get(name)
            if flt is None:
                continue
            qs = flt.queryset
            if project is not None:
                qs = qs.in_project(project)
            if qs.model is Entrance:
                qs = qs.select_related("building")  # its label names the building
            flt.queryset = qs


class BuildingFilterSet(CurrentProjectChoicesMixin, ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("number", "name", "note")

    class Meta:
        model = Building
        fields = ["project", "building_type"]


class EntranceFilterSet(CurrentProjectChoicesMixin, ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("number", "name", "building__number", "building__name")
    building = django_filters.ModelChoiceFilter(
        queryset=Building.objects.all(),
        label=_("building"),
        widget=AutocompleteSelect("estate-building-list", forward=("project",)),
    )
    narrowed_filters = ("building",)

    class Meta:
        model = Entrance
        fields = ["project", "building"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.narrow_choices()


class UnitFilterSet(CurrentProjectChoicesMixin, ProjectFilterSetMixin, BaseFilterSet):
    """Unit list filters. Owner, phone and plate filters reach the residents app through the ORM
    relation names only (``ownerships``, ``occupancies``, ``vehicles``), as subqueries: the list
    query stays one row per unit (no ``DISTINCT``), and its pagination ``COUNT`` joins nothing."""

    q = django_filters.CharFilter(method="search", label=_("Unit code"))
    # Hundreds of buildings and thousands of entrances in a big project: the page renders the chosen
    # one only, the browser loads the others from the API as the user types (the querysets stay
    # complete and scoped: a submitted id is validated against them).
    building = django_filters.ModelChoiceFilter(
        queryset=Building.objects.all(),
        label=_("building"),
        widget=AutocompleteSelect("estate-building-list", forward=("project",)),
    )
    entrance = django_filters.ModelChoiceFilter(
        queryset=Entrance.objects.all(),
        label=_("entrance"),
        widget=AutocompleteSelect("estate-entrance-list", forward=("building", "project")),
    )
    status = django_filters.ChoiceFilter(choices=UnitStatusChoices.choices, label=_("status"))
    usage = django_filters.ChoiceFilter(choices=UnitUsageChoices.choices, label=_("usage"))
    floor_min = django_filters.NumberFilter(field_name="floor", lookup_expr="gte", label=_("Floor from"))
    floor_max = django_filters.NumberFilter(field_name="floor", lookup_expr="lte", label=_("Floor to"))
    owner = django_filters.CharFilter(method="filter_owner", label=_("Owner name"))
    phone_tail = django_filters.CharFilter(method="filter_phone_tail", label=_("Phone (last 4 digits)"))
    plate = django_filters.CharFilter(method="filter_plate", label=_("Plate"))

    narrowed_filters = ("building", "entrance")
    #: filters that reveal who lives where: only for users who may see people
    people_filters = ("owner", "phone_tail", "plate")

    class Meta:
        model = Unit
        fields = ["project", "building", "entrance", "status", "usage"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.narrow_choices()
        self.people_scope = user_scope(getattr(self.request, "user", None), "residents.view_person")
        if not (self.people_scope is ALL or self.people_scope):
            for name in self.people_filters:
                self.filters.pop(name, None)

    def search(self, queryset, name, value):
        if not normalize_input(value):
            return queryset
        return queryset.filter(unit_search_q(value))

    def _units_where(self, *conditions, **lookups):
        """Units (as a subquery) that match through people, limited to projects where the user may
        see people: the filter must not reveal owners to someone who cannot read them."""
        sub = Unit.objects.filter(*conditions, **lookups)
        if self.people_scope is not ALL:
            sub = sub.filter(project__in=sorted(self.people_scope or ()))
        return sub.values("pk")

    def filter_owner(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        # One filter() call: the name and "current" apply to the same ownership row.
        units = self._units_where(current("ownerships"), ownerships__person__name__icontains=value)
        return queryset.filter(pk__in=units)

    def filter_phone_tail(self, queryset, name, value):
        digits = "".join(ch for ch in normalize_input(value) if ch.isdigit())[-4:]
        if not digits:
            return queryset
        owners = self._units_where(current("ownerships"), ownerships__person__phone_tail=digits)
        residents = self._units_where(current("occupancies"), occupancies__person__phone_tail=digits)
        return queryset.filter(Q(pk__in=owners) | Q(pk__in=residents))

    def filter_plate(self, queryset, name, value):
        plate = normalize_input(value).replace(" ", "").replace("·", "")
        if not plate:
            return queryset
        owners = self._units_where(
            current("ownerships"), ownerships__person__vehicles__plate__icontains=plate
        )
        residents = self._units_where(
            current("occupancies"), occupancies__person__vehicles__plate__icontains=plate
        )
        return queryset.filter(Q(pk__in=owners) | Q(pk__in=residents))


class ParkingLotFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("name", "location", "note")

    class Meta:
        model = ParkingLot
        fields = ["project", "kind"]


class ParkingSpaceFilterSet(CurrentProjectChoicesMixin, ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("code", "note")
    lot = django_filters.ModelChoiceFilter(
        queryset=ParkingLot.objects.all(), label=_("parking lot"), widget=FastSelect
    )
    unit_code = django_filters.CharFilter(method="filter_unit", label=_("Unit code"))
    has_unit = django_filters.BooleanFilter(
        field_name="unit", lookup_expr="isnull", exclude=True, label=_("Linked to a unit")
    )
    narrowed_filters = ("lot",)

    class Meta:
        model = ParkingSpace
        fields = ["project", "lot", "kind", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.narrow_choices()

    def filter_unit(self, queryset, name, value):
        if not normalize_input(value):
            return queryset
        return queryset.filter(unit_search_q(value, prefix="unit__"))


class ParkingSpaceAPIFilterSet(ParkingSpaceFilterSet):
    """The API also filters by unit id (``?unit=12``); the list page has no dropdown of every unit."""

    unit = django_filters.NumberFilter(field_name="unit", label=_("linked unit"))
