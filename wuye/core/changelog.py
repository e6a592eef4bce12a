"""Personal data never reaches the change log (django-auditlog) in plain text.

Every model is registered with django-auditlog from settings (``AUDITLOG_INCLUDE_ALL_MODELS``), and a
change row stores the old and new value of each changed field. Two kinds of field would then leak:

- encrypted fields (:class:`~wuye.core.crypto.EncryptedTextField`): the model sees the decrypted
  value, so the log would hold the ID number in clear text. They are excluded, with their ``<name>_hash``
  companion (a lookup hash is as good as the number for anyone holding the key);
- phone numbers (a ``phone`` field or any ``*_phone`` field): stored masked (``138****1234``), which
  still shows that the number changed.

:func:`protect_personal_fields` applies that rule to every registered model; the core app runs it once
all apps are ready (django-auditlog registers the models in its own ``ready``, which runs first).
"""

from __future__ import annotations

from django.db import models

from wuye.core.crypto import EncryptedTextField

MASK_CALLABLE = "wuye.core.privacy.mask_phone"


def is_phone_field(field) -> bool:
    return isinstance(field, models.CharField) and (field.name == "phone" or field.name.endswith("_phone"))


def personal_fields(model) -> tuple[list[str], list[str]]:
    """(fields to leave out of the change log, fields to store masked) of ``model``."""
    names = {f.name for f in model._meta.concrete_fields}
    exclude, mask = [], []
    for field in model._meta.concrete_fields:
        if isinstance(field, EncryptedTextField):
            exclude.append(field.name)
            if f"{field.name}_hash" in names:
                exclude.append(f"{field.name}_hash")
        elif is_phone_field(field):
            mask.append(field.name)
    return exclude, mask


def protect_personal_fields(registry=None) -> None:
    """Re-register every tracked model that holds personal data with the exclusions and masks above."""
    if registry is None:
        from auditlog.registry import auditlog as registry

    for model in registry.get_models():
        exclude, mask = personal_fields(model)
        if not exclude and not mask:
            continue
        options = registry.get_model_fields(model)
        options.update(registry.get_serialize_options(model))
        options["exclude_fields"] = sorted(set(options["exclude_fields"]) | set(exclude))
        options["mask_fields"] = sorted(set(options["mask_fields"]) | set(mask))
        options["mask_callable"] = options["mask_callable"] or MASK_CALLABLE
        m2m = registry._registry[model].get("m2m_fields")  # not exposed by a public getter
        registry.unregister(model)
        registry.register(model, m2m_fields=m2m, **options)
