"""Business steps: owner registration, transfer (过户), move-in (入住), move-out (迁出), developer."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from wuye.core.models import AuditEvent
from wuye.estate.models import Unit
from wuye.residents import services
from wuye.residents.models import Occupancy, Ownership, Person
from wuye.residents.tests.factories import make_ownership, make_person, make_unit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = TODAY - datetime.timedelta(days=365)


def status(unit):
    return Unit.objects.get(pk=unit.pk).status


def test_developer_for_is_created_once_per_project(cast):
    dev = services.developer_for(cast.project_a)
    assert dev.is_developer and dev.kind == "organization" and dev.project == cast.project_a
    assert services.developer_for(cast.project_a) == dev
    assert services.developer_for(cast.project_b) != dev
    assert Person.objects.filter(project=cast.project_a, is_developer=True).count() == 1
    assert AuditEvent.objects.filter(action="person.create_developer", object_id=str(dev.pk)).count() == 1


def test_register_owner_sells_an_unsold_unit_and_audits(cast):
    unit = make_unit(cast.project_a, status="unsold")
    person = make_person(cast.project_a)
    own = services.do_register_owner(
        actor=cast.manager_a, unit=unit, person=person, certificate_number="C1", start_date=LAST_YEAR
    )
    assert own.is_representative and own.share == 100 and own.project == cast.project_a
    assert status(unit) == "sold_undelivered"
    event = AuditEvent.objects.get(action="ownership.register", object_id=str(own.pk))
    assert event.actor == cast.manager_a and event.data["status"] == ["unsold", "sold_undelivered"]


def test_co_owners_shares_add_up_to_at_most_100(cast):
    unit = make_unit(cast.project_a)
    a, b, c = (make_person(cast.project_a) for _ in range(3))
    first = services.do_register_owner(actor=cast.manager_a, unit=unit, person=a, share=60)
    second = services.do_register_owner(actor=cast.manager_a, unit=unit, person=b, share=40)
    assert first.is_representative and not second.is_representative
    with pytest.raises(ValidationError) as exc:
        services.do_register_owner(actor=cast.manager_a, unit=unit, person=c, share=1)
    assert "share" in exc.value.message_dict
    assert Ownership.objects.filter(unit=unit).count() == 2


def test_new_representative_takes_over(cast):
    unit = make_unit(cast.project_a)
    a, b = make_person(cast.project_a), make_person(cast.project_a)
    services.do_register_owner(actor=cast.manager_a, unit=unit, person=a, share=50)
    services.do_register_owner(actor=cast.manager_a, unit=unit, person=b, share=50, is_representative=True)
    reps = Ownership.objects.filter(unit=unit, is_representative=True)
    assert [o.person for o in reps] == [b]


def test_register_owner_refuses_other_projects_person_and_developer_held_unit(cast):
    unit = make_unit(cast.project_a, status="unsold")
    with pytest.raises(ValidationError):
        services.do_register_owner(actor=cast.manager_a, unit=unit, person=make_person(cast.project_b))
    services.do_register_owner(actor=cast.manager_a, unit=unit, person=services.developer_for(cast.project_a))
    assert status(unit) == "unsold"  # the developer holding it changes nothing
    with pytest.raises(ValidationError, match="transfer"):
        services.do_register_owner(actor=cast.manager_a, unit=unit, person=make_person(cast.project_a))


def test_transfer_ends_current_owners_keeps_history_and_sells(cast):
    unit = make_unit(cast.project_a, status="unsold")
    developer = services.developer_for(cast.project_a)
    old = services.do_register_owner(actor=cast.manager_a, unit=unit, person=developer, start_date=LAST_YEAR)
    buyer, spouse = make_person(cast.project_a), make_person(cast.project_a)
    created = services.do_transfer_ownership(
        actor=cast.manager_a,
        unit=unit,
        new_owners=[(buyer, 50), (spouse, Decimal("50"))],
        date=TODAY,
        certificate_number="沪房2024-1",
    )
    old.refresh_from_db()
    assert old.end_date == TODAY and not old.is_current
    assert [o.person for o in created] == [buyer, spouse]
    assert created[0].is_representative and not created[1].is_representative
    assert all(o.start_date == TODAY and o.certificate_number == "沪房2024-1" for o in created)
    current = services.current_owners(unit)
    assert {o.person for o in current} == {buyer, spouse}  # no overlap on the transfer day
    assert Ownership.objects.filter(unit=unit).count() == 3  # history kept
    assert status(unit) == "sold_undelivered"
    event = AuditEvent.objects.get(action="ownership.transfer", object_id=str(unit.pk))
    assert event.data["ended"] == [old.pk] and event.data["status"] == ["unsold", "sold_undelivered"]


def test_transfer_with_handover_delivers_and_back_to_developer_unsells(cast):
    unit = make_unit(cast.project_a, status="unsold", delivery_date=None)
    buyer = make_person(cast.project_a)
    services.do_transfer_ownership(
        actor=cast.manager_a, unit=unit, new_owners=[(buyer, 100)], date=LAST_YEAR, deliver=True
    )
    unit.refresh_from_db()
    assert unit.status == "vacant" and unit.delivery_date == LAST_YEAR

    other = make_unit(cast.project_a, status="sold_undelivered")
    services.do_transfer_ownership(
        actor=cast.manager_a,
        unit=other,
        new_owners=[(services.developer_for(cast.project_a), 100)],
        date=TODAY,
    )
    assert status(other) == "unsold"


@pytest.mark.parametrize(
    "owners, message",
    [([], "at least one"), ([("a", 60)], "100"), ([("a", 50), ("a", 50)], "twice")],
)
def test_transfer_validation(cast, owners, message):
    unit = make_unit(cast.project_a)
    a = make_person(cast.project_a)
    pairs = [(a, share) for _name, share in owners]
    with pytest.raises(ValidationError, match=message):
        services.do_transfer_ownership(actor=cast.manager_a, unit=unit, new_owners=pairs, date=TODAY)


def test_transfer_date_cannot_be_in_the_future_or_before_the_current_owner(cast):
    unit = make_unit(cast.project_a)
    make_ownership(cast.project_a, unit=unit, start_date=TODAY)
    buyer = make_person(cast.project_a)
    with pytest.raises(ValidationError):
        services.do_transfer_ownership(
            actor=cast.manager_a,
            unit=unit,
            new_owners=[(buyer, 100)],
            date=TODAY + datetime.timedelta(days=1),
        )
    with pytest.raises(ValidationError, match="after the transfer date"):
        services.do_transfer_ownership(
            actor=cast.manager_a,
            unit=unit,
            new_owners=[(buyer, 100)],
            date=TODAY - datetime.timedelta(days=1),
        )


def test_move_in_household_sets_occupied_and_delivery_date(cast):
    unit = make_unit(cast.project_a, status="sold_undelivered", delivery_date=None)
    owner, child = make_person(cast.project_a), make_person(cast.project_a)
    rows = services.do_move_in(
        actor=cast.manager_a, unit=unit, date=LAST_YEAR, occupants=[(owner, "self"), (child, "child")]
    )
    assert [(o.person, o.relationship, o.kind) for o in rows] == [
        (owner, "self", "household"),
        (child, "child", "household"),
    ]
    unit.refresh_from_db()
    assert unit.status == "occupied" and unit.delivery_date == LAST_YEAR
    assert AuditEvent.objects.filter(action="unit.move_in", object_id=str(unit.pk)).exists()


def test_move_in_tenant_rents_the_unit(cast):
    unit = make_unit(cast.project_a, status="vacant")
    tenant = make_person(cast.project_a)
    rows = services.do_move_in(actor=cast.manager_a, unit=unit, date=TODAY, tenant=tenant, tenant_pays=True)
    assert rows[0].kind == "tenant" and rows[0].is_payer
    assert status(unit) == "rented"
    assert services.payer_for(Unit.objects.get(pk=unit.pk)) == tenant


def test_move_in_refusals(cast):
    unsold = make_unit(cast.project_a, status="unsold")
    person = make_person(cast.project_a)
    with pytest.raises(ValidationError, match="unsold"):
        services.do_move_in(actor=cast.manager_a, unit=unsold, date=TODAY, occupants=[person])
    unit = make_unit(cast.project_a)
    services.do_move_in(actor=cast.manager_a, unit=unit, date=TODAY, occupants=[person])
    with pytest.raises(ValidationError, match="already lives"):
        services.do_move_in(actor=cast.manager_a, unit=unit, date=TODAY, occupants=[person])
    with pytest.raises(ValidationError):
        services.do_move_in(
            actor=cast.manager_a, unit=unit, date=TODAY, occupants=[make_person(cast.project_b)]
        )
    with pytest.raises(ValidationError):
        services.do_move_in(actor=cast.manager_a, unit=unit, date=TODAY)
    assert Occupancy.objects.filter(unit=unit).count() == 1


def test_move_out_all_makes_the_unit_vacant(cast):
    unit = make_unit(cast.project_a)
    a, b = make_person(cast.project_a), make_person(cast.project_a)
    services.do_move_in(actor=cast.manager_a, unit=unit, date=LAST_YEAR, occupants=[a, b])
    ended = services.do_move_out(actor=cast.manager_a, unit=unit, date=TODAY)
    assert {o.person for o in ended} == {a, b}
    assert all(o.end_date == TODAY and not o.is_current for o in ended)
    assert status(unit) == "vacant"
    assert not services.current_occupants(unit).exists()
    assert AuditEvent.objects.get(action="unit.move_out", object_id=str(unit.pk)).data["status"] == [
        "occupied",
        "vacant",
    ]


def test_partial_move_out_of_tenant_leaves_unit_occupied(cast):
    unit = make_unit(cast.project_a)
    owner, tenant = make_person(cast.project_a), make_person(cast.project_a)
    services.do_move_in(actor=cast.manager_a, unit=unit, date=LAST_YEAR, occupants=[owner], tenant=tenant)
    assert status(unit) == "rented"
    services.do_move_out(actor=cast.manager_a, unit=unit, date=TODAY, people=[tenant])
    assert status(unit) == "occupied"
    assert [o.person for o in services.current_occupants(unit)] == [owner]
    with pytest.raises(ValidationError):
        services.do_move_out(actor=cast.manager_a, unit=unit, date=TODAY, people=[tenant])


def test_liable_person_is_the_developer_until_delivery(cast):
    unit = make_unit(cast.project_a, status="unsold")
    assert services.liable_person(unit) == services.developer_for(cast.project_a)
    buyer = make_person(cast.project_a)
    services.do_transfer_ownership(
        actor=cast.manager_a, unit=unit, new_owners=[(buyer, 100)], date=TODAY, deliver=True
    )
    assert services.liable_person(Unit.objects.get(pk=unit.pk)) == buyer


def test_move_in_ends_a_registered_vacancy(cast):
    unit = make_unit(cast.project_a, status="vacant", vacancy_registered=True)
    services.do_move_in(actor=cast.manager_a, unit=unit, date=TODAY, occupants=[make_person(cast.project_a)])
    unit.refresh_from_db()
    assert unit.status == "occupied" and not unit.vacancy_registered


def test_a_second_developer_is_refused_with_a_clear_message(cast):
    services.developer_for(cast.project_a)
    other = Person(project=cast.project_a, name="另一开发商", kind="organization", is_developer=True)
    with pytest.raises(ValidationError) as exc:
        other.full_clean()
    assert "is_developer" in exc.value.message_dict
