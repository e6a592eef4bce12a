from wuye.accounts import views

app_name = "accounts"

urlpatterns = [
    *views.UserViews.urls("users"),
    *views.RoleViews.urls("roles"),
    *views.MembershipViews.urls("memberships"),
]
