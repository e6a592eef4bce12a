from django.urls import path
from rest_framework.routers import DefaultRouter

from wuye.core.api import views

router = DefaultRouter(trailing_slash=True)
router.register("jobs", views.JobViewSet)
router.register("audit-events", views.AuditEventViewSet)

urlpatterns = [path("auth/token", views.TokenView.as_view(), name="api-token"), *router.urls]
