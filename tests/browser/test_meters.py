"""Browser test of meter reading (抄表): a project manager enters a building's readings for a month,
a reading lower than the last one is refused with both values shown, the corrected grid is saved and
confirmed, and billing the month shows the metered and shared bills.

Set WUYE_SCREENSHOTS=/some/dir to keep screenshots of the screens for a visual check.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tests.browser.test_estate import shot
from tests.browser.test_shell import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OCT = datetime.date(2026, 10, 1)


@pytest.fixture
def block(cast):
    from wuye.billing.tests.factories import make_owner, make_unit
    from wuye.billing.tests.factories_meters import make_meter, read, shared_standard, water_standard

    p = cast.project_a
    water = water_standard(p, tiers=[{"up_to": "15", "price": "3.50"}, {"up_to": None, "price": "5.25"}])
    previous = {"0101": ("1180", "1200"), "0102": ("845", "860.5"), "0201": ("415", "431")}
    units = []
    for room, (initial, value) in previous.items():
        unit = make_unit(p, code=f"1-1-{room}", area="89.50" if room.endswith("1") else "126.80")
        make_owner(unit, name=f"业主{room}")
        meter = make_meter(
            p,
            unit=unit,
            number=f"W-{room}",
            standard=water,
            location="管道井",
            initial_value=Decimal(initial),
        )
        read(meter, OCT, value, confirm=True)
        units.append(unit)
    lights = make_meter(
        p,
        public=True,
        building=units[0].building,
        number="E-PUB-1",
        standard=shared_standard(p, price="0.80"),
        location="楼道照明",
        multiplier=10,
        initial_value=Decimal("300"),
    )
    read(lights, OCT, "310", confirm=True)
    return units[0].building


def test_enter_readings_reject_a_low_one_and_bill_the_month(page, live_server, cast, block):
    login(page, live_server, "pm_a")
    page.goto(f"{live_server.url}/billing/meter-readings/entry/?building={block.pk}&period=2026-11")
    grid = page.get_by_test_id("reading-grid")
    assert grid.get_by_test_id("prev-W-0101").inner_text() == "1200.00"
    page.get_by_test_id("value-W-0101").fill("1212")
    page.get_by_test_id("value-W-0102").fill("850")  # lower than 860.50
    assert page.locator("tr[data-meter='W-0102'] .live-check").inner_text()  # flagged while typing
    page.get_by_test_id("value-W-0201").fill("449")
    page.get_by_test_id("value-E-PUB-1").fill("330")
    shot(page, "meters_entry")
    page.get_by_test_id("entry-save-confirm").click()
    page.wait_for_load_state()

    # The low reading is refused, naming both values; the other rows are saved.
    error = page.get_by_test_id("error-W-0102")
    assert "850" in error.inner_text() and "860.5" in error.inner_text()
    shot(page, "meters_entry_error")
    page.get_by_test_id("value-W-0102").fill("871.5")
    page.get_by_test_id("entry-save-confirm").click()
    page.wait_for_url("**/billing/meter-readings/entry/?building=*")
    assert page.get_by_test_id("entry-filled").inner_text() == "4"
    from wuye.billing.models.meters import MeterReading

    statuses = set(
        MeterReading.objects.filter(period=datetime.date(2026, 11, 1)).values_list("status", flat=True)
    )
    assert statuses == {"confirmed"}

    # Bill the month: the preview, then the bills.
    page.get_by_test_id("entry-bill").click()
    page.wait_for_url("**/billing/meter-readings/bill/?*")
    assert page.get_by_test_id("plan-readings").inner_text() == "4"
    assert page.get_by_test_id("plan-lines").inner_text() == "6"  # 3 household bills + 3 shared lines
    shot(page, "meters_bill_preview")
    page.get_by_test_id("plan-bill").click()
    page.wait_for_url("**run=*")
    result = page.get_by_test_id("bill-result-table")
    text = result.inner_text()
    assert "1-1-0101" in text and "业主0101" in text
    # W-0201 used 18 m³: 15 x 3.50 + 3 x 5.25 = 68.25; the lights 200 kWh x 0.80 = 160.00 shared
    assert "68.25" in text
    assert page.get_by_test_id("bill-result-total").inner_text() == f"{42 + 38.5 + 68.25 + 160:.2f}"
    shot(page, "meters_bill_result")

    # The public meter's reading page shows how its cost was shared.
    reading = MeterReading.objects.get(meter__number="E-PUB-1", period=datetime.date(2026, 11, 1))
    page.goto(f"{live_server.url}/billing/meter-readings/{reading.pk}/")
    assert page.get_by_test_id("reading-bill-total").inner_text() == "160.00"
    shot(page, "meters_reading_split")

    # The lists: readings of the month with their status, and the meter's own history.
    page.goto(f"{live_server.url}/billing/meter-readings/?period=2026-11")
    table = page.locator("#object-list table")
    assert "W-0102" in table.inner_text() and "871.50" in table.inner_text()
    shot(page, "meters_reading_list")
    page.goto(f"{live_server.url}/billing/meters/{reading.meter_id}/")
    assert "2026-11" in page.get_by_test_id("meter-readings").inner_text()
    shot(page, "meters_meter_detail")
