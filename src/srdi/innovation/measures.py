"""The plan's innovation targets measured from records (plan 二(三)): by 2025, 800 new
产学研 projects and 50 new 科技副总.

* ``innovation.projects_new`` — 产学研 projects signed in the calendar year of the day asked
  (``params.year`` overrides; ``params.since`` = "YYYY-MM-DD" counts from that date instead,
  e.g. the plan's start 2023-01-01 for a cumulative figure), up to that day.
* ``innovation.tech_vps`` — 科技副总 whose term started in that year (same params), up to that day.

Both count only enterprises in the target's scope (a 板块's own figure for a 板块).
"""

from __future__ import annotations

import datetime as dt

from srdi.core import measures

from .models import Project, TechVP


def _window(day: dt.date, params: dict) -> tuple[dt.date, int | None]:
    if params.get("since"):
        return dt.date.fromisoformat(str(params["since"])), None
    year = int(params.get("year") or day.year)
    return dt.date(year, 1, 1), year


def _scoped(qs, scope):
    if scope is not None and not getattr(scope, "is_city", True):
        qs = qs.filter(enterprise__in=scope.enterprises())
    return qs


@measures.register("innovation.projects_new", label="新增产学研合作项目", unit="项")
def projects_new(day, scope, params):
    start, year = _window(day, params)
    qs = _scoped(Project.objects.filter(signed_on__gte=start, signed_on__lte=day), scope)
    qs = qs.select_related("enterprise").order_by("-signed_on")
    note = (
        f"{start.year}年起签约的产学研合作项目" if year is None else f"{year}年签约的产学研合作项目"
    )
    return measures.Measured(actual=qs.count(), year=year, items=qs, note=note)


@measures.register("innovation.tech_vps", label="新增科技副总", unit="人")
def tech_vps(day, scope, params):
    start, year = _window(day, params)
    qs = _scoped(TechVP.objects.filter(term_start__gte=start, term_start__lte=day), scope)
    qs = qs.select_related("enterprise").order_by("-term_start")
    note = f"{start.year}年起新聘任的科技副总" if year is None else f"{year}年新聘任的科技副总"
    return measures.Measured(actual=qs.count(), year=year, items=qs, note=note)
