"""The working screens: intake with lookup, engineer's tasks, board, overdue, detail steps, photos, panel."""

from __future__ import annotations

import datetime

import time_machine
from django.urls import reverse

from wuye.core.testing.queries import assert_constant_queries
from wuye.residents.models import Ownership
from wuye.service import services
from wuye.service.models import Category, WorkOrder, WorkOrderPhoto
from wuye.service.tests.factories import make_order, make_person, make_unit, png_bytes, upload


def test_intake_sets_up_the_project_and_registers_an_order(cast, client_for):
    client = client_for(cast.manager_a)
    response = client.get(reverse("service:intake"))
    assert response.status_code == 200
    assert Category.objects.filter(project=cast.project_a).count() > 30  # default tree seeded
    assert not Category.objects.filter(project=cast.project_b).exists()  # not for other projects
    unit = make_unit(cast.project_a)
    person = make_person(cast.project_a, name="钱七", phone="13655556666")
    category = Category.objects.get(project=cast.project_a, name="漏水渗水")
    response = client.post(
        reverse("service:intake"),
        {
            "project": cast.project_a.pk,
            "kind": "repair",
            "repair_scope": "household",
            "source": "phone",
            "category": category.pk,
            "priority": "urgent",
            "unit": unit.pk,
            "reporter": person.pk,
            "description": "厨房水管漏水",
            "photos": [upload("a.png"), upload("b.jpg", fmt="JPEG")],
        },
    )
    assert response.status_code == 302, response.content[:3000]
    order = WorkOrder.objects.get()
    assert response["Location"] == order.get_absolute_url()
    assert order.contact_name == "钱七" and order.contact_phone == "13655556666"  # from the reporter
    assert order.photos.count() == 2
    detail = client.get(order.get_absolute_url()).content.decode()
    assert "136****6666" in detail and "13655556666" not in detail  # masked
    photo = order.photos.first()
    response = client.get(photo.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_intake_refuses_bad_photos(cast, client_for):
    client = client_for(cast.manager_a)
    client.get(reverse("service:intake"))
    category = Category.objects.filter(project=cast.project_a).first()
    data = {
        "project": cast.project_a.pk,
        "kind": "consultation",
        "source": "phone",
        "category": category.pk,
        "priority": "normal",
        "description": "咨询",
    }
    fake = upload("x.png", content=b"not a picture at all")
    response = client.post(reverse("service:intake"), {**data, "photos": [fake]})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    gif = upload("y.gif", content=png_bytes(fmt="GIF"), fmt="GIF")
    assert client.post(reverse("service:intake"), {**data, "photos": [gif]}).status_code == 200
    ten = [upload(f"{i}.png") for i in range(10)]
    assert client.post(reverse("service:intake"), {**data, "photos": ten}).status_code == 200
    assert not WorkOrder.objects.exists()


def test_photo_size_limit(cast, settings):
    from django.core.exceptions import ValidationError

    settings.WUYE_SERVICE_PHOTO_MAX_BYTES = 10
    order = make_order(cast.project_a)
    try:
        services.do_add_photo(actor=cast.manager_a, order=order, file=upload())
    except ValidationError as exc:
        assert "MB" in str(exc)
    else:
        raise AssertionError("a photo over the limit was accepted")


def test_lookup_finds_units_and_people_of_my_projects_only(cast, client_for):
    unit = make_unit(cast.project_a, code="3-2-1201")
    make_unit(cast.project_b, code="3-2-1202")
    person = make_person(cast.project_a, name="孙八", phone="13912348888")
    Ownership.objects.create(project=cast.project_a, person=person, unit=unit)
    make_person(cast.project_b, name="孙九", phone="13912348888")
    client = client_for(cast.manager_a)
    body = client.get(reverse("service:lookup"), {"q": "3栋2单元12"}).content.decode()
    assert "3-2-1201" in body and "3-2-1202" not in body
    body = client.get(reverse("service:lookup"), {"q": "8888"}).content.decode()
    assert "孙八" in body and "孙九" not in body and "139****8888" in body and "3-2-1201" in body
    body = client.get(reverse("service:lookup"), {"q": "sb"}).content.decode()  # pinyin initials
    assert "孙八" in body
    make_order(cast.project_a, kind="repair", repair_scope="household", unit=unit, description="门铃坏了")
    body = client.get(reverse("service:history"), {"unit": unit.pk}).content.decode()
    assert "门铃坏了" in body
    assert (
        "门铃坏了"
        not in client_for(cast.staff_b).get(reverse("service:history"), {"unit": unit.pk}).content.decode()
    )


def test_engineer_my_tasks_accept_arrive_complete(cast, client_for):
    order = make_order(cast.project_a, actor=cast.manager_a, description="楼道灯不亮")
    services.do_assign_workorder(actor=cast.manager_a, order=order, assignee=cast.engineer_a)
    client = client_for(cast.engineer_a)
    page = client.get(reverse("service:my_tasks")).content.decode()
    assert "楼道灯不亮" in page and f'data-testid="step-accept-{order.pk}"' in page
    step = reverse("service:workorder_step", args=[order.pk])
    back = reverse("service:my_tasks")
    assert client.post(step, {"step": "accept", "next": back})["Location"] == back
    client.post(step, {"step": "arrive", "next": back})
    client.post(
        step, {"step": "complete", "resolution": "更换灯泡", "photos": [upload("after.png")], "next": back}
    )
    order.refresh_from_db()
    assert order.status == "completed" and order.resolution == "更换灯泡"
    assert order.photos.get().stage == "after"
    assert "楼道灯不亮" not in client.get(back).content.decode()


def test_step_errors_are_messages_not_crashes(cast, client_for):
    order = make_order(cast.project_a, actor=cast.manager_a)
    services.do_assign_workorder(actor=cast.manager_a, order=order, assignee=cast.engineer_a)
    client = client_for(cast.engineer_a)
    step = reverse("service:workorder_step", args=[order.pk])
    response = client.post(step, {"step": "arrive"}, follow=True)  # accept first
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert client.post(step, {"step": "assign", "assignee": cast.engineer_a.pk}).status_code == 403
    assert client.get(step).status_code == 405
    assert client_for(cast.staff_b).post(step, {"step": "cancel", "reason": "x"}).status_code == 404


def test_detail_shows_timeline_and_clocks(cast, client_for):
    with time_machine.travel(datetime.datetime(2026, 6, 1, 1, 0, tzinfo=datetime.UTC), tick=False):
        order = make_order(cast.project_a, actor=cast.manager_a)
        services.do_assign_workorder(actor=cast.manager_a, order=order, assignee=cast.engineer_a)
        services.do_add_comment(actor=cast.manager_a, order=order, body="业主下午在家")
        page = client_for(cast.manager_a).get(order.get_absolute_url()).content.decode()
    assert "业主下午在家" in page and 'data-testid="sla-clock-accept"' in page
    assert "分配" in page or "Assign" in page


def test_board_overdue_and_panel(cast, client_for):
    unit = make_unit(cast.project_a)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 1, 0, tzinfo=datetime.UTC), tick=False):
        late = make_order(
            cast.project_a, kind="repair", repair_scope="household", unit=unit, description="逾期单"
        )
    fresh = make_order(cast.project_a, description="新单")
    client = client_for(cast.manager_a)
    board = client.get(reverse("service:board")).content.decode()
    assert "逾期单" in board and "新单" in board
    overdue = client.get(reverse("service:overdue")).content.decode()
    assert late.number in overdue and fresh.location not in overdue
    from django.test import RequestFactory

    from wuye.core.panels import panels_for

    request = RequestFactory().get("/")
    request.user = cast.manager_a
    panels = panels_for(request, unit)
    orders_panel = next(p for p in panels if p["key"] == "workorders")
    assert "逾期单" in orders_panel["html"] and orders_panel["count"] == 1


def test_board_and_tasks_constant_queries(cast, client_for):
    client = client_for(cast.manager_a)
    make_order(cast.project_a)

    def grow():
        for _ in range(3):
            o = make_order(cast.project_a)
            services.do_assign_workorder(actor=cast.manager_a, order=o, assignee=cast.manager_a)

    for name in ("service:board", "service:overdue", "service:my_tasks"):
        assert_constant_queries(lambda n=name: client.get(reverse(n)), grow, label=name)


def test_kpi_page_and_export(cast, client_for):
    make_order(cast.project_a)
    client = client_for(cast.manager_a)
    response = client.get(reverse("service:kpis"), {"by": "team", "interval": "day"})
    assert response.status_code == 200 and "kpi-chart-data" in response.content.decode()
    response = client.get(reverse("service:kpis"), {"by": "category", "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_for(cast.cashier_a).get(reverse("service:kpis")).status_code == 403


def test_photo_of_another_project_is_404(cast, client_for):
    from wuye.service.tests.factories import make_photo

    photo = make_photo(cast.project_b)
    assert client_for(cast.manager_a).get(photo.get_absolute_url()).status_code == 404
    assert WorkOrderPhoto.objects.count() == 1


def test_home_widget(cast, client_for):
    make_order(cast.project_a)
    body = client_for(cast.manager_a).get("/").content.decode()
    assert reverse("service:workorder_list") in body
