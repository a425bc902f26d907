"""Cleaning a form or API value into text, a date, a whole number, a decimal number or a year, with the one set of Chinese messages
the services raise (``ValidationError``) — naming the field and repeating what was received.

    from srdi.core.cleaning import date, decimal, integer, text, year
    title = text(data.get("title"), _("标题"), required=True, max_len=200)
    months = integer(data.get("term_months"), _("期限（月）"), required=True, low=1, high=600)
    rate = decimal(data.get("rate"), _("年利率（%）"), low=Decimal(0), high=Decimal(36))

A management command's date option (``--as-of``) is cleaned by ``option_date``: the same message,
raised as Django's ``CommandError`` (the ``srdi`` CLI prints it as “错误：…”).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# a year outside this range is a typing error (the platform's records start in the 1990s)
YEARS = (1990, 2100)


def _blank(value) -> bool:
    """Nothing given: None, or text that is empty once stripped (a form's "  " is empty too)."""
    return value is None or (isinstance(value, str) and not value.strip())


def text(value, label: str, *, required: bool = False, max_len: int = 0) -> str:
    """Stripped text; empty allowed unless ``required``; at most ``max_len`` characters (0: any)."""
    v = str(value if value is not None else "").strip()
    if required and not v:
        raise ValidationError(_("请填写“%(f)s”。") % {"f": label})
    if max_len and len(v) > max_len:
        raise ValidationError(_("“%(f)s”不能超过 %(n)d 字。") % {"f": label, "n": max_len})
    return v


def date(value, label: str, *, required: bool = False) -> dt.date | None:
    """A date (a date, a datetime or ISO text ``2026-06-30``); None when empty (or blank) and not
    required."""
    if _blank(value):
        if required:
            raise ValidationError(_("请填写“%(f)s”。") % {"f": label})
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    t = str(value).strip()
    try:
        return dt.date.fromisoformat(t)
    except ValueError:
        pass
    try:  # an Excel cell typed as text: "2026-06-30 00:00:00"
        return dt.datetime.fromisoformat(t).date()
    except ValueError:
        raise ValidationError(
            _("“%(f)s”不是有效日期（应如 2026-06-30）：%(v)s") % {"f": label, "v": value}
        ) from None


def collected(clean: Callable, value, label: str, problems: list[str], pre: str = "", **kw):
    """``clean(value, label, **kw)``, its message added to ``problems`` (after ``pre``, e.g.
    "第 3 行") instead of raised, and None returned: for imports and specs that report every
    problem at once."""
    try:
        return clean(value, label, **kw)
    except ValidationError as exc:
        problems.extend(f"{pre}{m}" for m in exc.messages)
        return None


def option_date(
    value,
    option: str = "--as-of",
    *,
    default: Callable[[], dt.date] | None = dt.date.today,
    returncode: int = 1,
) -> dt.date | None:
    """A command's date option: ``default()`` when not given (or blank; ``default=None``: None),
    else the date; a value that is not one raises ``CommandError`` (exit status ``returncode``)
    with ``date``'s message naming the option and what was received."""
    from django.core.management.base import CommandError

    try:
        day = date(value, option)
    except ValidationError as exc:
        raise CommandError(exc.messages[0], returncode=returncode) from None
    if day is None and default is not None:
        return default()
    return day


def integer(
    value, label: str, *, required: bool = False, low: int | None = None, high: int | None = None
) -> int | None:
    """A whole number (text, a number, or Excel's 12.0) within ``low``..``high`` where given;
    None when empty (or blank) and not required. A yes/no value is not a number."""
    s = "" if value is None else str(value).strip()
    if not s:
        if required:
            raise ValidationError(_("请填写“%(f)s”。") % {"f": label})
        return None
    if s.endswith(".0"):
        s = s[:-2]
    try:
        if isinstance(value, bool):
            raise ValueError
        n = int(s)
    except ValueError:
        raise ValidationError(_("“%(f)s”应为整数：%(v)s") % {"f": label, "v": value}) from None
    _check_bounds(n, value, label, low, high)
    return n


def decimal(
    value,
    label: str,
    *,
    required: bool = False,
    low: Decimal | None = None,
    high: Decimal | None = None,
) -> Decimal | None:
    """A decimal number (text, with thousands separators ``1,200.50`` or ``1，200``, or a number)
    within ``low``..``high`` where given; None when empty (or blank) and not required."""
    s = "" if value is None else str(value).replace(",", "").replace("，", "").strip()
    if not s:
        if required:
            raise ValidationError(_("请填写“%(f)s”。") % {"f": label})
        return None
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        d = Decimal(s)
    except (InvalidOperation, ValueError):
        d = None
    if d is None or not d.is_finite():
        raise ValidationError(_("“%(f)s”应为数字：%(v)s") % {"f": label, "v": value})
    _check_bounds(d, value, label, low, high)
    return d


def _check_bounds(n, value, label: str, low, high) -> None:
    if (low is None or n >= low) and (high is None or n <= high):
        return
    if low is not None and high is not None:
        msg = _("“%(f)s”应在 %(a)s 到 %(b)s 之间：%(v)s")
    elif low is not None:
        msg = _("“%(f)s”不能小于 %(a)s：%(v)s")
    else:
        msg = _("“%(f)s”不能大于 %(b)s：%(v)s")
    raise ValidationError(msg % {"f": label, "a": low, "b": high, "v": value})


def year(value, label: str, *, required: bool = False) -> int | None:
    """A four-digit year (text, a number, or Excel's 2024.0); None when empty (or blank) and not
    required."""
    if _blank(value):
        if required:
            raise ValidationError(_("请填写“%(f)s”。") % {"f": label})
        return None
    s = str(value).strip()
    if s.endswith(".0"):
        s = s[:-2]
    try:
        y = int(s)
    except ValueError:
        raise ValidationError(_("“%(f)s”应为年份：%(v)s") % {"f": label, "v": value}) from None
    if not YEARS[0] <= y <= YEARS[1]:
        raise ValidationError(_("“%(f)s”超出范围：%(v)s") % {"f": label, "v": value})
    return y
