import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wuye.core.money import fen, rmb_upper, to_decimal

DIGITS = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
SMALL = {"拾": 10, "佰": 100, "仟": 1000}
BIG = {"万": 10**4, "亿": 10**8, "兆": 10**12}


def parse_upper(text: str) -> Decimal:
    """An independent reader of 人民币大写, to check rmb_upper round-trips."""
    sign = -1 if text.startswith("负") else 1
    text = text.removeprefix("负")
    if text == "零元整":
        return Decimal("0.00")
    yuan_part, _, cents_part = text.partition("元") if "元" in text else ("", "", text)
    total = 0
    section = 0
    digit = 0
    for ch in yuan_part:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in SMALL:
            section += digit * SMALL[ch]
            digit = 0
        elif ch in BIG:
            section += digit
            total += section * BIG[ch]
            section = 0
            digit = 0
    total += section + digit
    cents = 0
    m = re.search(r"(.)角", cents_part)
    if m:
        cents += DIGITS[m.group(1)] * 10
    m = re.search(r"(.)分", cents_part)
    if m:
        cents += DIGITS[m.group(1)]
    return sign * (Decimal(total) + Decimal(cents) / 100).quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    "amount,expected",
    [
        ("0", "零元整"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("100", "壹佰元整"),
        ("105", "壹佰零伍元整"),
        ("1004.50", "壹仟零肆元伍角整"),
        ("1010", "壹仟零壹拾元整"),
        ("10000", "壹万元整"),
        ("10001", "壹万零壹元整"),
        ("100000.05", "壹拾万元零伍分"),
        ("0.05", "伍分"),
        ("0.50", "伍角整"),
        ("1.05", "壹元零伍分"),
        ("123456789.12", "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"),
        ("100010000", "壹亿零壹万元整"),
        ("-12.30", "负壹拾贰元叁角整"),
        ("3256.78", "叁仟贰佰伍拾陆元柒角捌分"),
    ],
)
def test_rmb_upper_known_values(amount, expected):
    assert rmb_upper(amount) == expected


@given(st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"), places=2))
def test_rmb_upper_round_trips(amount):
    assert parse_upper(rmb_upper(amount)) == amount


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_fen_rounds_half_up_at_every_half(n):
    value = Decimal(n) / 1000  # three decimals
    rounded = fen(value)
    assert abs(rounded - value) <= Decimal("0.005")
    if n % 10 == 5:  # exact half: away from zero
        assert abs(rounded) > abs(value)


def test_fen_examples():
    assert fen("2.675") == Decimal("2.68")
    assert fen("-2.675") == Decimal("-2.68")
    assert fen(3) == Decimal("3.00")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_decimal(0.1)
    with pytest.raises(ValueError):
        to_decimal("abc")
