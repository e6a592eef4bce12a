"""Work orders (工单) and what hangs off them: SLA clocks, photos, comments, quote lines, return visits."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.core.models import ProjectScopedModel
from wuye.core.privacy import mask_phone
from wuye.core.states import StateMachine, Transition
from wuye.service.choices import (
    PRIORITY_COLORS,
    STATUS_COLORS,
    ComplaintCauseChoices,
    DeadlineChoices,
    DepartmentChoices,
    PauseReasonChoices,
    PhotoStageChoices,
    PriorityChoices,
    QuoteStatusChoices,
    RepairScopeChoices,
    VisitMethodChoices,
    WorkOrderKindChoices,
    WorkOrderSourceChoices,
)
from wuye.service.choices import WorkOrderStatusChoices as S
from wuye.service.models.config import Category, SlaRule, Team, _same_project

DISPATCH = "service.dispatch_workorder"
HANDLE = "service.handle_workorder"
VISIT = "service.return_visit_workorder"
CLOSE = "service.close_workorder"
CHANGE = "service.change_workorder"

WORKING = [S.ACCEPTED, S.ON_SITE, S.IN_PROGRESS]

#: what KPI breakdowns group by and aggregate, besides project, reported_at and kpi_class
KPI_COLUMNS = [
    "category",
    "team",
    "assignee",
    "kind",
    "response_seconds",
    "arrival_seconds",
    "completion_seconds",
]


def _paused_from(state):
    def condition(order):
        if order.paused_from != state:
            return _("The order was paused in another state.")
        return None

    return condition


def _not_repair(order):
    if order.kind == WorkOrderKindChoices.REPAIR:
        return _("A repair is completed by the engineer on site.")
    return None


def _return_visit_done(order):
    if order.return_visit_required and order.status != S.VISITED:
        return _("This order needs a return visit before it is closed.")
    return None


WORKORDER_MACHINE = StateMachine(
    "status",
    [
        Transition("assign", [S.NEW], S.ASSIGNED, DISPATCH, _("Assign")),
        Transition("reassign", [S.ASSIGNED, S.ACCEPTED], S.ASSIGNED, DISPATCH, _("Reassign")),
        Transition("grab", [S.NEW], S.ASSIGNED, HANDLE, _("Take order")),
        Transition("decline", [S.ASSIGNED], S.NEW, HANDLE, _("Decline")),
        Transition(
            "transfer",
            [S.NEW, S.ASSIGNED, S.ACCEPTED, S.ON_SITE, S.IN_PROGRESS],
            S.NEW,
            DISPATCH,
            _("Transfer to another team"),
        ),
        Transition("accept", [S.ASSIGNED], S.ACCEPTED, HANDLE, _("Accept")),
        Transition("arrive", [S.ACCEPTED], S.ON_SITE, HANDLE, _("Arrive on site")),
        Transition("start", [S.ON_SITE], S.IN_PROGRESS, HANDLE, _("Start work")),
        Transition("pause", WORKING, S.PAUSED, HANDLE, _("Pause")),
        Transition("resume_accepted", [S.PAUSED], S.ACCEPTED, HANDLE, _("Resume"), _paused_from(S.ACCEPTED)),
        Transition("resume_on_site", [S.PAUSED], S.ON_SITE, HANDLE, _("Resume"), _paused_from(S.ON_SITE)),
        Transition(
            "resume_in_progress", [S.PAUSED], S.IN_PROGRESS, HANDLE, _("Resume"), _paused_from(S.IN_PROGRESS)
        ),
        Transition("complete", [S.ON_SITE, S.IN_PROGRESS], S.COMPLETED, HANDLE, _("Complete")),
        Transition(
            "resolve",
            [S.NEW, S.ASSIGNED, S.ACCEPTED],
            S.COMPLETED,
            DISPATCH,
            _("Answer and resolve"),
            _not_repair,
        ),
        # The reporter confirms (staff record it on their behalf; the owner portal calls the same service).
        Transition("confirm", [S.COMPLETED], S.CONFIRMED, None, _("Confirm")),
        Transition("auto_confirm", [S.COMPLETED], S.CONFIRMED, None, _("Confirm automatically")),
        Transition("reopen", [S.COMPLETED, S.CONFIRMED, S.VISITED], S.ASSIGNED, None, _("Reopen")),
        Transition("return_visit", [S.CONFIRMED], S.VISITED, VISIT, _("Return visit")),
        Transition("close", [S.CONFIRMED, S.VISITED], S.CLOSED, CLOSE, _("Close"), _return_visit_done),
        Transition(
            "cancel",
            [S.NEW, S.ASSIGNED, S.ACCEPTED, S.ON_SITE, S.IN_PROGRESS, S.PAUSED],
            S.CANCELLED,
            DISPATCH,
            _("Cancel"),
        ),
    ],
)


class WorkOrder(ProjectScopedModel):
    """A repair, complaint, consultation, suggestion or praise, from report to close."""

    number = models.CharField(_("number"), max_length=30, editable=False, db_index=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=WorkOrderKindChoices.choices, default=WorkOrderKindChoices.REPAIR
    )
    repair_scope = models.CharField(
        _("repair of"), max_length=10, choices=RepairScopeChoices.choices, blank=True
    )
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=WorkOrderSourceChoices.choices,
        default=WorkOrderSourceChoices.PHONE,
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=PriorityChoices.choices, default=PriorityChoices.NORMAL
    )
    status = models.CharField(_("status"), max_length=12, choices=S.choices, default=S.NEW, editable=False)
    # where
    unit = models.ForeignKey(
        "estate.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    building = models.ForeignKey(
        "estate.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    location = models.CharField(
        _("location"), max_length=200, blank=True, help_text=_("e.g. 3栋大堂, 北门岗亭")
    )
    # who
    reporter = models.ForeignKey(
        "residents.Person",
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    contact_name = models.CharField(_("contact name"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    # what
    description = models.TextField(_("description"))
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    # complaints
    responsible_department = models.CharField(
        _("responsible department"), max_length=20, choices=DepartmentChoices.choices, blank=True
    )
    complaint_cause = models.CharField(
        _("cause"), max_length=16, choices=ComplaintCauseChoices.choices, blank=True
    )
    is_repeat = models.BooleanField(_("repeat"), default=False, editable=False)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat of"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="repeats",
    )
    # handling
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution = models.TextField(_("work done"), blank=True, editable=False)
    materials = models.TextField(_("materials used"), blank=True, editable=False)
    pause_reason = models.CharField(
        _("pause reason"), max_length=12, choices=PauseReasonChoices.choices, blank=True, editable=False
    )
    pause_note = models.CharField(_("pause note"), max_length=200, blank=True, editable=False)
    paused_from = models.CharField(max_length=12, blank=True, editable=False)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_seconds = models.PositiveIntegerField(_("paused (s)"), default=0, editable=False)
    cancel_reason = models.TextField(_("cancel reason"), blank=True, editable=False)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0, editable=False)
    return_visit_required = models.BooleanField(_("return visit required"), default=False, editable=False)
    needs_attention = models.BooleanField(_("escalated"), default=False, editable=False)
    # milestones (reported_at is the start of every clock)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now, editable=False)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    visited_at = models.DateTimeField(_("return visit at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    # measured durations in seconds, paused time excluded (written when the step happens; KPIs read them)
    response_seconds = models.PositiveIntegerField(
        _("response time (s)"), null=True, blank=True, editable=False
    )
    arrival_seconds = models.PositiveIntegerField(
        _("arrival time (s)"), null=True, blank=True, editable=False
    )
    completion_seconds = models.PositiveIntegerField(
        _("completion time (s)"), null=True, blank=True, editable=False
    )
    sla_breached = models.BooleanField(_("SLA breached"), default=False, editable=False)
    #: the order's KPI flags packed in one small integer (see ``kpi_class_of``): KPIs count orders per
    #: class over a narrow index instead of evaluating a dozen conditions per row
    kpi_class = models.PositiveSmallIntegerField(default=0, editable=False)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        editable=False,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    reporter_rating = models.PositiveSmallIntegerField(
        _("reporter's rating"),
        null=True,
        blank=True,
        editable=False,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    # paid repairs
    is_paid = models.BooleanField(_("paid repair"), default=False)
    quote_status = models.CharField(
        _("quote"), max_length=10, choices=QuoteStatusChoices.choices, default="", blank=True, editable=False
    )
    quote_total = models.DecimalField(
        _("quote total"), max_digits=14, decimal_places=2, default=0, editable=False
    )
    bill_id = models.PositiveBigIntegerField(_("bill"), null=True, blank=True, editable=False)
    bill_number = models.CharField(_("bill number"), max_length=40, blank=True, editable=False)

    machine = WORKORDER_MACHINE

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-reported_at", "-id"]
        permissions = [
            ("dispatch_workorder", "Can dispatch, transfer and cancel work orders"),
            ("handle_workorder", "Can accept and carry out work orders"),
            ("return_visit_workorder", "Can make return visits"),
            ("close_workorder", "Can close work orders"),
            ("view_service_kpis", "Can view service KPIs"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="service_workorder_unique_number"),
        ]
        indexes = [
            models.Index(fields=["project", "status"], name="service_wo_proj_status"),
            models.Index(fields=["project", "reported_at"], name="service_wo_proj_reported"),
            models.Index(fields=["assignee", "status"], name="service_wo_assignee_status"),
            models.Index(fields=["unit", "category", "reported_at"], name="service_wo_unit_cat"),
            # KPIs read only indexes, never the wide table rows: counts per kpi_class for the summary
            # (in index order, no sort); every column a breakdown by category, team, person, kind or
            # period reads, for those (reports.py keeps the planners off the other indexes); and one
            # index per duration for the summary's percentiles (ORDER BY value OFFSET k)
            models.Index(fields=["project", "kpi_class", "reported_at"], name="service_wo_kpi"),
            models.Index(
                fields=["project", "reported_at", "kpi_class", *KPI_COLUMNS], name="service_wo_kpi_cover"
            ),
            models.Index(fields=["project", "response_seconds", "reported_at"], name="service_wo_kpi_resp"),
            models.Index(fields=["project", "arrival_seconds", "reported_at"], name="service_wo_kpi_arr"),
            models.Index(fields=["project", "completion_seconds", "reported_at"], name="service_wo_kpi_done"),
        ]

    def __str__(self):
        return self.number or f"#{self.pk}"

    @property
    def status_color(self):
        return STATUS_COLORS.get(self.status, "secondary")

    @property
    def priority_color(self):
        return PRIORITY_COLORS.get(self.priority, "secondary")

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def where(self) -> str:
        parts = [str(self.unit) if self.unit_id else (str(self.building) if self.building_id else "")]
        if self.location:
            parts.append(self.location)
        return " ".join(p for p in parts if p)

    @property
    def is_open(self) -> bool:
        from wuye.service.choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES

    def clean(self):
        errors = {}
        for field in ("category", "unit", "building", "reporter", "team"):
            _same_project(self, field, errors)
        if self.kind == WorkOrderKindChoices.REPAIR:
            if not self.repair_scope:
                errors["repair_scope"] = _("Say whether the repair is in a home or in a common area.")
            elif self.repair_scope == RepairScopeChoices.HOUSEHOLD and not self.unit_id:
                errors["unit"] = _("A household repair needs the unit.")
            elif self.repair_scope == RepairScopeChoices.COMMON and not (self.building_id or self.location):
                errors["location"] = _("Say where in the common area.")
        elif self.repair_scope:
            self.repair_scope = ""
        if self.is_paid and self.kind != WorkOrderKindChoices.REPAIR:
            errors["is_paid"] = _("Only repairs can be paid.")
        if self.unit_id and self.building_id and self.unit.building_id != self.building_id:
            errors["building"] = _("The unit is in another building.")
        if self.contact_phone:
            digits = sum(ch.isdigit() for ch in self.contact_phone)
            if digits < 7:
                errors["contact_phone"] = _("Enter a phone number with at least 7 digits.")
        if (
            self.appointment_at
            and not self.pk
            and self.appointment_at < timezone.now() - timezone.timedelta(minutes=5)
        ):
            errors["appointment_at"] = _("The appointment is in the past.")
        if self.category_id and not self.category.is_active:
            errors["category"] = _("This category is no longer used.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.unit_id and not self.building_id:
            self.building_id = self.unit.building_id
        self.kpi_class = kpi_class_of(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "kpi_class"}
        super().save(*args, **kwargs)


KPI_STATUS_BUCKETS = {S.COMPLETED: 1, S.CONFIRMED: 2, S.VISITED: 2, S.CLOSED: 2, S.CANCELLED: 3}


def kpi_class_of(order) -> int:
    """Bits: 0-1 status (0 open, 1 completed, 2 confirmed/visited/closed, 3 cancelled), 2 complaint,
    3 SLA breached, 4 reopened, 5 return visit required, 6 repeat, 7-9 satisfaction (0 = none),
    10-12 has response / arrival / completion time."""
    return (
        KPI_STATUS_BUCKETS.get(order.status, 0)
        | (order.kind == WorkOrderKindChoices.COMPLAINT) << 2
        | bool(order.sla_breached) << 3
        | (order.reopen_count > 0) << 4
        | bool(order.return_visit_required) << 5
        | bool(order.is_repeat) << 6
        | (order.satisfaction or 0) << 7
        | (order.response_seconds is not None) << 10
        | (order.arrival_seconds is not None) << 11
        | (order.completion_seconds is not None) << 12
    )


def kpi_class_flags(value: int) -> dict:
    return {
        "status": value & 3,
        "complaint": bool(value >> 2 & 1),
        "breached": bool(value >> 3 & 1),
        "reopened": bool(value >> 4 & 1),
        "visit_required": bool(value >> 5 & 1),
        "repeat": bool(value >> 6 & 1),
        "satisfaction": value >> 7 & 7,
        "has_response": bool(value >> 10 & 1),
        "has_arrival": bool(value >> 11 & 1),
        "has_completion": bool(value >> 12 & 1),
    }


class SlaClock(ProjectScopedModel):
    """One deadline of one order: when it runs out, when to warn, and whether it was met."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="clocks")
    deadline = models.CharField(_("deadline"), max_length=10, choices=DeadlineChoices.choices)
    rule = models.ForeignKey(SlaRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"), db_index=True)
    warn_at = models.DateTimeField(_("warn at"), db_index=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("done at"), null=True, blank=True)
    met = models.BooleanField(_("met"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("escalation level"), default=0)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        ordering = ["order", "due_at"]
        constraints = [models.UniqueConstraint(fields=["order", "deadline"], name="service_clock_unique")]
        indexes = [models.Index(fields=["stopped_at", "due_at"], name="service_clock_running")]

    def __str__(self):
        return f"{self.order} · {self.get_deadline_display()}"


def validate_photo(upload):
    """JPEG, PNG or WebP, at most ``WUYE_SERVICE_PHOTO_MAX_BYTES`` (5 MB), checked by content."""
    from PIL import Image, UnidentifiedImageError

    limit = getattr(settings, "WUYE_SERVICE_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
    if upload.size > limit:
        raise ValidationError(
            _("The photo is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1048576, 1), "limit": round(limit / 1048576, 1)}
        )
    pos = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with Image.open(upload) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("This file is not a picture."))
    finally:
        upload.seek(pos)
    if fmt not in ("JPEG", "PNG", "WEBP"):
        raise ValidationError(_("Use a JPEG, PNG or WebP picture."))
    return fmt


MAX_PHOTOS_PER_STAGE = 9


class WorkOrderPhoto(ProjectScopedModel):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(
        _("stage"), max_length=8, choices=PhotoStageChoices.choices, default=PhotoStageChoices.REPORT
    )
    file = models.FileField(_("photo"), upload_to="service/%Y/%m/")
    content_type = models.CharField(max_length=40, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["order", "created_at", "pk"]

    def __str__(self):
        return f"{self.order} · {self.get_stage_display()}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("service:workorderphoto_file", kwargs={"pk": self.pk})

    def clean(self):
        errors = {}
        _same_project(self, "order", errors)
        if self.file and not self.pk:
            try:
                fmt = validate_photo(self.file)
            except ValidationError as exc:
                errors["file"] = exc.messages
            else:
                self.content_type = f"image/{fmt.lower()}"
                self.size = self.file.size
            if self.order_id:
                count = WorkOrderPhoto.objects.filter(order_id=self.order_id, stage=self.stage).count()
                if count >= MAX_PHOTOS_PER_STAGE:
                    errors["file"] = _("At most %(n)s photos per stage.") % {"n": MAX_PHOTOS_PER_STAGE}
        if errors:
            raise ValidationError(errors)


class WorkOrderComment(ProjectScopedModel):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["order", "created_at", "pk"]

    def __str__(self):
        return self.body[:40]


class QuoteLine(ProjectScopedModel):
    """One line of a paid repair's quote: labour or material x quantity."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="quote_lines")
    price_item = models.ForeignKey(
        "service.PriceItem", verbose_name=_("price item"), null=True, blank=True, on_delete=models.PROTECT
    )
    name = models.CharField(_("item"), max_length=80)
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, editable=False, default=0)

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.name} x {self.quantity}"

    def save(self, *args, **kwargs):
        from wuye.core.money import fen

        self.amount = fen(self.quantity * self.unit_price)
        super().save(*args, **kwargs)


class ReturnVisit(ProjectScopedModel):
    """A return visit (回访) by customer service: was the reporter satisfied?"""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="visits"
    )
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now)
    method = models.CharField(
        _("method"), max_length=10, choices=VisitMethodChoices.choices, default=VisitMethodChoices.PHONE
    )
    reached = models.BooleanField(_("reached the reporter"), default=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["-visited_at", "-pk"]

    def __str__(self):
        return f"{self.order} · {self.visited_at:%Y-%m-%d}"

    def clean(self):
        errors = {}
        _same_project(self, "order", errors)
        if self.reached and self.satisfaction is None:
            errors["satisfaction"] = _("Record the satisfaction (1 to 5).")
        if errors:
            raise ValidationError(errors)
