from django.urls import path

from wuye.core.api.routers import build_router
from wuye.core.api.views import TokenView

urlpatterns = [path("auth/token", TokenView.as_view(), name="api-token"), *build_router().urls]
