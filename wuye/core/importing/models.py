"""One upload being imported: the file, the column mapping the user confirmed, the dry-run result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wuye.core.models import ProjectScopedModel


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("Check the columns")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


IMPORT_STATUS_COLORS = {
    ImportStatus.MAPPING: "yellow",
    ImportStatus.CHECKING: "blue",
    ImportStatus.CHECKED: "purple",
    ImportStatus.IMPORTING: "blue",
    ImportStatus.DONE: "green",
    ImportStatus.FAILED: "red",
}


class ImportBatch(ProjectScopedModel):
    """An uploaded workbook on its way into one project: mapping, dry run, then the import.

    Who may see a batch follows its kind: the permissions the import needs in the project
    (see ``wuye.core.importing.access``), not a permission on this table.
    """

    kind = models.CharField(_("kind"), max_length=30, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.MAPPING, db_index=True
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    sheet_names = models.JSONField(default=list, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), default=1)
    headers = models.JSONField(default=list, blank=True)
    samples = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    notes = models.JSONField(default=list, blank=True)
    check_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    commit_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("importing:batch_detail", kwargs={"pk": self.pk})

    @property
    def status_color(self):
        return IMPORT_STATUS_COLORS.get(self.status, "secondary")

    @property
    def spec(self):
        from wuye.core.importing.spec import get_spec

        return get_spec(self.kind)

    @property
    def column_mapping(self) -> dict[int, str]:
        return {int(k): v for k, v in (self.mapping or {}).items()}

    @property
    def is_busy(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)
