from django.urls import path

from wuye.residents import views

app_name = "residents"

urlpatterns = [
    *views.PersonViews.urls("people"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("people/<int:pk>/anonymize/", views.person_anonymize, name="person_anonymize"),
    *views.OwnershipViews.urls("ownerships"),
    *views.OccupancyViews.urls("occupancies"),
    *views.VehicleViews.urls("vehicles"),
    path("units/<int:pk>/register-owner/", views.RegisterOwnerView.as_view(), name="unit_register_owner"),
    path("units/<int:pk>/transfer/", views.TransferView.as_view(), name="unit_transfer"),
    path("units/<int:pk>/move-in/", views.MoveInView.as_view(), name="unit_move_in"),
    path("units/<int:pk>/move-out/", views.MoveOutView.as_view(), name="unit_move_out"),
]
