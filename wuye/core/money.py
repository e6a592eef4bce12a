"""Money helpers: Decimal only, CNY, rounded half-up to the fen."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def to_decimal(value) -> Decimal:
    """Convert an int, str or Decimal to Decimal; floats are refused (they carry binary error)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str or Decimal")
    if isinstance(value, int | str):
        try:
            return Decimal(value)
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    raise TypeError(f"cannot use {type(value).__name__} as money")


def fen(value) -> Decimal:
    """Round to the fen, half-up (0.005 -> 0.01, -0.005 -> -0.01)."""
    return to_decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿", "兆"]


def _four_digits(group: int) -> str:
    """Capitals for 0 < group < 10000, with inner zeros collapsed to one 零."""
    out = []
    zero_pending = False
    for pos in range(3, -1, -1):
        digit = group // 10**pos % 10
        if digit == 0:
            if out:
                zero_pending = True
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_DIGITS[digit] + _SMALL_UNITS[pos])
    return "".join(out)


def rmb_upper(value) -> str:
    """Amount in Chinese capitals as printed on receipts (人民币大写).

    >>> rmb_upper("1004.50")
    '壹仟零肆元伍角整'
    >>> rmb_upper("100")
    '壹佰元整'
    """
    amount = fen(value)
    if amount == 0:
        return "零元整"
    sign = "负" if amount < 0 else ""
    amount = abs(amount)
    cents = int((amount * 100).to_integral_value())
    yuan, rest = divmod(cents, 100)
    jiao, fen_ = divmod(rest, 10)

    text = ""
    if yuan:
        groups = []
        n = yuan
        while n:
            groups.append(n % 10000)
            n //= 10000
        if len(groups) > len(_BIG_UNITS):
            raise ValueError("amount too large")
        parts = []
        need_zero = False
        for idx in range(len(groups) - 1, -1, -1):
            group = groups[idx]
            if group == 0:
                need_zero = bool(parts)
                continue
            if parts and (need_zero or group < 1000):
                parts.append("零")
            parts.append(_four_digits(group) + _BIG_UNITS[idx])
            need_zero = False
        text = "".join(parts) + "元"
    if jiao == 0 and fen_ == 0:
        return sign + text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen_:
        text += _DIGITS[fen_] + "分"
    else:
        text += "整"
    return sign + text
