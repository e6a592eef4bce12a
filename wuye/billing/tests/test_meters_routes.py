"""The route walker's checks (tests/test_isolation.py) on the meters routes alone, so they run even
when another slice's route fails first."""

from __future__ import annotations

import pytest

from tests import test_isolation as walker

pytestmark = pytest.mark.django_db


@pytest.fixture
def meter_routes(monkeypatch):
    routes = [r for r in walker.all_routes() if "meter" in r.name]
    assert len(routes) >= 25, [r.name for r in routes]
    monkeypatch.setattr(walker, "all_routes", lambda: routes)
    return routes


def test_anonymous_visitors_are_sent_to_login(meter_routes, cast, client_for):
    walker.test_anonymous_visitors_are_sent_to_login(cast, client_for)


def test_other_projects_objects_answer_404(meter_routes, cast, client_for, api_for):
    walker.test_other_projects_objects_answer_404(cast, client_for, api_for)


def test_lists_never_show_other_projects_objects(meter_routes, cast, client_for, api_for):
    walker.test_lists_never_show_other_projects_objects(cast, client_for, api_for)
