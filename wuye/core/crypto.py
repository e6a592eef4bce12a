"""Field encryption for personal data (ID numbers) and keyed hashes for exact lookups.

Values are encrypted with Fernet under ``FIELD_ENCRYPTION_KEY``. A keyed HMAC of the normalised
value is stored beside it, so "find the person with ID 110101..." is an indexed equality query
without decrypting every row.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


@cache
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def encrypt(value: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("cannot decrypt: wrong FIELD_ENCRYPTION_KEY or damaged value") from None


def lookup_hash(value: str, purpose: str = "id") -> str:
    """Deterministic keyed hash (hex) of a normalised value, for equality lookups."""
    key = hashlib.sha256(f"wuye-lookup:{purpose}:{settings.FIELD_ENCRYPTION_KEY}".encode()).digest()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python code sees the plain value. Not filterable: use a hash field."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
