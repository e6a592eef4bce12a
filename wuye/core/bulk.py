"""Fast multi-row INSERT for large computed batches (billing runs, demo data, imports).

``bulk_create`` prepares every field of every object through Django's per-value machinery, which
costs several times the database's own insert time. ``insert_tuples`` takes rows as tuples of
database-ready values (``adapter`` converts what the driver cannot take as is: dates for SQLite,
datetimes, JSON) and sends multi-row INSERT statements. Rows must already be valid: use it for
values the code computed, never for user input that has not been through ``full_clean``. No
signals are sent.
"""

from __future__ import annotations

from django.db import connections, router
from django.db.models import DateField, DateTimeField, JSONField
from django.utils import timezone


def _batch_size(connection, columns: int) -> int:
    limit = connection.features.max_query_params or 65535
    if connection.vendor == "sqlite":
        import sqlite3

        limit = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999
    return max(1, min(2000, limit // columns))


def adapter(model, attname: str, using: str | None = None):
    """A function turning a Python value of this field into what the database driver takes."""
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    field = (
        model._meta.get_field(attname)
        if not attname.endswith("_id")
        else next(f for f in model._meta.concrete_fields if f.attname == attname)
    )
    if isinstance(field, JSONField | DateTimeField):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, DateField) and connection.vendor == "sqlite":
        return lambda value: None if value is None else value.isoformat()
    return lambda value: value


def insert_tuples(model, attnames: list[str], rows, *, using: str | None = None) -> int:
    """Insert rows given as tuples of database-ready values in ``attnames`` order (see ``adapter``).

    Columns not named take their field default; auto_now fields take the current time.
    """
    import itertools

    rows = list(rows)
    if not rows:
        return 0
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    by_attname = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    now = timezone.now()
    extra_fields, extra_values = [], []
    for attname, field in by_attname.items():
        if attname in attnames:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = field.get_default()
        extra_fields.append(field)
        extra_values.append(field.get_db_prep_save(value, connection))
    fields = [by_attname[a] for a in attnames] + extra_fields
    extra = tuple(extra_values)
    quote = connection.ops.quote_name
    sql_head = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    )
    size = _batch_size(connection, len(fields))
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            params = list(itertools.chain.from_iterable(row + extra for row in chunk))
            cursor.execute(sql_head + ", ".join([one] * len(chunk)), params)
    return len(rows)


def fetch_rows(queryset):
    """Iterate a ``values_list`` queryset's raw database rows, skipping Django's per-value converters.

    The caller converts what it needs (SQLite gives dates as text and decimals as numbers).
    """
    from django.core.exceptions import EmptyResultSet

    compiler = queryset.query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            chunk = cursor.fetchmany(10000)
            if not chunk:
                break
            yield from chunk
