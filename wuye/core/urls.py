from django.urls import path

from wuye.core.views import platform

app_name = "core"

urlpatterns = [
    path("search/", platform.search, name="search"),
    path("switch-project/", platform.switch_project, name="switch_project"),
    path("jobs/", platform.job_list, name="job_list"),
    path("jobs/<int:pk>/", platform.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", platform.job_download, name="job_download"),
    path("audit/", platform.audit_list, name="audit_list"),
    path("approvals/", platform.approval_list, name="approval_list"),
    path("approvals/<int:pk>/", platform.approval_detail, name="approval_detail"),
]
