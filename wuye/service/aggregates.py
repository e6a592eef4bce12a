"""SQL building blocks of the service KPIs that Django lacks, for SQLite and PostgreSQL alike.

``PercentileDisc``: the nearest-rank percentile as an aggregate, so a median or p90 per group is one
``GROUP BY`` like a ``Count``. PostgreSQL has the ordered-set aggregate ``percentile_disc``; SQLite
has none, so it gets a small SQL function (registered on every new connection, see
``register_sqlite_functions``) that reads ``GROUP_CONCAT(value)``: SQLite still does the grouping,
the function only sorts the group's values once (C-level concatenation, then one Python sort) instead
of being called for every row, which is what a ``create_aggregate`` aggregate would cost.

``TimeBucket``: the local day, ISO week (Monday) or month an instant falls in, as a date. On
PostgreSQL this is Django's ``Trunc*`` (``date_trunc`` at the time zone). On SQLite Django's
``Trunc*`` calls a Python function per row; where the time zone's offset to UTC is fixed (every zone
without daylight saving time, e.g. Asia/Shanghai since 1991) the bucket is computed with SQLite's own
date functions instead, shifted by that offset, and Django's function is kept for earlier instants.
"""

from __future__ import annotations

import datetime
import functools
import json

from django.conf import settings
from django.db import NotSupportedError
from django.db.models import Aggregate, DateField, Func
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

SQLITE_PERCENTILE = "wuye_percentile_disc"

#: PostgreSQL computes percentile_disc's row as ceil(fraction * n) in floating point, where
#: 0.28 * 25 = 7.000000000000001 gives row 8; the exact nearest rank is row 7 (likewise p7, p14, p28,
#: p55 and p56 of 100 values). With the fraction nudged down by 1e-9 the result is exact for any
#: whole percent and groups below 10 million values (a non-integral p * n / 100 is at least 0.01
#: from the next integer).
PG_FRACTION_NUDGE = 1e-9


class PercentileDisc(Aggregate):
    """The nearest-rank ``percent`` (0-100) percentile of the non-null values: the smallest value
    whose 1-based rank r in ascending order has ``100 r >= percent n`` (n non-null values), the
    first value for percent 0; NULL when there are no values. ``PercentileDisc("x", 50)`` is the
    (lower) median; the result is one of the values, never an interpolation."""

    name = "PercentileDisc"
    allow_distinct = False

    def __init__(self, expression, percent: int, **extra):
        if extra.get("filter") is not None:
            raise ValueError("PercentileDisc does not take a filter; filter the queryset instead.")
        percent = int(percent)
        if not 0 <= percent <= 100:
            raise ValueError("percent must be between 0 and 100")
        self.percent = percent
        super().__init__(expression, **extra)

    def __repr__(self):
        return f"{self.__class__.__name__}({self.source_expressions[0]!r}, {self.percent})"

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"PercentileDisc is not available on {connection.vendor}.")

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        fraction = max(0.0, self.percent / 100 - PG_FRACTION_NUDGE)
        return f"PERCENTILE_DISC({fraction!r}) WITHIN GROUP (ORDER BY {sql})", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{SQLITE_PERCENTILE}(GROUP_CONCAT({sql}), {self.percent})", params


@functools.lru_cache(maxsize=1)
def _sorted_values(text: str) -> list:
    """The group's values sorted. Cached: SQLite computes a row's columns one after the other, so
    the p50 and p90 of a column read the same text in a row (``release_sqlite_cache`` frees it).
    JSON parses the numbers in C, in half the time of ``map(int, text.split(","))``."""
    try:
        values = json.loads(f"[{text}]")
    except ValueError:  # SQLite writes infinities as Inf
        values = [float(v) for v in text.split(",")]
    values.sort()
    return values


def sqlite_percentile_disc(values: str | None, percent: int):
    """SQLite side of ``PercentileDisc``: ``values`` is ``GROUP_CONCAT`` of the group (NULLs left out)."""
    if values is None or values == "":
        return None
    ordered = _sorted_values(values)
    rank = max(1, -(-int(percent) * len(ordered) // 100))  # ceil(p n / 100), exact in integers
    return ordered[rank - 1]


def release_sqlite_cache():
    """Drop the last group's sorted values (a few MB for a group of 200,000)."""
    _sorted_values.cache_clear()


def register_sqlite_functions(sender=None, connection=None, **kwargs):
    """``connection_created`` receiver: add ``wuye_percentile_disc`` to each new SQLite connection."""
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_PERCENTILE, 2, sqlite_percentile_disc, deterministic=True
        )


TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}

# SQLite date modifiers after the shift to local time: the start of the day, week (Monday), month.
SQLITE_BUCKET_MODIFIERS = {"day": "", "week": ", '-6 days', 'weekday 1'", "month": ", 'start of month'"}

#: instants from here on (local time; a Monday and the first of a month) take SQLite's fast path
FAST_SINCE = datetime.datetime(2001, 1, 1)
FAST_UNTIL = datetime.datetime(2100, 1, 1)


@functools.lru_cache(maxsize=16)
def fixed_utc_offset(tz) -> int | None:
    """Seconds east of UTC when ``tz`` keeps one offset from FAST_SINCE to FAST_UNTIL (checked at
    noon every week: daylight saving time lasts months), else None."""
    if isinstance(tz, datetime.timezone):
        return int(tz.utcoffset(None).total_seconds())
    offsets = set()
    day = FAST_SINCE.replace(hour=12)
    step = datetime.timedelta(days=7)
    while day < FAST_UNTIL and len(offsets) < 2:
        offsets.add(day.replace(tzinfo=tz).utcoffset())
        day += step
    if len(offsets) != 1:
        return None
    return int(offsets.pop().total_seconds())


class TimeBucket(Func):
    """The local date that starts the day, week (Monday) or month of a datetime, as a ``date``."""

    output_field = DateField()

    def __init__(self, expression, interval: str, tzinfo):
        if interval not in TRUNC:
            raise ValueError(f"Unknown interval {interval!r}")
        self.interval, self.tzinfo = interval, tzinfo
        super().__init__(expression)

    def _trunc(self, compiler):
        """Django's Trunc* of the (resolved) source: the portable definition of the bucket."""
        trunc = TRUNC[self.interval](self.source_expressions[0], tzinfo=self.tzinfo, output_field=DateField())
        return compiler.compile(trunc.resolve_expression(compiler.query))

    def as_sql(self, compiler, connection, **extra_context):
        return self._trunc(compiler)

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = self._trunc(compiler)  # a timestamp at local midnight
        return f"({sql})::date", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        modifiers = SQLITE_BUCKET_MODIFIERS[self.interval]
        if not settings.USE_TZ:  # stored as local time already
            return f"DATE({sql}{modifiers})", params
        trunc_sql, trunc_params = self._trunc(compiler)
        slow = f"DATE({trunc_sql})"  # Django's own function, one Python call per row
        offset = fixed_utc_offset(self.tzinfo)
        if offset is None:
            return slow, trunc_params
        since = connection.ops.adapt_datetimefield_value(
            FAST_SINCE.replace(tzinfo=self.tzinfo).astimezone(datetime.UTC)
        )
        fast = f"DATE({sql}, '{offset:+d} seconds'{modifiers})"  # stored as UTC text
        return (
            f"CASE WHEN {sql} >= %s THEN {fast} ELSE {slow} END",
            (*params, since, *params, *trunc_params),
        )


class Unordered(Func):
    """The value of a column as an expression no index can order: ``+x`` on SQLite, ``x + 0`` or
    ``x || ''`` on PostgreSQL. A KPI breakdown groups by it so that neither planner walks a
    one-column index (a foreign key's) for its order and then fetches every table row: both read
    the covering index ``service_wo_kpi_cover`` instead and sort the groups."""

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"+{sql}", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        field = self.output_field
        internal = (field.target_field if field.is_relation else field).get_internal_type()
        if internal in ("CharField", "TextField"):
            return f"({sql} || '')", params
        if internal.endswith(("IntegerField", "AutoField")):
            return f"({sql} + 0)", params
        return sql, params
