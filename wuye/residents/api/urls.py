from wuye.residents.api import views

routes = [
    ("residents/people", views.PersonViewSet, "residents-person"),
    ("residents/ownerships", views.OwnershipViewSet, "residents-ownership"),
    ("residents/occupancies", views.OccupancyViewSet, "residents-occupancy"),
    ("residents/vehicles", views.VehicleViewSet, "residents-vehicle"),
    ("residents/units", views.UnitResidentsViewSet, "residents-unit"),
]
