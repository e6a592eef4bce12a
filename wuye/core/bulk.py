"""Fast bulk reads and writes for large computed batches (billing runs, demo data, imports).

``bulk_create`` prepares every field of every object through Django's per-value machinery, which
costs several times the database's own insert time. ``insert_tuples`` takes rows as tuples of
database-ready values (``adapter`` converts what the driver cannot take as is: dates for SQLite,
datetimes, JSON as text) and writes them the fastest plain way the driver offers:
``COPY ... FROM STDIN`` on PostgreSQL, ``executemany`` of one INSERT on SQLite. Rows must already
be valid: use it for values the code computed, never for user input that has not been through
``full_clean``. No signals are sent. Constraints are checked as for any INSERT (a duplicate raises
``IntegrityError``; COPY has no ``ON CONFLICT``, so callers that may meet existing rows filter them
out first).

``fetch_rows``/``fetch_chunks`` read a ``values_list`` queryset's raw rows, and ``gc_paused``
keeps the cyclic garbage collector from walking hundreds of thousands of fresh row tuples while a
batch is built.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import operator

from django.db import connections, router
from django.db.models import DateField, DateTimeField, JSONField
from django.utils import timezone


def adapter(model, attname: str, using: str | None = None):
    """A function turning a Python value of this field into what ``insert_tuples`` takes."""
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    field = (
        model._meta.get_field(attname)
        if not attname.endswith("_id")
        else next(f for f in model._meta.concrete_fields if f.attname == attname)
    )
    if isinstance(field, JSONField):
        # JSON text: what SQLite stores, and what COPY passes to PostgreSQL's json parser
        encoder = field.encoder
        return lambda value: None if value is None else json.dumps(value, cls=encoder)
    if isinstance(field, DateTimeField):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, DateField) and connection.vendor == "sqlite":
        return lambda value: None if value is None else value.isoformat()
    return lambda value: value


def defaults(model, attnames: list[str], *, using: str | None = None) -> tuple[list[str], tuple]:
    """The other concrete fields of ``model`` and their database-ready defaults (auto_now: now).

    ``insert_tuples`` appends these to every row; a caller building many rows can put them into
    its rows itself (one tuple per row instead of two).
    """
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    now = timezone.now()
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in attnames:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = field.get_default()
        names.append(field.attname)
        if isinstance(field, JSONField) and value is not None:
            values.append(json.dumps(value, cls=field.encoder))
        else:
            values.append(field.get_db_prep_save(value, connection))
    return names, tuple(values)


def insert_tuples(model, attnames: list[str], rows, *, using: str | None = None) -> int:
    """Insert rows given as tuples of database-ready values in ``attnames`` order (see ``adapter``).

    ``rows`` may be any iterable (a generator streams into COPY without a list in memory). Columns
    not named take their field default; auto_now fields take the current time. Returns the count.
    """
    if isinstance(rows, list | tuple) and not rows:
        return 0
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    extra_names, extra = defaults(model, attnames, using=alias)
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    columns = [by_attname[a].column for a in [*attnames, *extra_names]]
    if extra:
        rows = map(operator.add, rows, itertools.repeat(extra))
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(map(quote, columns))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)
        return max(cursor.rowcount, 0)  # COPY's and executemany's row counts


def fetch_chunks(queryset, size: int = 10000):
    """Lists of a ``values_list`` queryset's raw database rows, skipping Django's converters.

    The caller converts what it needs (SQLite gives decimals as numbers, and dates as text when the
    column is selected through an expression such as ``Cast``; plain date columns come as dates).
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
            chunk = cursor.fetchmany(size)
            if not chunk:
                break
            yield chunk


def fetch_rows(queryset):
    """Iterate a ``values_list`` queryset's raw database rows (see ``fetch_chunks``)."""
    for chunk in fetch_chunks(queryset):
        yield from chunk


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while a large batch of rows is built and written.

    Reference counting still frees everything; only the collection of reference cycles waits.
    Building 200,000 row tuples otherwise triggers collections that walk them all, again and again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
