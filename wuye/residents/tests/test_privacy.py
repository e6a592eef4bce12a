"""PIPL: ID numbers encrypted at rest, phones and IDs masked everywhere, reveal by permission and
logged, nothing in the change log, anonymisation."""

import io

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from openpyxl import load_workbook

from wuye.accounts.models import Role
from wuye.accounts.roles import sync_system_roles
from wuye.core.crypto import decrypt
from wuye.core.models import AuditEvent
from wuye.core.testing.factories import make_user
from wuye.residents import services
from wuye.residents.models import Person
from wuye.residents.tests.factories import (
    make_occupancy,
    make_ownership,
    make_person,
    make_vehicle,
    resident_id,
)

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
ID = "11010519491231002X"  # a valid resident ID (GB 11643 check character X)


@pytest.fixture
def zhang(cast):
    return make_person(cast.project_a, name="张三", phone=PHONE, id_number=ID)


def xlsx_text(response):
    ws = load_workbook(io.BytesIO(response.content)).active
    return " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


# -- at rest -------------------------------------------------------------------------------------------
def test_id_number_is_ciphertext_in_the_database_and_found_by_hash(zhang):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_hash FROM residents_person WHERE id = %s", [zhang.pk])
        stored, digest = cursor.fetchone()
    assert ID not in stored and "110105" not in stored
    assert decrypt(stored) == ID
    assert len(digest) == 64 and ID not in digest
    assert Person.objects.get(pk=zhang.pk).id_number == ID
    assert zhang.id_number_masked == "1****************X"
    found = Person.find_by_id_number(Person.objects.all(), " 11010519491231002x ")
    assert list(found) == [zhang]
    assert not Person.find_by_id_number(Person.objects.all(), resident_id()).exists()


def test_same_id_number_twice_in_a_project_is_refused(cast, zhang, client_for):
    data = {"project": cast.project_a.pk, "kind": "individual", "name": "张三丰", "id_type": "resident_id"}
    response = client_for(cast.manager_a).post("/residents/people/add/", {**data, "id_number": ID})
    assert response.status_code == 200 and "already has this ID number" in response.content.decode()
    other = client_for(cast.ops_admin).post(
        "/residents/people/add/", {**data, "project": cast.project_b.pk, "id_number": ID}
    )
    assert other.status_code == 302  # another project may know the same person


def test_change_log_never_holds_the_id_number_or_full_phone(cast, client_for, zhang):
    client_for(cast.manager_a).post(
        f"/residents/people/{zhang.pk}/edit/",
        {
            "project": cast.project_a.pk,
            "kind": "individual",
            "name": "张三",
            "phone": "13900001111",
            "id_type": "resident_id",
            "id_number": "110101199003074514",
        },
    )
    zhang.refresh_from_db()
    assert zhang.phone == "13900001111" and zhang.id_number == "110101199003074514"
    ct = ContentType.objects.get_for_model(Person)
    text = " ".join(str(e.changes) for e in LogEntry.objects.filter(content_type=ct, object_pk=str(zhang.pk)))
    assert text  # there are change rows...
    for secret in (ID, "110101199003074514", PHONE, "13900001111"):
        assert secret not in text  # ...without the secrets
    assert "139****1111" in text
    history = client_for(cast.manager_a).get(f"/residents/people/{zhang.pk}/history/").content.decode()
    assert "110101199003074514" not in history and "13900001111" not in history


# -- masked everywhere ----------------------------------------------------------------------------------
def test_lists_detail_and_exports_are_masked(cast, client_for, zhang):
    make_ownership(cast.project_a, person=zhang)
    make_occupancy(cast.project_a, person=zhang)
    make_vehicle(cast.project_a, person=zhang)
    client = client_for(cast.manager_a)
    for url in (
        "/residents/people/",
        "/residents/ownerships/",
        "/residents/occupancies/",
        "/residents/vehicles/",
        f"/residents/people/{zhang.pk}/",
    ):
        body = client.get(url).content.decode()
        assert "138****5678" in body, url
        assert PHONE not in body and ID not in body, url
        export = client.get(url, {"export": "xlsx"}) if not url.endswith(f"{zhang.pk}/") else None
        if export is not None:
            text = xlsx_text(export)
            assert "138****5678" in text and PHONE not in text and ID not in text, url
    people = xlsx_text(client.get("/residents/people/", {"export": "xlsx"}))
    assert "1****************X" in people


def test_edit_form_never_shows_stored_values_and_empty_keeps_them(cast, client_for, zhang):
    client = client_for(cast.manager_a)
    body = client.get(f"/residents/people/{zhang.pk}/edit/").content.decode()
    assert PHONE not in body and ID not in body
    assert "138****5678" in body and "1****************X" in body  # as hints
    response = client.post(
        f"/residents/people/{zhang.pk}/edit/",
        {
            "project": cast.project_a.pk,
            "kind": "individual",
            "name": "张三",
            "phone": "",
            "id_type": "resident_id",
            "id_number": "",
            "note": "VIP",
        },
    )
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.phone == PHONE and zhang.id_number == ID and zhang.note == "VIP"


def test_form_checks_the_resident_id_checksum_and_fills_birth_date(cast, client_for):
    data = {"project": cast.project_a.pk, "kind": "individual", "name": "李四", "id_type": "resident_id"}
    client = client_for(cast.manager_a)
    bad = client.post("/residents/people/add/", {**data, "id_number": "110105194912310021"})
    assert bad.status_code == 200 and "check digit" in bad.content.decode()
    assert not Person.objects.filter(name="李四").exists()
    good = client.post("/residents/people/add/", {**data, "id_number": "110105194912310021"[:-1] + "X"})
    assert good.status_code == 302
    person = Person.objects.get(name="李四")
    assert str(person.birth_date) == "1949-12-31" and person.gender == "female"


def test_api_is_masked_and_never_returns_the_id_number(cast, api_for, zhang):
    api = api_for(cast.manager_a)
    row = api.get(f"/api/v1/residents/people/{zhang.pk}/").json()
    assert row["phone_masked"] == "138****5678" and row["id_number_masked"] == "1****************X"
    assert "phone" not in row and "id_number" not in row
    listing = api.get("/api/v1/residents/people/").content.decode()
    assert PHONE not in listing and ID not in listing
    # An update without phone and ID number keeps them.
    response = api.patch(
        f"/api/v1/residents/people/{zhang.pk}/", {"note": "x", "id_number": ""}, format="json"
    )
    assert response.status_code == 200, response.content
    zhang.refresh_from_db()
    assert zhang.phone == PHONE and zhang.id_number == ID


# -- reveal --------------------------------------------------------------------------------------------
def test_seeded_roles_grant_reveal_only_deliberately(cast):
    sync_system_roles()

    def has(slug):
        return Role.objects.get(slug=slug).permissions.filter(codename="reveal_person").exists()

    assert has("project-manager") and has("customer-service") and has("ops-admin")
    for slug in ("auditor", "engineer", "cashier", "finance", "security-guard"):
        assert not has(slug), slug


def test_reveal_in_the_ui_shows_full_values_and_audits(cast, client_for, zhang):
    client = client_for(cast.manager_a)
    page = client.get(f"/residents/people/{zhang.pk}/").content.decode()
    assert 'data-testid="person-reveal"' in page
    response = client.post(f"/residents/people/{zhang.pk}/reveal/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert PHONE in body and ID in body and "<html" not in body
    event = AuditEvent.objects.get(action="person.reveal", object_id=str(zhang.pk))
    assert event.actor == cast.manager_a and event.project == cast.project_a
    assert ID not in str(event.data) + event.message + event.object_repr
    assert PHONE not in str(event.data) + event.message
    client.post(f"/residents/people/{zhang.pk}/reveal/")
    assert AuditEvent.objects.filter(action="person.reveal", object_id=str(zhang.pk)).count() == 2


def test_reveal_needs_the_permission(cast, client_for, zhang):
    theirs = make_person(cast.project_b)
    cs = make_user("cs_a", "customer-service", cast.project_a)
    assert client_for(cs).post(f"/residents/people/{zhang.pk}/reveal/").status_code == 200
    for user in (cast.auditor, cast.engineer_a, cast.cashier_a):
        client = client_for(user)
        assert (
            'data-testid="person-reveal"' not in client.get(f"/residents/people/{zhang.pk}/").content.decode()
        )
        assert client.post(f"/residents/people/{zhang.pk}/reveal/").status_code == 403, user
    manager = client_for(cast.manager_a)
    assert manager.post(f"/residents/people/{theirs.pk}/reveal/").status_code == 404
    assert manager.get(f"/residents/people/{zhang.pk}/reveal/").status_code == 405
    assert client_for(None).post(f"/residents/people/{zhang.pk}/reveal/").status_code == 302
    assert AuditEvent.objects.filter(action="person.reveal").count() == 1  # only the permitted one


def test_reveal_in_the_api(cast, api_for, zhang):
    theirs = make_person(cast.project_b)
    url = f"/api/v1/residents/people/{zhang.pk}/reveal/"
    response = api_for(cast.manager_a).post(url)
    assert response.status_code == 200
    assert response.json() == {"phone": PHONE, "id_type": "resident_id", "id_number": ID}
    event = AuditEvent.objects.get(action="person.reveal", object_id=str(zhang.pk))
    assert event.data["channel"] == "api" and event.actor == cast.manager_a
    assert api_for(cast.auditor).post(url).status_code == 403
    assert api_for(cast.engineer_a).post(url).status_code == 403
    assert api_for(cast.manager_a).post(f"/api/v1/residents/people/{theirs.pk}/reveal/").status_code == 404
    # staff_b may reveal in project B, but project A's person does not exist for them
    assert api_for(cast.staff_b).post(url).status_code == 404
    assert api_for(None).post(url).status_code == 401
    assert AuditEvent.objects.filter(action="person.reveal").count() == 1


# -- anonymisation -------------------------------------------------------------------------------------
def test_anonymize_blanks_personal_fields_keeps_the_row_and_scrubs_the_log(cast, client_for, zhang):
    ownership = make_ownership(cast.project_a, person=zhang)
    client = client_for(cast.manager_a)
    zhang.note = "腿脚不便"
    zhang.save()
    assert client.get(f"/residents/people/{zhang.pk}/anonymize/").status_code == 200
    response = client.post(f"/residents/people/{zhang.pk}/anonymize/")
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.name == f"已注销用户#{zhang.pk}" and zhang.anonymized_at is not None
    assert zhang.phone == "" and zhang.id_number == "" and zhang.id_number_hash == ""
    assert zhang.birth_date is None and zhang.note == "" and zhang.phone_tail == ""
    assert ownership.__class__.objects.filter(pk=ownership.pk, person=zhang).exists()
    ct = ContentType.objects.get_for_model(Person)
    logged = " ".join(
        f"{e.changes} {e.object_repr}"
        for e in LogEntry.objects.filter(content_type=ct, object_pk=str(zhang.pk))
    )
    assert "张三" not in logged and "腿脚不便" not in logged and "5678" not in logged
    assert all("张三" not in e.object_repr for e in AuditEvent.objects.filter(object_id=str(zhang.pk)))
    assert AuditEvent.objects.filter(action="person.anonymize", object_id=str(zhang.pk)).exists()
    assert client.post(f"/residents/people/{zhang.pk}/anonymize/").status_code == 409


def test_anonymize_needs_delete_permission(cast, client_for, api_for, zhang):
    cs = make_user("cs_a", "customer-service", cast.project_a)
    assert client_for(cs).post(f"/residents/people/{zhang.pk}/anonymize/").status_code == 403
    assert api_for(cs).post(f"/api/v1/residents/people/{zhang.pk}/anonymize/").status_code == 403
    theirs = make_person(cast.project_b)
    assert client_for(cast.manager_a).post(f"/residents/people/{theirs.pk}/anonymize/").status_code == 404
    response = api_for(cast.manager_a).post(f"/api/v1/residents/people/{zhang.pk}/anonymize/")
    assert response.status_code == 200 and response.json()["anonymized_at"]
    assert Person.objects.get(pk=zhang.pk).phone == ""


def test_anonymised_person_cannot_move_in(cast, zhang):
    from django.core.exceptions import ValidationError

    from wuye.residents.tests.factories import make_unit

    services.do_anonymize_person(actor=cast.manager_a, person=zhang)
    with pytest.raises(ValidationError):
        services.do_move_in(
            actor=cast.manager_a,
            unit=make_unit(cast.project_a),
            date=zhang.created_at.date(),
            occupants=[zhang],
        )
