from django.utils.translation import gettext_lazy as _

from wuye.core.navigation import MenuGroup, MenuItem

menu = [
    MenuGroup(
        _("Service desk"),
        key="service",
        icon="headset",
        order=30,
        items=[
            MenuItem(_("Hotline intake"), "service:intake", "service.add_workorder", "phone-call"),
            MenuItem(_("My tasks"), "service:my_tasks", "service.handle_workorder", "checklist"),
            MenuItem(_("Work orders"), "service:workorder_list", "service.view_workorder", "tool"),
            MenuItem(_("Team board"), "service:board", "service.view_workorder", "layout-kanban"),
            MenuItem(_("Overdue"), "service:overdue", "service.view_workorder", "alarm"),
            MenuItem(_("Return visits"), "service:returnvisit_list", "service.view_returnvisit", "phone"),
            MenuItem(_("Service KPIs"), "service:kpis", "service.view_service_kpis", "chart-bar"),
            MenuItem(_("Teams"), "service:team_list", "service.view_team", "users-group"),
            MenuItem(_("Categories"), "service:category_list", "service.view_category", "category"),
            MenuItem(_("SLA rules"), "service:slarule_list", "service.view_slarule", "clock"),
            MenuItem(_("Price list"), "service:priceitem_list", "service.view_priceitem", "currency-yuan"),
            MenuItem(
                _("Service settings"),
                "service:servicesettings_list",
                "service.view_servicesettings",
                "settings",
            ),
        ],
    )
]
