import datetime
from decimal import Decimal

import pytest

from wuye.core.bulk import adapter, fetch_rows, insert_tuples
from wuye.core.models import AuditEvent, Job


@pytest.mark.django_db
def test_insert_tuples_fills_defaults_and_timestamps(cast):
    to_json = adapter(AuditEvent, "data")
    inserted = insert_tuples(
        AuditEvent,
        ["project_id", "action", "amount", "data"],
        [(cast.project_a.pk, f"bulk.{i}", Decimal("1.25") * i, to_json({"i": i})) for i in range(2500)],
    )
    assert inserted == 2500
    rows = AuditEvent.objects.filter(action__startswith="bulk.").order_by("pk")
    assert rows.count() == 2500
    last = rows.last()
    assert last.amount == Decimal("3123.75") and last.data == {"i": 2499}
    assert last.message == "" and last.at is not None  # default and auto_now_add


@pytest.mark.django_db
def test_fetch_rows_reads_raw_rows_and_handles_empty_filters(cast):
    Job.objects.create(kind="k", name="甲", project=cast.project_a)
    rows = list(fetch_rows(Job.objects.filter(kind="k").values_list("name", "created_at")))
    assert rows[0][0] == "甲"
    assert list(fetch_rows(Job.objects.filter(pk__in=[]).values_list("pk"))) == []


@pytest.mark.django_db
def test_date_adapter_round_trips():
    from wuye.billing.models import Bill

    to_db = adapter(Bill, "due_date")
    assert to_db(None) is None
    assert str(to_db(datetime.date(2026, 11, 15))).startswith("2026-11-15")
