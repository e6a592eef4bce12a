"""Browser test of the Excel import: upload a messy owner roster, correct one column's matching,
read the preview with its problem, upload the corrected file, import it and watch the job finish.

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


def test_upload_correct_a_column_preview_and_import(page, live_server, cast, tmp_path):
    from wuye.core.importing.tests.sheets import owners_workbook
    from wuye.residents.models import Ownership, Person

    bad, good = tmp_path / "业主花名册.xlsx", tmp_path / "业主花名册-改.xlsx"
    bad.write_bytes(owners_workbook(bad=True))
    good.write_bytes(owners_workbook())

    login(page, live_server, "pm_a")
    page.goto(f"{live_server.url}/imports/")
    shot(page, "import-1-index")
    page.get_by_test_id("import-owners").get_by_role("link", name="上传").click()
    page.set_input_files("input[type=file]", str(bad))
    page.get_by_test_id("upload").click()

    # The header was found on row 3 and the columns matched; "备用" is ignored until we say otherwise.
    table = page.get_by_test_id("mapping-table")
    table.wait_for()
    assert page.locator("input[name=header_row]").input_value() == "3"
    spare = table.locator("tr[data-header='备用'] select")
    assert spare.input_value() == ""
    assert table.locator("tr[data-header='业主姓名'] select").input_value() == "name"
    spare.select_option("note")
    shot(page, "import-2-mapping")
    page.get_by_test_id("check").click()

    # The preview: counts, and the bad row with its row number, the user's column and the value.
    page.get_by_test_id("counts").wait_for()
    assert page.get_by_test_id("has-problems").is_visible()
    problems = page.get_by_test_id("problems").inner_text()
    assert "8" in problems and "建筑面积（㎡）" in problems and "-5" in problems
    assert page.get_by_test_id("commit").count() == 0
    with page.expect_download() as info:
        page.get_by_test_id("report").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    shot(page, "import-3-problems")
    assert not Person.objects.exists()

    # Upload the corrected file, check it, import it.
    page.get_by_role("link", name="上传更正后的文件").click()
    page.set_input_files("input[type=file]", str(good))
    page.get_by_test_id("upload").click()
    page.get_by_test_id("check").click()
    page.get_by_test_id("no-problems").wait_for()
    counts = page.get_by_test_id("counts").inner_text()
    assert "5" in counts
    shot(page, "import-4-preview")
    page.get_by_test_id("commit").click()
    page.get_by_test_id("import-done").wait_for()
    shot(page, "import-5-done")
    assert Ownership.objects.filter(project=cast.project_a).count() == 5

    # The job page shows the finished job.
    page.get_by_test_id("job-link").click()
    assert page.get_by_test_id("job-status").inner_text() in ("成功", "Succeeded", "已完成")
