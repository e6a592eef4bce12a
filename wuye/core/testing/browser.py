"""Playwright driving Debian's Chromium. Never downloads a browser."""

from __future__ import annotations

import contextlib
import os
import shutil

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    env = os.environ.get("WUYE_CHROMIUM")
    if env and os.path.exists(env):
        return env
    for path in CANDIDATES:
        if os.path.exists(path):
            return path
    return shutil.which("chromium")


@contextlib.contextmanager
def launch():
    path = chromium_path()
    if not path:
        raise RuntimeError(
            "Browser tests are required here (WUYE_REQUIRE_BROWSER=1) but Chromium is not installed: "
            "apt-get install chromium"
        )
    # Browser tests run Django's live server in a thread next to Playwright's event loop.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
