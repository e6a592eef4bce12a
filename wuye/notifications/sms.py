"""The SMS channel behind an interface. ``settings.WUYE_SMS_BACKEND`` names the backend class.

A provider backend (Aliyun, Tencent Cloud, ...) subclasses ``BaseSmsBackend`` and implements
``send(phone, text) -> provider reference``, raising ``SmsError`` on failure. The default backend
only logs (with the phone masked), so a trial installation never sends real messages.
"""

from __future__ import annotations

import itertools
import logging

from django.conf import settings
from django.utils.module_loading import import_string

from wuye.core.privacy import mask_phone

log = logging.getLogger("wuye.sms")

DEFAULT_BACKEND = "wuye.notifications.sms.LoggingSmsBackend"


class SmsError(Exception):
    pass


class BaseSmsBackend:
    name = "base"

    def send(self, phone: str, text: str) -> str:
        raise NotImplementedError


class LoggingSmsBackend(BaseSmsBackend):
    """Writes each message to the log instead of sending it."""

    name = "log"
    _ids = itertools.count(1)

    def send(self, phone: str, text: str) -> str:
        ref = f"log-{next(self._ids)}"
        log.info("SMS to %s (%s chars) ref=%s: %s", mask_phone(phone), len(text), ref, text[:70])
        return ref


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in ``LocmemSmsBackend.outbox`` (for tests)."""

    name = "locmem"
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> str:
        self.outbox.append((phone, text))
        return f"mem-{len(self.outbox)}"


class FailingSmsBackend(BaseSmsBackend):
    """Always fails (for tests of the failure path)."""

    name = "failing"

    def send(self, phone: str, text: str) -> str:
        raise SmsError("the SMS gateway refused the message")


def get_backend() -> BaseSmsBackend:
    path = getattr(settings, "WUYE_SMS_BACKEND", "") or DEFAULT_BACKEND
    return import_string(path)()
