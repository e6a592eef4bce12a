"""Periodic billing work (Huey): scheduled monthly runs at 01:30, prepaid deductions at 02:10.

The functions take the day as an argument so tests (and the ``wuye billing`` command) can run them
for a controlled date; the periodic tasks call them with today.
"""

from __future__ import annotations

import datetime
import logging

from django.db.models import Q
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

log = logging.getLogger(__name__)


def run_scheduled_billing(today: datetime.date | None = None) -> list[dict]:
    """Run each enabled BillingSchedule whose day has come this month and that has not billed it yet.

    A schedule runs when ``today.day >= day_of_month`` and ``last_period`` is before this month;
    ``last_period`` becomes this month after a successful run. A failing project is logged and
    retried the next day; the others still run.
    """
    from wuye.billing.models import BillingSchedule
    from wuye.billing.services import run_billing
    from wuye.estate.choices import ProjectStatusChoices

    today = today or timezone.localdate()
    period = today.replace(day=1)
    due = (
        BillingSchedule.objects.filter(is_enabled=True, day_of_month__lte=today.day)
        .filter(Q(last_period__isnull=True) | Q(last_period__lt=period))
        .exclude(project__status=ProjectStatusChoices.EXITED)
        .select_related("project")
        .prefetch_related("items")
        .order_by("project_id")
    )
    done = []
    for schedule in due:
        items = [i.name for i in schedule.items.all()] or None
        try:
            run = run_billing(actor=None, project=schedule.project, period=period, items=items)
        except Exception:
            log.exception("scheduled billing of %s for %s failed", schedule.project, period)
            continue
        BillingSchedule.objects.filter(pk=schedule.pk).update(last_period=period, updated_at=timezone.now())
        done.append(
            {
                "project": schedule.project.code,
                "period": f"{period:%Y-%m}",
                "created": run.created_count,
                "skipped": run.skipped_count,
                "total": str(run.total_amount),
            }
        )
    return done


def deduct_prepaid_everywhere(today: datetime.date | None = None) -> dict[str, int]:
    """Draw due bills from prepaid balances in every project still in service; payments per project."""
    from wuye.billing.services import do_deduct_prepaid
    from wuye.estate.choices import ProjectStatusChoices
    from wuye.estate.models import Project

    today = today or timezone.localdate()
    counts = {}
    for project in Project.objects.exclude(status=ProjectStatusChoices.EXITED).order_by("pk"):
        try:
            counts[project.code] = do_deduct_prepaid(project=project, as_of=today)
        except Exception:
            log.exception("prepaid deduction in %s failed", project)
    return counts


@db_periodic_task(crontab(hour="1", minute="30"))
def scheduled_billing():
    return run_scheduled_billing()


@db_periodic_task(crontab(hour="2", minute="10"))
def prepaid_deductions():
    return deduct_prepaid_everywhere()
