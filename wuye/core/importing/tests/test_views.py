"""The import pages: template, upload, column matching, check, problems, report, import, access."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from wuye.core.importing.models import ImportBatch, ImportStatus
from wuye.core.importing.spec import get_spec
from wuye.core.importing.tests.sheets import owners_workbook, owners_xls
from wuye.estate.models import Unit
from wuye.residents.models import Ownership, Person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, kind, data, project, name="业主.xlsx"):
    return client.post(
        f"/imports/new/?kind={kind}",
        {"project": project.pk, "file": SimpleUploadedFile(name, data, content_type=XLSX)},
    )


@pytest.mark.django_db
def test_index_offers_what_the_user_may_import(cast, client_for):
    body = client_for(cast.manager_a).get("/imports/").content.decode()
    for kind in ("units", "owners", "tenants", "vehicles", "parking"):
        assert f'data-testid="import-{kind}"' in body
    cashier = client_for(cast.cashier_a).get("/imports/").content.decode()
    assert 'data-testid="import-units"' not in cashier
    assert client_for(cast.cashier_a).get("/imports/new/?kind=units").status_code == 403
    assert client_for(cast.manager_a).get("/imports/new/?kind=nonsense").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["units", "owners", "tenants", "vehicles", "parking"])
def test_templates_open_with_the_chinese_headers_and_import_cleanly(cast, client_for, run, kind):
    response = client_for(cast.manager_a).get(f"/imports/template/?kind={kind}")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    spec = get_spec(kind)
    assert [c.value for c in ws[1]] == [f.header for f in spec.fields]
    assert ws.cell(row=2, column=1).value is not None or kind == "parking"
    assert len(wb.worksheets) == 2  # the instructions
    # the template's own example row is not imported: an untouched template has no data
    out = run(kind, response.content, project=cast.project_a, actor=cast.manager_a)
    assert out.rows == 0


@pytest.mark.django_db
def test_upload_match_check_and_import(cast, client_for, django_capture_on_commit_callbacks):
    client = client_for(cast.manager_a)
    response = upload(client, "owners", owners_workbook(bad=True), cast.project_a)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{batch.pk}/"
    assert batch.header_row == 3 and batch.status == ImportStatus.MAPPING
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert 'data-testid="mapping-table"' in page and "房间号" in page and "138****1234" in page
    assert "13812341234" not in page  # samples are masked
    mapping = {int(k): v for k, v in batch.mapping.items()}
    assert mapping[1] == "building" and mapping[8] == "name" and 0 not in mapping and 11 not in mapping

    # the user corrects one column: "备用" (column L) is the note
    data = {f"col_{i}": name for i, name in mapping.items()}
    data.update({"col_11": "note", "header_row": 3, "sheet": batch.sheet, "action": "check"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/imports/{batch.pk}/", data)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED and batch.mapping["11"] == "note"
    assert batch.problem_count == 1 and batch.problems[0]["row"] == 8
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert (
        'data-testid="has-problems"' in page
        and "建筑面积（㎡）" in page
        and 'data-testid="commit"' not in page
    )

    # the error report: the user's rows with a problems column, the bad row marked
    report = client.get(f"/imports/{batch.pk}/report/")
    assert report.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][:4] == ["序号", "楼号", "单元", "房间号"]
    bad = next(r for r in rows if r[-2] == 8)
    assert "建筑面积" in bad[-1]
    assert client.post(f"/imports/{batch.pk}/commit/").status_code == 302
    assert not Unit.objects.exists()  # a file with problems cannot be imported

    # a corrected file: checked clean, then imported by a job
    upload(client, "owners", owners_workbook(), cast.project_a, name="业主-改.xlsx")
    fixed = ImportBatch.objects.get(original_name="业主-改.xlsx")
    data = {f"col_{k}": v for k, v in fixed.mapping.items()} | {"header_row": 3, "sheet": fixed.sheet}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{fixed.pk}/", data)
    fixed.refresh_from_db()
    assert fixed.status == ImportStatus.CHECKED and fixed.problem_count == 0
    assert fixed.counts["ownerships_created"] == 5 and not Person.objects.exists()
    page = client.get(f"/imports/{fixed.pk}/").content.decode()
    assert 'data-testid="commit"' in page and 'data-testid="counts"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{fixed.pk}/commit/")
    fixed.refresh_from_db()
    assert fixed.status == ImportStatus.DONE and fixed.committed_by == cast.manager_a
    assert not fixed.file and fixed.samples == []  # the uploaded personal data is not kept
    assert fixed.commit_job.status == "succeeded" and fixed.commit_job.project == cast.project_a
    assert Ownership.objects.filter(project=cast.project_a).count() == 5
    assert 'data-testid="import-done"' in client.get(f"/imports/{fixed.pk}/").content.decode()
    # importing twice is refused
    client.post(f"/imports/{fixed.pk}/commit/")
    assert Ownership.objects.count() == 5


@pytest.mark.django_db
def test_mapping_errors_are_shown(cast, client_for):
    client = client_for(cast.manager_a)
    upload(client, "owners", owners_workbook(), cast.project_a)
    batch = ImportBatch.objects.get()
    data = {f"col_{k}": v for k, v in batch.mapping.items()} | {"header_row": 3, "sheet": batch.sheet}
    data["col_8"] = ""  # no owner name
    data["col_9"] = "building"  # and the building twice
    body = client.post(f"/imports/{batch.pk}/", data).content.decode()
    assert 'data-testid="mapping-errors"' in body
    batch.refresh_from_db()
    assert batch.status == ImportStatus.MAPPING


@pytest.mark.django_db
def test_the_project_choice_offers_only_the_users_projects(cast, client_for):
    client = client_for(cast.manager_a)
    body = client.get("/imports/new/?kind=units").content.decode()
    assert "项目甲" in body and "项目乙" not in body
    response = upload(client, "units", owners_workbook(), cast.project_b)
    assert response.status_code == 200 and not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_another_projects_batch_answers_404(cast, client_for):
    client_for(cast.staff_b)
    upload(client_for(cast.staff_b), "owners", owners_workbook(), cast.project_b)
    batch = ImportBatch.objects.get()
    other = client_for(cast.manager_a)
    for suffix in ("", "status/", "report/", "commit/", "remap/"):
        assert other.get(f"/imports/{batch.pk}/{suffix}").status_code == 404
        assert other.post(f"/imports/{batch.pk}/{suffix}").status_code == 404
    assert batch.original_name not in other.get("/imports/").content.decode()
    # inside project B, someone without the import's permissions does not see it either
    assert client_for(cast.engineer_a).get(f"/imports/{batch.pk}/").status_code == 404
    assert client_for(cast.staff_b).get(f"/imports/{batch.pk}/").status_code == 200


@pytest.mark.django_db
def test_csv_and_old_xls_files(cast, client_for):
    client = client_for(cast.manager_a)
    csv = "楼栋,房号,建筑面积\n1,101,89.5\n".encode("gb18030")
    response = client.post(
        "/imports/new/?kind=units",
        {"project": cast.project_a.pk, "file": SimpleUploadedFile("房屋.csv", csv, content_type="text/csv")},
    )
    assert response.status_code == 302
    assert ImportBatch.objects.get().headers == ["楼栋", "房号", "建筑面积"]
    # an Excel 97-2003 file, as older systems export it, reads like the same .xlsx
    response = client.post(
        "/imports/new/?kind=owners",
        {
            "project": cast.project_a.pk,
            "file": SimpleUploadedFile("业主.xls", owners_xls(), content_type="application/vnd.ms-excel"),
        },
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get(original_name="业主.xls")
    assert batch.headers[:4] == ["序号", "楼号", "单元", "房间号"]
    # a file that only claims to be .xls is refused with a message, nothing stored
    response = client.post(
        "/imports/new/?kind=units",
        {
            "project": cast.project_a.pk,
            "file": SimpleUploadedFile(
                "旧.xls", b"\xd0\xcf\x11\xe0", content_type="application/vnd.ms-excel"
            ),
        },
    )
    assert response.status_code == 200 and "not a readable Excel workbook" in response.content.decode()
    assert ImportBatch.objects.count() == 2
