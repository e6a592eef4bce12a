from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuye.core.models import BaseModel
from wuye.estate.choices import (
    PROJECT_STATUS_COLORS,
    ProjectFeeModelChoices,
    ProjectServiceGradeChoices,
    ProjectStatusChoices,
)


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
