import io

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from wuye.core import jobs
from wuye.core.models import Job, JobStatus


def count_to(ctx, *, n):
    for i in range(n):
        ctx.progress(i + 1, n, f"第{i + 1}步")
    return {"counted": n}


def explode(ctx):
    raise ValueError("坏数据")


@pytest.mark.django_db
def test_job_runs_records_progress_and_result(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue(
            count_to, kind="test", name="数数", actor=cast.manager_a, project=cast.project_a, params={"n": 3}
        )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.progress == 100 and job.result == {"counted": 3}
    assert job.started_at and job.finished_at and job.created_by == cast.manager_a


@pytest.mark.django_db
def test_failed_job_keeps_the_error(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue(explode, kind="test", name="爆炸", actor=cast.manager_a, project=cast.project_a)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "坏数据" in job.error


@pytest.mark.django_db
def test_job_pages_are_scoped(cast, client_for, api_for):
    mine = Job.objects.create(kind="t", name="甲的任务", project=cast.project_a, created_by=cast.manager_a)
    Job.objects.create(kind="t", name="乙的任务", project=cast.project_b)
    body = client_for(cast.manager_a).get("/jobs/").content.decode()
    assert "甲的任务" in body and "乙的任务" not in body
    fragment = client_for(cast.manager_a).get(f"/jobs/{mine.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "every 2s" in fragment  # still running: the fragment keeps polling
    rows = api_for(cast.manager_a).get("/api/v1/jobs/").json()["results"]
    assert [r["name"] for r in rows] == ["甲的任务"]


@pytest.mark.django_db
@override_settings(WUYE_EXPORT_INLINE_LIMIT=1)
def test_large_export_runs_as_a_job_with_a_download(cast, client_for, django_capture_on_commit_callbacks):
    client = client_for(cast.ops_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/estate/projects/", {"export": "xlsx", "q": "项目"})
    assert response.status_code == 302
    job = Job.objects.get(kind="export")
    assert response["Location"] == job.get_absolute_url()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["rows"] == 2
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    names = [row[1].value for row in ws.iter_rows(min_row=2)]
    assert sorted(names) == ["项目乙", "项目甲"]
    assert client_for(cast.staff_b).get(f"/jobs/{job.pk}/download/").status_code == 404
