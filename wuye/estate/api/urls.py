from wuye.estate.api import views

routes = [
    ("estate/projects", views.ProjectViewSet, "estate-project"),
    ("estate/buildings", views.BuildingViewSet, "estate-building"),
    ("estate/entrances", views.EntranceViewSet, "estate-entrance"),
    ("estate/units", views.UnitViewSet, "estate-unit"),
    ("estate/parking-lots", views.ParkingLotViewSet, "estate-parkinglot"),
    ("estate/parking-spaces", views.ParkingSpaceViewSet, "estate-parkingspace"),
]
