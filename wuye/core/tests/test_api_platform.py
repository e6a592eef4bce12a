import pytest


@pytest.mark.django_db
def test_token_login_and_use(cast, client):
    response = client.post("/api/v1/auth/token", {"username": "pm_a", "password": "wuye-demo"})
    assert response.status_code == 200
    token = response.json()["token"]
    rows = client.get("/api/v1/estate/projects/", HTTP_AUTHORIZATION=f"Token {token}").json()["results"]
    assert [r["code"] for r in rows] == ["PA"]
    bad = client.post("/api/v1/auth/token", {"username": "pm_a", "password": "nope"})
    assert bad.status_code == 400
    revoke = client.delete("/api/v1/auth/token", HTTP_AUTHORIZATION=f"Token {token}")
    assert revoke.status_code == 204
    assert client.get("/api/v1/estate/projects/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401


@pytest.mark.django_db
def test_session_auth_works_for_the_api(cast, client_for):
    assert client_for(cast.manager_a).get("/api/v1/estate/projects/").status_code == 200


@pytest.mark.django_db
def test_openapi_schema_and_offline_docs(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/estate/projects/" in schema["paths"]
    assert "/api/v1/auth/token" in schema["paths"]
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "//unpkg" not in docs  # served from the sidecar, offline
