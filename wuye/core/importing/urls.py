from django.urls import path

from wuye.core.importing import views

app_name = "importing"

urlpatterns = [
    path("", views.index, name="index"),
    path("template/", views.template_download, name="template"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.batch_detail, name="batch_detail"),
    path("<int:pk>/status/", views.batch_status, name="batch_status"),
    path("<int:pk>/commit/", views.batch_commit, name="batch_commit"),
    path("<int:pk>/remap/", views.batch_remap, name="batch_remap"),
    path("<int:pk>/report/", views.batch_report, name="batch_report"),
]
