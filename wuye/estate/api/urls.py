from rest_framework.routers import DefaultRouter

from wuye.estate.api import views

router = DefaultRouter()
router.register("projects", views.ProjectViewSet)

urlpatterns = router.urls
