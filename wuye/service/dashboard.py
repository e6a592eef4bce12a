"""Home-page figures: open orders and overdue ones in the user's projects."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.scoping import has_any_scope


def open_orders(request):
    if not has_any_scope(request.user, "service.view_workorder"):
        return None
    from wuye.service.choices import OPEN_STATUSES
    from wuye.service.models import WorkOrder

    now = timezone.now()
    qs = WorkOrder.objects.restrict(request.user, "view").in_project(request.project)
    figures = qs.aggregate(
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        new=Count("id", filter=Q(status="new")),
    )
    overdue = (
        qs.filter(status__in=OPEN_STATUSES, clocks__stopped_at__isnull=True, clocks__due_at__lt=now)
        .values("pk")
        .distinct()
        .count()
    )
    return {
        "title": _("Open work orders"),
        "value": figures["open"],
        "url": reverse("service:workorder_list") + "?open=true",
        "note": _("%(new)s not dispatched · %(overdue)s overdue")
        % {"new": figures["new"], "overdue": overdue},
    }


widgets = [open_orders]
