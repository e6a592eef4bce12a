from django.urls import path

from wuye.estate import views
from wuye.estate.models import Building, Unit

app_name = "estate"

urlpatterns = [
    *views.ProjectViews.urls("projects"),
    *views.BuildingViews.urls("buildings"),
    path(
        "buildings/<int:pk>/grid/",
        views.BuildingGridView.as_view(model=Building, views=views.BuildingViews),
        name="building_grid",
    ),
    *views.EntranceViews.urls("entrances"),
    *views.UnitViews.urls("units"),
    path(
        "units/<int:pk>/status/",
        views.UnitStatusView.as_view(model=Unit, views=views.UnitViews),
        name="unit_status",
    ),
    *views.ParkingLotViews.urls("parking-lots"),
    *views.ParkingSpaceViews.urls("parking-spaces"),
]
