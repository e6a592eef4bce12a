"""Per-project configuration of the service desk: categories, teams, SLA rules, prices, settings."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuye.core.models import ProjectScopedModel
from wuye.service.choices import (
    DispatchModeChoices,
    PriceItemKindChoices,
    PriorityChoices,
    UnsatisfiedActionChoices,
    WorkOrderKindChoices,
)


def _same_project(obj, field, errors):
    related = getattr(obj, field) if getattr(obj, f"{field}_id", None) else None
    if related is not None and obj.project_id and related.project_id != obj.project_id:
        errors[field] = _("It belongs to another project.")


class Team(ProjectScopedModel):
    """A group of staff who handle work orders (维修班组, 客服组), and how orders reach them."""

    name = models.CharField(_("name"), max_length=60)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="service_teams"
    )
    dispatch_mode = models.CharField(
        _("dispatch"), max_length=16, choices=DispatchModeChoices.choices, default=DispatchModeChoices.MANUAL
    )
    #: the member who got the last round-robin order
    rr_last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["project", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="service_team_unique_name")]

    def __str__(self):
        return self.name


class Category(ProjectScopedModel):
    """A node of the project's category tree (水电 / 漏水); a category may route to a team."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=60)
    full_name = models.CharField(_("category"), max_length=130, editable=False, default="")
    default_team = models.ForeignKey(
        Team,
        verbose_name=_("default team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="categories",
        help_text=_("New orders of this category go to this team (a child inherits its parent's team)."),
    )
    default_priority = models.CharField(
        _("default priority"), max_length=10, choices=PriorityChoices.choices, blank=True
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["project", "full_name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "full_name"], name="service_category_unique_name")
        ]

    def __str__(self):
        return self.full_name or self.name

    def save(self, *args, **kwargs):
        self.full_name = f"{self.parent.full_name} / {self.name}" if self.parent_id else self.name
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        _same_project(self, "parent", errors)
        _same_project(self, "default_team", errors)
        if self.parent_id and self.parent.parent_id:
            errors["parent"] = _("Categories have two levels: choose a top-level parent.")
        if self.pk and self.parent_id == self.pk:
            errors["parent"] = _("A category cannot be its own parent.")
        if errors:
            raise ValidationError(errors)

    @property
    def team(self):
        """The team new orders go to: this category's, else its parent's."""
        if self.default_team_id:
            return self.default_team
        if self.parent_id:
            return self.parent.default_team
        return None


class SlaRule(ProjectScopedModel):
    """Deadlines for orders of a kind x category x priority; empty means "any". The most specific
    matching rule wins (see ``wuye.service.sla.rule_for``)."""

    name = models.CharField(_("name"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=WorkOrderKindChoices.choices, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_rules",
        help_text=_("A top-level category covers its children."),
    )
    priority = models.CharField(_("priority"), max_length=10, choices=PriorityChoices.choices, blank=True)
    accept_minutes = models.PositiveIntegerField(_("accept / answer within (minutes)"), null=True, blank=True)
    arrive_minutes = models.PositiveIntegerField(_("on site within (minutes)"), null=True, blank=True)
    arrive_at_appointment = models.BooleanField(
        _("on site at the appointment"),
        default=False,
        help_text=_("With an appointment time, the engineer must arrive by then."),
    )
    complete_minutes = models.PositiveIntegerField(_("complete within (minutes)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA rule")
        verbose_name_plural = _("SLA rules")
        ordering = ["project", "kind", "priority", "pk"]

    def __str__(self):
        if self.name:
            return self.name
        parts = [
            self.get_kind_display() if self.kind else _("any kind"),
            str(self.category) if self.category_id else _("any category"),
            self.get_priority_display() if self.priority else _("any priority"),
        ]
        return " · ".join(str(p) for p in parts)

    def clean(self):
        errors = {}
        _same_project(self, "category", errors)
        if not (
            self.accept_minutes or self.arrive_minutes or self.complete_minutes or self.arrive_at_appointment
        ):
            errors["accept_minutes"] = _("Set at least one deadline.")
        for field in ("accept_minutes", "arrive_minutes", "complete_minutes"):
            if getattr(self, field) == 0:
                errors[field] = _("A deadline must be at least one minute.")
        if errors:
            raise ValidationError(errors)

    @property
    def specificity(self) -> tuple:
        return (
            (1 if self.kind else 0) + (1 if self.category_id else 0) + (1 if self.priority else 0),
            1 if self.category_id else 0,
            1 if self.priority else 0,
        )


class PriceItem(ProjectScopedModel):
    """A priced labour or material item for paid repairs (明码标价)."""

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(
        _("kind"), max_length=10, choices=PriceItemKindChoices.choices, default=PriceItemKindChoices.LABOUR
    )
    unit_label = models.CharField(_("unit"), max_length=10, default="次")
    price = models.DecimalField(
        _("price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("price item")
        verbose_name_plural = _("price list")
        ordering = ["project", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="service_priceitem_unique_name")
        ]

    def __str__(self):
        return f"{self.name} ({self.price}/{self.unit_label})"


class ServiceSettings(ProjectScopedModel):
    """How the service desk of one project behaves; created with defaults from its service grade."""

    auto_confirm_days = models.PositiveSmallIntegerField(
        _("auto-confirm after (days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("A completed order the reporter has not confirmed is confirmed automatically."),
    )
    repair_return_visit = models.BooleanField(
        _("return visit for repairs"), default=True, help_text=_("Complaints always get a return visit.")
    )
    warning_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("warn at (% of each deadline)"),
        default=80,
        validators=[MinValueValidator(10), MaxValueValidator(99)],
    )
    escalation_interval_minutes = models.PositiveIntegerField(
        _("escalate every (minutes)"),
        default=60,
        validators=[MinValueValidator(5)],
        help_text=_("After a breach: team lead at once, then project manager, then operations centre."),
    )
    repeat_window_days = models.PositiveSmallIntegerField(
        _("repeat window (days)"), default=30, validators=[MinValueValidator(1)]
    )
    unsatisfied_threshold = models.PositiveSmallIntegerField(
        _("unsatisfied at or below"), default=2, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    unsatisfied_action = models.CharField(
        _("when unsatisfied"),
        max_length=10,
        choices=UnsatisfiedActionChoices.choices,
        default=UnsatisfiedActionChoices.REOPEN,
    )

    class Meta:
        verbose_name = _("service settings")
        verbose_name_plural = _("service settings")
        ordering = ["project"]
        constraints = [models.UniqueConstraint(fields=["project"], name="service_settings_one_per_project")]

    def __str__(self):
        return f"{self.project} · {self._meta.verbose_name}"
