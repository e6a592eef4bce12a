"""The API walks an order through its steps the same way the UI does."""

from wuye.service.models import Category
from wuye.service.tests.factories import make_order, upload


def test_api_walks_an_order(cast, api_for):
    pm, eng = api_for(cast.manager_a), api_for(cast.engineer_a)
    pm.get("/api/v1/service/categories/")
    from wuye.service.services import ensure_service_setup

    ensure_service_setup(cast.project_a)
    category = Category.objects.get(project=cast.project_a, name="路灯照明")
    response = pm.post(
        "/api/v1/service/orders/",
        {
            "project": cast.project_a.pk,
            "kind": "repair",
            "repair_scope": "common",
            "source": "app",
            "category": category.pk,
            "location": "南门",
            "description": "路灯不亮",
            "contact_phone": "13811112222",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"].startswith("GD-") and data["contact_phone_masked"] == "138****2222"
    assert "contact_phone" not in data
    url = f"/api/v1/service/orders/{data['id']}/"
    assert eng.post(f"{url}assign/", {"assignee": cast.engineer_a.pk}, format="json").status_code == 403
    assert pm.post(f"{url}assign/", {"assignee": cast.engineer_a.pk}, format="json").status_code == 200
    assert eng.post(f"{url}accept/", {}, format="json").json()["status"] == "accepted"
    assert eng.post(f"{url}arrive/", {}, format="json").json()["status"] == "on_site"
    assert eng.post(f"{url}pause/", {"reason": "parts"}, format="json").json()["status"] == "paused"
    assert eng.post(f"{url}resume/", {}, format="json").json()["status"] == "on_site"
    response = eng.post(f"{url}photos/", {"stage": "after", "photos": [upload()]}, format="multipart")
    assert response.status_code == 200, response.content
    response = eng.post(f"{url}complete/", {"resolution": ""}, format="json")
    assert response.status_code == 400
    body = eng.post(f"{url}complete/", {"resolution": "换灯"}, format="json").json()
    assert body["status"] == "completed" and {c["deadline"] for c in body["clocks"]} >= {"accept", "complete"}
    assert eng.post(f"{url}confirm/", {"rating": 5}, format="json").status_code == 403
    assert pm.post(f"{url}confirm/", {"rating": 5}, format="json").json()["status"] == "confirmed"
    body = pm.post(f"{url}return-visit/", {"satisfaction": 5, "close": True}, format="json").json()
    assert body["status"] == "closed"
    timeline = pm.get(f"{url}timeline/").json()
    assert len(timeline) >= 8
    assert pm.patch(url, {"description": "改"}, format="json").status_code == 403  # finished
    assert pm.delete(url).status_code == 405


def test_api_other_project_steps_are_404(cast, api_for):
    order = make_order(cast.project_b)
    response = api_for(cast.manager_a).post(
        f"/api/v1/service/orders/{order.pk}/cancel/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 404
