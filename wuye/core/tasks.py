from huey.contrib.djhuey import db_task

from wuye.core import jobs


@db_task()
def run_job(job_id: int):
    jobs.execute(job_id)
