"""Base models and the platform's own records (numbering, audit, transitions, jobs, approvals)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from wuye.core.scoping import RestrictedManager, RestrictedQuerySet

__all__ = [
    "BaseModel",
    "ProjectScopedModel",
    "RestrictedQuerySet",
    "DocumentSequence",
    "AuditEvent",
    "TransitionEvent",
    "Job",
    "ApprovalRequest",
    "ApprovalEvent",
]


class BaseModel(models.Model):
    """Timestamps, creator and the restricted manager. Company-wide records subclass this."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedManager()

    #: how a row maps to a project for ``restrict``: "project", "pk" or None (company-wide)
    scope_field: str | None = None

    class Meta:
        abstract = True

    def get_absolute_url(self):
        opts = self._meta
        try:
            return reverse(f"{opts.app_label}:{opts.model_name}_detail", kwargs={"pk": self.pk})
        except NoReverseMatch:
            return ""

    @property
    def project_for_scope(self):
        return None


class ProjectScopedModel(BaseModel):
    """A business record that belongs to one managed project (the scoping and partition key)."""

    project = models.ForeignKey(
        settings.WUYE_PROJECT_MODEL,
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_field = "project"

    class Meta:
        abstract = True

    @property
    def project_for_scope(self):
        return self.project

    def get_additional_data(self):
        """django-auditlog stores this on every change row, so the change log can be scoped."""
        return {"project_id": self.project_id}


class DocumentSequence(models.Model):
    """The last number issued for one project, document kind and year (see core.numbering)."""

    project = models.ForeignKey(settings.WUYE_PROJECT_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document sequence")
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "year"], name="core_docseq_unique"),
        ]

    def __str__(self):
        return f"{self.project_id}/{self.kind}/{self.year}: {self.last_value}"


class AuditEvent(models.Model):
    """An explicit audit row written by a service in the same transaction as the change.

    Money and other business actions must not depend on signals: jobs and commands write here too.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        settings.WUYE_PROJECT_MODEL,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)

    objects = RestrictedManager()
    scope_field = "project"

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_audit_obj")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    @classmethod
    def restrict_allowing_global(cls, user):
        """Audit rows of the user's projects; company-wide rows (no project) need all-project scope."""
        from wuye.core.scoping import ALL, permission_name, user_scope

        scope = user_scope(user, permission_name(cls, "view"))
        if scope is ALL:
            return cls.objects.all()
        return cls.objects.filter(project_id__in=sorted(scope))


class TransitionEvent(models.Model):
    """One status change made through a state machine (see core.states)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        settings.WUYE_PROJECT_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, db_index=True)
    target = GenericForeignKey("content_type", "object_id")
    field = models.CharField(max_length=60)
    transition = models.CharField(_("transition"), max_length=60)
    source = models.CharField(_("from"), max_length=40)
    destination = models.CharField(_("to"), max_length=40)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_trans_obj")]

    def __str__(self):
        return f"{self.transition}: {self.source} -> {self.destination}"


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


JOB_STATUS_COLORS = {
    JobStatus.PENDING: "secondary",
    JobStatus.RUNNING: "blue",
    JobStatus.SUCCEEDED: "green",
    JobStatus.FAILED: "red",
}


class Job(models.Model):
    """A unit of long work (billing run, import, export) whose progress staff can watch."""

    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    project = models.ForeignKey(
        settings.WUYE_PROJECT_MODEL,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    progress_text = models.CharField(_("progress note"), max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    output = models.FileField(_("output file"), upload_to="jobs/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = RestrictedManager()
    scope_field = "project"

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("core:job_detail", kwargs={"pk": self.pk})

    @property
    def project_for_scope(self):
        return self.project

    @property
    def status_color(self):
        return JOB_STATUS_COLORS.get(self.status, "secondary")

    @property
    def is_finished(self):
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


APPROVAL_STATUS_COLORS = {
    ApprovalStatus.PENDING: "yellow",
    ApprovalStatus.APPROVED: "green",
    ApprovalStatus.REJECTED: "red",
    ApprovalStatus.CANCELLED: "secondary",
}


class ApprovalRequest(ProjectScopedModel):
    """A request that one or more roles must approve before a business action takes effect.

    ``steps`` is a list of ``{"permission": "app.codename", "label": "..."}``; step *i* is decided
    by a user holding that permission in the request's project. The kind's handler (registered in
    ``core.approvals``) runs when the last step approves or any step rejects.
    """

    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    payload = models.JSONField(default=dict, blank=True)
    steps = models.JSONField(default=list)
    current_step = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ApprovalStatus.choices,
        default=ApprovalStatus.PENDING,
        db_index=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-created_at", "-id"]
        permissions = [("decide_approvalrequest", "Can approve or reject requests")]

    def __str__(self):
        return self.title

    @property
    def status_color(self):
        return APPROVAL_STATUS_COLORS.get(self.status, "secondary")

    @property
    def current_step_info(self):
        if self.status != ApprovalStatus.PENDING or self.current_step >= len(self.steps):
            return None
        return self.steps[self.current_step]


class ApprovalEvent(models.Model):
    """History of an approval request: requested, approved/rejected per step, cancelled."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    action = models.CharField(_("action"), max_length=20)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("approval event")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.request_id} {self.action}"
