"""Target measures contributed by the domains: the plan's targets read the platform's records.

A domain registers, in its ``measures.py`` (imported by its ``AppConfig.ready``)::

    from srdi.core import measures

    @measures.register("innovation.projects_new", label="新增产学研合作项目", unit="项")
    def projects_new(day, scope, params):
        qs = Project.objects.filter(signed_on__lte=day, ...)      # scope: cultivation Scope
        return measures.Measured(actual=qs.count(), items=qs)

and a target in a plan file (``cultivation/data/plans/*.yaml``) names it:
``measure: {kind: registered, name: innovation.projects_new, params: {...}}``.

``Measured.items`` is what is counted (a queryset or list of objects with an ``enterprise`` or
a name), shown one click away from the figure. `scope` is ``srdi.cultivation.selectors.Scope``
(``scope.region_id``, ``scope.commissioner_id``, ``scope.enterprises()``, ``scope.is_city``).
A target whose measure is not registered (its domain does not exist yet) stays ``manual``
and says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Measured:
    actual: Any  # int | Decimal | Fraction | None (None = nothing recorded)
    year: int | None = None
    items: Any = None  # queryset or list: what is counted (drill-down)
    note: str = ""  # how it was counted, in Chinese (shown beside the figure)
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    unit: str
    fn: Callable[[dt.date, Any, dict], Measured]


_MEASURES: dict[str, Measure] = {}

# The domain (first part of a measure's name) in Chinese: a target whose measure is not
# registered says "未接入（<domain>模块尚未上线）".
DOMAIN_LABELS = {
    "support": "服务专员与一企一策",
    "chains": "产业链协同",
    "finance": "金融与上市",
    "innovation": "创新引领",
    "recognition": "荣誉认证与平台登记",
}


def register(name: str, *, label: str, unit: str = ""):
    def deco(fn):
        _MEASURES[name] = Measure(name, label, unit, fn)
        return fn

    return deco


def exists(name: str) -> bool:
    return name in _MEASURES


def get(name: str) -> Measure:
    return _MEASURES[name]


def all_measures() -> dict[str, Measure]:
    return dict(_MEASURES)


def measure(name: str, day: dt.date, scope, params: dict | None = None) -> Measured:
    return _MEASURES[name].fn(day, scope, params or {})
