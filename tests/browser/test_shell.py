"""Browser test of the shell: log in, switch project, open a list, export it to Excel.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright against Django's live server.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    assert page.locator("h2").inner_text() == "登录物业平台"
    page.fill("#id_username", username)
    page.fill("#id_password", "wuye-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_login_switch_project_open_list_and_export(page, live_server, cast):
    login(page, live_server, "ops")

    # The switcher offers every project to the operations centre; pick project B.
    switcher = page.get_by_test_id("project-switcher")
    assert "项目乙" in switcher.inner_text()
    with page.expect_navigation():
        switcher.select_option(label="PB 项目乙")
    assert switcher.evaluate("el => el.options[el.selectedIndex].text") == "PB 项目乙"

    # Open the project list from the navigation: only project B is listed now.
    page.get_by_role("button", name="物业档案").click()
    page.get_by_role("link", name="项目", exact=True).click()
    page.wait_for_url("**/estate/projects/")
    table = page.locator("#object-list table")
    assert "项目乙" in table.inner_text()
    assert "项目甲" not in table.inner_text()

    # Export the list: an .xlsx download with exactly that row.
    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    ws = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:2] == ["编码", "名称"]
    assert [r[1] for r in rows[1:]] == ["项目乙"]


def test_filtering_updates_the_table_in_place(page, live_server, cast):
    login(page, live_server, "ops")
    page.goto(f"{live_server.url}/estate/projects/")
    page.fill("#object-filter input[name=q]", "项目甲")
    page.wait_for_function("() => !document.querySelector('#object-list').innerText.includes('项目乙')")
    assert "q=" in page.url  # the filtered state is in the address bar
    assert "项目甲" in page.locator("#object-list").inner_text()


def test_phone_width_layout_has_a_menu_toggle(page, live_server, cast):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "pm_a")
    toggle = page.locator(".navbar-toggler")
    assert toggle.is_visible()
    toggle.click()
    page.get_by_role("button", name="物业档案").wait_for(state="visible")
