"""Global search: people by name, pinyin initials (zs -> 张三), phone tail or full number, ID number
(exact, through the keyed hash); vehicles by plate. Results show masked phones only."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuye.core.search import SearchProvider
from wuye.residents.models import Person, Vehicle
from wuye.residents.validators import normalize_id, normalize_plate


class PersonSearchProvider(SearchProvider):
    def search(self, queryset, term: str):
        term = term.strip()
        clause = Q(name__icontains=term)
        if term.isascii() and term.isalpha():
            clause |= Q(name_initials__startswith=term.lower())
        digits = term.replace(" ", "").replace("-", "")
        if digits.isdigit() and len(digits) == 4:
            clause |= Q(phone_tail=digits)
        elif digits.isdigit() and len(digits) >= 7:
            clause |= Q(phone=digits) | Q(phone=term)
        number = normalize_id(term)
        if len(number) >= 8 and any(ch.isdigit() for ch in number):
            ids = Person.find_by_id_number(queryset, number).values("pk")
            clause |= Q(pk__in=ids)
        return queryset.filter(clause)

    def describe(self, obj) -> str:
        parts = [obj.phone_masked, obj.get_kind_display() if obj.kind != "individual" else ""]
        if obj.is_developer:
            parts.append(str(_("developer")))
        return " · ".join(p for p in parts if p)


class VehicleSearchProvider(SearchProvider):
    def search(self, queryset, term: str):
        plate = normalize_plate(term)
        if not plate:
            return queryset.none()
        return queryset.filter(plate__icontains=plate)

    def describe(self, obj) -> str:
        parts = [obj.get_vehicle_type_display()]
        if obj.person_id:
            parts.append(f"{obj.person.name} {obj.person.phone_masked}".strip())
        return " · ".join(p for p in parts if p)


providers = [
    PersonSearchProvider(Person, label=_("People"), order=30, select_related=("project",)),
    VehicleSearchProvider(Vehicle, label=_("Vehicles"), order=40, select_related=("person",)),
]
