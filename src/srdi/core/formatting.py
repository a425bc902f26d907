"""Numbers and dates as officials write them: the one formatting module.

Pages (template filters in ``srdi_tags``), PDF, DOCX, xlsx, e-mails and the CLI's tables all
format through these functions, so the same revenue reads the same everywhere:

    wan(37988.384)        -> "37,988.38万元"      money in 万元, separators, at most 2 decimals
    wan(999, unit=False)  -> "999"
    pct(12.345)           -> "12.35%"             percentages with 1–2 decimals
    count(1234)           -> "1,234"              counts as integers
    number(2756.1)        -> "2,756.1"            other measures, at most 2 decimals
    date_zh(date)         -> "2026年12月6日"       dates in prose
    date_iso(date)        -> "2026-12-06"         dates in tables
    datetime_zh(dt)       -> "2026-12-06 14:05"   local time (Asia/Shanghai)

``None`` (unknown) formats as ``—`` (or the ``unknown`` text given). Rounding is half-up on the
exact value (Decimal/Fraction in, never through binary floats when avoidable).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

UNKNOWN = "—"


def to_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None


def _fixed(d: Decimal, max_decimals: int, min_decimals: int = 0) -> str:
    q = d.quantize(Decimal(1).scaleb(-max_decimals), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)
    text = f"{q:,.{max_decimals}f}"
    if max_decimals > min_decimals and "." in text:
        whole, frac = text.split(".")
        frac = frac.rstrip("0")
        if len(frac) < min_decimals:
            frac = frac + "0" * (min_decimals - len(frac))
        text = f"{whole}.{frac}" if frac else whole
    return text


def number(value, decimals: int = 2, *, unknown: str = UNKNOWN) -> str:
    """A measure with thousands separators and at most `decimals` decimals (zeros dropped)."""
    d = to_decimal(value)
    return unknown if d is None else _fixed(d, decimals)


def wan(value, decimals: int = 2, *, unit: bool = True, unknown: str = UNKNOWN) -> str:
    """Money already in 万元: ``37,988.38万元`` (at most 2 decimals)."""
    d = to_decimal(value)
    if d is None:
        return unknown
    return _fixed(d, decimals) + ("万元" if unit else "")


def yuan_to_wan(value, decimals: int = 2, *, unit: bool = True, unknown: str = UNKNOWN) -> str:
    """Money in 元 shown in 万元."""
    d = to_decimal(value)
    return unknown if d is None else wan(d / 10000, decimals, unit=unit)


def pct(value, decimals: int = 2, *, min_decimals: int = 1, unknown: str = UNKNOWN) -> str:
    """A percentage (the value is already ×100): ``12.35%``, ``7.0%`` — 1 to 2 decimals."""
    d = to_decimal(value)
    if d is None:
        return unknown
    return _fixed(d, decimals, min_decimals) + "%"


def ratio_pct(part, whole, decimals: int = 2, *, unknown: str = UNKNOWN) -> str:
    """``part / whole`` as a percentage."""
    p, w = to_decimal(part), to_decimal(whole)
    if p is None or not w:
        return unknown
    return pct(p * 100 / w, decimals)


def count(value, *, unit: str = "", unknown: str = UNKNOWN) -> str:
    """A count as a whole number with separators: ``1,234`` (``1,234家`` with unit="家")."""
    d = to_decimal(value)
    if d is None:
        return unknown
    return f"{int(d.to_integral_value(rounding=ROUND_HALF_UP)):,}{unit}"


def date_zh(value, *, unknown: str = UNKNOWN) -> str:
    """A date in prose: ``2026年12月6日``."""
    d = _date(value)
    return unknown if d is None else f"{d.year}年{d.month}月{d.day}日"


def month_zh(value, *, unknown: str = UNKNOWN) -> str:
    d = _date(value)
    return unknown if d is None else f"{d.year}年{d.month}月"


def date_iso(value, *, unknown: str = UNKNOWN) -> str:
    """A date in tables: ``2026-12-06``."""
    d = _date(value)
    return unknown if d is None else d.isoformat()


def datetime_zh(value, *, unknown: str = UNKNOWN) -> str:
    """A moment in local time: ``2026-12-06 14:05``."""
    if value is None:
        return unknown
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    return date_iso(value, unknown=unknown)


def _date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
