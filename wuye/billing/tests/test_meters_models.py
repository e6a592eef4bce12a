"""Meter and reading rules: usage math, rollover, replacement, order of readings, flags."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from wuye.billing.models.meters import Meter, MeterReading
from wuye.billing.tests.factories import make_unit
from wuye.billing.tests.factories_meters import (
    DEC,
    NOV,
    make_meter,
    read,
    shared_standard,
    water_standard,
)

pytestmark = pytest.mark.django_db
OCT = datetime.date(2026, 10, 1)
SEP = datetime.date(2026, 9, 1)


def test_usage_is_difference_times_multiplier(cast):
    meter = make_meter(cast.project_a, multiplier=Decimal("40"), initial_value=Decimal("100"))
    first = read(meter, NOV, "112.25")
    assert first.previous_value == Decimal("100")
    assert first.usage == Decimal("490.0000")
    second = read(meter, DEC, "113")
    assert second.previous_value == Decimal("112.25") and second.usage == Decimal("30.0000")


def test_lower_reading_is_rejected_naming_both_values(cast):
    meter = make_meter(cast.project_a)
    read(meter, NOV, "500")
    with pytest.raises(ValidationError) as exc:
        read(meter, DEC, "499.5")
    message = " ".join(exc.value.message_dict["value"])
    assert "499.5" in message and "500" in message
    assert not MeterReading.objects.filter(period=DEC).exists()


def test_rollover_adds_the_register_size(cast):
    meter = make_meter(cast.project_a, digits=4)
    read(meter, NOV, "9990")
    reading = read(meter, DEC, "15", is_rollover=True)
    assert reading.usage == Decimal("25.0000")


def test_rollover_must_be_lower_than_previous(cast):
    meter = make_meter(cast.project_a, digits=4)
    read(meter, NOV, "10")
    with pytest.raises(ValidationError) as exc:
        read(meter, DEC, "15", is_rollover=True)
    assert "is_rollover" in exc.value.message_dict


def test_value_above_digits_is_rejected(cast):
    meter = make_meter(cast.project_a, digits=3)
    with pytest.raises(ValidationError) as exc:
        read(meter, NOV, "1000")
    assert "value" in exc.value.message_dict


def test_replacement_adds_old_and_new_stretches(cast):
    meter = make_meter(cast.project_a)
    read(meter, NOV, "800")
    reading = read(
        meter,
        DEC,
        "7",
        is_replacement=True,
        old_final_value=Decimal("812"),
        new_start_value=Decimal("2"),
    )
    assert reading.usage == Decimal("17.0000")  # 12 on the old meter + 5 on the new one


def test_replacement_needs_both_values(cast):
    meter = make_meter(cast.project_a)
    read(meter, NOV, "800")
    with pytest.raises(ValidationError) as exc:
        read(meter, DEC, "7", is_replacement=True)
    assert {"old_final_value", "new_start_value"} <= set(exc.value.message_dict)


def test_one_reading_per_meter_and_period(cast):
    meter = make_meter(cast.project_a)
    read(meter, NOV, "10")
    with pytest.raises(ValidationError) as exc:
        read(meter, NOV.replace(day=15), "11")
    assert "period" in exc.value.message_dict


def test_period_is_the_first_of_the_month(cast):
    meter = make_meter(cast.project_a)
    assert read(meter, datetime.date(2026, 11, 20), "10").period == NOV


def test_readings_are_entered_in_order(cast):
    meter = make_meter(cast.project_a)
    read(meter, DEC, "10")
    with pytest.raises(ValidationError) as exc:
        read(meter, NOV, "5")
    assert "2026-12" in " ".join(exc.value.message_dict["period"])


def test_abnormal_usage_is_flagged(cast):
    meter = make_meter(cast.project_a)
    read(meter, SEP, "10")
    read(meter, OCT, "20")
    normal = read(meter, NOV, "30")
    assert normal.flag == "" and normal.average_usage == Decimal("10.0000")
    high = read(meter, DEC, "70")
    assert high.flag == "high"
    zero = read(meter, datetime.date(2027, 1, 1), "70")
    assert zero.flag == "zero"


def test_household_meter_needs_unit_and_metered_standard(cast):
    p = cast.project_a
    with pytest.raises(ValidationError) as exc:
        Meter(project=p, kind="water", number="X1").full_clean()
    assert "unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_meter(p, standard=shared_standard(p))
    assert "standard" in exc.value.message_dict


def test_public_meter_takes_a_shared_standard_and_no_unit(cast):
    p = cast.project_a
    unit = make_unit(p)
    with pytest.raises(ValidationError) as exc:
        make_meter(p, public=True, unit=unit, standard=shared_standard(p))
    assert "unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_meter(p, public=True, building=unit.building, standard=water_standard(p))
    assert "standard" in exc.value.message_dict
    meter = make_meter(p, public=True, building=unit.building, standard=shared_standard(p))
    assert meter.is_public and meter.unit is None


def test_household_meter_takes_the_units_building(cast):
    unit = make_unit(cast.project_a)
    assert make_meter(cast.project_a, unit=unit).building == unit.building


def test_meter_number_unique_per_project(cast):
    make_meter(cast.project_a, number="W-1")
    make_meter(cast.project_b, number="W-1")
    with pytest.raises(ValidationError) as exc:
        make_meter(cast.project_a, number="W-1")
    assert "number" in exc.value.message_dict


def test_meter_of_other_project_is_refused(cast):
    meter = make_meter(cast.project_b)
    reading = MeterReading(
        project=cast.project_a, meter=meter, period=NOV, reading_date=NOV, value=Decimal(1)
    )
    with pytest.raises(ValidationError) as exc:
        reading.full_clean()
    assert "meter" in exc.value.message_dict


def test_only_the_latest_unbilled_reading_can_be_deleted(cast):
    meter = make_meter(cast.project_a)
    first = read(meter, NOV, "10")
    read(meter, DEC, "12")
    with pytest.raises(ProtectedError):
        first.delete()


def test_previous_value_of_a_meter_unread_for_over_a_year(cast):
    meter = make_meter(cast.project_a)
    read(meter, datetime.date(2024, 3, 1), "80")
    reading = read(meter, NOV, "95")
    assert reading.previous_value == Decimal("80.00") and reading.usage == Decimal("15.0000")
