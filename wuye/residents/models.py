"""People (owners, tenants, household members, organisations), ownership, occupancy, vehicles."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuye.core.crypto import EncryptedTextField, lookup_hash
from wuye.core.models import ProjectScopedModel
from wuye.core.privacy import mask_id, mask_phone
from wuye.core.scoping import RestrictedQuerySet
from wuye.residents.choices import (
    OccupancyKindChoices,
    OccupancyRelationChoices,
    PersonGenderChoices,
    PersonIdTypeChoices,
    PersonKindChoices,
    VehicleTypeChoices,
)
from wuye.residents.validators import (
    birth_date_from_resident_id,
    gender_from_resident_id,
    is_new_energy_plate,
    normalize_id,
    normalize_plate,
    validate_plate,
    validate_resident_id,
)


def current_q(on: datetime.date | None = None) -> Q:
    """Rows in force on ``on`` (today by default).

    ``start_date`` is the first day; ``end_date`` is the day the relationship ended (a transfer or a
    move-out on that day), so on ``end_date`` itself the row is no longer current and the new owner or
    the empty unit takes over without a day of overlap. Missing dates mean "open".
    """
    on = on or datetime.date.today()
    return (Q(start_date__isnull=True) | Q(start_date__lte=on)) & (
        Q(end_date__isnull=True) | Q(end_date__gt=on)
    )


class TenureQuerySet(RestrictedQuerySet):
    """Ownerships and occupancies: ``.current()`` are those in force today (or on a given day)."""

    def current(self, on: datetime.date | None = None):
        return self.filter(current_q(on))

    def ended(self, on: datetime.date | None = None):
        return self.exclude(current_q(on))


def _is_current(row, on: datetime.date | None = None) -> bool:
    on = on or datetime.date.today()
    started = row.start_date is None or row.start_date <= on
    return started and (row.end_date is None or row.end_date > on)


def pinyin_initials(name: str) -> str:
    """张三 -> zs; letters and digits kept as they are (lowercase)."""
    from pypinyin import Style, lazy_pinyin

    parts = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
    return "".join(p for p in parts if p.strip()).lower()[:40]


class Person(ProjectScopedModel):
    """A person or organisation known to the project: owner, tenant, household member, developer."""

    kind = models.CharField(
        _("kind"), max_length=16, choices=PersonKindChoices.choices, default=PersonKindChoices.INDIVIDUAL
    )
    name = models.CharField(_("name"), max_length=100)
    name_initials = models.CharField(max_length=40, editable=False, db_index=True, default="")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phone_tail = models.CharField(max_length=4, editable=False, db_index=True, default="")
    id_type = models.CharField(
        _("ID type"),
        max_length=20,
        choices=PersonIdTypeChoices.choices,
        default=PersonIdTypeChoices.RESIDENT_ID,
    )
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_hash = models.CharField(max_length=64, editable=False, db_index=True, default="")
    id_number_masked = models.CharField(_("ID number"), max_length=40, editable=False, default="")
    gender = models.CharField(_("gender"), max_length=8, choices=PersonGenderChoices.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    is_developer = models.BooleanField(
        _("developer"), default=False, help_text=_("The developer holds unsold and undelivered units.")
    )
    note = models.TextField(_("note"), blank=True)
    anonymized_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["project", "name", "pk"]
        permissions = [("reveal_person", "Can reveal full phone and ID numbers")]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(is_developer=True), name="residents_person_one_developer"
            ),
        ]
        indexes = [models.Index(fields=["project", "phone_tail"], name="residents_person_phone_tail")]

    def __str__(self):
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_anonymized(self) -> bool:
        return self.anonymized_at is not None

    def clean(self):
        errors = {}
        if self.id_number:
            self.id_number = normalize_id(self.id_number)
            if self.id_type == PersonIdTypeChoices.RESIDENT_ID:
                try:
                    validate_resident_id(self.id_number)
                except ValidationError as exc:
                    errors["id_number"] = exc.messages
                else:
                    # The resident ID carries the birth date and the gender: fill them when missing.
                    if self.birth_date is None:
                        self.birth_date = birth_date_from_resident_id(self.id_number)
                    if not self.gender:
                        self.gender = gender_from_resident_id(self.id_number)
            if "id_number" not in errors and self.project_id:
                duplicate = (
                    Person.objects.filter(
                        project_id=self.project_id, id_number_hash=lookup_hash(self.id_number)
                    )
                    .exclude(pk=self.pk)
                    .first()
                )
                if duplicate is not None:
                    errors["id_number"] = _("%(name)s in this project already has this ID number.") % {
                        "name": duplicate.name
                    }
        if self.phone:
            digits = "".join(ch for ch in self.phone if ch.isdigit() or ch in "+-")
            if sum(ch.isdigit() for ch in digits) < 7:
                errors["phone"] = _("Enter a phone number with at least 7 digits.")
        if self.is_developer and self.project_id:
            other = (
                Person.objects.filter(project_id=self.project_id, is_developer=True)
                .exclude(pk=self.pk)
                .first()
            )
            if other is not None:
                errors["is_developer"] = _("%(name)s is already this project's developer.") % {
                    "name": other.name
                }
        if self.birth_date and self.birth_date > datetime.date.today():
            errors["birth_date"] = _("The birth date is in the future.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.name_initials = pinyin_initials(self.name)
        self.phone = (self.phone or "").strip()
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        self.phone_tail = digits[-4:]
        if self.id_number:
            self.id_number = normalize_id(self.id_number)
            self.id_number_hash = lookup_hash(self.id_number)
            self.id_number_masked = mask_id(self.id_number)
        else:
            self.id_number_hash = ""
            self.id_number_masked = ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {"name_initials", "phone_tail", "id_number_hash", "id_number_masked"}
            kwargs["update_fields"] = set(update_fields) | extra
        super().save(*args, **kwargs)

    @classmethod
    def find_by_id_number(cls, queryset, number: str):
        return queryset.filter(id_number_hash=lookup_hash(normalize_id(number)))


class Ownership(ProjectScopedModel):
    """Who owns a unit, from when to when. A transfer (过户) ends rows and starts new ones."""

    person = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="ownerships"
    )
    unit = models.ForeignKey(
        "estate.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="ownerships"
    )
    share = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    is_representative = models.BooleanField(
        _("representative"),
        default=True,
        help_text=_("Co-owners of a unit act and vote through one representative."),
    )
    certificate_number = models.CharField(_("title certificate"), max_length=60, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = TenureQuerySet.as_manager()

    class Meta:
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")
        ordering = ["unit", "-is_representative", "pk"]
        indexes = [models.Index(fields=["unit", "end_date"], name="residents_own_unit_current")]

    def __str__(self):
        return f"{self.person} · {self.unit}"

    @property
    def is_current(self) -> bool:
        """In force today; see ``current_q`` for the meaning of the dates."""
        return _is_current(self)

    @property
    def is_co_owner(self) -> bool:
        return self.share < 100

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        for field in ("person", "unit"):
            related = getattr(self, field) if getattr(self, f"{field}_id") else None
            if related is not None and self.project_id and related.project_id != self.project_id:
                errors[field] = _("It belongs to another project.")
        today = datetime.date.today()
        open_now = self.end_date is None or self.end_date > today
        if self.unit_id and self.share is not None and open_now:
            others = (
                Ownership.objects.filter(unit_id=self.unit_id)
                .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
                .exclude(pk=self.pk)
            )
            total = sum((o.share for o in others), self.share)
            if total > 100:
                errors["share"] = _(
                    "The current owners' shares of this unit would add up to %(total)s%%."
                ) % {"total": total}
        if errors:
            raise ValidationError(errors)


class Occupancy(ProjectScopedModel):
    """A tenant or household member living in a unit, from when to when."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="occupancies"
    )
    unit = models.ForeignKey(
        "estate.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="occupancies"
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=OccupancyKindChoices.choices, default=OccupancyKindChoices.HOUSEHOLD
    )
    relationship = models.CharField(
        _("relationship"),
        max_length=12,
        choices=OccupancyRelationChoices.choices,
        default=OccupancyRelationChoices.OTHER,
    )
    is_payer = models.BooleanField(
        _("pays the fees"), default=False, help_text=_("A tenant may pay the fees; the owner stays liable.")
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = TenureQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["unit", "kind", "pk"]
        indexes = [models.Index(fields=["unit", "end_date"], name="residents_occ_unit_current")]

    def __str__(self):
        return f"{self.person} · {self.unit} ({self.get_kind_display()})"

    @property
    def is_current(self) -> bool:
        """In force today; see ``current_q`` for the meaning of the dates."""
        return _is_current(self)

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        for field in ("person", "unit"):
            related = getattr(self, field) if getattr(self, f"{field}_id") else None
            if related is not None and self.project_id and related.project_id != self.project_id:
                errors[field] = _("It belongs to another project.")
        if errors:
            raise ValidationError(errors)


class Vehicle(ProjectScopedModel):
    """A registered vehicle, its owner and optionally its parking space."""

    plate = models.CharField(_("plate"), max_length=12, validators=[validate_plate])
    vehicle_type = models.CharField(
        _("type"), max_length=12, choices=VehicleTypeChoices.choices, default=VehicleTypeChoices.CAR
    )
    is_new_energy = models.BooleanField(_("new energy"), default=False, editable=False)
    brand = models.CharField(_("brand"), max_length=40, blank=True)
    color = models.CharField(_("colour"), max_length=20, blank=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="vehicles",
        null=True,
        blank=True,
    )
    parking_space = models.ForeignKey(
        "estate.ParkingSpace",
        verbose_name=_("parking space"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vehicles",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["project", "plate"]
        constraints = [
            models.UniqueConstraint(fields=["project", "plate"], name="residents_vehicle_unique_plate")
        ]

    def __str__(self):
        return self.plate

    def clean(self):
        self.plate = normalize_plate(self.plate)
        errors = {}
        for field in ("person", "parking_space"):
            related = getattr(self, field) if getattr(self, f"{field}_id") else None
            if related is not None and self.project_id and related.project_id != self.project_id:
                errors[field] = _("It belongs to another project.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.plate = normalize_plate(self.plate)
        self.is_new_energy = is_new_energy_plate(self.plate)
        super().save(*args, **kwargs)
