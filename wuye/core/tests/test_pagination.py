"""Bounded counts: lists and the API count up to a limit, show "N+" beyond it, and every page can
still be reached (the count window starts at the requested page)."""

import pytest
from django.core.paginator import EmptyPage
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from wuye.core.pagination import BoundedCountPaginator
from wuye.estate.models import Building
from wuye.estate.tests.factories import make_building


@pytest.fixture
def twelve(cast):
    for n in range(1, 13):
        make_building(cast.project_a, number=str(n))
    return Building.objects.order_by("sort_key", "id")


def test_count_stops_at_the_limit(twelve):
    paginator = BoundedCountPaginator(twelve, 2, count_limit=5)
    with CaptureQueriesContext(connection) as ctx:
        page = paginator.page(1)
    assert (paginator.count, paginator.count_capped, paginator.num_pages) == (5, True, 3)
    assert page.has_next() and len(page.object_list) == 2
    assert "COUNT(" in ctx.captured_queries[0]["sql"] and "LIMIT 6" in ctx.captured_queries[0]["sql"]
    assert paginator.count_label == "5+"


def test_deep_pages_count_from_their_own_start(twelve):
    paginator = BoundedCountPaginator(twelve, 2, count_limit=5)
    page = paginator.page(4)  # rows 7-8; rows 7-12 are more than the limit
    assert (paginator.count, paginator.count_capped) == (11, True)
    assert page.has_next() and [b.number for b in page.object_list] == ["7", "8"]

    paginator = BoundedCountPaginator(twelve, 2, count_limit=5)
    page = paginator.page(6)  # the last page: the count is exact again
    assert (paginator.count, paginator.count_capped, paginator.num_pages) == (12, False, 6)
    assert not page.has_next() and page.end_index() == 12
    assert paginator.count_label == "12"


def test_a_page_past_the_end(twelve):
    with pytest.raises(EmptyPage):
        BoundedCountPaginator(twelve, 2, count_limit=5).page(9)
    paginator = BoundedCountPaginator(twelve, 2, count_limit=5)
    assert paginator.get_page(9).number == 3  # the last page the capped count knows of
    assert paginator.get_page("x").number == 1


def test_exact_below_the_limit_and_never_less_than_a_page(twelve):
    paginator = BoundedCountPaginator(twelve, 5, count_limit=12)
    assert (paginator.count, paginator.count_capped, paginator.num_pages) == (12, False, 3)
    paginator = BoundedCountPaginator(twelve, 5, count_limit=2)  # a limit below the page size
    assert paginator.page(1).has_next() and paginator.count_capped
    assert BoundedCountPaginator(list(range(7)), 5, count_limit=2).count == 7  # not a queryset


@override_settings(WUYE_LIST_COUNT_LIMIT=3)
def test_api_count_is_capped_and_says_so(cast, api_for, twelve):
    client = api_for(cast.manager_a)
    data = client.get("/api/v1/estate/buildings/", {"page_size": 2}).json()
    assert (data["count"], data["count_capped"], len(data["results"])) == (3, True, 2)
    assert data["next"] and "page=2" in data["next"]
    data = client.get("/api/v1/estate/buildings/", {"page_size": 2, "page": 6}).json()
    assert (data["count"], data["count_capped"], data["next"]) == (12, False, None)
    data = client.get("/api/v1/estate/buildings/").json()
    assert (data["count"], data["count_capped"]) == (12, False)  # the limit is at least a page


@override_settings(WUYE_LIST_COUNT_LIMIT=26)
def test_list_page_shows_a_capped_count(cast, client_for):
    for n in range(30):
        make_building(cast.project_a, number=str(100 + n))
    client = client_for(cast.manager_a)
    response = client.get("/estate/buildings/")
    table = response.context["table"]
    assert table.paginator.count_capped and table.paginator.count == 26
    html = response.content.decode()
    assert "26+" in html and "…" in html
    response = client.get("/estate/buildings/", {"page": 2})
    table = response.context["table"]
    assert not table.paginator.count_capped and len(table.page.object_list) == 5
    assert "30" in response.content.decode()


def test_list_page_size_only_from_the_offered_choices(cast, client_for):
    for n in range(60):
        make_building(cast.project_a, number=str(200 + n))
    client = client_for(cast.manager_a)
    assert len(client.get("/estate/buildings/", {"per_page": 50}).context["table"].page.object_list) == 50
    # a size that is not offered falls back to the default instead of listing everything
    assert len(client.get("/estate/buildings/", {"per_page": 100000}).context["table"].page.object_list) == 25
