"""The unit page's work-order tab."""

from django.utils.translation import gettext_lazy as _

from wuye.core.panels import Panel


def unit_orders(request, unit):
    from wuye.service.choices import OPEN_STATUSES
    from wuye.service.models import WorkOrder

    qs = (
        WorkOrder.objects.restrict(request.user, "view")
        .filter(unit=unit)
        .select_related("category", "assignee")
    )
    orders = list(qs.order_by("-reported_at")[:20])
    return {
        "orders": orders,
        "count": qs.count(),
        "open_statuses": OPEN_STATUSES,
    }


panels = [
    Panel(
        model="estate.unit",
        key="workorders",
        label=_("Work orders"),
        order=40,
        template="service/panels/unit_orders.html",
        permission="service.view_workorder",
        context=unit_orders,
    )
]
