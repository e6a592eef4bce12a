"""Browser test of the archive: a project manager opens a building's grid (楼盘表), clicks a unit
and lands on the unit's page; the status legend highlights units of one status.

Set WUYE_SCREENSHOTS=/some/dir to keep screenshots of the screens for a visual check.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.test_shell import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATUSES = [
    "occupied",
    "occupied",
    "vacant",
    "rented",
    "unsold",
    "sold_undelivered",
    "renovating",
    "occupied",
]


def shot(page, name):
    folder = os.environ.get("WUYE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def tower(cast):
    from wuye.estate.tests.factories import make_building, make_entrance, make_parking_space, make_unit

    building = make_building(cast.project_a, number="3", name="3栋", floors_above=12, floors_below=1)
    n = 0
    for e in ("1", "2"):
        entrance = make_entrance(building=building, number=e, name="")
        for floor in range(1, 13):
            for pos in (1, 2):
                room = f"{floor}{pos:02d}"
                make_unit(
                    building=building,
                    entrance=entrance,
                    room_number=room,
                    floor=floor,
                    code=f"3-{e}-{room}",
                    status=STATUSES[n % len(STATUSES)],
                    building_area="89.50" if pos == 1 else "126.80",
                    layout="3室2厅2卫" if pos == 2 else "2室2厅1卫",
                )
                n += 1
    make_building(cast.project_b, number="3", name="乙3栋")
    from wuye.estate.models import Unit

    make_parking_space(cast.project_a, code="B1-018", unit=Unit.objects.get(code="3-2-1201"))
    return building


def test_grid_click_unit_opens_unit_page(page, live_server, cast, tower):
    login(page, live_server, "pm_a")

    # From the building list to its grid.
    page.goto(f"{live_server.url}/estate/buildings/")
    assert "乙3栋" not in page.locator("#object-list").inner_text()
    shot(page, "building_list")
    page.get_by_test_id(f"grid-link-{tower.pk}").click()
    page.wait_for_url(f"**/estate/buildings/{tower.pk}/grid/")
    grid = page.get_by_test_id("building-grid")
    assert "1单元" in grid.inner_text() and "2单元" in grid.inner_text()
    assert page.get_by_test_id("grid-total").inner_text() == "48"
    # top floor first
    assert page.locator("#building-grid tbody tr").first.get_attribute("data-floor") == "12"
    shot(page, "building_grid")

    # The legend highlights one status.
    page.get_by_test_id("legend-vacant").click()
    assert page.locator("#building-grid.filtered .grid-cell.match").count() == 6
    page.get_by_test_id("legend-vacant").click()
    assert page.locator("#building-grid.filtered").count() == 0

    # Click a unit: its page, with its status badge and its parking space.
    cell = page.get_by_test_id("grid-unit-3-2-1201")
    assert "1201" in cell.inner_text() and "89.50" in cell.inner_text()
    cell.click()
    page.wait_for_url("**/estate/units/*/")
    assert page.get_by_test_id("unit-code").inner_text() == "3-2-1201"
    assert page.get_by_test_id("unit-status").is_visible()
    page.get_by_test_id("panel-tab-parking").click()
    assert "B1-018" in page.get_by_test_id("unit-parking-spaces").inner_text()
    shot(page, "unit_detail")

    # Back to the grid from the unit page: the unit is the target of the link.
    page.get_by_test_id("unit-grid-link").click()
    page.wait_for_url("**/grid/#unit-*")


def test_unit_list_filter_and_status_change(page, live_server, cast, tower):
    login(page, live_server, "pm_a")
    page.goto(f"{live_server.url}/estate/units/")
    page.fill("#object-filter input[name=q]", "3栋2单元1201")
    page.wait_for_function("() => !document.querySelector('#object-list').innerText.includes('3-1-101')")
    assert "3-2-1201" in page.locator("#object-list").inner_text()
    shot(page, "unit_list")

    page.locator("#object-list a", has_text="3-2-1201").first.click()
    page.wait_for_url("**/estate/units/*/")
    page.get_by_test_id("change-status").click()  # opens the form in the modal
    modal = page.locator("#modal-content")
    modal.locator("select[name=status]").wait_for(state="visible")
    # an invalid combination is answered in the modal, on its field
    modal.locator("select[name=status]").select_option("occupied")
    modal.locator("input[name=vacancy_registered]").check()
    modal.locator("button[type=submit]").click()
    modal.locator(".invalid-feedback").first.wait_for()
    modal.locator("select[name=status]").select_option("vacant")
    modal.locator("input[name=vacancy_registered_on]").fill("2025-03-01")
    shot(page, "unit_status_modal")
    modal.locator("button[type=submit]").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=unit-vacancy]').innerText.includes('2025-03-01')"
    )
    assert "2025-03-01" in page.get_by_test_id("unit-vacancy").inner_text()
    from wuye.estate.models import Unit

    assert Unit.objects.get(code="3-2-1201", project=cast.project_a).status == "vacant"


def test_project_overview_figures(page, live_server, cast, tower):
    login(page, live_server, "pm_a")
    page.goto(f"{live_server.url}/estate/projects/{cast.project_a.pk}/")
    assert page.get_by_test_id("figure-units").inner_text() == "48"
    assert page.get_by_test_id("figure-buildings").inner_text() == "1"
    shot(page, "project_overview")
    page.goto(f"{live_server.url}/estate/buildings/{tower.pk}/")
    shot(page, "building_detail")
    page.goto(f"{live_server.url}/")
    shot(page, "home")


def pick(page, name, text):
    """Open a Tom Select picker (its control, not the hidden select) and type into it."""
    page.locator(f"#id_{name}-ts-control").locator("xpath=..").click()
    if text:
        page.keyboard.type(text)


def test_unit_list_building_and_entrance_pickers_load_as_you_type(page, live_server, cast, tower):
    """The building and entrance filters render the chosen option only; Tom Select loads the others
    from the API as the user types (a project of 100,000 units has 906 buildings, 2,196 entrances)."""
    from wuye.estate.tests.factories import make_building, make_entrance, make_unit

    five = make_building(cast.project_a, number="5", name="5栋", floors_above=6)
    entrance = make_entrance(building=five, number="1", name="")
    make_unit(building=five, entrance=entrance, room_number="101", floor=1, code="5-1-101")
    login(page, live_server, "pm_a")
    page.goto(f"{live_server.url}/estate/units/")
    assert page.locator("select[name=building] option").count() == 1  # the empty choice only
    assert page.locator("select[name=entrance] option").count() == 1

    # Type into the building picker: the API answers with this project's buildings only.
    pick(page, "building", "5")
    option = page.locator("#id_building-ts-dropdown .option", has_text="5栋")
    option.click()
    page.wait_for_function("() => !document.querySelector('#object-list').innerText.includes('3-1-101')")
    assert "5-1-101" in page.locator("#object-list").inner_text()
    assert f"building={five.pk}" in page.url

    # The entrance picker offers the chosen building's entrances.
    pick(page, "entrance", "")
    page.locator("#id_entrance-ts-dropdown .option", has_text="5栋1单元").wait_for()
    texts = page.locator("#id_entrance-ts-dropdown .option").all_inner_texts()
    assert not any("3栋" in t for t in texts), texts
    page.locator("#id_entrance-ts-dropdown .option", has_text="5栋1单元").click()
    page.wait_for_url(f"**entrance={entrance.pk}*")
    shot(page, "unit_list_pickers")

    # Another building: the entrance is cleared with it.
    page.goto(f"{live_server.url}/estate/units/?building={five.pk}&entrance={entrance.pk}")
    assert page.locator("select[name=building] option[selected]").inner_text() == "5栋"
    pick(page, "building", "3")
    page.locator("#id_building-ts-dropdown .option", has_text="3栋").first.click()
    page.wait_for_function("() => document.querySelector('#object-list').innerText.includes('3-1-101')")
    assert f"building={tower.pk}" in page.url and f"entrance={entrance.pk}" not in page.url
    assert "乙3栋" not in page.locator("#id_building-ts-dropdown").inner_text()
