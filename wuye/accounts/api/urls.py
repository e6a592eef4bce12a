from wuye.accounts.api import views

routes = [
    ("accounts/users", views.UserViewSet, "accounts-user"),
    ("accounts/roles", views.RoleViewSet, "accounts-role"),
    ("accounts/memberships", views.MembershipViewSet, "accounts-membership"),
]
