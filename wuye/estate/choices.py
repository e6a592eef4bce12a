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
