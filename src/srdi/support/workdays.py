"""Chinese working days (holidays and 调休) from ``chinesecalendar``, with overrides as data
(``data/calendar.yaml``). A year the library does not know yet falls back to Monday–Friday plus
the overrides, and :func:`verified` says so."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

from . import config

ONE = dt.timedelta(days=1)


@lru_cache(maxsize=8192)
def is_workday(day: dt.date) -> bool:
    holidays, workdays = config.calendar_overrides()
    if day in holidays:
        return False
    if day in workdays:
        return True
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the library has no data for
        return day.weekday() < 5


def verified(day: dt.date) -> bool:
    """Whether the holiday arrangement of ``day``'s year comes from the library."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def add(day: dt.date, n: int) -> dt.date:
    """The n-th working day after ``day`` (``day`` itself not counted)."""
    d = day
    while n > 0:
        d += ONE
        if is_workday(d):
            n -= 1
    return d


def between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end ≤ start)."""
    n, d = 0, start
    while d < end:
        d += ONE
        if is_workday(d):
            n += 1
    return n
