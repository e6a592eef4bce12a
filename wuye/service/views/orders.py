"""Work orders: list, intake (add), detail with timeline and SLA clocks, and one endpoint for steps."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from wuye.core.audit import events_for
from wuye.core.htmx import is_htmx
from wuye.core.scoping import ALL, user_scope
from wuye.core.states import history
from wuye.core.views import ObjectDetailView, ObjectEditView, ObjectListView, ObjectViews
from wuye.core.views.generic import ScopedViewMixin
from wuye.service import filters, forms, services, tables
from wuye.service.choices import OPEN_STATUSES, DeadlineChoices, QuoteStatusChoices
from wuye.service.choices import WorkOrderStatusChoices as S
from wuye.service.models import QuoteLine, WorkOrder, WorkOrderPhoto


def ensure_setup_for(user, current_project=None):
    """Default categories etc. for the projects where the user may add orders and none exist yet."""
    from wuye.estate.models import Project
    from wuye.service.models import ServiceSettings

    scope = user_scope(user, "service.add_workorder")
    if not scope:
        return
    projects = Project.objects.exclude(pk__in=ServiceSettings.objects.values("project_id"))
    if current_project is not None:
        projects = projects.filter(pk=current_project.pk)
    if scope is not ALL:
        projects = projects.filter(pk__in=sorted(scope))
    for project in projects[:20]:
        services.ensure_service_setup(project)


class WorkOrderEditView(ObjectEditView):
    """Add = the hotline intake form; edit = correct the report while the order is open."""

    def get(self, request, *args, **kwargs):
        if "pk" not in kwargs:
            ensure_setup_for(request.user, getattr(request, "project", None))
        return super().get(request, *args, **kwargs)

    def get_instance(self):
        obj = super().get_instance()
        if obj.pk and obj.status not in OPEN_STATUSES:
            raise PermissionDenied(_("A finished order cannot be edited."))
        return obj

    def render_form(self, form, obj, status=200):
        if obj.pk or is_htmx(self.request):
            return super().render_form(form, obj, status)
        context = {
            "form": form,
            "title": _("Hotline intake"),
            "opts": self.model._meta,
            "breadcrumbs": self.breadcrumbs(None, _("Hotline intake")),
        }
        return render(self.request, "service/intake.html", context, status=status)

    def save(self, form):
        order = form.save(commit=False)
        if order.pk:
            order.save()
            return order
        return services.do_create_workorder(
            actor=self.request.user, order=order, photos=form.cleaned_data.get("photos") or ()
        )


def clock_rows(order, clocks, now):
    rows = []
    for c in clocks:
        reference = order.paused_at if order.status == S.PAUSED and order.paused_at else now
        if c.stopped_at:
            state = "met" if c.met else ("breached" if c.met is False else "stopped")
            seconds = int((c.due_at - c.stopped_at).total_seconds())
        else:
            seconds = int((c.due_at - reference).total_seconds())
            state = "paused" if order.status == S.PAUSED else ("overdue" if seconds < 0 else "running")
            if state == "running" and c.warned_at:
                state = "warning"
        total = max(1, int((c.due_at - c.started_at).total_seconds()))
        used = min(100, max(0, int(100 * (total - seconds) / total)))
        rows.append(
            {"clock": c, "state": state, "seconds": seconds, "used": used, "text": _duration(abs(seconds))}
        )
    return rows


def _duration(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)sd %(h)sh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)sh %(m)sm") % {"h": hours, "m": minutes}
    return _("%(m)s min") % {"m": minutes}


SLA_ACTIONS = {
    "service.sla_warning": ("alert-triangle", "yellow"),
    "service.sla_breached": ("alarm", "red"),
    "service.sla_escalated": ("arrow-big-up-lines", "red"),
    "service.charged": ("receipt", "green"),
    "service.quote_proposed": ("file-dollar", "blue"),
    "service.quote_accepted": ("file-check", "green"),
    "service.quote_declined": ("file-x", "red"),
    "service.visit_unreached": ("phone-off", "secondary"),
    "service.visit_escalated": ("mood-sad", "red"),
}


def timeline(order):
    """Status changes, comments, photos and SLA events of the order, oldest first."""
    labels = {name: t.label for name, t in WorkOrder.machine.transitions.items()}
    items = []
    for t in history(order):
        items.append(
            {
                "at": t.at,
                "icon": "arrow-right",
                "color": "blue",
                "actor": t.actor,
                "title": labels.get(t.transition, t.transition),
                "text": t.note,
                "badge": S(t.destination).label if t.destination in S.values else t.destination,
            }
        )
    for c in order.comments.select_related("created_by"):
        items.append(
            {
                "at": c.created_at,
                "icon": "message",
                "color": "secondary",
                "actor": c.created_by,
                "title": _("Comment"),
                "text": c.body,
            }
        )
    photos = list(order.photos.all())
    for p in photos:
        items.append(
            {
                "at": p.created_at,
                "icon": "photo",
                "color": "cyan",
                "actor": None,
                "title": _("Photo (%(stage)s)") % {"stage": p.get_stage_display()},
                "photo": p,
            }
        )
    for a in events_for(order).filter(action__in=list(SLA_ACTIONS)):
        icon, color = SLA_ACTIONS[a.action]
        items.append(
            {
                "at": a.at,
                "icon": icon,
                "color": color,
                "actor": a.actor,
                "title": a.message or a.action,
                "text": f"{a.amount}" if a.amount is not None and not a.message else "",
            }
        )
    items.sort(key=lambda i: i["at"])
    return items, photos


class WorkOrderDetailView(ObjectDetailView):
    template_name = "service/workorder_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        now = timezone.now()
        allowed = {t.name for t in WorkOrder.machine.allowed(obj, user)}
        if obj.project_id not in user_scope(user, "service.return_visit_workorder"):
            allowed -= {"confirm", "reopen"}  # the reporter's answers are recorded by customer service
        items, photos = timeline(obj)
        can_change = self.can("change", obj)
        ctx = {
            "now": now,
            "clocks": clock_rows(obj, obj.clocks.all(), now),
            "timeline": items,
            "photos": photos,
            "allowed": allowed,
            "quote_lines": list(obj.quote_lines.all()),
            "quote_editable": obj.is_paid
            and obj.status in OPEN_STATUSES
            and obj.quote_status != "accepted"
            and can_change,
            "visits": list(obj.visits.select_related("created_by")),
            "repeats": list(
                WorkOrder.objects.restrict(user, "view").filter(repeat_of=obj).only("pk", "number")
            ),
            "can_change": can_change and obj.status in OPEN_STATUSES,
            "can_comment": can_change or obj.assignee_id == user.pk,
            "forms": {
                "assign": forms.AssignForm(order=obj, user=user),
                "transfer": forms.TransferForm(order=obj, user=user),
                "pause": forms.PauseForm(),
                "complete": forms.CompleteForm(),
                "resolve": forms.ResolveForm(),
                "cancel": forms.ReasonForm(),
                "reopen": forms.ReasonForm(),
                "decline": forms.ReasonForm(),
                "confirm": forms.ConfirmForm(),
                "visit": forms.ReturnVisitForm(),
                "comment": forms.CommentForm(),
                "photo": forms.PhotoForm(),
                "quote_line": forms.QuoteLineForm(order=obj, user=user),
            },
            "Q": QuoteStatusChoices,
        }
        return ctx


class WorkOrderListView(ObjectListView):
    pass


class OverdueListView(ObjectListView):
    """Open orders with a deadline already past (running clocks), most overdue first."""

    template_name = "service/overdue_list.html"

    def get_queryset(self, action=None):
        from django.db.models import Min

        now = timezone.now()
        return (
            super()
            .get_queryset(action)
            .filter(status__in=OPEN_STATUSES, clocks__stopped_at__isnull=True, clocks__due_at__lt=now)
            .annotate(first_due=Min("clocks__due_at"))
            .order_by("first_due")
        )

    def templates(self, suffix, default):
        return [self.template_name]


class WorkOrderViews(ObjectViews):
    model = WorkOrder
    table = tables.WorkOrderTable
    filterset = filters.WorkOrderFilterSet
    form = forms.WorkOrderForm
    detail_view = WorkOrderDetailView
    edit_view = WorkOrderEditView
    list_view = WorkOrderListView
    select_related = ("project", "category", "unit", "building", "team", "assignee")
    actions = ("list", "detail", "add", "edit", "changelog")
    detail_fields = [
        "project",
        "kind",
        "repair_scope",
        "source",
        "category",
        "priority",
        "unit",
        "location",
        "contact_name",
        "description",
        "appointment_at",
        "team",
        "assignee",
        "reported_at",
        "responsible_department",
        "complaint_cause",
        "is_paid",
        "resolution",
        "materials",
        "reopen_count",
        "satisfaction",
        "reporter_rating",
    ]

    @classmethod
    def overdue_view(cls):
        return cls._view(OverdueListView, table=tables.OverdueTable, filterset=filters.WorkOrderFilterSet)


# -- the steps --------------------------------------------------------------------------------
def _step(form_class, run, *, with_order=False, files=False):
    return {"form": form_class, "run": run, "with_order": with_order, "files": files}


STEPS = {
    "assign": _step(
        forms.AssignForm,
        lambda a, o, d: services.do_assign_workorder(
            actor=a, order=o, assignee=d["assignee"], team=d.get("team"), note=d.get("note", "")
        ),
        with_order=True,
    ),
    "transfer": _step(
        forms.TransferForm,
        lambda a, o, d: services.do_transfer_workorder(
            actor=a, order=o, team=d["team"], reason=d.get("reason", "")
        ),
        with_order=True,
    ),
    "grab": _step(None, lambda a, o, d: services.do_grab_workorder(actor=a, order=o)),
    "decline": _step(
        forms.ReasonForm, lambda a, o, d: services.do_decline_workorder(actor=a, order=o, reason=d["reason"])
    ),
    "accept": _step(
        forms.NoteForm, lambda a, o, d: services.do_accept_workorder(actor=a, order=o, note=d["note"])
    ),
    "arrive": _step(
        forms.NoteForm, lambda a, o, d: services.do_arrive_workorder(actor=a, order=o, note=d["note"])
    ),
    "start": _step(
        forms.NoteForm, lambda a, o, d: services.do_start_workorder(actor=a, order=o, note=d["note"])
    ),
    "pause": _step(
        forms.PauseForm,
        lambda a, o, d: services.do_pause_workorder(
            actor=a, order=o, reason=d["reason"], note=d.get("note", "")
        ),
    ),
    "resume": _step(
        forms.NoteForm, lambda a, o, d: services.do_resume_workorder(actor=a, order=o, note=d["note"])
    ),
    "complete": _step(
        forms.CompleteForm,
        lambda a, o, d: services.do_complete_workorder(
            actor=a,
            order=o,
            resolution=d["resolution"],
            materials=d.get("materials", ""),
            photos=d.get("photos") or (),
        ),
        files=True,
    ),
    "resolve": _step(
        forms.ResolveForm,
        lambda a, o, d: services.do_resolve_workorder(actor=a, order=o, resolution=d["resolution"]),
    ),
    "confirm": _step(
        forms.ConfirmForm,
        lambda a, o, d: services.do_confirm_workorder(
            actor=a, order=o, satisfied=d["satisfied"], rating=d.get("rating"), comment=d.get("comment", "")
        ),
    ),
    "reopen": _step(
        forms.ReasonForm, lambda a, o, d: services.do_reopen_workorder(actor=a, order=o, reason=d["reason"])
    ),
    "return_visit": _step(
        forms.ReturnVisitForm,
        lambda a, o, d: services.do_return_visit_workorder(
            actor=a,
            order=o,
            satisfaction=d.get("satisfaction"),
            comment=d.get("comment", ""),
            method=d["method"],
            reached=d.get("reached", False),
            close=d.get("close", False),
        ),
    ),
    "close": _step(
        forms.NoteForm, lambda a, o, d: services.do_close_workorder(actor=a, order=o, note=d["note"])
    ),
    "cancel": _step(
        forms.ReasonForm, lambda a, o, d: services.do_cancel_workorder(actor=a, order=o, reason=d["reason"])
    ),
    "comment": _step(
        forms.CommentForm, lambda a, o, d: services.do_add_comment(actor=a, order=o, body=d["body"])
    ),
    "photos": _step(
        forms.PhotoForm,
        lambda a, o, d: [
            services.do_add_photo(actor=a, order=o, file=f, stage=d["stage"]) for f in d["photos"]
        ],
        files=True,
    ),
    "quote_line": _step(
        forms.QuoteLineForm,
        lambda a, o, d: services.do_add_quote_line(
            actor=a,
            order=o,
            price_item=d.get("price_item"),
            name=d.get("name") or "",
            quantity=d.get("quantity") or 1,
            unit_price=d.get("unit_price"),
        ),
        with_order=True,
    ),
    "propose_quote": _step(None, lambda a, o, d: services.do_propose_quote(actor=a, order=o)),
    "accept_quote": _step(None, lambda a, o, d: services.do_accept_quote(actor=a, order=o)),
    "decline_quote": _step(None, lambda a, o, d: services.do_decline_quote(actor=a, order=o)),
}

#: steps that change the order's data rather than run a transition: need change (or assignee)
DATA_STEPS = {"comment", "photos", "quote_line", "propose_quote", "remove_line"}


class WorkOrderStepView(ScopedViewMixin, View):
    """POST ``step=<name>`` and the step's fields: one endpoint for every step of an order.

    Permission is checked by the service (the state machine's permission per transition, the
    assignee rule); an order the user cannot see answers 404 for any method.
    """

    model = WorkOrder
    action = "view"

    def get(self, request, *args, **kwargs):
        self.get_object()
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, *args, **kwargs):
        order = self.get_object()
        name = request.POST.get("step", "")
        back = request.POST.get("next") or order.get_absolute_url()
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = order.get_absolute_url()
        if name in DATA_STEPS and not (self.can("change", order) or order.assignee_id == request.user.pk):
            raise PermissionDenied
        if name == "remove_line":
            line = get_object_or_404(
                QuoteLine.objects.restrict(request.user, "view"), pk=request.POST.get("line"), order=order
            )
            return self._run(lambda: services.do_remove_quote_line(actor=request.user, line=line), back)
        step = STEPS.get(name)
        if step is None:
            messages.error(request, _("Unknown step."))
            return redirect(back)
        data = {}
        if step["form"] is not None:
            kwargs = {"order": order, "user": request.user} if step["with_order"] else {}
            form = step["form"](request.POST, request.FILES if step["files"] else None, **kwargs)
            if not form.is_valid():
                for field, errors in form.errors.items():
                    label = form.fields[field].label if field in form.fields else ""
                    for e in errors:
                        messages.error(request, f"{label}: {e}" if label else e)
                return redirect(back)
            data = form.cleaned_data
        return self._run(lambda: step["run"](request.user, order, data), back)

    def _run(self, func, back):
        try:
            func()
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(self.request, msg)
        else:
            messages.success(self.request, _("Done."))
        return redirect(back)


class WorkOrderPhotoFileView(ScopedViewMixin, View):
    """A photo, streamed after the scope check (media files are never public)."""

    model = WorkOrderPhoto
    action = "view"

    def get(self, request, *args, **kwargs):
        photo = self.get_object()
        response = FileResponse(photo.file.open("rb"), content_type=photo.content_type or "image/jpeg")
        response["Cache-Control"] = "private, max-age=3600"
        return response

    def post(self, request, *args, **kwargs):
        self.get_object()
        return HttpResponseNotAllowed(["GET"])


DEADLINES = DeadlineChoices
