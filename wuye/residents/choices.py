from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonKindChoices(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANIZATION = "organization", _("Organization")


class PersonIdTypeChoices(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Mainland travel permit (HK/Macao)")
    TAIWAN = "taiwan", _("Mainland travel permit (Taiwan)")
    FOREIGN_PERMANENT = "foreign_permanent", _("Foreign permanent resident ID")
    CREDIT_CODE = "credit_code", _("Unified social credit code")
    OTHER = "other", _("Other")


class PersonGenderChoices(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class OccupancyKindChoices(models.TextChoices):
    TENANT = "tenant", _("Tenant")
    HOUSEHOLD = "household", _("Household member")


class OccupancyRelationChoices(models.TextChoices):
    SELF = "self", _("Self")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    RELATIVE = "relative", _("Other relative")
    EMPLOYEE = "employee", _("Employee")
    OTHER = "other", _("Other")


class VehicleTypeChoices(models.TextChoices):
    CAR = "car", _("Car")
    SUV = "suv", _("SUV")
    VAN = "van", _("Van")
    TRUCK = "truck", _("Truck")
    MOTORCYCLE = "motorcycle", _("Motorcycle")
    OTHER = "other", _("Other")
