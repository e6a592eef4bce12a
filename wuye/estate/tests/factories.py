import factory
from factory.django import DjangoModelFactory

from wuye.core.testing.factories import register, seq
from wuye.estate.models import Building, Entrance, ParkingLot, ParkingSpace, Project, Unit


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"F{n:04d}")
    name = factory.Sequence(lambda n: f"工厂项目{n}")
    city = "上海"
    managed_area = "100000.00"


@register(Project)
def project_in(project=None, **kwargs):
    """The 'object of project X' for Project is X itself."""
    return project if project is not None else ProjectFactory(**kwargs)


def _project(project):
    return project if project is not None else ProjectFactory()


@register(Building)
def make_building(project=None, **kwargs):
    n = seq()
    kwargs.setdefault("number", f"{n}")
    kwargs.setdefault("name", f"楼栋{n}号")
    kwargs.setdefault("floors_above", 18)
    return Building.objects.create(project=_project(project), **kwargs)


@register(Entrance)
def make_entrance(project=None, building=None, **kwargs):
    if building is None:
        building = make_building(project)
    n = seq()
    kwargs.setdefault("number", f"{n}")
    kwargs.setdefault("name", f"入口{n}号")
    return Entrance.objects.create(project=building.project, building=building, **kwargs)


@register(Unit)
def make_unit(project=None, building=None, entrance=None, **kwargs):
    """A unit in ``building`` (a new 18-floor building of ``project`` when not given)."""
    if building is None:
        building = entrance.building if entrance is not None else make_building(project)
    n = seq()
    floor = kwargs.setdefault("floor", n % building.floors_above + 1)
    kwargs.setdefault("room_number", f"{floor}{n % 100:02d}")
    kwargs.setdefault("code", Unit.default_code(building, entrance, f"{kwargs['room_number']}-{n}"))
    kwargs.setdefault("building_area", "89.50")
    return Unit.objects.create(project=building.project, building=building, entrance=entrance, **kwargs)


@register(ParkingLot)
def make_parking_lot(project=None, **kwargs):
    kwargs.setdefault("name", f"地下车场{seq()}")
    return ParkingLot.objects.create(project=_project(project), **kwargs)


@register(ParkingSpace)
def make_parking_space(project=None, lot=None, **kwargs):
    if lot is None:
        lot = make_parking_lot(project)
    kwargs.setdefault("code", f"B1-{seq():04d}")
    return ParkingSpace.objects.create(project=lot.project, lot=lot, **kwargs)
