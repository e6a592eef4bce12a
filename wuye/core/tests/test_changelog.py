"""The change log never stores decrypted ID numbers or full phone numbers, for any model."""

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from wuye.core.changelog import is_phone_field, personal_fields
from wuye.core.crypto import EncryptedTextField


def test_every_tracked_model_with_personal_fields_is_protected():
    checked = 0
    for model in apps.get_models():
        if not auditlog.contains(model):
            continue
        exclude, mask = personal_fields(model)
        options = auditlog.get_model_fields(model)
        assert set(exclude) <= set(options["exclude_fields"]), model
        assert set(mask) <= set(options["mask_fields"]), model
        if mask:
            assert options["mask_callable"], model
        checked += bool(exclude or mask)
    assert checked >= 3  # Person, User, WorkOrder at least


def test_encrypted_fields_and_their_hash_are_excluded():
    from wuye.residents.models import Person

    exclude, mask = personal_fields(Person)
    assert {"id_number", "id_number_hash"} <= set(exclude)
    assert "phone" in mask
    assert isinstance(Person._meta.get_field("id_number"), EncryptedTextField)


@pytest.mark.django_db
def test_a_users_phone_is_logged_masked():
    from wuye.core.testing.factories import make_user

    user = make_user(phone="13812345678")
    user.phone = "13987654321"
    user.save()
    ct = ContentType.objects.get_for_model(user)
    text = " ".join(str(e.changes) for e in LogEntry.objects.filter(content_type=ct, object_pk=str(user.pk)))
    assert "13987654321" not in text and "13812345678" not in text
    assert "4321" in text  # the masked value still shows that it changed


def test_phone_fields_are_recognised_by_name():
    from wuye.service.models import WorkOrder

    assert is_phone_field(WorkOrder._meta.get_field("contact_phone"))
    assert not is_phone_field(WorkOrder._meta.get_field("description"))
