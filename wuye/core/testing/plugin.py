"""pytest plugin (loaded with ``-p wuye.core.testing.plugin``): test settings and the shared cast.

The cast is the access matrix every scoping test uses: an operations-centre admin (all projects),
the manager, cashier and engineer of project A, the manager of project B, a read-only auditor
(all projects), and anonymous visitors.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("WUYE_TESTING", "1")
os.environ.setdefault("WUYE_VAR_DIR", tempfile.mkdtemp(prefix="wuye-test-var-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuye.settings")

import pytest  # noqa: E402

DEMO_PASSWORD = "wuye-demo"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Service code called from a test speaks English (tests match its messages); pages keep the
    language of the request (Chinese by default), and after each request the test is back in English."""
    from django.core.signals import request_finished
    from django.utils import translation

    def back_to_english(**kwargs):
        translation.activate("en")

    translation.activate("en")
    request_finished.connect(back_to_english, dispatch_uid="wuye-tests-english")
    yield
    request_finished.disconnect(dispatch_uid="wuye-tests-english")
    translation.deactivate()


@pytest.fixture
def password_hash(django_db_setup):
    from wuye.core.testing.factories import password_hash as cached

    return cached()


class Cast:
    """The access matrix, as attributes: ``cast.manager_a``, ``cast.project_b``, ..."""

    def __init__(self):
        from wuye.accounts.roles import sync_system_roles
        from wuye.core.testing.factories import make_project, make_user

        sync_system_roles()
        self.project_a = make_project(code="PA", name="项目甲")
        self.project_b = make_project(code="PB", name="项目乙")
        self.ops_admin = make_user("ops", "ops-admin")
        self.auditor = make_user("audit", "auditor")
        self.manager_a = make_user("pm_a", "project-manager", self.project_a)
        self.cashier_a = make_user("cashier_a", "cashier", self.project_a)
        self.engineer_a = make_user("engineer_a", "engineer", self.project_a)
        self.staff_b = make_user("pm_b", "project-manager", self.project_b)

    def users(self):
        return {
            "ops_admin": self.ops_admin,
            "auditor": self.auditor,
            "manager_a": self.manager_a,
            "cashier_a": self.cashier_a,
            "engineer_a": self.engineer_a,
            "staff_b": self.staff_b,
        }


@pytest.fixture
def cast(db):
    return Cast()


@pytest.fixture
def client_for(client):
    """``client_for(user)`` returns a Django test client logged in as ``user`` (None: anonymous)."""
    from django.test import Client

    def make(user, language="en"):
        # Tests read English messages; pass language="zh-hans" (or set the cookie) to test Chinese pages.
        c = Client(HTTP_ACCEPT_LANGUAGE=language)
        if user is not None:
            c.force_login(user)
        return c

    return make


@pytest.fixture
def api_for():
    """``api_for(user)`` returns a DRF APIClient authenticated with the user's token."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user, language="en"):
        c = APIClient(HTTP_ACCEPT_LANGUAGE=language)
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c

    return make


def pytest_collection_modifyitems(config, items):
    """Browser tests need Chromium; skipped with a clear message unless WUYE_REQUIRE_BROWSER=1."""
    from wuye.core.testing.browser import chromium_path

    if chromium_path():
        return
    if os.environ.get("WUYE_REQUIRE_BROWSER") == "1":
        return  # the browser fixture fails loudly instead
    skip = pytest.mark.skip(
        reason="Chromium not found at /usr/bin/chromium (apt-get install chromium); browser test skipped"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from wuye.core.testing.browser import launch

    with launch() as b:
        yield b


@pytest.fixture
def page(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()
