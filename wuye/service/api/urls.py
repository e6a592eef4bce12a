from wuye.service.api import views

routes = [
    ("service/orders", views.WorkOrderViewSet, "service-workorder"),
    ("service/teams", views.TeamViewSet, "service-team"),
    ("service/categories", views.CategoryViewSet, "service-category"),
    ("service/sla-rules", views.SlaRuleViewSet, "service-slarule"),
    ("service/prices", views.PriceItemViewSet, "service-priceitem"),
    ("service/settings", views.ServiceSettingsViewSet, "service-servicesettings"),
    ("service/return-visits", views.ReturnVisitViewSet, "service-returnvisit"),
    ("service/kpis", views.KpiViewSet, "service-kpis"),
]
