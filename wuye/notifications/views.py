"""The inbox: every user's own notifications, an unread badge for the header, the SMS log."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.filters import BaseFilterSet
from wuye.core.tables import BaseTable, StatusColumn
from wuye.core.views import ObjectViews
from wuye.notifications import services
from wuye.notifications.models import Notification, SmsMessage


@login_required
def inbox(request):
    qs = Notification.objects.restrict(request.user).filter(in_inbox=True).select_related("project")
    show = request.GET.get("show", "all")
    if show == "unread":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "title": _("Notifications"),
            "page": page,
            "show": show,
            "unread": Notification.objects.restrict(request.user).unread().count(),
            "breadcrumbs": [(_("Notifications"), "")],
        },
    )


@login_required
def open_notification(request, pk):
    """Mark one notification read and follow its link (POST or GET: a click in the inbox)."""
    n = get_object_or_404(Notification.objects.restrict(request.user), pk=pk)
    services.do_mark_read(actor=request.user, notifications=[n])
    if n.link and url_has_allowed_host_and_scheme(n.link, allowed_hosts={request.get_host()}):
        return redirect(n.link)
    return redirect("notifications:inbox")


@login_required
def read_all(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.do_mark_all_read(actor=request.user)
    return redirect("notifications:inbox")


@login_required
def badge(request):
    """The header bell (an HTMX fragment, refreshed every minute)."""
    qs = Notification.objects.restrict(request.user).filter(in_inbox=True)
    return render(
        request,
        "notifications/includes/badge_menu.html",
        {"unread": qs.filter(read_at__isnull=True).count(), "latest": qs.select_related("project")[:6]},
    )


open_notification.scoped_model = Notification


class SmsMessageTable(BaseTable):
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", linkify=True)
    project = tables.Column()
    phone = tables.Column(accessor="phone_masked", verbose_name=gettext_lazy("phone"), orderable=False)
    text = tables.Column()
    kind = tables.Column()
    status = StatusColumn()
    backend = tables.Column()
    sent_at = tables.DateTimeColumn(format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = SmsMessage
        fields = ("created_at", "project", "phone", "text", "kind", "status", "backend", "sent_at")
        default_columns = ("created_at", "project", "phone", "text", "status", "sent_at")


class SmsMessageFilterSet(BaseFilterSet):
    search_fields = ("text", "kind")
    status = django_filters.ChoiceFilter(choices=SmsMessage._meta.get_field("status").choices)

    class Meta:
        model = SmsMessage
        fields = ["status", "kind", "project"]


class SmsMessageViews(ObjectViews):
    model = SmsMessage
    table = SmsMessageTable
    filterset = SmsMessageFilterSet
    select_related = ("project",)
    actions = ("list", "detail")
    detail_fields = [
        "project",
        "kind",
        "status",
        "backend",
        "provider_id",
        "text",
        "error",
        "created_at",
        "sent_at",
    ]
