"""The billing run's rules against a plain reference implementation, over generated projects.

``run_billing`` prices raw rows in one tight loop with a fast path for whole cycles; the reference
below applies the same rules one assignment at a time, as the docstrings state them: one bill per
target, item and period segment; proration by days; the developer pays for unsold and undelivered
units and before the delivery date; the vacancy rate for registered vacant units vacant long
enough; the due date never before the segment; re-runs create nothing and count the skipped.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wuye.billing.models import Bill, FeeAssignment, FeeItem, FeeStandard
from wuye.billing.services import run_billing
from wuye.billing.services.periods import cycle_bounds
from wuye.billing.tests.factories import make_owner, make_unit
from wuye.billing.tests.test_properties import rolled_back
from wuye.core.models import DocumentSequence

OCT = datetime.date(2026, 10, 1)
FEN = Decimal("0.01")
MONTHS = Decimal("0.0001")
DEVELOPER_STATUSES = {"unsold", "sold_undelivered"}

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def days(start, end):
    return st.integers(0, (end - start).days).map(lambda n: start + datetime.timedelta(days=n))


units_st = st.fixed_dictionaries(
    {
        "area": st.decimals(min_value=Decimal("10.00"), max_value=Decimal("500.00"), places=2),
        "inner": st.sampled_from([None, Decimal("80.00"), Decimal("66.66"), Decimal("123.45")]),
        "status": st.sampled_from(["unsold", "sold_undelivered", "vacant", "vacant", "occupied", "rented"]),
        "delivery": st.none() | days(datetime.date(2025, 1, 1), datetime.date(2027, 1, 31)),
        "registered": st.booleans(),
        "vacated": st.none() | days(datetime.date(2025, 1, 1), datetime.date(2026, 10, 20)),
        "owner": st.booleans(),
        "tenant": st.booleans(),
    }
)
standards_st = st.fixed_dictionaries(
    {
        "item": st.sampled_from(["物业服务费", "垃圾清运费"]),
        "method": st.sampled_from(["building_area", "inner_area", "fixed_unit"]),
        "price": st.decimals(min_value=Decimal("0.1000"), max_value=Decimal("9.9999"), places=4),
        "cycle": st.sampled_from(["monthly", "monthly", "monthly", "quarterly", "half_yearly"]),
        "due_day": st.integers(1, 28),
        "effective_from": st.just(datetime.date(2020, 1, 1))
        | days(datetime.date(2026, 9, 20), datetime.date(2026, 12, 31)),
        "effective_to": st.none() | st.none() | days(datetime.date(2026, 10, 1), datetime.date(2027, 1, 31)),
        "prorate": st.booleans(),
        "vacancy_rate": st.sampled_from([None, Decimal("0.7000"), Decimal("0.7000")]),
        "vacancy_after": st.sampled_from([0, 6, 24]),
    }
)
assignments_st = st.lists(
    st.tuples(
        st.integers(0, 5),  # unit index (mod the number of units)
        st.integers(0, 3),  # standard index (mod the number of standards)
        st.sampled_from([datetime.date(2020, 1, 1)])
        | days(datetime.date(2026, 9, 1), datetime.date(2026, 12, 31)),
        st.none() | days(datetime.date(2026, 9, 1), datetime.date(2027, 1, 31)),
    ),
    min_size=1,
    max_size=12,
)


def expected_bills(project, period):
    """The reference: {dedup key: bill fields}, skipped count and problem count."""
    from wuye.residents.models import Occupancy, Ownership, Person

    developer = Person.objects.filter(project=project, is_developer=True).first()
    standards = {
        s.pk: s
        for s in FeeStandard.objects.filter(project=project).select_related("item")
        if s.effective_to is None or s.effective_to >= period
    }
    vacated = {}
    for occ in Occupancy.objects.filter(project=project, end_date__isnull=False):
        vacated[occ.unit_id] = max(vacated.get(occ.unit_id, occ.end_date), occ.end_date)
    bills, skipped, problems = {}, 0, 0
    assignments = FeeAssignment.objects.filter(project=project).select_related("unit").order_by("pk")
    for a in assignments:
        std = standards.get(a.standard_id)
        if std is None or (a.end_date is not None and a.end_date < period):
            continue
        bounds = cycle_bounds(period, std.cycle_months)
        if bounds is None:
            continue
        p_start, p_end = bounds
        start = max(p_start, a.start_date, std.effective_from)
        end = min(d for d in (p_end, a.end_date, std.effective_to) if d is not None)
        if start > end:
            continue
        unit = a.unit
        quantity = {
            "building_area": unit.building_area,
            "inner_area": unit.inner_area,
            "fixed_unit": Decimal("1"),
        }[std.method]
        if quantity is None:
            problems += 1
            continue
        delivered = unit.delivery_date
        if unit.status in DEVELOPER_STATUSES or (delivered and delivered > end):
            segments = [(start, end, True)]
        elif delivered and start < delivered <= end:
            segments = [(start, delivered - datetime.timedelta(days=1), True), (delivered, end, False)]
        else:
            segments = [(start, end, False)]
        for s_start, s_end, by_developer in segments:
            key = f"u{unit.pk}:i{std.item_id}:{s_start.isoformat()}"
            if key in bills:
                skipped += 1
                continue
            whole = (s_start, s_end) == (p_start, p_end)
            months = Fraction(std.cycle_months)
            if std.prorate and not whole:
                months *= Fraction((s_end - s_start).days + 1, (p_end - p_start).days + 1)
            factor = Decimal(1)
            if std.vacancy_rate is not None and not by_developer and unit.status == "vacant":
                since = max(d for d in (delivered, vacated.get(unit.pk), datetime.date.min) if d)
                elapsed = (s_start.year - since.year) * 12 + s_start.month - since.month
                elapsed -= s_start.day < since.day
                if unit.vacancy_registered and elapsed >= std.vacancy_after_months:
                    factor = std.vacancy_rate
            exact = (
                quantity * std.unit_price * Decimal(months.numerator) / Decimal(months.denominator) * factor
            )
            if by_developer:
                payer = developer.pk if developer else None
            else:
                tenant = Occupancy.objects.filter(unit=unit, end_date__isnull=True, is_payer=True).first()
                owner = Ownership.objects.filter(unit=unit, end_date__isnull=True).order_by(
                    "-is_representative", "pk"
                )
                payer = tenant.person_id if tenant else (owner[0].person_id if owner else None)
            due = max(p_start.replace(day=std.due_day), s_start)
            bills[key] = {
                "amount": exact.quantize(FEN, rounding=ROUND_HALF_UP),
                "payer_id": payer,
                "period_start": s_start,
                "period_end": s_end,
                "due_date": due,
                "limitation_start": due,
                "months": (Decimal(months.numerator) / Decimal(months.denominator)).quantize(
                    Decimal("0.0001")
                ),
                "quantity": quantity,
                "unit_price": std.unit_price,
                "tax_rate": std.item.tax_rate,
                "standard_id": std.pk,
                "developer": by_developer,
                "vacancy": factor != 1,
                "description": f"{std.item.name} {s_start:%Y-%m}",
            }
    return bills, skipped, problems


@pytest.mark.django_db
@SETTINGS
@given(
    units=st.lists(units_st, min_size=1, max_size=5),
    standards=st.lists(standards_st, min_size=1, max_size=3),
    assignments=assignments_st,
)
def test_run_matches_the_reference_rules(cast, units, standards, assignments):
    from wuye.residents.models import Occupancy, Person

    with rolled_back():
        p = cast.project_a
        Person.objects.create(project=p, name="开发商", kind="organization", is_developer=True)
        made = []
        for spec in units:
            unit = make_unit(
                p, area=str(spec["area"]), inner=spec["inner"] and str(spec["inner"]), status=spec["status"]
            )
            unit.delivery_date = spec["delivery"]
            unit.vacancy_registered = spec["registered"]
            unit.save()
            if spec["owner"]:
                make_owner(unit, name="业主")
            if spec["tenant"]:
                tenant = Person.objects.create(project=p, name="租户")
                Occupancy.objects.create(project=p, person=tenant, unit=unit, kind="tenant", is_payer=True)
            if spec["vacated"]:
                old = Person.objects.create(project=p, name="前住户")
                Occupancy.objects.create(project=p, person=old, unit=unit, end_date=spec["vacated"])
            made.append(unit)
        made_standards = []
        for spec in standards:
            item, _ = FeeItem.objects.get_or_create(
                project=p, name=spec["item"], defaults={"category": "other", "tax_rate": Decimal("0.06")}
            )
            made_standards.append(
                FeeStandard.objects.create(
                    project=p,
                    item=item,
                    name="标准",
                    method=spec["method"],
                    unit_price=spec["price"],
                    cycle=spec["cycle"],
                    due_day=spec["due_day"],
                    effective_from=spec["effective_from"],
                    effective_to=spec["effective_to"],
                    prorate=spec["prorate"],
                    vacancy_rate=spec["vacancy_rate"],
                    vacancy_after_months=spec["vacancy_after"],
                )
            )
        for u, s, start, end in assignments:
            FeeAssignment.objects.create(
                project=p,
                standard=made_standards[s % len(made_standards)],
                unit=made[u % len(made)],
                start_date=start,
                end_date=end,
            )

        expected, skipped, problems = expected_bills(p, OCT)
        run = run_billing(actor=None, project=p, period=OCT)
        bills = {b.dedup_key: b for b in Bill.objects.filter(run=run)}
        assert set(bills) == set(expected)
        for key, want in expected.items():
            bill = bills[key]
            got = {name: getattr(bill, name) for name in want if name not in ("developer", "vacancy")}
            got["developer"] = bill.calc.get("developer", False)
            got["vacancy"] = "vacancy_rate" in bill.calc
            assert got == want, key
            assert bill.status == "open" and bill.paid_amount == 0 and bill.source == "run"
        assert run.created_count == len(expected)
        assert run.skipped_count == skipped
        assert run.summary["problem_count"] == problems
        assert run.total_amount == sum((b["amount"] for b in expected.values()), Decimal("0.00"))
        by_item = {}
        for bill in bills.values():
            count, amount = by_item.get(bill.item.name, (0, Decimal("0.00")))
            by_item[bill.item.name] = (count + 1, amount + bill.amount)
        assert run.summary["by_item"] == {
            name: {"count": c, "amount": str(a)} for name, (c, a) in sorted(by_item.items())
        }
        # numbers: consecutive, one per bill; a re-run takes none and creates nothing
        numbers = sorted(int(b.number.rsplit("-", 1)[1]) for b in bills.values())
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)) if numbers else [])
        last = DocumentSequence.objects.filter(project=p, kind="bill").values_list("last_value", flat=True)
        before = list(last)
        again = run_billing(actor=None, project=p, period=OCT)
        assert again.created_count == 0
        assert again.skipped_count == len(expected) + skipped
        assert list(last) == before


class _Ctx:
    job = None

    def __init__(self):
        self.calls = []

    def progress(self, done, total, text=""):
        self.calls.append((done * 100 // total, text))


@pytest.mark.django_db
def test_progress_is_reported_about_every_five_percent(cast):
    from wuye.billing.tests.factories import assign, property_fee

    p = cast.project_a
    standard = property_fee(p, price="2.00")
    for _ in range(30):
        assign(standard, make_unit(p, area="50"))
    ctx = _Ctx()
    run = run_billing(actor=None, project=p, period=OCT, ctx=ctx)
    assert run.created_count == 30 and run.job is None
    percents = [pct for pct, _text in ctx.calls]
    assert percents == sorted(percents) and percents[-1] == 100
    assert len(ctx.calls) <= 22
    assert {text for _pct, text in ctx.calls} == {"pricing", "saving bills"}


@pytest.mark.django_db
def test_parking_spaces_and_problems_are_named(cast):
    from wuye.estate.tests.factories import make_parking_space

    p = cast.project_a
    item = FeeItem.objects.create(project=p, name="车位管理费", category="parking", tax_rate="0.09")
    space_fee = FeeStandard.objects.create(
        project=p, item=item, name="车位月费", method="fixed_space", unit_price="150", effective_from=OCT
    )
    space = make_parking_space(p)
    FeeAssignment.objects.create(project=p, standard=space_fee, parking_space=space, start_date=OCT)
    inner_fee = FeeStandard.objects.create(
        project=p,
        item=FeeItem.objects.create(project=p, name="公摊", category="other", tax_rate="0.06"),
        name="套内",
        method="inner_area",
        unit_price="1",
        effective_from=OCT,
    )
    unit = make_unit(p, inner=None)
    FeeAssignment.objects.create(project=p, standard=inner_fee, unit=unit, start_date=OCT)
    run = run_billing(actor=None, project=p, period=OCT)
    bill = Bill.objects.get(run=run)
    assert (bill.parking_space, bill.unit, bill.payer, bill.amount) == (space, None, None, Decimal("150.00"))
    assert bill.dedup_key == f"s{space.pk}:i{item.pk}:2026-10-01"
    assert run.summary["problems"] == [{"target": unit.code, "item": "公摊", "problem": "no inner area"}]


@pytest.mark.django_db
def test_a_space_linked_to_a_unit_is_billed_to_that_units_payer(cast, client_for):
    """Its bill sits on the unit (cashier desk, statement) and names the unit's owner as payer."""
    from wuye.billing.tests.factories import make_owner
    from wuye.estate.tests.factories import make_parking_space

    p = cast.project_a
    item = FeeItem.objects.create(project=p, name="车位管理费", category="parking", tax_rate="0.09")
    space_fee = FeeStandard.objects.create(
        project=p, item=item, name="车位月费", method="fixed_space", unit_price="150", effective_from=OCT
    )
    unit = make_unit(p)
    owner = make_owner(unit)
    space = make_parking_space(p, unit=unit)
    FeeAssignment.objects.create(project=p, standard=space_fee, parking_space=space, start_date=OCT)
    run = run_billing(actor=None, project=p, period=OCT)
    bill = Bill.objects.get(run=run)
    assert (bill.parking_space, bill.unit, bill.payer, bill.amount) == (space, unit, owner, Decimal("150.00"))
    assert bill.dedup_key == f"s{space.pk}:i{item.pk}:2026-10-01"
    assert run_billing(actor=None, project=p, period=OCT).created_count == 0
    desk = client_for(cast.cashier_a).get("/billing/cashier/", {"unit": unit.pk})
    assert desk.status_code == 200 and bill.number in desk.content.decode()
