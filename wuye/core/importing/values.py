"""Turning what real spreadsheets contain into clean Python values.

Each ``to_*`` function takes a cell value as openpyxl (or the CSV reader) returns it: ``str``,
``int``, ``float``, ``datetime`` or ``None``, and returns a clean value, ``None`` for a blank cell,
or raises ``CellError`` with a message for the user. Tolerated: numbers stored as text and text
stored as numbers, full-width characters, stray and non-breaking spaces, units after areas
(``89.5㎡``, ``89.50平方米``), Excel date serials and the usual date spellings, phones that Excel
turned into floats, and Chinese words for yes/no and for choices.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _


class CellError(ValueError):
    """A cell whose value cannot be used; ``str(exc)`` is the message for the user."""


_SPACES = re.compile(r"\s+")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def norm_text(value) -> str:
    """NFKC (full-width to half-width), non-breaking and ideographic spaces to spaces, collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    text = unicodedata.normalize("NFKC", str(value))
    text = text.replace("\u200b", "").replace("\ufeff", "")
    text = _SPACES.sub(" ", text).strip()
    return text


_BLANKS = ("", "-", "--", "—", "/", "无数据")


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, int | float | datetime.date):
        return False
    return norm_text(value) in _BLANKS


def to_text(value, *, max_length: int | None = None) -> str | None:
    text = norm_text(value)
    if not text:
        return None
    text = _CJK_GAP.sub("", text)
    if max_length and len(text) > max_length:
        raise CellError(
            _("The text is too long: at most %(max)s characters, this has %(n)s.")
            % {"max": max_length, "n": len(text)}
        )
    return text


def to_code(value, *, max_length: int | None = None) -> str | None:
    """An identifier (building number, room number, unit code): no spaces at all, ``1201.0`` -> ``1201``."""
    text = norm_text(value).replace(" ", "").upper()
    if not text:
        return None
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    if max_length and len(text) > max_length:
        raise CellError(
            _("The code is too long: at most %(max)s characters, this has %(n)s.")
            % {"max": max_length, "n": len(text)}
        )
    return text


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def chinese_number(text: str) -> int | None:
    """一 .. 九十九 as an integer; None for anything else."""
    if not text or any(ch not in _CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        if len(text) != 1:
            return None
        return _CN_DIGITS[text]
    tens, _sep, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def to_building_number(value) -> str | None:
    """``3``, ``3.0``, ``03``, ``3栋``, ``3号楼``, ``3#``, ``三栋`` -> ``3``; ``A座`` -> ``A``."""
    text = to_code(value, max_length=40)
    if text is None:
        return None
    text = re.sub(r"(号楼|栋|幢|座|楼|号|#)$", "", text) or text
    text = re.sub(r"^第", "", text)
    number = chinese_number(text)
    if number is not None:
        return str(number)
    if text.isdigit():
        return str(int(text))
    return text


def to_entrance_number(value) -> str | None:
    """``2``, ``2单元``, ``二单元``, ``02`` -> ``2``."""
    text = to_code(value, max_length=40)
    if text is None:
        return None
    text = re.sub(r"(单元|门|号)$", "", text) or text
    text = re.sub(r"^第", "", text)
    number = chinese_number(text)
    if number is not None:
        return str(number)
    if text.isdigit():
        return str(int(text))
    return text


def to_room_number(value) -> str | None:
    """``1201``, ``1201.0``, ``1201室``, ``１２０１`` -> ``1201``."""
    text = to_code(value, max_length=40)
    if text is None:
        return None
    return re.sub(r"(室|号|房)$", "", text) or text


_AREA_UNITS = re.compile(r"(平方米|平方|平米|㎡|m2|m²|M2|M²|sqm|SQM)$")


def to_decimal(value, *, places: int = 2, label: str = "") -> Decimal | None:
    """Numbers, numbers as text, ``1,234.5``, ``89.5㎡``, ``89.50平方米``; rounded half-up."""
    if value is None or (isinstance(value, str) and is_blank(value)):
        return None
    if isinstance(value, bool):
        raise CellError(_("Expected a number, got “%(value)s”.") % {"value": value})
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = norm_text(value).replace(",", "").replace(" ", "")
        text = re.sub(r"[(（]?(平方米|平米|㎡|m2|m²)[)）]?$", "", text, flags=re.I)
        text = _AREA_UNITS.sub("", text)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(_("Expected a number, got “%(value)s”.") % {"value": norm_text(value)}) from None
    if not number.is_finite():
        raise CellError(_("Expected a number, got “%(value)s”.") % {"value": norm_text(value)})
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def to_int(value) -> int | None:
    number = to_decimal(value, places=4)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(_("Expected a whole number, got “%(value)s”.") % {"value": norm_text(value)})
    return int(number)


def to_floor(value) -> int | None:
    """``12``, ``12层``, ``-1``, ``B1``, ``负1``, ``地下1层``, ``负一层`` -> an integer floor."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return to_int(value)
    text = norm_text(value).replace(" ", "").upper()
    if not text:
        return None
    text = re.sub(r"(层|楼|F)$", "", text)
    sign = 1
    match = re.match(r"^(-|B|负|地下)", text)
    if match:
        sign = -1
        text = text[match.end() :]
    number = chinese_number(text) if not text.isdigit() else int(text)
    if number is None:
        raise CellError(
            _("Expected a floor such as 12 or -1, got “%(value)s”.") % {"value": norm_text(value)}
        )
    return sign * number


def floor_from_room(room: str) -> int | None:
    """1201 -> 12, 301 -> 3, B101 / -101 -> -1; None when the room number does not tell."""
    text = (room or "").upper()
    sign = 1
    match = re.match(r"^(-|B|负|地下)", text)
    if match:
        sign = -1
        text = text[match.end() :]
    digits = re.match(r"\d+", text)
    if not digits or len(digits.group()) < 3:
        return None
    floor = int(digits.group()[:-2])
    return sign * floor if floor else None


EXCEL_EPOCH = datetime.date(1899, 12, 30)


def to_date(value) -> datetime.date | None:
    """Date cells, Excel serials (45000), 2024/5/1, 2024-05-01, 2024.5.1, 2024年5月1日, 20240501."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            return _ymd(str(int(value)), value)
        if 1 <= value < 2958466:  # Excel serial days (1900 date system)
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise CellError(_("Expected a date such as 2024-05-01, got “%(value)s”.") % {"value": value})
    text = norm_text(value).replace(" ", "")
    if not text or is_blank(text):
        return None
    text = re.sub(r"(T|\s)?\d{1,2}:\d{2}(:\d{2})?(\.\d+)?$", "", text)
    if re.fullmatch(r"\d{8}", text):
        return _ymd(text, value)
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return to_date(float(text))
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not match:
        raise CellError(
            _("Expected a date such as 2024-05-01, got “%(value)s”.") % {"value": norm_text(value)}
        )
    return _ymd("".join(match.groups()), value, groups=match.groups())


def _ymd(text, original, groups=None):
    try:
        if groups:
            return datetime.date(int(groups[0]), int(groups[1]), int(groups[2]))
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise CellError(_("“%(value)s” is not a real date.") % {"value": norm_text(original)}) from None


_SCI = re.compile(r"^(\d)(?:\.(\d+))?E\+?(\d+)$", re.I)


def to_digits_text(value, *, what: str) -> str | None:
    """A long number that must keep every digit (phone, ID): tolerate floats, refuse lost digits."""
    if value is None:
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("Expected digits, got “%(value)s”.") % {"value": value})
        if abs(value) >= 1e15:
            raise CellError(
                _(
                    "The %(what)s was stored as a number and Excel kept only 15 digits; "
                    "format the column as text and enter it again."
                )
                % {"what": what}
            )
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = norm_text(value).replace(" ", "")
    match = _SCI.match(text)
    if match:
        lead, frac, exp = match.group(1), match.group(2) or "", int(match.group(3))
        if len(lead + frac) < exp + 1:
            raise CellError(
                _(
                    "The %(what)s “%(value)s” is in scientific notation and lost its last digits; "
                    "format the column as text and enter it again."
                )
                % {"what": what, "value": text}
            )
        return str(int(Decimal(text)))
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    return text or None


def to_phone(value) -> tuple[str, list[str]] | None:
    """The first phone number and any further ones (``138.../139...``, ``138... 139...``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = to_digits_text(value, what=_("phone number"))
    else:
        text = norm_text(value)
    if not text:
        return None
    parts = []
    for chunk in re.split(r"[/,;，；、]+", text):
        pieces = chunk.split()
        if len(pieces) > 1 and all(sum(ch.isdigit() for ch in p) >= 7 for p in pieces):
            parts.extend(pieces)  # "138... 139...": two numbers
        elif chunk.strip():
            parts.append(chunk.replace(" ", ""))  # "138 1234 1234": one number
    cleaned = []
    for part in parts:
        if _SCI.match(part) or re.fullmatch(r"\d+\.0+", part):
            part = to_digits_text(part, what=_("phone number"))
        cleaned.append(re.sub(r"^(\+?86)-?(?=1\d{10}$)", "", part))
    first = cleaned[0]
    if sum(ch.isdigit() for ch in first) < 7 or re.search(r"[^\d\-+()转]", first):
        raise CellError(_("“%(value)s” is not a phone number.") % {"value": norm_text(value)})
    if len(first) > 20:
        raise CellError(_("The phone number is too long: “%(value)s”.") % {"value": first})
    return first, cleaned[1:]


def to_id_number(value) -> str | None:
    text = to_digits_text(value, what=_("ID number"))
    if not text:
        return None
    return unicodedata.normalize("NFKC", text).upper().replace(" ", "")


_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓", "对", "t"}
_FALSE = {"否", "无", "没有", "n", "no", "false", "0", "×", "x", "不是", "f"}


def to_bool(value) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = norm_text(value).lower().replace(" ", "")
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("Expected 是 or 否, got “%(value)s”.") % {"value": norm_text(value)})


def choice_key(text: str) -> str:
    return re.sub(r"[\s()（）·\-_]", "", unicodedata.normalize("NFKC", text or "")).lower()


def to_choice(value, words: dict[str, str], *, choices=None) -> str | None:
    """Map a word to a choice value: the Chinese ``words``, the stored values and their labels."""
    return ChoiceParser(words, choices)(value)


class ChoiceParser:
    """``to_choice`` with its lookup table built once per language (labels are translated)."""

    def __init__(self, words: dict[str, str], choices=None):
        self.words = words
        self.choices = choices or ()
        self._tables: dict[str, dict[str, str]] = {}

    def table(self) -> dict[str, str]:
        from django.utils.translation import get_language

        language = get_language() or ""
        table = self._tables.get(language)
        if table is None:
            table = {choice_key(k): v for k, v in self.words.items()}
            for stored, label in self.choices:
                table.setdefault(choice_key(stored), stored)
                table.setdefault(choice_key(str(label)), stored)
            self._tables[language] = table
        return table

    def __call__(self, value):
        text = norm_text(value)
        if not text:
            return None
        found = self.table().get(choice_key(text))
        if found is not None:
            return found
        canonical = {}
        for word, stored in self.words.items():
            canonical.setdefault(stored, word)
        accepted = "、".join(canonical.values())
        raise CellError(_("“%(value)s” is not one of: %(accepted)s.") % {"value": text, "accepted": accepted})


def to_percent(value) -> Decimal | None:
    """A share: ``50``, ``50%``, ``0.5``, ``1/2`` -> ``Decimal('50.00')``."""
    if value is None:
        return None
    text = norm_text(value).replace(" ", "")
    if not text:
        return None
    if "/" in text:
        top, _sep, bottom = text.partition("/")
        try:
            number = Decimal(top) / Decimal(bottom) * 100
        except (InvalidOperation, ZeroDivisionError):
            raise CellError(_("Expected a share such as 50%%, got “%(value)s”.") % {"value": text}) from None
    elif text.endswith("%"):
        number = to_decimal(text[:-1], places=4)
    else:
        number = to_decimal(value, places=4)
        if number is not None and number <= 1:
            number *= 100
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def display(value) -> str:
    """A raw cell as the user would read it in Excel (for messages and the error report)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != datetime.time() else f"{value:%Y-%m-%d}"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)
