"""Billing periods are calendar months; cycles of 3, 6 or 12 months start in January."""

from __future__ import annotations

import calendar
import datetime
from fractions import Fraction


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cycle_bounds(period: datetime.date, cycle_months: int) -> tuple[datetime.date, datetime.date] | None:
    """The cycle that starts at ``period`` (first of a month), or None if no cycle starts then."""
    period = month_start(period)
    if (period.month - 1) % cycle_months:
        return None
    end = add_months(period, cycle_months) - datetime.timedelta(days=1)
    return period, end


def parse_period(text: str) -> datetime.date:
    """``2026-11`` -> 2026-11-01."""
    try:
        year, month = text.strip().split("-")[:2]
        return datetime.date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        raise ValueError(f"period must look like 2026-11, got {text!r}") from None


def months_fraction(seg_start, seg_end, period_start, period_end, cycle_months: int) -> Fraction:
    """The share of a cycle covered by a segment, in months, prorated by days (exact)."""
    days = (seg_end - seg_start).days + 1
    total = (period_end - period_start).days + 1
    return Fraction(cycle_months) * Fraction(days, total)
