"""Screens of the estate app: projects, buildings (with the building grid), entrances, units, parking."""

from wuye.estate.views.buildings import BuildingDetailView, BuildingGridView, BuildingViews, EntranceViews
from wuye.estate.views.parking import ParkingLotViews, ParkingSpaceViews
from wuye.estate.views.projects import ProjectDetailView, ProjectViews
from wuye.estate.views.units import UnitDetailView, UnitEditView, UnitStatusView, UnitViews

__all__ = [
    "BuildingDetailView",
    "BuildingGridView",
    "BuildingViews",
    "EntranceViews",
    "ParkingLotViews",
    "ParkingSpaceViews",
    "ProjectDetailView",
    "ProjectViews",
    "UnitDetailView",
    "UnitEditView",
    "UnitStatusView",
    "UnitViews",
]
