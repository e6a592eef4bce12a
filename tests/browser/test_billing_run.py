"""Browser test of fee setup and billing: a finance user sets a fee standard, assigns it to a whole
building in bulk (preview, then apply), runs November's billing, and finds the bills with their totals.

Set WUYE_SCREENSHOTS=/some/dir to keep screenshots of the screens for a visual check.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.test_shell import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    folder = os.environ.get("WUYE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def estate(cast):
    from wuye.billing.models import FeeItem
    from wuye.billing.tests.factories import make_owner, make_unit
    from wuye.core.testing.factories import make_user
    from wuye.estate.models import Building

    p = cast.project_a
    units = [make_unit(p, area=area) for area in ("89.50", "126.80", "89.50", "126.80", "143.20", "98.00")]
    for unit, name in zip(units, ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊"), strict=True):
        make_owner(unit, name=name)
    other = Building.objects.create(project=p, number="9", floors_above=6)
    outside = make_unit(p, area="60.00")
    outside.building = other
    outside.save()
    FeeItem.objects.create(project=p, name="物业服务费", category="property_fee", tax_rate="0.06")
    make_user("fin_a", "finance", p)
    return units


def test_finance_sets_a_standard_assigns_a_building_runs_billing_and_sees_the_bills(
    page, live_server, cast, estate
):
    from wuye.billing.models import Bill, FeeItem, FeeStandard

    login(page, live_server, "fin_a")
    base = live_server.url

    # 1. A fee standard: 2.50 per ㎡ per month from January.
    page.goto(f"{base}/billing/fee-standards/add/")
    page.select_option("#id_project", label="项目甲")
    item = FeeItem.objects.get(name="物业服务费")
    page.select_option("#id_item", value=str(item.pk))
    page.fill("#id_name", "高层住宅物业费")
    page.select_option("#id_method", value="building_area")
    page.fill("#id_unit_price", "2.50")
    page.fill("#id_effective_from", "2026-01-01")
    shot(page, "billing_standard_form")
    page.get_by_role("button", name="保存").click()
    standard = FeeStandard.objects.get(name="高层住宅物业费")
    page.wait_for_url(f"**/billing/fee-standards/{standard.pk}/")
    shot(page, "billing_standard_detail")

    # 2. Assign it to every unit of building 1: preview first, then apply.
    page.get_by_test_id("standard-bulk").click()
    page.wait_for_url("**/billing/fee-assignments/bulk/**")
    page.fill("#id_start_date", "2026-01-01")
    page.select_option("#id_building", index=1)
    page.get_by_test_id("bulk-preview-btn").click()
    preview = page.get_by_test_id("bulk-preview")
    assert page.get_by_test_id("preview-new").inner_text() == "6"
    assert "6" in preview.inner_text()
    shot(page, "billing_bulk_preview")
    page.get_by_test_id("bulk-apply").click()
    page.wait_for_url("**/billing/fee-assignments/?standard=*")
    assert "6" in page.locator("#messages").inner_text()
    table = page.locator("#object-list table")
    assert table.locator("tbody tr").count() == 6
    shot(page, "billing_assignments")

    # 3. Run billing for November 2026: a Job that finishes with the summary.
    page.goto(f"{base}/billing/runs/")
    page.get_by_test_id("run-billing").click()
    page.wait_for_url("**/billing/runs/new/")
    page.select_option("#id_project", label="项目甲")
    page.fill("#id_period", "2026-11")
    shot(page, "billing_run_form")
    page.get_by_test_id("run-submit").click()
    page.wait_for_url("**/jobs/*/")
    status = page.get_by_test_id("job-status")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=job-status]').className.includes('green')"
    )
    assert status.inner_text() == "已完成"
    result = page.locator("#job-progress").inner_text()
    assert "1684.50" in result
    shot(page, "billing_job_done")

    # 4. The run is listed; its bills are found with the totals of the filtered set.
    page.goto(f"{base}/billing/runs/")
    assert "1684.50" in page.locator("#object-list").inner_text().replace(",", "")
    page.locator("#object-list tbody tr a").first.click()
    page.get_by_test_id("run-bills").click()
    page.wait_for_url("**/billing/bills/?*period=2026-11*")
    assert page.get_by_test_id("total-count").inner_text() == "6"
    assert page.get_by_test_id("total-amount").inner_text().replace(",", "") == "1684.50"
    assert page.locator("#object-list tbody tr").count() == 6
    assert "张伟" in page.locator("#object-list").inner_text()
    shot(page, "billing_bills")
    assert Bill.objects.filter(project=cast.project_a).count() == 6

    # 5. One bill explains its calculation.
    page.locator("#object-list tbody tr a").first.click()
    page.wait_for_url("**/billing/bills/*/")
    assert "×" in page.get_by_test_id("bill-explain").inner_text()
    shot(page, "billing_bill_detail")
