from wuye.core.api import views

routes = [
    ("jobs", views.JobViewSet, "core-job"),
    ("audit-events", views.AuditEventViewSet, "core-auditevent"),
    ("approvals", views.ApprovalViewSet, "core-approval"),
]
