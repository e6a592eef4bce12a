"""Validators for Chinese identity numbers and licence plates."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def normalize_id(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().upper().replace(" ", "")


def resident_id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def validate_resident_id(value: str) -> None:
    """Mainland resident ID (GB 11643-1999): 17 digits, a check character, a valid birth date."""
    import datetime

    number = normalize_id(value)
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(_("A resident ID has 18 characters: 17 digits and a digit or X."))
    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("The birth date in this ID number is not a real date.")) from None
    if resident_id_check_digit(number[:17]) != number[17]:
        raise ValidationError(_("The check digit of this ID number is wrong; please check for a typo."))


def birth_date_from_resident_id(value: str):
    import datetime

    number = normalize_id(value)
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender_from_resident_id(value: str) -> str:
    return "male" if int(normalize_id(value)[16]) % 2 else "female"


PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_PLATE = re.compile(
    rf"^[{PROVINCES}][A-HJ-NP-Z]"  # province + issuing-office letter (no I or O)
    r"(?:"
    r"[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳]"  # ordinary 7-character plate
    r"|[DF][A-HJ-NP-Z0-9]\d{4}"  # new-energy small car: D/F then 5
    r"|\d{5}[DF]"  # new-energy large vehicle: 5 digits then D/F
    r")$"
)


def normalize_plate(value: str) -> str:
    text = unicodedata.normalize("NFKC", value or "").upper()
    return re.sub(r"[\s·.\-]", "", text)


def validate_plate(value: str) -> None:
    """Chinese plates: 7 characters, or 8 for new-energy vehicles (e.g. 沪AD12345)."""
    plate = normalize_plate(value)
    if not _PLATE.match(plate):
        raise ValidationError(
            _("%(plate)s is not a valid plate: expected e.g. 沪A12345, or 沪AD12345 for new-energy vehicles.")
            % {"plate": value}
        )


def is_new_energy_plate(value: str) -> bool:
    return len(normalize_plate(value)) == 8
