from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectServiceGradeChoices(models.TextChoices):
    GRADE_1 = "grade_1", _("Grade 1")
    GRADE_2 = "grade_2", _("Grade 2")
    GRADE_3 = "grade_3", _("Grade 3")


class ProjectFeeModelChoices(models.TextChoices):
    LUMP_SUM = "lump_sum", _("Lump-sum (包干制)")
    COMMISSION = "commission", _("Commission (酬金制)")


class ProjectStatusChoices(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    ACTIVE = "active", _("In service")
    EXITED = "exited", _("Exited")


PROJECT_STATUS_COLORS = {
    ProjectStatusChoices.PREPARING: "yellow",
    ProjectStatusChoices.ACTIVE: "green",
    ProjectStatusChoices.EXITED: "secondary",
}


class BuildingTypeChoices(models.TextChoices):
    HIGH_RISE = "high_rise", _("High-rise")
    MID_HIGH = "mid_high", _("Mid-high-rise")
    MULTI_STOREY = "multi_storey", _("Multi-storey")
    VILLA = "villa", _("Villa")
    COMMERCIAL = "commercial", _("Commercial")


class UnitUsageChoices(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    SHOP = "shop", _("Shop")
    OFFICE = "office", _("Office")
    STORAGE = "storage", _("Storage")
    GARAGE = "garage", _("Garage")


class UnitStatusChoices(models.TextChoices):
    UNSOLD = "unsold", _("Unsold")
    SOLD_UNDELIVERED = "sold_undelivered", _("Sold, not delivered")
    VACANT = "vacant", _("Delivered, vacant")
    OCCUPIED = "occupied", _("Occupied")
    RENOVATING = "renovating", _("Renovating")
    RENTED = "rented", _("Rented")


UNIT_STATUS_COLORS = {
    UnitStatusChoices.UNSOLD: "secondary",
    UnitStatusChoices.SOLD_UNDELIVERED: "purple",
    UnitStatusChoices.VACANT: "yellow",
    UnitStatusChoices.OCCUPIED: "green",
    UnitStatusChoices.RENOVATING: "orange",
    UnitStatusChoices.RENTED: "blue",
}

#: statuses in which the developer is liable for fees (unsold or not yet handed over)
DEVELOPER_STATUSES = (UnitStatusChoices.UNSOLD, UnitStatusChoices.SOLD_UNDELIVERED)


class ParkingLotKindChoices(models.TextChoices):
    GROUND = "ground", _("Ground")
    UNDERGROUND = "underground", _("Underground")
    MECHANICAL = "mechanical", _("Mechanical")


class ParkingSpaceKindChoices(models.TextChoices):
    OWNED = "owned", _("Owned (产权)")
    RENTED = "rented", _("Rented")
    PUBLIC_TEMPORARY = "public_temporary", _("Public / temporary")


class ParkingSpaceStatusChoices(models.TextChoices):
    AVAILABLE = "available", _("Available")
    SOLD = "sold", _("Sold")
    RENTED = "rented", _("Rented")
    RESERVED = "reserved", _("Reserved")
    DISABLED = "disabled", _("Out of use")


PARKING_SPACE_STATUS_COLORS = {
    ParkingSpaceStatusChoices.AVAILABLE: "green",
    ParkingSpaceStatusChoices.SOLD: "blue",
    ParkingSpaceStatusChoices.RENTED: "purple",
    ParkingSpaceStatusChoices.RESERVED: "yellow",
    ParkingSpaceStatusChoices.DISABLED: "secondary",
}
