from rest_framework.routers import DefaultRouter

from wuye.accounts.api import views

router = DefaultRouter()
router.register("users", views.UserViewSet)
router.register("roles", views.RoleViewSet)
router.register("memberships", views.MembershipViewSet)

urlpatterns = router.urls
