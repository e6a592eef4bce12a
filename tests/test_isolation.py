"""The route walker: every URL pattern and API route, without anyone listing them.

For each route it proves that
- an anonymous visitor is sent to the login page (UI) or gets 401 (API), unless the route is public;
- a project-A manager asking for a project-B object gets 404, for every method, and nothing changes;
- a project-A manager's lists never show a project-B object.

A new route is covered as soon as it exists. A route with parameters the walker cannot fill, or a
``pk`` route whose model it cannot find, fails the test: declare the model (``scoped_model``).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from wuye.core.testing.factories import factory_for
from wuye.core.testing.routes import iter_routes

PUBLIC = {
    "login",
    "logout",
    "healthz",
    "set_language",
    "javascript-catalog",
    "api-schema",
    "api-docs",
    "api-redoc",
    "api-token",
}
KNOWN_PARAMS = {"pk", "format"}


def all_routes():
    return list(iter_routes())


def route_id(route):
    return route.name


def test_walker_sees_the_whole_application():
    names = {r.name for r in all_routes()}
    # a sanity floor: UI and API routes of every app so far are enumerated
    for expected in (
        "estate:project_list",
        "estate:project_detail",
        "accounts:user_list",
        "core:job_detail",
        "estate-project-detail",
        "accounts-membership-list",
        "api-root",
    ):
        assert expected in names, expected


def test_every_route_is_walkable():
    problems = []
    for route in all_routes():
        unknown = set(route.params) - KNOWN_PARAMS
        if unknown:
            problems.append(f"{route.name}: unknown URL parameters {sorted(unknown)}")
        if "pk" in route.params and route.model is None:
            problems.append(f"{route.name}: has a pk but no model; set scoped_model on the view")
    assert not problems, "\n".join(problems)


def build_url(route, obj=None):
    kwargs = {}
    if "pk" in route.params:
        kwargs["pk"] = obj.pk
    if "format" in route.params:
        kwargs["format"] = "json"
    return reverse(route.name, kwargs=kwargs or None)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(cast, client_for):
    anon = client_for(None)
    checked = 0
    objects = {}
    for route in all_routes():
        if route.name in PUBLIC:
            continue
        obj = None
        if "pk" in route.params:
            model = route.model
            if model not in objects:
                objects[model] = factory_for(model)(project=cast.project_a)
            obj = objects[model]
        url = build_url(route, obj)
        response = anon.get(url)
        if route.is_api:
            assert response.status_code == 401, f"{route.name} {url}: {response.status_code}"
        else:
            assert response.status_code == 302, f"{route.name} {url}: {response.status_code}"
            assert response["Location"].startswith(reverse("login")), (
                f"{route.name} -> {response['Location']}"
            )
        checked += 1
    assert checked > 20


@pytest.mark.django_db
def test_other_projects_objects_answer_404(cast, client_for, api_for):
    """pm of project A (``manager_a``) cannot read, change or delete anything of project B."""
    ui = client_for(cast.manager_a)
    api = api_for(cast.manager_a)
    objects = {}
    checked = []
    for route in all_routes():
        if "pk" not in route.params or route.name in PUBLIC:
            continue
        model = route.model
        if model not in objects:
            objects[model] = factory_for(model)(project=cast.project_b)
        obj = objects[model]
        url = build_url(route, obj)
        before = _snapshot(obj)
        if route.is_api:
            methods = {m.upper() for m in route.api_actions} or {"GET"}
            for method in sorted(methods):
                response = (
                    getattr(api, method.lower())(url, {}, format="json") if method != "GET" else api.get(url)
                )
                assert response.status_code == 404, f"{method} {route.name} {url}: {response.status_code}"
        else:
            for method in ("get", "post"):
                response = getattr(ui, method)(url)
                assert response.status_code in (404, 405), (
                    f"{method} {route.name} {url}: {response.status_code}"
                )
                if method == "get":
                    assert response.status_code == 404, f"GET {route.name} {url}: {response.status_code}"
        assert _snapshot(obj) == before, f"{route.name} changed another project's object"
        checked.append(route.name)
    assert len(checked) > 10, checked


@pytest.mark.django_db
def test_lists_never_show_other_projects_objects(cast, client_for, api_for):
    ui = client_for(cast.manager_a)
    api = api_for(cast.manager_a)
    theirs = {}
    for route in all_routes():
        if "pk" in route.params:
            model = route.model
            if model is not None and model not in theirs:
                theirs[model] = factory_for(model)(project=cast.project_b)
    checked = []
    for route in all_routes():
        if "pk" in route.params or route.name in PUBLIC or route.model is None:
            continue
        obj = theirs.get(route.model) or factory_for(route.model)(project=cast.project_b)
        url = build_url(route)
        if route.is_api:
            response = api.get(url)
            if response.status_code == 403:
                continue
            assert response.status_code == 200, f"{route.name}: {response.status_code}"
            payload = response.json()
            rows = payload.get("results", payload) if isinstance(payload, dict) else payload
            assert all(row.get("id") != obj.pk for row in rows), f"{route.name} lists project B's {obj!r}"
        else:
            response = ui.get(url)
            if response.status_code in (403, 405):
                continue
            assert response.status_code == 200, f"{route.name}: {response.status_code}"
            body = response.content.decode()
            link = obj.get_absolute_url()
            assert not link or f'href="{link}"' not in body, f"{route.name} links to project B's {obj!r}"
        checked.append(route.name)
    assert len(checked) >= 4, checked


def _snapshot(obj):
    model = type(obj)
    row = model.objects.filter(pk=obj.pk).values().first()
    return row
