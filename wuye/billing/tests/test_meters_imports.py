"""Excel imports: meter readings (with the prefilled sheet) and opening balances (arrears, prepaid)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from wuye.billing.imports_meters import to_period, to_period_range
from wuye.billing.models import Bill, PrepaidAccount, PrepaidMovement
from wuye.billing.models.meters import MeterReading
from wuye.billing.services import run_billing
from wuye.billing.services.latefees import late_fee_for
from wuye.billing.services.opening import OpeningLine, create_opening_bills, record_opening_prepaid
from wuye.billing.tests.factories import assign, late_rule, make_owner, make_unit, property_fee
from wuye.billing.tests.factories_meters import NOV, make_meter, read, water_item
from wuye.core.importing.engine import run_import
from wuye.core.importing.headers import auto_mapping, find_header_row
from wuye.core.importing.reading import read_table
from wuye.core.importing.spec import get_spec
from wuye.core.importing.tests.sheets import workbook_bytes

pytestmark = pytest.mark.django_db
OCT = datetime.date(2026, 10, 1)


def run(kind, data: bytes, *, project, actor=None, commit=False):
    spec = get_spec(kind)
    table = read_table(io.BytesIO(data), filename="x.xlsx")
    row = find_header_row(table.rows, spec.fields) + 1
    mapping = auto_mapping(table.rows[row - 1], spec.fields)
    return run_import(
        spec, project=project, table=table, header_row=row, mapping=mapping, actor=actor, commit=commit
    )


def messages(outcome):
    return [str(p) for p in outcome.problems]


def test_period_parsing():
    assert to_period("2026-11") == NOV
    assert to_period("2026年11月") == NOV
    assert to_period(202611) == NOV
    assert to_period(datetime.datetime(2026, 11, 20)) == NOV
    assert to_period_range("2026-01~2026-03") == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    with pytest.raises(ValueError):
        to_period("十一月")


# -- readings ------------------------------------------------------------------------------------------
def test_prefilled_sheet_round_trip(cast, client_for):
    p = cast.project_a
    unit = make_unit(p)
    meter = make_meter(p, unit=unit, number="W-1201")
    read(meter, OCT, "100")
    response = client_for(cast.manager_a).get(
        "/billing/meter-readings/template/", {"building": unit.building_id, "period": "2026-11"}
    )
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:6] == ["表号", "房屋", "位置", "月份", "上次读数", "本次读数"]
    assert rows[1][0] == "W-1201" and rows[1][4] == 100
    ws.cell(row=2, column=6, value=112.5)
    buf = io.BytesIO()
    wb.save(buf)
    dry = run("meter_readings", buf.getvalue(), project=p, actor=cast.manager_a)
    assert dry.ok, messages(dry)
    assert dry.counts["created"] == 1
    assert not MeterReading.objects.filter(period=NOV).exists()
    done = run("meter_readings", buf.getvalue(), project=p, actor=cast.manager_a, commit=True)
    assert done.committed
    assert MeterReading.objects.get(period=NOV).usage == Decimal("12.5000")


def test_reading_import_is_all_or_nothing_with_row_errors(cast):
    p = cast.project_a
    a = make_meter(p, number="W-A")
    b = make_meter(p, number="W-B")
    read(a, OCT, "50")
    read(b, OCT, "80")
    data = workbook_bytes(
        [
            ["表号", "月份", "本次读数"],
            ["W-A", "2026-11", 60],
            ["W-B", "2026-11", 70],  # lower than 80
            ["W-X", "2026-11", 1],  # unknown meter
        ],
        sheet="抄表",
    )
    outcome = run("meter_readings", data, project=p, commit=True)
    assert not outcome.committed
    text = " ".join(messages(outcome))
    assert "Row 3" in text and "70" in text and "80" in text
    assert "Row 4" in text and "W-X" in text
    assert not MeterReading.objects.filter(period=NOV).exists()


def test_reading_import_of_several_months_in_one_file(cast):
    p = cast.project_a
    meter = make_meter(p, number="W-H")
    data = workbook_bytes(
        [["表号", "月份", "本次读数"], ["W-H", "2026-11", 30], ["W-H", "2026-09", 10], ["W-H", "2026-10", 25]]
    )
    outcome = run("meter_readings", data, project=p, commit=True)
    assert outcome.committed, messages(outcome)
    usages = list(MeterReading.objects.filter(meter=meter).order_by("period").values_list("usage", flat=True))
    assert usages == [Decimal("10"), Decimal("15"), Decimal("5")]


def test_reading_import_checks_previous_value_and_billed_readings(cast):
    p = cast.project_a
    meter = make_meter(p, number="W-P")
    read(meter, OCT, "40")
    data = workbook_bytes([["表号", "月份", "上次读数", "本次读数"], ["W-P", "2026-11", 39, 50]])
    outcome = run("meter_readings", data, project=p)
    assert "40" in " ".join(messages(outcome))


def test_reading_import_on_the_console(cast, tmp_path, capsys):
    make_meter(cast.project_a, number="W-C")
    path = tmp_path / "抄表.xlsx"
    path.write_bytes(workbook_bytes([["表号", "月份", "本次读数"], ["W-C", "2026-11", -1]]))
    with pytest.raises(CommandError):
        call_command("import_data", "meter_readings", str(path), "--project", "PA")
    path.write_bytes(workbook_bytes([["表号", "月份", "本次读数"], ["W-C", "2026-11", 3]]))
    call_command("import_data", "meter_readings", str(path), "--project", "PA")
    assert MeterReading.objects.get().value == Decimal("3")


# -- opening balances ----------------------------------------------------------------------------------
def arrears_sheet(amount="268.50"):
    return workbook_bytes(
        [
            ["房屋编码", "收费项目", "所属期间", "欠费金额", "应缴日期"],
            ["1-1-9001", "物业服务费", "2025-10", amount, "2025-10-15"],
            ["1-1-9001", "物业服务费", "2025-11~2025-12", "537", None],
            ["1-1-9002", "水费", "2025-12", "31.5", None],
        ],
        sheet="期初欠费",
    )


def test_opening_arrears_become_bills_that_runs_do_not_repeat(cast):
    p = cast.project_a
    unit = make_unit(p, code="1-1-9001")
    owner = make_owner(unit)
    make_unit(p, code="1-1-9002")
    standard = property_fee(p, price="2.685")
    water_item(p)
    assign(standard, unit, start=datetime.date(2025, 1, 1))
    dry = run("opening_arrears", arrears_sheet(), project=p, actor=cast.manager_a)
    assert dry.ok, messages(dry)
    assert dry.counts["bills"] == 3 and not Bill.objects.exists()
    done = run("opening_arrears", arrears_sheet(), project=p, actor=cast.manager_a, commit=True)
    assert done.committed
    bills = {b.period_start: b for b in Bill.objects.filter(source="opening")}
    oct_bill = bills[datetime.date(2025, 10, 1)]
    assert oct_bill.amount == Decimal("268.50") and oct_bill.payer == owner
    assert oct_bill.due_date == datetime.date(2025, 10, 15)
    assert bills[datetime.date(2025, 11, 1)].period_end == datetime.date(2025, 12, 31)
    # the billing run skips the October opening period instead of billing it again
    run_ = run_billing(actor=None, project=p, period=datetime.date(2025, 10, 1))
    assert run_.created_count == 0 and run_.skipped_count == 1
    # importing the same file again is refused, row by row
    again = run("opening_arrears", arrears_sheet(), project=p, commit=True)
    assert not again.committed and len(again.problems) == 3


def test_opening_arrears_row_errors(cast):
    p = cast.project_a
    make_unit(p, code="1-1-9001")
    make_unit(p, code="1-1-9002")
    outcome = run("opening_arrears", arrears_sheet(amount="-5"), project=p)
    text = " ".join(messages(outcome))
    assert "Row 2" in text  # negative amount
    assert "水费" in text  # unknown fee item (none is set up)


def test_opening_service_refuses_duplicates(cast):
    p = cast.project_a
    unit = make_unit(p)
    item = water_item(p)
    line = OpeningLine(
        unit=unit,
        item=item,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 1, 31),
        amount=Decimal("10"),
    )
    create_opening_bills(actor=None, project=p, lines=[line])
    with pytest.raises(ValidationError):
        create_opening_bills(actor=None, project=p, lines=[line])
    with pytest.raises(ValidationError):
        create_opening_bills(actor=None, project=cast.project_b, lines=[line])


def test_opening_arrears_carry_the_units_late_fee_rule(cast):
    p = cast.project_a
    with_rule, without = make_unit(p), make_unit(p)
    standard = property_fee(p, rule=late_rule(p, rate="0.0005", grace=0, cap="0.30"))
    assign(standard, with_rule, start=datetime.date(2024, 1, 1))
    lines = [
        OpeningLine(
            unit=unit,
            item=standard.item,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 1, 31),
            amount=Decimal("100.00"),
            due_date=datetime.date(2025, 1, 31),
        )
        for unit in (with_rule, without)
    ]
    ruled, plain = create_opening_bills(actor=None, project=p, lines=lines)
    assert ruled.standard_id == standard.pk and plain.standard_id is None
    # 100 x 0.05% x 100 days = 5.00; no rule, no late fee
    assert late_fee_for(ruled, as_of=datetime.date(2025, 5, 11)) == Decimal("5.00")
    assert late_fee_for(plain, as_of=datetime.date(2025, 5, 11)) == Decimal("0")


def test_opening_prepaid(cast):
    p = cast.project_a
    unit = make_unit(p, code="1-1-9001")
    water_item(p)
    data = workbook_bytes(
        [["房屋编码", "预存余额", "收费项目"], ["1-1-9001", "500", None], ["1-1-9001", "80", "水费"]]
    )
    done = run("opening_prepaid", data, project=p, actor=cast.manager_a, commit=True)
    assert done.committed, messages(done)
    balances = dict(PrepaidAccount.objects.filter(unit=unit).values_list("item__name", "balance"))
    assert balances == {None: Decimal("500.00"), "水费": Decimal("80.00")}
    assert PrepaidMovement.objects.filter(kind="opening").count() == 2
    again = run("opening_prepaid", data, project=p, commit=True)
    assert not again.committed and len(again.problems) == 2
    with pytest.raises(ValidationError):
        record_opening_prepaid(actor=None, project=p, unit=unit, amount="1")


def test_opening_imports_need_billing_permissions(cast):
    p = cast.project_a
    make_unit(p, code="1-1-9001")
    outcome = run(
        "opening_prepaid",
        workbook_bytes([["房屋编码", "预存余额"], ["1-1-9001", "5"]]),
        project=p,
        actor=cast.cashier_a,
    )
    assert not outcome.ok and "permission" in " ".join(messages(outcome)).lower()


def test_importer_pages_offer_the_meters_imports(cast, client_for):
    client = client_for(cast.manager_a)
    body = client.get("/imports/").content.decode()
    assert "meter_readings" in body and "opening_arrears" in body and "opening_prepaid" in body
    for kind in ("meter_readings", "opening_arrears", "opening_prepaid"):
        response = client.get("/imports/template/", {"kind": kind})
        assert response.status_code == 200, kind
        headers = [c.value for c in load_workbook(io.BytesIO(response.content)).active[1]]
        assert headers[0] in ("表号", "楼栋")
    # a cashier may not import readings or opening balances
    assert client_for(cast.cashier_a).get("/imports/template/", {"kind": "meter_readings"}).status_code == 403


@pytest.mark.parametrize("kind", ["meter_readings", "opening_arrears", "opening_prepaid"])
def test_untouched_templates_import_nothing(cast, client_for, kind):
    response = client_for(cast.manager_a).get("/imports/template/", {"kind": kind})
    outcome = run(kind, response.content, project=cast.project_a, actor=cast.manager_a)
    assert outcome.rows == 0


def test_upload_check_and_import_readings_in_the_importer(
    cast, client_for, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wuye.core.importing.models import ImportBatch, ImportStatus

    p = cast.project_a
    meter = make_meter(p, number="W-U")
    read(meter, OCT, "20")
    client = client_for(cast.manager_a)
    data = workbook_bytes([["表号", "月份", "本次读数"], ["W-U", "2026-11", 19]])
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    client.post(
        "/imports/new/?kind=meter_readings",
        {"project": p.pk, "file": SimpleUploadedFile("抄表.xlsx", data, content_type=xlsx)},
    )
    batch = ImportBatch.objects.get()
    form = {f"col_{i}": name for i, name in batch.mapping.items()}
    form.update({"header_row": batch.header_row, "sheet": batch.sheet, "action": "check"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{batch.pk}/", form)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED and batch.problem_count == 1
    assert "19" in batch.problems[0]["message"] and "20" in batch.problems[0]["message"]
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert 'data-testid="commit"' not in page
    assert not MeterReading.objects.filter(period=NOV).exists()
