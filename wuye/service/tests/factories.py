"""Test factories for the service desk (registered for the generic tests and the route walker)."""

from __future__ import annotations

from decimal import Decimal

from wuye.core.testing.factories import register, seq
from wuye.service.models import (
    Category,
    PriceItem,
    ReturnVisit,
    ServiceSettings,
    SlaRule,
    Team,
    WorkOrder,
    WorkOrderPhoto,
)


def _project(project):
    if project is None:
        from wuye.core.testing.factories import make_project

        project = make_project()
    return project


def make_unit(project, code=None):
    """A building and a unit in ``project`` (made here so these tests do not depend on estate's factories)."""
    from wuye.estate.models import Building, Unit

    n = seq()
    building, _ = Building.objects.get_or_create(
        project=project, number=f"{n % 7 + 1}", defaults={"floors_above": 30}
    )
    return Unit.objects.create(
        project=project,
        building=building,
        code=code or f"{building.number}-1-{n:04d}",
        room_number=f"{n:04d}",
        floor=min(30, n % 30 + 1),
        building_area=Decimal("89.50"),
    )


def make_person(project, name="张三", phone="13812345678"):
    from wuye.residents.models import Person

    return Person.objects.create(project=project, name=name, phone=phone)


@register(Team)
def make_team(project=None, **kw):
    project = _project(project)
    members = kw.pop("members", ())
    team = Team.objects.create(project=project, name=kw.pop("name", f"维修{seq()}组"), **kw)
    if members:
        team.members.set(members)
    return team


@register(Category)
def make_category(project=None, **kw):
    project = _project(project)
    return Category.objects.create(project=project, name=kw.pop("name", f"类别{seq()}"), **kw)


@register(SlaRule)
def make_rule(project=None, **kw):
    project = _project(project)
    kw.setdefault("accept_minutes", 30)
    kw.setdefault("complete_minutes", 600)
    kw.setdefault("name", f"规则{seq()}")
    return SlaRule.objects.create(project=project, **kw)


@register(PriceItem)
def make_price_item(project=None, **kw):
    project = _project(project)
    kw.setdefault("price", Decimal("50.00"))
    return PriceItem.objects.create(project=project, name=kw.pop("name", f"更换龙头{seq()}"), **kw)


@register(ServiceSettings)
def make_settings(project=None, **kw):
    project = _project(project)
    obj, _ = ServiceSettings.objects.get_or_create(project=project, defaults=kw)
    return obj


@register(WorkOrder)
def make_order(project=None, actor=None, **kw):
    """A reported order (through the service, so it has a number and clocks)."""
    from wuye.service.services import do_create_workorder

    project = _project(project)
    if "category" not in kw:
        kw["category"] = make_category(project)
    kw.setdefault("kind", "repair")
    if kw["kind"] == "repair":
        kw.setdefault("repair_scope", "common")
        kw.setdefault("location", f"{seq()}号楼大堂")
    kw.setdefault("description", "大堂灯不亮")
    kw.setdefault("contact_name", "李四")
    kw.setdefault("contact_phone", "13900001111")
    dispatch = kw.pop("dispatch", True)
    order = WorkOrder(project=project, **kw)
    return do_create_workorder(actor=actor, order=order, dispatch=dispatch)


@register(ReturnVisit)
def make_visit(project=None, **kw):
    order = kw.pop("order", None) or make_order(project)
    kw.setdefault("satisfaction", 5)
    kw.setdefault("comment", f"回访满意{seq()}")
    return ReturnVisit.objects.create(project=order.project, order=order, **kw)


def png_bytes(size=(4, 4), fmt="PNG") -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format=fmt)
    return buf.getvalue()


def upload(name="photo.png", content=None, fmt="PNG"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = png_bytes(fmt=fmt) if content is None else content
    return SimpleUploadedFile(name, content, content_type=f"image/{fmt.lower()}")


@register(WorkOrderPhoto)
def make_photo(project=None, **kw):
    order = kw.pop("order", None) or make_order(project)
    photo = WorkOrderPhoto(project=order.project, order=order, file=upload(), **kw)
    photo.full_clean()
    photo.save()
    return photo
