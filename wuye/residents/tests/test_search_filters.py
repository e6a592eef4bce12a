"""Global search providers and list filters for people and vehicles."""

import pytest

from wuye.core.search import search_all
from wuye.residents.tests.factories import make_ownership, make_person, make_vehicle

pytestmark = pytest.mark.django_db


def hits(user, term, label):
    for group in search_all(user, None, term):
        if str(group["label"]) == label:
            return group["results"]
    return []


@pytest.fixture
def people(cast):
    return {
        "zhang": make_person(cast.project_a, name="张三", phone="13812345678"),
        "li": make_person(cast.project_a, name="李四", phone="13998765432"),
        "theirs": make_person(cast.project_b, name="张三丰", phone="13700005678"),
    }


def test_person_search_by_name_initials_and_phone_tail(cast, people):
    user = cast.manager_a
    assert [r["object"] for r in hits(user, "张", "People")] == [people["zhang"]]
    assert [r["object"] for r in hits(user, "zs", "People")] == [people["zhang"]]
    assert [r["object"] for r in hits(user, "ZS", "People")] == [people["zhang"]]
    assert [r["object"] for r in hits(user, "5678", "People")] == [people["zhang"]]
    assert [r["object"] for r in hits(user, "13998765432", "People")] == [people["li"]]
    assert hits(user, "1234", "People") == []  # no phone ends in 1234
    result = hits(user, "5678", "People")[0]
    assert result["detail"] == "138****5678"
    assert result["url"] == f"/residents/people/{people['zhang'].pk}/"


def test_person_search_by_exact_id_number_through_the_hash(cast):
    person = make_person(cast.project_a, name="王五", id_number="11010519491231002X")
    assert [r["object"] for r in hits(cast.manager_a, "11010519491231002x", "People")] == [person]
    assert hits(cast.manager_a, "110105194912310", "People") == []  # no partial matching on IDs


def test_person_search_is_scoped(cast, people):
    found = {r["object"] for r in hits(cast.staff_b, "zs", "People")}
    assert found == {people["theirs"]}
    assert hits(cast.manager_a, "张三丰", "People") == []


def test_global_search_page_shows_masked_phone(cast, client_for, people):
    body = client_for(cast.manager_a).get("/search/", {"q": "5678"}).content.decode()
    assert "张三" in body and "138****5678" in body and "13812345678" not in body


def test_vehicle_search_normalises_the_plate(cast, people):
    car = make_vehicle(cast.project_a, plate="沪AD12345", person=people["zhang"])
    make_vehicle(cast.project_b, plate="沪AD12346")
    for term in ("沪ad12345", "沪A·D12345", "d1234", " AD 123 "):
        assert [r["object"] for r in hits(cast.manager_a, term, "Vehicles")] == [car], term
    assert car.is_new_energy
    assert "138****5678" in hits(cast.manager_a, "AD123", "Vehicles")[0]["detail"]


def test_person_list_filters(cast, client_for, people):
    client = client_for(cast.manager_a)

    def names(**params):
        response = client.get(
            "/residents/people/", params, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-list"
        )
        body = response.content.decode()
        return {n for n in ("张三", "李四") if f">{n}<" in body}

    assert names(name="zs") == {"张三"}
    assert names(name="李") == {"李四"}
    assert names(phone_tail="5432") == {"李四"}
    assert names(q="zs") == {"张三"}
    assert names(q="5678") == {"张三"}
    assert names(is_developer="true") == set()
    assert names(kind="individual") == {"张三", "李四"}


def test_ownership_current_filter_and_vehicle_filters(cast, api_for, people):
    import datetime

    current = make_ownership(cast.project_a, person=people["zhang"])
    ended = make_ownership(
        cast.project_a,
        person=people["li"],
        end_date=datetime.date(2022, 1, 1),
        start_date=datetime.date(2020, 1, 1),
    )
    api = api_for(cast.manager_a)
    ids = lambda url: {r["id"] for r in api.get(url).json()["results"]}  # noqa: E731
    assert ids("/api/v1/residents/ownerships/?current=true") == {current.pk}
    assert ids("/api/v1/residents/ownerships/?current=false") == {ended.pk}
    assert ids(f"/api/v1/residents/ownerships/?unit={current.unit_id}") == {current.pk}

    ev = make_vehicle(cast.project_a, plate="粤BD12345", vehicle_type="suv")
    petrol = make_vehicle(cast.project_a, plate="粤B12345")
    assert ids("/api/v1/residents/vehicles/?is_new_energy=true") == {ev.pk}
    assert ids("/api/v1/residents/vehicles/?plate=粤b1234") == {petrol.pk}
    assert ids("/api/v1/residents/vehicles/?vehicle_type=suv") == {ev.pk}
    assert ids("/api/v1/residents/people/?name=zs") == {people["zhang"].pk}
    assert ids("/api/v1/residents/people/?phone_tail=5432") == {people["li"].pk}
