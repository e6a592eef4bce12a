"""Masking of personal data for display (PIPL): phones 138****1234, IDs first and last character."""

from __future__ import annotations


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)


def mask_id(number: str | None) -> str:
    if not number:
        return ""
    number = number.strip()
    if len(number) <= 2:
        return "*" * len(number)
    return f"{number[0]}{'*' * (len(number) - 2)}{number[-1]}"
