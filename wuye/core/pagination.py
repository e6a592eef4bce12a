"""A paginator that counts no further than it has to.

``COUNT(*)`` for the pager reads every matching row (or index entry) on every request: over a
project of 100,000 units that is most of a list request's database time, and on PostgreSQL a
sequential scan until the table has been vacuumed. :class:`BoundedCountPaginator` counts at most
``count_limit + 1`` rows (``settings.WUYE_LIST_COUNT_LIMIT``, 10,000 by default), as
``SELECT COUNT(*) FROM (SELECT id ... LIMIT 10001)``:

- up to the limit the count is exact and nothing changes;
- beyond it ``count_capped`` is True and ``count`` is a lower bound (there are *more* rows than
  ``count``): the pager shows "10,000+" and the API answers ``count_capped: true``.

The window starts at the requested page, not at the first row, so a page deep beyond the limit still
knows whether a next page follows (page 2,000 of 25 rows counts rows 49,976 to 59,976): every page
can be reached, the pager links one window further each time, and a request never counts more than
``count_limit`` rows past the ones the page query skips anyway.

Used by the generic list views (django-tables2, ``RequestConfig(paginate={"paginator_class": ...})``)
and the API (``wuye.core.api.pagination.Pagination``); it also takes a plain queryset or list.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.functional import cached_property

DEFAULT_COUNT_LIMIT = 10_000


def _queryset_of(object_list) -> QuerySet | None:
    """The queryset behind ``object_list``: itself, or the one under django-tables2's rows
    (``BoundRows.data`` is a ``TableQuerysetData`` whose ``data`` is the queryset)."""
    if isinstance(object_list, QuerySet):
        return object_list
    data = getattr(getattr(object_list, "data", None), "data", None)
    return data if isinstance(data, QuerySet) else None


class BoundedCountPaginator(Paginator):
    #: rows counted at most (beyond the start of the requested page); None: the setting
    count_limit: int | None = None

    def __init__(self, *args, count_limit: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if count_limit is not None:
            self.count_limit = count_limit
        #: True when there are more rows than ``count``
        self.count_capped = False
        #: the first row the count starts from (the requested page's)
        self.count_from = 0

    def get_count_limit(self) -> int:
        limit = self.count_limit
        if limit is None:
            limit = getattr(settings, "WUYE_LIST_COUNT_LIMIT", DEFAULT_COUNT_LIMIT)
        # at least a page: a capped count must still tell whether another page follows
        return max(limit, self.per_page) if limit else 0

    def _start_at(self, number) -> None:
        """Count from the requested page (before the count is taken: ``page`` validates with it)."""
        if "count" in self.__dict__:
            return
        try:
            number = int(float(number)) if isinstance(number, str | float) else int(number)
        except (TypeError, ValueError, OverflowError):
            return
        self.count_from = max(number - 1, 0) * self.per_page

    def page(self, number):
        self._start_at(number)
        return super().page(number)

    def get_page(self, number):
        self._start_at(number)
        return super().get_page(number)

    @cached_property
    def count(self) -> int:
        qs = _queryset_of(self.object_list)
        limit = self.get_count_limit()
        if qs is None or not limit:
            return Paginator.count.func(self)
        start = self.count_from
        rows = self._count_window(qs, start, limit)
        if rows == 0 and start:
            # A page past the end: count from the first row so that the last page can be offered.
            start = self.count_from = 0
            rows = self._count_window(qs, 0, limit)
        self.count_capped = rows > limit
        return start + min(rows, limit)

    @staticmethod
    def _count_window(qs, start: int, limit: int) -> int:
        qs = qs.values("pk")
        if not start:
            qs = qs.order_by()  # which rows does not matter: let the database pick the cheapest index
        return qs[start : start + limit + 1].count()

    @cached_property
    def num_pages(self) -> int:
        count = self.count
        if not self.count_capped:
            return Paginator.num_pages.func(self)
        # At least one more row than ``count``: the page holding it exists.
        return math.ceil((count + 1) / self.per_page)

    @property
    def count_label(self) -> str:
        """The count for people: "10,000+" (as the language groups digits) when capped."""
        count = self.count
        if self.count_capped:
            return f"{number_format(count, force_grouping=True)}+"
        return number_format(count)
