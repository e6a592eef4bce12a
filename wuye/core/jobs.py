"""Long work as a Job row staff can watch, run by Huey.

    def bill_project(ctx, *, period):          # a plain function
        for i, unit in enumerate(units):
            ...
            ctx.progress(i + 1, len(units), "billing units")
        return {"created": n}                   # becomes Job.result

    job = enqueue(bill_project, kind="billing.run", name="...", actor=user, project=p,
                  params={"period": "2026-11"})

The function is referenced by its dotted path, so the worker process can import it. The job is
queued after the current transaction commits. In tests Huey runs immediately.
"""

from __future__ import annotations

import importlib
import logging
import traceback

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from wuye.core.models import Job, JobStatus

log = logging.getLogger(__name__)


class JobContext:
    def __init__(self, job: Job):
        self.job = job
        self._last_pct = -1

    def progress(self, done: int, total: int, text: str = "") -> None:
        pct = 100 if total <= 0 else min(100, int(done * 100 / total))
        if pct == self._last_pct and not text:
            return
        self._last_pct = pct
        # Written outside any business transaction so watchers see it while the job runs.
        Job.objects.filter(pk=self.job.pk).update(progress=pct, progress_text=text[:200])

    def save_output(self, filename: str, content: bytes) -> None:
        self.job.output.save(filename, ContentFile(content), save=False)
        Job.objects.filter(pk=self.job.pk).update(output=self.job.output.name)


def dotted_path(func) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def enqueue(func, *, kind: str, name: str, actor=None, project=None, params: dict | None = None) -> Job:
    path = func if isinstance(func, str) else dotted_path(func)
    job = Job.objects.create(
        kind=kind,
        name=name,
        project=project,
        params={"func": path, "kwargs": params or {}},
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    from wuye.core.tasks import run_job

    transaction.on_commit(lambda: run_job(job.pk))
    return job


def _import(path: str):
    module, _, attr = path.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def execute(job_id: int) -> Job:
    """Run one job in this process (the Huey task calls this)."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        return job
    ctx = JobContext(job)
    try:
        func = _import(job.params["func"])
        result = func(ctx, **job.params.get("kwargs", {}))
    except Exception as exc:
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{exc}\n\n{traceback.format_exc()}"[:20000],
        )
    else:
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.SUCCEEDED,
            finished_at=timezone.now(),
            progress=100,
            result=result if isinstance(result, dict) else {"value": result},
        )
    job.refresh_from_db()
    return job
