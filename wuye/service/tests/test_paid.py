"""Paid repairs: quote from the price list, the reporter accepts, completion creates the bill."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from wuye.service import services
from wuye.service.tests.factories import make_category, make_order, make_person, make_price_item, make_unit


def test_the_paid_repair_bill_appears_in_billing(cast):
    from wuye.billing.models import Bill

    unit = make_unit(cast.project_a)
    owner = make_person(cast.project_a, name="王五")
    tap = make_price_item(cast.project_a, name="更换水龙头（人工）", price=Decimal("60.00"))
    part = make_price_item(
        cast.project_a, name="水龙头", kind="material", unit_label="个", price=Decimal("45.50")
    )
    order = make_order(
        cast.project_a,
        actor=cast.manager_a,
        kind="repair",
        repair_scope="household",
        unit=unit,
        reporter=owner,
        is_paid=True,
        category=make_category(cast.project_a),
        location="",
    )
    services.do_assign_workorder(actor=cast.manager_a, order=order, assignee=cast.engineer_a)
    services.do_accept_workorder(actor=cast.engineer_a, order=order)
    services.do_arrive_workorder(actor=cast.engineer_a, order=order)
    services.do_add_quote_line(actor=cast.engineer_a, order=order, price_item=tap)
    services.do_add_quote_line(actor=cast.engineer_a, order=order, price_item=part, quantity=Decimal("2"))
    order.refresh_from_db()
    assert order.quote_total == Decimal("151.00")
    with pytest.raises(ValidationError):  # no work before the reporter accepts the price
        services.do_complete_workorder(actor=cast.engineer_a, order=order, resolution="换龙头")
    services.do_propose_quote(actor=cast.engineer_a, order=order)
    services.do_accept_quote(actor=cast.manager_a, order=order)
    with pytest.raises(ValidationError):  # an accepted quote is frozen
        services.do_add_quote_line(actor=cast.engineer_a, order=order, price_item=tap)
    order = services.do_complete_workorder(
        actor=cast.engineer_a, order=order, resolution="更换厨房龙头两个", materials="水龙头 x2"
    )
    bill = Bill.objects.get(pk=order.bill_id)
    assert order.bill_number == bill.number
    assert bill.amount == Decimal("151.00")
    assert bill.unit == unit and bill.payer == owner and bill.project == cast.project_a
    assert bill.item.name == "有偿维修" and order.number in bill.description
    assert Bill.objects.restrict(cast.manager_a, "view").filter(pk=bill.pk).exists()


def test_declined_quote_can_be_revised(cast):
    order = make_order(cast.project_a, actor=cast.manager_a, is_paid=True)
    services.do_add_quote_line(actor=cast.manager_a, order=order, name="疏通", unit_price=Decimal("80"))
    services.do_propose_quote(actor=cast.manager_a, order=order)
    services.do_decline_quote(actor=cast.manager_a, order=order, reason="太贵")
    line = order.quote_lines.get()
    services.do_remove_quote_line(actor=cast.manager_a, line=line)
    services.do_add_quote_line(actor=cast.manager_a, order=order, name="疏通", unit_price=Decimal("50"))
    order.refresh_from_db()
    assert order.quote_total == Decimal("50.00") and order.quote_status == ""


def test_free_repairs_have_no_quote(cast):
    order = make_order(cast.project_a, actor=cast.manager_a)
    with pytest.raises(ValidationError):
        services.do_add_quote_line(actor=cast.manager_a, order=order, name="x", unit_price=Decimal("1"))
