"""Query-count guard: a list must cost the same number of queries whatever its length."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(func) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        result = func()
    return len(ctx.captured_queries), result


def assert_constant_queries(fetch, grow, *, label: str = ""):
    """``fetch()`` requests the list; ``grow()`` adds rows. The query count must not change."""
    before, response = count_queries(fetch)
    assert response.status_code == 200, f"{label}: {response.status_code}"
    grow()
    after, response = count_queries(fetch)
    assert response.status_code == 200, f"{label}: {response.status_code}"
    assert after == before, f"{label}: {before} queries before, {after} after adding rows (N+1?)"
    return before
