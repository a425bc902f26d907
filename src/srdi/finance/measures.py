"""The plan's listing targets measured from the reserve pool's records (plan 二(七)): a listing
reserve pool of 30+ and 3+ new listings by 2025.

* ``finance.listing_reserve`` — enterprises in the reserve pool on the day asked: confirmed by
  金融监管局 and in a stage 培育 … 审核/注册 on that day (entered on or before it, not yet listed
  or removed). Items = them.
* ``finance.listed_new`` — enterprises of the pool listed in the plan period up to the day asked:
  ``params.since`` = "YYYY-MM-DD" (default the plan's start 2023-01-01), or ``params.year`` for
  one calendar year; ``params.until`` caps the period. Items = them.

Both count only enterprises in the target's scope (a 板块's own figure for a 板块).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from srdi.core import measures

from .models import ListingCandidate
from .selectors import POOL_STAGES

PLAN_START = dt.date(2023, 1, 1)


def _scoped(qs, scope):
    if scope is not None and not getattr(scope, "is_city", True):
        qs = qs.filter(enterprise__in=scope.enterprises())
    return qs


def _window(day: dt.date, params: dict) -> tuple[dt.date, dt.date, int | None]:
    end = min(day, dt.date.fromisoformat(str(params["until"]))) if params.get("until") else day
    if params.get("year"):
        year = int(params["year"])
        return dt.date(year, 1, 1), min(end, dt.date(year, 12, 31)), year
    since = dt.date.fromisoformat(str(params["since"])) if params.get("since") else PLAN_START
    return since, end, None


@measures.register("finance.listing_reserve", label="上市后备企业库入库企业", unit="家")
def listing_reserve(day, scope, params):
    in_pool = Q(stage__in=POOL_STAGES) | Q(stage=ListingCandidate.Stage.LISTED, listed_on__gt=day)
    qs = ListingCandidate.objects.filter(in_pool, confirmed_on__isnull=False, confirmed_on__lte=day)
    qs = _scoped(qs, scope).select_related("enterprise").order_by("-score", "enterprise__uscc")
    return measures.Measured(
        actual=qs.count(), items=qs, note="经市金融监管局确认入库、处于培育至审核/注册阶段的企业"
    )


@measures.register("finance.listed_new", label="新增上市企业", unit="家")
def listed_new(day, scope, params):
    start, end, year = _window(day, params)
    qs = ListingCandidate.objects.filter(
        stage=ListingCandidate.Stage.LISTED, listed_on__gte=start, listed_on__lte=end
    )
    qs = _scoped(qs, scope).select_related("enterprise").order_by("-listed_on")
    note = f"{year}年上市的企业" if year else f"{start.year}年{start.month}月起上市的企业"
    return measures.Measured(actual=qs.count(), year=year, items=qs, note=note)
