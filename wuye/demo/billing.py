"""Demo billing: fee items and standards, three months of bills, payments, prepaid and dunning."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from wuye.billing.services.periods import add_months

#: bigger demo projects (benchmarks) skip billing demo data: it would dominate the build time
MAX_UNITS = 5000
PRICES = {"grade_1": Decimal("2.80"), "grade_2": Decimal("2.20"), "grade_3": Decimal("1.80")}


def build_billing_demo(rng, projects, options) -> dict:
    from wuye.accounts.models import User
    from wuye.billing.models import (
        Bill,
        BillingSchedule,
        FeeAssignment,
        FeeItem,
        FeeStandard,
        LateFeeRule,
    )
    from wuye.billing.services import do_collect_payment, do_deposit_prepaid, run_billing
    from wuye.billing.services.dunning import do_record_dunning
    from wuye.core.bulk import adapter, insert_tuples
    from wuye.estate.models import ParkingSpace, Unit

    made = {}
    today = timezone.localdate()
    this_month = today.replace(day=1)
    start = add_months(this_month, -2)
    for index, project in enumerate(projects, start=1):
        units = Unit.objects.filter(project=project)
        if FeeItem.objects.filter(project=project).exists() or units.count() > MAX_UNITS:
            continue
        cashier = User.objects.filter(username=f"shouyin{index}").first()
        rule = LateFeeRule.objects.create(project=project, name="违约金（日万分之五，上限30%）")
        fee = FeeItem.objects.create(
            project=project,
            name="物业服务费",
            category="property_fee",
            tax_rate=Decimal("0.06"),
            sort_order=10,
        )
        parking = FeeItem.objects.create(
            project=project, name="车位管理费", category="parking", tax_rate=Decimal("0.09"), sort_order=20
        )
        effective = datetime.date(start.year, 1, 1)
        property_std = FeeStandard.objects.create(
            project=project,
            item=fee,
            name=f"住宅物业费 {PRICES.get(project.service_grade, Decimal('2.00'))}元/㎡·月",
            method="building_area",
            unit_price=PRICES.get(project.service_grade, Decimal("2.00")),
            effective_from=effective,
            late_fee_rule=rule,
            vacancy_rate=Decimal("0.70"),
            vacancy_after_months=6,
            prepay_months=12,
            prepay_discount_rate=Decimal("0.05"),
        )
        parking_std = FeeStandard.objects.create(
            project=project,
            item=parking,
            name="租赁车位 150元/月",
            method="fixed_space",
            unit_price=Decimal("150.00"),
            effective_from=effective,
            late_fee_rule=rule,
        )
        BillingSchedule.objects.create(project=project, day_of_month=1)
        as_date = adapter(FeeAssignment, "start_date")
        unit_ids = list(units.values_list("pk", flat=True))
        insert_tuples(
            FeeAssignment,
            ["project_id", "standard_id", "unit_id", "start_date"],
            [(project.pk, property_std.pk, u, as_date(effective)) for u in unit_ids],
        )
        spaces = list(
            ParkingSpace.objects.filter(project=project, kind="rented").values_list("pk", flat=True)
        )
        insert_tuples(
            FeeAssignment,
            ["project_id", "standard_id", "parking_space_id", "start_date"],
            [(project.pk, parking_std.pk, s, as_date(effective)) for s in spaces],
        )
        for month in range(3):
            run_billing(actor=cashier, project=project, period=add_months(start, month))
        # Most owners paid the earlier months; a few pay ahead into their prepaid balance.
        payments = 0
        by_unit = {}
        for bill in Bill.objects.filter(
            project=project, unit__isnull=False, period_start__lt=this_month
        ).order_by("unit_id", "due_date"):
            by_unit.setdefault(bill.unit_id, []).append(bill)
        unit_map = Unit.objects.in_bulk(list(by_unit))
        for unit_id, bills in by_unit.items():
            roll = rng.random()
            if roll > 0.82 or cashier is None:
                continue  # in arrears
            day = bills[-1].due_date - datetime.timedelta(days=rng.randrange(0, 20))
            when = timezone.make_aware(datetime.datetime(day.year, day.month, day.day, rng.randrange(9, 18)))
            total = sum((b.outstanding for b in bills), Decimal("0.00"))
            channel = rng.choice(["wechat", "wechat", "alipay", "cash", "bank_card", "transfer"])
            extra = Decimal(rng.choice([0, 0, 0, 0, 200, 500]))
            do_collect_payment(
                actor=cashier,
                project=project,
                unit=unit_map[unit_id],
                bills=bills,
                tenders=[(channel, total + extra)],
                when=when,
            )
            payments += 1
        for unit in list(units.order_by("?")[:5]):
            if cashier is not None:
                do_deposit_prepaid(
                    actor=cashier,
                    project=project,
                    unit=unit,
                    tenders=[("wechat", "600.00")],
                    note="预存物业费",
                )
        demanded = 0
        for unit_id in list(by_unit)[:200]:
            unit = unit_map[unit_id]
            if (
                Bill.objects.filter(unit=unit, status="open", due_date__lt=today).count() >= 2
                and demanded < 8
            ):
                do_record_dunning(
                    actor=cashier,
                    unit=unit,
                    channel=rng.choice(["phone", "sms", "letter"]),
                    delivered=rng.random() < 0.6,
                    note="演示催缴",
                )
                demanded += 1
        made[project.code] = {"payments": payments, "dunning": demanded}
    return made


def build_service(rng, projects, options):
    from wuye.estate.models import Unit
    from wuye.service.demo import build_service_demo

    small = [p for p in projects if Unit.objects.filter(project=p).count() <= MAX_UNITS]
    return build_service_demo(rng, small, options)
