from django.urls import path

from wuye.service.views import boards, config, orders

app_name = "service"

urlpatterns = [
    path(
        "intake/",
        orders.WorkOrderViews._view(orders.WorkOrderEditView, form=orders.forms.WorkOrderForm),
        name="intake",
    ),
    path("intake/lookup/", boards.lookup, name="lookup"),
    path("intake/history/", boards.history, name="history"),
    path("my-tasks/", boards.my_tasks, name="my_tasks"),
    path("board/", boards.board, name="board"),
    path("overdue/", orders.WorkOrderViews.overdue_view(), name="overdue"),
    path("kpis/", boards.kpis, name="kpis"),
    path("orders/<int:pk>/step/", orders.WorkOrderStepView.as_view(), name="workorder_step"),
    path("photos/<int:pk>/", orders.WorkOrderPhotoFileView.as_view(), name="workorderphoto_file"),
    path("categories/setup/", config.setup_defaults, name="setup_defaults"),
    *orders.WorkOrderViews.urls("orders"),
    *config.TeamViews.urls("teams"),
    *config.CategoryViews.urls("categories"),
    *config.SlaRuleViews.urls("sla-rules"),
    *config.PriceItemViews.urls("prices"),
    *config.ServiceSettingsViews.urls("settings"),
    *config.ReturnVisitViews.urls("return-visits"),
]
