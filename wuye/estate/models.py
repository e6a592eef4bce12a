from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuye.core.models import BaseModel, ProjectScopedModel
from wuye.estate.choices import (
    DEVELOPER_STATUSES,
    PARKING_SPACE_STATUS_COLORS,
    PROJECT_STATUS_COLORS,
    UNIT_STATUS_COLORS,
    BuildingTypeChoices,
    ParkingLotKindChoices,
    ParkingSpaceKindChoices,
    ParkingSpaceStatusChoices,
    ProjectFeeModelChoices,
    ProjectServiceGradeChoices,
    ProjectStatusChoices,
    UnitStatusChoices,
    UnitUsageChoices,
)


class FieldUniqueErrorsMixin:
    """Shows a unique-together violation on the field the user typed, in our own words.

    Django reports a violated ``UniqueConstraint(fields=["project", "code"])`` as a form-wide error
    ("Unit with this Project and Unit code already exists."); staff need it next to the code field.
    ``unique_field_errors`` maps the constraint's fields to ``(field, message)``.
    """

    unique_field_errors: dict = {}

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict({})
            kept = []
            for error in errors.pop(NON_FIELD_ERRORS, []):
                check = tuple((getattr(error, "params", None) or {}).get("unique_check", ()))
                target = self.unique_field_errors.get(check)
                if getattr(error, "code", None) == "unique_together" and target:
                    field, message = target
                    errors.setdefault(field, []).append(ValidationError(message, code="unique"))
                else:
                    kept.append(error)
            if kept:
                errors[NON_FIELD_ERRORS] = kept
            raise ValidationError(errors) from None


class Project(BaseModel):
    """A managed project (管理项目/小区): the unit of scoping for every business record."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", _("Use letters, digits, - and _ only."))],
        help_text=_("Short code used in document numbers and imports, e.g. P001."),
    )
    city = models.CharField(_("city"), max_length=40, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    service_grade = models.CharField(
        _("service grade"),
        max_length=10,
        choices=ProjectServiceGradeChoices.choices,
        default=ProjectServiceGradeChoices.GRADE_1,
    )
    fee_model = models.CharField(
        _("fee model"),
        max_length=12,
        choices=ProjectFeeModelChoices.choices,
        default=ProjectFeeModelChoices.LUMP_SUM,
    )
    managed_area = models.DecimalField(
        _("managed area (㎡)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    handover_date = models.DateField(_("handover date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatusChoices.choices, default=ProjectStatusChoices.ACTIVE
    )
    service_phone = models.CharField(_("service phone"), max_length=30, blank=True)

    scope_field = "pk"

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def project_for_scope(self):
        return self

    @property
    def status_color(self):
        return PROJECT_STATUS_COLORS.get(self.status, "secondary")

    def get_additional_data(self):
        return {"project_id": self.pk}


class Building(FieldUniqueErrorsMixin, ProjectScopedModel):
    """A building (楼栋) of a project."""

    number = models.CharField(
        _("number"), max_length=20, help_text=_("Building number as used in unit codes, e.g. 3.")
    )
    name = models.CharField(
        _("name"), max_length=60, blank=True, help_text=_("e.g. 3栋; defaults to the number.")
    )
    building_type = models.CharField(
        _("type"), max_length=16, choices=BuildingTypeChoices.choices, default=BuildingTypeChoices.HIGH_RISE
    )
    floors_above = models.PositiveSmallIntegerField(
        _("floors above ground"), validators=[MinValueValidator(1)]
    )
    floors_below = models.PositiveSmallIntegerField(_("floors below ground"), default=0)
    elevator_count = models.PositiveSmallIntegerField(_("elevators"), default=0)
    completion_date = models.DateField(_("completion date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["project", "sort_key", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="estate_building_unique_number")
        ]

    sort_key = models.PositiveIntegerField(default=0, editable=False, db_index=True)

    unique_field_errors = {
        ("project", "number"): ("number", _("A building with this number already exists in the project."))
    }

    def __str__(self):
        return self.name or f"{self.number}栋"

    def save(self, *args, **kwargs):
        self.sort_key = natural_sort_key(self.number)
        super().save(*args, **kwargs)

    def clean(self):
        if not self.pk:
            return
        # Shrinking a building must not strand units on floors it no longer has.
        units = Unit.objects.filter(building_id=self.pk).order_by("floor")
        checks = (
            ("floors_above", self.floors_above, models.Q(floor__gt=self.floors_above or 0)),
            ("floors_below", self.floors_below, models.Q(floor__lt=-(self.floors_below or 0))),
        )
        errors = {}
        for field, value, outside in checks:
            if value is None:
                continue
            codes = list(units.filter(outside).values_list("code", flat=True)[:3])
            if codes:
                errors[field] = _("Units %(codes)s are on floors outside this range.") % {
                    "codes": ", ".join(codes)
                }
        if errors:
            raise ValidationError(errors)

    def floor_range(self) -> list[int]:
        """Floors from the top down, without a floor 0 (1 is the ground floor, -1 the first basement)."""
        above = list(range(self.floors_above, 0, -1))
        below = [-i for i in range(1, self.floors_below + 1)]
        return above + below


class Entrance(FieldUniqueErrorsMixin, ProjectScopedModel):
    """A stairwell entrance (单元) of a building; optional."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="entrances"
    )
    number = models.CharField(_("number"), max_length=20)
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("entrance")
        verbose_name_plural = _("entrances")
        ordering = ["building", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="estate_entrance_unique_number")
        ]

    unique_field_errors = {
        ("building", "number"): ("number", _("This building already has an entrance with this number."))
    }

    def __str__(self):
        return self.name or f"{self.building}{self.number}单元"

    @property
    def label(self) -> str:
        """The entrance without its building (2单元), for places that already show the building."""
        return self.name or f"{self.number}单元"

    def clean(self):
        if self.building_id and self.project_id and self.building.project_id != self.project_id:
            raise ValidationError({"building": _("The building belongs to another project.")})


class Unit(FieldUniqueErrorsMixin, ProjectScopedModel):
    """A unit (房屋): one exclusive part, such as an apartment, shop, office or storage room."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="units"
    )
    entrance = models.ForeignKey(
        Entrance,
        verbose_name=_("entrance"),
        on_delete=models.PROTECT,
        related_name="units",
        null=True,
        blank=True,
    )
    code = models.CharField(
        _("unit code"),
        max_length=40,
        help_text=_("Unique in the project, e.g. 3-2-1201 (building-entrance-room)."),
    )
    room_number = models.CharField(_("room number"), max_length=20)
    floor = models.SmallIntegerField(_("floor"))
    building_area = models.DecimalField(_("building area (㎡)"), max_digits=10, decimal_places=2)
    inner_area = models.DecimalField(
        _("inner area (㎡)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    usage = models.CharField(
        _("usage"), max_length=16, choices=UnitUsageChoices.choices, default=UnitUsageChoices.RESIDENTIAL
    )
    layout = models.CharField(_("layout"), max_length=30, blank=True, help_text=_("e.g. 3室2厅2卫"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=UnitStatusChoices.choices,
        default=UnitStatusChoices.UNSOLD,
    )
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    vacancy_registered = models.BooleanField(
        _("vacancy registered"),
        default=False,
        help_text=_("The owner registered the unit as vacant (for discounts)."),
    )
    vacancy_registered_on = models.DateField(
        _("vacant since"),
        null=True,
        blank=True,
        help_text=_("The date from which the registered vacancy counts (for discounts after N months)."),
    )
    note = models.TextField(_("note"), blank=True)
    #: code with separators removed, for search ("3-2-1201" and "3栋2单元1201" both become "321201")
    #: (indexed with the project: see Meta.indexes)
    search_code = models.CharField(max_length=40, editable=False, default="")
    #: natural sort key of the code ("3-2-1201" -> "000003.000002.001201"), so that lists sort
    #: 3-2-901 before 3-2-1201 and 2-... before 10-... from one indexed column of this table
    #: (db_default: raw bulk inserts that leave it out still work; such rows sort by id until saved)
    sort_code = models.CharField(max_length=120, editable=False, default="", db_default="")

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        # One indexed column of this table (not building__sort_key): a paginated list over 100,000
        # units reads the first rows of the (project, sort_code) index instead of sorting a join.
        ordering = ["project_id", "sort_code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="estate_unit_unique_code"),
            models.CheckConstraint(condition=models.Q(building_area__gt=0), name="estate_unit_area_positive"),
        ]
        indexes = [
            models.Index(fields=["project", "sort_code", "id"], name="estate_unit_proj_sort"),
            # The list filtered by status, in list order, for one project or all of them: read in
            # index order, no sort of 76,000 occupied units (and a covering index for its COUNT).
            models.Index(fields=["status", "project", "sort_code", "id"], name="estate_unit_status_sort"),
            # unit-code search (see estate.search): whole codes, rooms, and code prefixes on PostgreSQL
            # (SQLite's prefix ranges use the (project, code) unique index). The search code leads:
            # an operations admin searches every project, and PostgreSQL cannot skip a leading project.
            models.Index(fields=["search_code", "project"], name="estate_unit_search_proj"),
            models.Index(fields=["room_number"], name="estate_unit_room"),
            models.Index(fields=["code"], name="estate_unit_code_like", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["building", "floor"], name="estate_unit_bldg_floor"),
        ]

    unique_field_errors = {
        ("project", "code"): ("code", _("A unit with this code already exists in the project."))
    }

    def __str__(self):
        return self.code

    @property
    def status_color(self):
        return UNIT_STATUS_COLORS.get(self.status, "secondary")

    @property
    def developer_liable(self) -> bool:
        return self.status in DEVELOPER_STATUSES

    def fill_computed(self):
        """Set the derived search columns; ``save()`` calls it, bulk inserts must call it themselves."""
        self.search_code = compact_code(self.code)
        self.sort_code = natural_code_key(self.code)

    def save(self, *args, **kwargs):
        self.fill_computed()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "code" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_code", "sort_code"}
        super().save(*args, **kwargs)

    @staticmethod
    def default_code(building, entrance, room_number) -> str:
        """The conventional code: 3-2-1201 (building-entrance-room) or 3-1201 without entrances."""
        parts = [building.number, entrance.number if entrance is not None else None, room_number]
        return "-".join(str(p) for p in parts if p)

    def clean(self):
        errors = {}
        if self.building_area is not None and self.building_area <= 0:
            errors["building_area"] = _("The building area must be positive.")
        if self.inner_area is not None:
            if self.inner_area <= 0:
                errors["inner_area"] = _("The inner area must be positive.")
            elif self.building_area is not None and self.inner_area > self.building_area:
                errors["inner_area"] = _("The inner area cannot exceed the building area.")
        building = self.building if self.building_id else None
        if building is not None:
            if self.project_id and building.project_id != self.project_id:
                errors["building"] = _("The building belongs to another project.")
            if self.floor is not None and (
                self.floor == 0 or self.floor > building.floors_above or self.floor < -building.floors_below
            ):
                errors["floor"] = _(
                    "Floor %(floor)s is outside building %(building)s (%(low)s to %(high)s)."
                ) % {
                    "floor": self.floor,
                    "building": building,
                    "low": -building.floors_below if building.floors_below else 1,
                    "high": building.floors_above,
                }
        if self.entrance_id and building is not None and self.entrance.building_id != building.pk:
            errors["entrance"] = _("The entrance is in another building.")
        if errors:
            raise ValidationError(errors)


class ParkingLot(FieldUniqueErrorsMixin, ProjectScopedModel):
    """A car park (车场) of a project."""

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=ParkingLotKindChoices.choices,
        default=ParkingLotKindChoices.UNDERGROUND,
    )
    location = models.CharField(_("location"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("parking lot")
        verbose_name_plural = _("parking lots")
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="estate_parkinglot_unique_name")
        ]

    unique_field_errors = {
        ("project", "name"): ("name", _("A parking lot with this name already exists in the project."))
    }

    def __str__(self):
        return self.name


class ParkingSpace(FieldUniqueErrorsMixin, ProjectScopedModel):
    """A parking space (车位): owned (产权), rented, or public/temporary."""

    lot = models.ForeignKey(
        ParkingLot, verbose_name=_("parking lot"), on_delete=models.PROTECT, related_name="spaces"
    )
    code = models.CharField(_("space code"), max_length=30)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=ParkingSpaceKindChoices.choices,
        default=ParkingSpaceKindChoices.OWNED,
    )
    area = models.DecimalField(_("area (㎡)"), max_digits=8, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ParkingSpaceStatusChoices.choices,
        default=ParkingSpaceStatusChoices.AVAILABLE,
        db_index=True,
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("linked unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parking_spaces",
        help_text=_("The unit whose owner holds or rents this space."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("parking space")
        verbose_name_plural = _("parking spaces")
        # Columns of this table only, covered by an index (no sort over a join for big car parks).
        ordering = ["project_id", "lot_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="estate_parkingspace_unique_code")
        ]
        indexes = [models.Index(fields=["project", "lot", "code"], name="estate_space_proj_lot_code")]

    unique_field_errors = {
        ("project", "code"): ("code", _("A parking space with this code already exists in the project."))
    }

    def __str__(self):
        return self.code

    @property
    def status_color(self):
        return PARKING_SPACE_STATUS_COLORS.get(self.status, "secondary")

    def clean(self):
        errors = {}
        if self.area is not None and self.area <= 0:
            errors["area"] = _("The area must be positive.")
        if self.lot_id and self.project_id and self.lot.project_id != self.project_id:
            errors["lot"] = _("The parking lot belongs to another project.")
        if self.unit_id and self.project_id and self.unit.project_id != self.project_id:
            errors["unit"] = _("The unit belongs to another project.")
        if errors:
            raise ValidationError(errors)


def natural_sort_key(number: str) -> int:
    """Buildings sort 1, 2, 10 rather than 1, 10, 2: leading digits as an integer."""
    digits = ""
    for ch in number or "":
        if ch.isdigit():
            digits += ch
        else:
            break
    return int(digits) if digits else 0


def natural_code_key(code: str) -> str:
    """Sort key of a unit code: number runs zero-padded, separators unified.

    ``3-2-1201`` -> ``000003.000002.001201``; ``3栋2单元901`` -> ``000003.000002.000901``.
    """
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", code or "").upper()
    parts = re.findall(r"\d+|[A-Z]+|[^\W\dA-Z_]+", text)
    out = []
    for part in parts:
        if part.isdigit():
            out.append(part.lstrip("0").rjust(6, "0"))
        elif part not in ("栋", "幢", "号楼", "楼", "单元", "室", "座", "层", "号"):
            out.append(part)
    return ".".join(out)[:120]


def compact_code(code: str) -> str:
    """Normalise a unit code for search: 3-2-1201, 3栋2单元1201 and 3#2-1201 all become 321201."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", code or "").upper()
    return re.sub(r"[\s\-#_/\\.·栋幢号楼单元室座层]", "", text)
