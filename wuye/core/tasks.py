from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from wuye.core import jobs
from wuye.core.db import analyze


@db_task()
def run_job(job_id: int):
    jobs.execute(job_id)


@db_periodic_task(crontab(hour="3", minute="40"))
def refresh_planner_statistics():
    """SQLite's planner statistics follow the data (PostgreSQL's autovacuum does this itself)."""
    analyze()
