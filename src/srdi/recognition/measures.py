"""The plan's targets measured from the registers (srdi.core.measures).

* ``recognition.honours`` — honours of `kinds` (params: kinds, levels, since_year, min_stars,
  count = enterprises | products | records) recognised on or before the day, not revoked.
* ``recognition.coverage`` — % of the enterprises holding a valid title of `tiers` that have a
  record of `kinds` (全覆盖 targets: 智改数转, 免费诊断, 两化融合贯标).
* ``recognition.platforms`` — recognised platforms of `kinds` (params: levels, since_year).
* ``recognition.size_share`` — Σ`field` (主营业务收入) of the 规上中小工业企业 holding a valid
  title of `tiers` ÷ Σ`field` of all 规上中小工业企业, for the year before the day (规上 = the
  统计局's 规上名录 record of that year; 中小 and 工业 per data/kinds.yaml ``size_share``).

A record without a date counts from the end of its year. Scope: a 板块 counts its enterprises
(platforms: the 板块 recorded on the platform).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from django.db.models import Q, Sum

from srdi.core import measures

from . import kinds
from .models import Honour, Platform


def _by(day: dt.date, prefix: str = "") -> Q:
    """Recognised on or before `day` and not revoked by then."""
    last_full_year = day.year if (day.month, day.day) == (12, 31) else day.year - 1
    dated = Q(**{f"{prefix}granted_on__lte": day})
    undated = Q(**{f"{prefix}granted_on__isnull": True, f"{prefix}year__lte": last_full_year})
    alive = Q(**{f"{prefix}revoked_on__isnull": True}) | Q(**{f"{prefix}revoked_on__gt": day})
    return (dated | undated) & alive


def _by_year(day: dt.date) -> Q:
    """Platforms: recognised in a year that has ended by `day` (or on its last day), not revoked."""
    last_full_year = day.year if (day.month, day.day) == (12, 31) else day.year - 1
    alive = Q(revoked_on__isnull=True) | Q(revoked_on__gt=day)
    return Q(year__lte=last_full_year) & alive


def _scoped(qs, scope, field="enterprise"):
    if scope is not None and not getattr(scope, "is_city", True):
        qs = qs.filter(**{f"{field}__in": scope.enterprises()})
    return qs


def honours_qs(day: dt.date, scope, params: dict):
    qs = Honour.objects.filter(_by(day), kind__in=list(params.get("kinds") or []))
    if params.get("levels"):
        qs = qs.filter(level__in=list(params["levels"]))
    if params.get("since_year"):
        qs = qs.filter(year__gte=int(params["since_year"]))
    if params.get("min_stars"):
        qs = qs.filter(stars__gte=int(params["min_stars"]))
    return _scoped(qs, scope).select_related("enterprise").order_by("-year", "enterprise__name")


@measures.register("recognition.honours", label="荣誉认证登记", unit="")
def honours(day, scope, params):
    qs = honours_qs(day, scope, params)
    count = params.get("count", "enterprises")
    if count == "records":
        n = qs.count()
    elif count == "products":
        n = qs.values("enterprise_id", "item").distinct().count()
    else:
        n = qs.values("enterprise_id").distinct().count()
    labels = "、".join(kinds.honour_label(k) for k in params.get("kinds") or [])
    since = f"{params['since_year']}年起" if params.get("since_year") else "截至统计日"
    unit = {"records": "项", "products": "个产品"}.get(count, "家企业")
    return measures.Measured(actual=n, items=qs, note=f"{since}登记的{labels}（按{unit}计）")


@measures.register("recognition.coverage", label="专精特新企业覆盖率", unit="%")
def coverage(day, scope, params):
    from srdi.cultivation.selectors import CITY, holders

    population = holders(day, list(params.get("tiers") or []), scope or CITY)
    covered_ids = Honour.objects.filter(_by(day), kind__in=list(params.get("kinds") or [])).values(
        "enterprise_id"
    )
    covered = population.filter(pk__in=covered_ids)
    total = population.count()
    n = covered.count()
    actual = Fraction(n * 100, total) if total else None
    labels = "、".join(kinds.honour_label(k) for k in params.get("kinds") or [])
    return measures.Measured(
        actual=actual,
        items=covered.order_by("name"),
        note=f"持有有效专精特新类称号的{total}家企业中，{n}家有{labels}记录",
        extra={"uncovered": population.exclude(pk__in=covered_ids).order_by("name")},
    )


@measures.register("recognition.platforms", label="服务与创新平台", unit="个")
def platforms(day, scope, params):
    qs = Platform.objects.filter(_by_year(day), kind__in=list(params.get("kinds") or []))
    if params.get("levels"):
        qs = qs.filter(level__in=list(params["levels"]))
    if params.get("since_year"):
        qs = qs.filter(year__gte=int(params["since_year"]))
    if scope is not None and getattr(scope, "region_id", None) is not None:
        qs = qs.filter(region_id=scope.region_id)
    elif scope is not None and not getattr(scope, "is_city", True):
        qs = qs.filter(operator__in=scope.enterprises())
    labels = "、".join(kinds.platform_label(k) for k in params.get("kinds") or [])
    since = f"{params['since_year']}年起" if params.get("since_year") else "截至统计日"
    return measures.Measured(
        actual=qs.count(), items=qs.order_by("-year", "name"), note=f"{since}认定的{labels}"
    )


def size_population(year: int, scope):
    """规上中小工业企业 of `year` (the 规上名录 records)."""
    from srdi.registry.models import Enterprise

    cfg = kinds.size_share()
    ids = Honour.objects.filter(
        kind="above_size", year=year, level__in=list(cfg["sme_levels"])
    ).values("enterprise_id")
    industry = Q()
    for s in cfg["industry_sections"]:
        industry |= Q(industry_code__startswith=s)
    qs = Enterprise.objects.filter(pk__in=ids).filter(industry)
    return _scoped(qs, scope, field="pk")


@measures.register("recognition.size_share", label="占规上中小工业企业比重", unit="%")
def size_share(day, scope, params):
    from srdi.cultivation.selectors import holders
    from srdi.registry.models import AnnualFigures

    field = params.get("field", "main_revenue")
    tiers = list(params.get("tiers") or [])
    year = day.year - 1
    if not Honour.objects.filter(kind="above_size", year=year).exists():
        year -= 1
    base = size_population(year, scope)
    srdi = base.filter(pk__in=holders(day, tiers).values("pk"))
    figs = AnnualFigures.objects.filter(year=year, **{f"{field}__isnull": False})
    den = figs.filter(enterprise__in=base).aggregate(s=Sum(field))["s"]
    num = figs.filter(enterprise__in=srdi).aggregate(s=Sum(field))["s"] or Decimal(0)
    actual = Fraction(Decimal(num)) * 100 / Fraction(Decimal(den)) if den else None
    return measures.Measured(
        actual=actual,
        year=year,
        items=srdi.order_by("name"),
        note=f"{year}年规上中小工业企业{base.count()}家，其中专精特新企业{srdi.count()}家",
    )
