"""Periodic work of the service desk (Huey): deadlines every minute, auto-confirmation hourly."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def check_sla_deadlines():
    from wuye.service.services.sla import check_deadlines

    return check_deadlines()


@db_periodic_task(crontab(minute="7"))
def auto_confirm_workorders():
    from wuye.service.services.visits import auto_confirm_due

    return auto_confirm_due()
