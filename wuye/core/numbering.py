"""Gap-free document numbers per project, kind and year, safe under concurrent requests.

The counter row is bumped with ``UPDATE ... SET last_value = last_value + 1``, which takes the row
lock (PostgreSQL) or the database write lock (SQLite) before reading, so two transactions can never
read the same value. Call it inside the transaction that creates the document: a rollback returns
the number, so the sequence has no gaps.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from wuye.core.models import DocumentSequence

#: document kind -> number prefix; apps add theirs with ``register_kind``
PREFIXES: dict[str, str] = {"approval": "SP"}


def register_kind(kind: str, prefix: str) -> None:
    PREFIXES[kind] = prefix


def next_value(project, kind: str, year: int | None = None) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_value() must run inside the transaction that creates the document")
    year = year or timezone.localdate().year
    project_id = getattr(project, "pk", project)
    key = {"project_id": project_id, "kind": kind, "year": year}
    for _attempt in range(3):
        if DocumentSequence.objects.filter(**key).update(last_value=F("last_value") + 1):
            return DocumentSequence.objects.values_list("last_value", flat=True).get(**key)
        try:
            with transaction.atomic():
                DocumentSequence.objects.create(last_value=1, **key)
            return 1
        except IntegrityError:
            continue  # another transaction created the row first; bump it
    raise RuntimeError(f"could not allocate a {kind} number")


def next_block(project, kind: str, count: int, year: int | None = None) -> range:
    """Reserve ``count`` consecutive values in one statement (for bulk documents such as a billing run)."""
    if count <= 0:
        return range(0)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_block() must run inside the transaction that creates the documents")
    year = year or timezone.localdate().year
    project_id = getattr(project, "pk", project)
    key = {"project_id": project_id, "kind": kind, "year": year}
    for _attempt in range(3):
        if DocumentSequence.objects.filter(**key).update(last_value=F("last_value") + count):
            last = DocumentSequence.objects.values_list("last_value", flat=True).get(**key)
            return range(last - count + 1, last + 1)
        try:
            with transaction.atomic():
                DocumentSequence.objects.create(last_value=count, **key)
            return range(1, count + 1)
        except IntegrityError:
            continue
    raise RuntimeError(f"could not allocate {count} {kind} numbers")


def format_number(kind: str, year: int, value: int, width: int = 6) -> str:
    prefix = PREFIXES.get(kind, kind[:4].upper())
    return f"{prefix}-{year}-{value:0{width}d}"


def next_number(project, kind: str, year: int | None = None, width: int = 6) -> str:
    """E.g. ``SK-2026-000123`` for the 123rd receipt of the year in this project."""
    year = year or timezone.localdate().year
    return format_number(kind, year, next_value(project, kind, year), width)
