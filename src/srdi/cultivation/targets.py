"""The plan's targets (plan files in ``data/plans/``) measured from the platform's records.

    rows = targets.evaluate(as_of, scope)      # one dict per target: target, actual, progress …

Exact arithmetic: sums are Decimals, percentages are computed as Fractions and rounded only
for display (2 decimals). Comparisons with the target use the exact value.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Q, Sum

from srdi.core import measures
from srdi.registry.models import AnnualFigures, Enterprise, Region, Title

from . import lifecycle, plans, shares
from .models import ManualFigure, PoolEntry, TargetSnapshot
from .selectors import CITY, Scope, cached, held_titles, holders, holds_exists, holds_q

TWO = Decimal("0.01")
OPS = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "all": lambda a, b: a >= b,  # 全覆盖: the share reaches 100%
}
KIND_LABELS = {
    "title_count": "平台称号记录",
    "ratio_of_sums": "平台年度数据",
    "mean": "平台年度数据",
    "share_true": "平台年度数据",
    "registered": "平台业务记录",
    "manual": "手工填报",
}
COUNT_KINDS = ("title_count",)  # values that never fall (cumulative counts)


def plan(key: str | None = None, day: dt.date | None = None) -> dict:
    """The plan `key`, or the plan in force on `day` (default today)."""
    return plans.get(key, day)


def definitions(plan_key: str | None = None, day: dt.date | None = None) -> list[dict]:
    return list(plan(plan_key, day)["targets"])


def definition(target_id: str, plan_key: str | None = None, day: dt.date | None = None) -> dict:
    for t in definitions(plan_key, day):
        if t["id"] == target_id:
            return t
    if plan_key is None:
        for p in reversed(list(plans.all_plans().values())):
            for t in p["targets"]:
                if t["id"] == target_id:
                    return t
    raise KeyError(f"未知的目标：{target_id}")


def plan_of(defn: dict) -> dict:
    for p in plans.all_plans().values():
        if any(t is defn or t["id"] == defn["id"] for t in p["targets"]):
            return p
    return plan()


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Fraction):
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            TWO, rounding=ROUND_HALF_UP
        )
    return Decimal(value)


def _pct(num, den) -> Fraction | None:
    if num is None or not den:
        return None
    return Fraction(Decimal(num)) * 100 / Fraction(Decimal(den))


def _exact(value) -> Fraction | None:
    if value is None:
        return None
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(Decimal(str(value)))
    return Fraction(Decimal(value))


# ---------------------------------------------------------------- measuring one target


def population(measure: dict, day: dt.date, scope: Scope):
    return holders(day, measure["population"], scope)


POPULATION_KINDS = ("ratio_of_sums", "mean", "share_true")


def _agg_spec(m: dict) -> dict:
    """The aggregates one population measure needs (names are shared between measures)."""
    kind = m["kind"]
    if kind == "ratio_of_sums":
        num, den = m["numerator"], m["denominator"]
        both = Q(**{f"{num}__isnull": False, f"{den}__isnull": False})
        return {
            f"{num}_{den}_n": Sum(num, filter=both),
            f"{num}_{den}_d": Sum(den, filter=both),
        }
    if kind == "mean":
        f = m["field"]
        known = Q(**{f"{f}__isnull": False})
        return {f"{f}_sum": Sum(f, filter=known), f"{f}_n": Count("pk", filter=known)}
    if kind == "share_true":
        f = m["field"]
        return {
            f"{f}_yes": Count("pk", filter=Q(**{f: True})),
            f"{f}_n": Count("pk", filter=Q(**{f"{f}__isnull": False})),
        }
    if kind == "revenue_share":
        return {"revenue_sum": Sum("revenue", filter=Q(revenue__isnull=False))}
    raise ValueError(kind)


def population_aggregates(pop: list[str], day: dt.date, scope: Scope, year: int) -> dict:
    """Every aggregate the population measures need, in one query (cached)."""

    def compute():
        spec = {"rows": Count("pk")}
        for d in (t for p in plans.all_plans().values() for t in p["targets"]):
            m = d["measure"]
            if m["kind"] in POPULATION_KINDS and list(m["population"]) == list(pop):
                spec |= _agg_spec(m)
        rows = AnnualFigures.objects.filter(
            year=year, enterprise__in=holders(day, pop, scope).values("pk")
        )
        return rows.aggregate(**spec)

    return cached("popagg", scope, day, compute, year, ",".join(pop))


def whole_revenue(scope: Scope, day: dt.date, year: int):
    def compute():
        qs = AnnualFigures.objects.filter(year=year, revenue__isnull=False)
        if not scope.is_city:
            qs = qs.filter(enterprise__in=scope.enterprises().values("pk"))
        return qs.aggregate(s=Sum("revenue"))["s"]

    return cached("wholerev", scope, day, compute, year)


def figures_year(measure: dict, day: dt.date, scope: Scope) -> int:
    """The year whose figures a population measure uses (falls back one year if empty)."""
    year = day.year - 1
    pop = list(measure["population"])
    if not population_aggregates(pop, day, scope, year)["rows"]:
        if population_aggregates(pop, day, scope, year - 1)["rows"]:
            return year - 1
    return year


def measure_population(measure: dict, day: dt.date, scope: Scope, year: int):
    """The exact value (Fraction) of a population measure, or None when nothing is known."""
    kind = measure["kind"]
    agg = population_aggregates(list(measure["population"]), day, scope, year)
    if kind == "ratio_of_sums":
        num, den = measure["numerator"], measure["denominator"]
        return _pct(agg[f"{num}_{den}_n"], agg[f"{num}_{den}_d"])
    if kind == "mean":
        f = measure["field"]
        n = agg[f"{f}_n"]
        return Fraction(Decimal(agg[f"{f}_sum"])) / n if n else None
    if kind == "share_true":
        f = measure["field"]
        n = agg[f"{f}_n"]
        return Fraction(agg[f"{f}_yes"] * 100, n) if n else None
    if kind == "revenue_share":
        return _pct(agg["revenue_sum"] or 0, whole_revenue(scope, day, year))
    raise ValueError(kind)


def manual_value(target_id: str, day: dt.date, scope: Scope) -> tuple[Decimal | None, list]:
    """The latest hand-recorded figure on or before `day` (city: a city-level figure, else the
    sum of each 板块's latest); the records used are returned for drill-down."""
    qs = ManualFigure.objects.filter(target_id=target_id, as_of__lte=day).select_related("region")
    if scope.region_id is not None:
        rec = qs.filter(region_id=scope.region_id).order_by("-as_of", "-recorded_at").first()
        return (rec.value, [rec]) if rec else (None, [])
    if scope.commissioner_id is not None:
        return None, []
    city = qs.filter(region__isnull=True).order_by("-as_of", "-recorded_at").first()
    latest: dict[int, ManualFigure] = {}
    for rec in qs.filter(region__isnull=False).order_by("region_id", "-as_of", "-recorded_at"):
        latest.setdefault(rec.region_id, rec)
    if city and (not latest or city.as_of >= max(r.as_of for r in latest.values())):
        return city.value, [city]
    if latest:
        return sum((r.value for r in latest.values()), Decimal(0)), list(latest.values())
    return (city.value, [city]) if city else (None, [])


def _domain_label(name: str) -> str:
    return measures.DOMAIN_LABELS.get(name.split(".", 1)[0], name.split(".", 1)[0])


def connected(defn: dict) -> bool:
    """False when the target names a registered measure whose domain is not installed."""
    m = defn["measure"]
    return m["kind"] != "registered" or measures.exists(m["name"])


def measure(defn: dict, day: dt.date, scope: Scope = CITY) -> dict:
    """``{"actual": Fraction|Decimal|int|None, "year": int|None, "note": str}`` for one target.

    A registered measure whose domain is not installed gives ``actual=None`` and
    ``connected=False`` (shown as 未接入, never as a figure)."""
    m = defn["measure"]
    kind = m["kind"]
    if kind == "title_count":
        if m.get("counting") == "cumulative":
            since = m.get("since")
            qs = Title.objects.filter(tier__in=m["tiers"]).filter(scope.q("enterprise__"))
            qs = qs.filter(Q(granted__isnull=True) | Q(granted__lte=day))
            qs = qs.exclude(status=Title.Status.REVOKED, revoked_at__lte=day)
            if since:
                qs = qs.filter(granted__gte=since)
            n = qs.values("enterprise_id").distinct().count()
        else:
            n = held_titles(day, m["tiers"], scope).values("enterprise_id").distinct().count()
        return {"actual": n, "year": None, "connected": True}
    if kind in POPULATION_KINDS:
        year = figures_year(m, day, scope)
        return {
            "actual": measure_population(m, day, scope, year),
            "year": year,
            "connected": True,
        }
    if kind == "registered":
        if not measures.exists(m["name"]):
            return {"actual": None, "year": None, "connected": False}
        got = measures.measure(m["name"], day, scope, dict(m.get("params") or {}))
        return {"actual": got.actual, "year": got.year, "connected": True, "note": got.note}
    if kind == "manual":
        value, _ = manual_value(defn["id"], day, scope)
        return {"actual": value, "year": None, "connected": True}
    raise ValueError(f"目标 {defn['id']} 的计量方式未知：{kind}")


def measured_items(defn: dict, day: dt.date, scope: Scope = CITY):
    """What a registered measure counts (queryset or list), for the drill-down."""
    m = defn["measure"]
    if m["kind"] != "registered" or not measures.exists(m["name"]):
        return None, ""
    got = measures.measure(m["name"], day, scope, dict(m.get("params") or {}))
    return got.items, got.note


def _jsonnum(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    d = _dec(value) if isinstance(value, Fraction) else Decimal(str(value))
    d = d.quantize(TWO, rounding=ROUND_HALF_UP)
    return int(d) if d == d.to_integral() else float(d)


def _target_value(defn: dict, part=None) -> Fraction | None:
    t = defn.get("target") if part is None else part
    return None if t is None else _exact(Decimal(str(t)))


def _achieved(defn: dict, actual, part=None) -> bool | None:
    target = _target_value(defn, part)
    if actual is None or target is None:
        return None
    return OPS[defn["op"]](_exact(actual), target)


def _progress(defn: dict, actual, part=None) -> float | None:
    target = _target_value(defn, part)
    if actual is None or not target:
        return None
    a = _exact(actual)
    if defn["op"] in ("<=", "<"):  # smaller is better: progress = target / actual
        p = Fraction(10) if not a else min(target / a, Fraction(10))
    else:
        p = min(a / target, Fraction(10))
    return float(round(p * 100, 1))


def target_label(defn: dict, part=None) -> str:
    t = defn.get("target") if part is None else part
    if defn["op"] == "all":
        return "全覆盖"
    return f"{plans.OP_LABELS[defn['op']]}{_jsonnum(_exact(Decimal(str(t))))}{defn['unit']}"


def status(defn: dict, day: dt.date, actual, is_connected: bool, fc: dict | None, part=None):
    """One status per row (never 已达成 beside 有风险): (code, Chinese label)."""
    deadline = defn["deadline"]
    if not is_connected:
        return "not_connected", "未接入"
    achieved = _achieved(defn, actual, part)
    if achieved is None:
        return "no_data", "暂无数据"
    if day >= deadline:
        at = f"期末（{deadline.isoformat()}）"
        return ("met", f"{at}已达成") if achieved else ("missed", f"{at}未达成")
    likely = (fc or {}).get("likely")
    if achieved:
        if likely is False:
            return "at_risk", "当前达到，按趋势期末可能回落"
        return "met", "已达成"
    if likely is True:
        return "on_track", "未达成，按预测可按期完成"
    if likely is False:
        return "at_risk", "未达成，按预测有风险"
    return "behind", "未达成"


def row(
    defn: dict,
    day: dt.date,
    scope: Scope = CITY,
    with_forecast: bool = True,
    part=None,
) -> dict:
    """One target measured on `day` (after the deadline: on the deadline, stated as such).

    `part` is the 板块's own figure (its share of the city target) when the scope is a 板块."""
    deadline = defn["deadline"]
    at = min(day, deadline)
    m = measure(defn, at, scope)
    actual = m["actual"]
    is_connected = m["connected"]
    kind = defn["measure"]["kind"]
    p = plan_of(defn)
    out = {
        "id": defn["id"],
        "plan": p["key"],
        "section": defn.get("section", ""),
        "name": defn["name"],
        "wording": defn.get("wording", ""),
        "reading": defn.get("reading", ""),
        "unit": defn["unit"],
        "op": defn["op"],
        "op_label": plans.OP_LABELS[defn["op"]],
        "target": _jsonnum(_target_value(defn, part)),
        "target_label": target_label(defn, part),
        "city_target": _jsonnum(_target_value(defn)),
        "actual": _jsonnum(actual) if is_connected else None,
        "as_of": at.isoformat(),
        "deadline": deadline.isoformat(),
        "deadline_passed": day >= deadline,
        "achieved": _achieved(defn, actual, part),
        "progress_pct": _progress(defn, actual, part),
        "measure": (defn["measure"]["name"] if kind == "registered" else kind),
        "measured_by": kind,
        "measured_by_label": KIND_LABELS[kind],
        "connected": is_connected,
        "manual": kind == "manual",
        "year": m["year"],
        "measure_note": m.get("note", ""),
        "split": defn.get("split", "count"),
        "scope": scope.label,
        "target_is_citywide": part is None,
    }
    if not is_connected:
        domain = _domain_label(defn["measure"]["name"])
        out["measured_by_label"] = f"未接入（{domain}模块尚未上线）"
    fc = forecast(defn, day, scope, actual, part) if with_forecast and is_connected else None
    out["forecast"] = fc
    out["status"], out["status_label"] = status(defn, day, actual, is_connected, fc, part)
    return out


def evaluate(
    day: dt.date,
    scope: Scope = CITY,
    with_forecast: bool = True,
    plan_key: str | None = None,
) -> list[dict]:
    """Every target of the plan (default: the plan in force on `day`), measured on `day`
    within `scope` (a 板块 sees its own part of each target; cached per data version)."""
    p = plan(plan_key, day)

    def compute():
        parts = shares.parts(p, scope) if scope.region_id is not None else {}
        return [row(d, day, scope, with_forecast, parts.get(d["id"])) for d in p["targets"]]

    return cached("targets", scope, day, compute, int(with_forecast), p["key"])


def by_region(defn: dict, day: dt.date) -> list[dict]:
    """The target's actual value and part in each 板块 (progress by 板块)."""
    p = plan_of(defn)
    at = min(day, defn["deadline"])
    split = shares.split_target(p, defn)
    out = []
    for region in Region.objects.filter(active=True):
        sc = Scope(f"r{region.pk}", region_id=region.pk, label=region.name)
        m = measure(defn, at, sc)
        part = split.get(region.pk)
        out.append(
            {
                "region_id": region.pk,
                "region": region.name,
                "actual": _jsonnum(m["actual"]) if m["connected"] else None,
                "part": _jsonnum(part) if part is not None else None,
                "achieved": _achieved(defn, m["actual"], part) if part is not None else None,
                "progress_pct": _progress(defn, m["actual"], part) if part is not None else None,
            }
        )
    return out


def by_region_all(day: dt.date, plan_key: str | None = None) -> dict:
    """{target id: [{region, actual, part}]} for the targets split by 板块 (cached)."""
    p = plan(plan_key, day)

    def compute():
        return {d["id"]: by_region(d, day) for d in p["targets"] if d.get("split") != "none"}

    return cached("targets_by_region", CITY, day, compute, p["key"])


def region_ranking(day: dt.date, plan_key: str | None = None) -> list[dict]:
    """板块 ranked by the mean completion of their parts of the count targets (each capped at
    100%), for the bulletin."""
    p = plan(plan_key, day)
    per: dict[int, list[float]] = {}
    names: dict[int, str] = {}
    for d in p["targets"]:
        if d.get("split") != "count" or not connected(d):
            continue
        for r in by_region(d, day):
            names[r["region_id"]] = r["region"]
            if r["progress_pct"] is not None:
                per.setdefault(r["region_id"], []).append(min(r["progress_pct"], 100.0))
    rows = [
        {
            "region_id": rid,
            "region": names[rid],
            "score": round(sum(v) / len(v), 1) if v else None,
            "targets": len(v),
            "met": sum(1 for x in v if x >= 100),
        }
        for rid, v in per.items()
    ]
    rows.sort(key=lambda r: (-(r["score"] or 0), r["region"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows


# ---------------------------------------------------------------- over time and forecast


def series_dates(day: dt.date, start: dt.date) -> list[dt.date]:
    """Quarter ends from the plan's start up to `day`, and `day` itself."""
    out = []
    y, q = start.year, 1
    while True:
        end = dt.date(y, q * 3, {3: 31, 6: 30, 9: 30, 12: 31}[q * 3])
        if end >= day:
            break
        if end >= start:
            out.append(end)
        q += 1
        if q == 5:
            y, q = y + 1, 1
    out.append(day)
    return out


def series(defn: dict, day: dt.date, scope: Scope = CITY) -> list[dict]:
    """The target's actual value over time (from the dated records where they allow it, else
    from stored snapshots)."""
    m = defn["measure"]
    kind = m["kind"]
    p = plan_of(defn)
    day = min(day, defn["deadline"])
    start = p["period"]["start"]
    if kind == "title_count" and m.get("counting") != "cumulative":
        dates = series_dates(day, start)
        base = Title.objects.filter(tier__in=m["tiers"]).filter(scope.q("enterprise__"))
        agg = base.aggregate(
            **{
                f"d{i}": Count("enterprise_id", distinct=True, filter=holds_q(d))
                for i, d in enumerate(dates)
            }
        )
        return [{"as_of": d.isoformat(), "actual": agg[f"d{i}"]} for i, d in enumerate(dates)]
    if kind in ("title_count", "registered"):
        if not connected(defn):
            return []
        return [
            {"as_of": d.isoformat(), "actual": _jsonnum(measure(defn, d, scope)["actual"])}
            for d in series_dates(day, start)
        ]
    if kind in POPULATION_KINDS:
        out = []
        for year in range(start.year - 1, day.year):
            d = min(dt.date(year + 1, 12, 31), day)
            v = measure_population(m, d, scope, year)
            out.append({"as_of": f"{year}", "actual": _jsonnum(v)})
        return out
    if kind == "manual":
        qs = ManualFigure.objects.filter(target_id=defn["id"], as_of__lte=day)
        dates = sorted(set(qs.values_list("as_of", flat=True)))
        return [
            {"as_of": d.isoformat(), "actual": _jsonnum(manual_value(defn["id"], d, scope)[0])}
            for d in dates
        ]
    snaps = TargetSnapshot.objects.filter(
        plan=p["key"], target_id=defn["id"], as_of__lte=day, region_id=scope.region_id
    ).order_by("as_of")
    pts = [{"as_of": s.as_of.isoformat(), "actual": _jsonnum(s.actual)} for s in snaps]
    pts.append({"as_of": day.isoformat(), "actual": _jsonnum(measure(defn, day, scope)["actual"])})
    return pts


def _trend(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope (value per day) over the last points."""
    pts = [p for p in points if p[1] is not None][-8:]
    if len(pts) < 2:
        return None
    n = len(pts)
    mx = sum(x for x, _ in pts) / n
    my = sum(y for _, y in pts) / n
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    if not sxx:
        return None
    return sum((x - mx) * (y - my) for x, y in pts) / sxx


TREND_METHOD = "按最近至多8个时点的最小二乘线性趋势外推至期限"
POOL_METHOD = "现值加培育库中已符合条件且有申报意愿的企业数×历史转化率"


def forecast(defn: dict, day: dt.date, scope: Scope, actual, part=None) -> dict:
    """The value expected at the deadline, with its method: the linear trend and (title counts)
    the pool. After the deadline: the value measured on the deadline itself."""
    deadline = defn["deadline"]
    if day >= deadline:
        at = measure(defn, deadline, scope)["actual"]
        return {
            "method": "deadline_passed",
            "label": f"计划期已结束：取期限日（{deadline.isoformat()}）实际值",
            "trend": _jsonnum(at),
            "pool": None,
            "likely": _achieved(defn, at, part),
        }
    pts = []
    for p in series(defn, day, scope):
        if p["actual"] is None:
            continue
        when = p["as_of"]
        x = (
            dt.date(int(when), 12, 31) if len(when) == 4 else dt.date.fromisoformat(when)
        ).toordinal()
        pts.append((float(x), float(p["actual"])))
    slope = _trend(pts)
    current = float(actual) if actual is not None else None
    trend_value = None
    if current is not None and slope is not None:
        trend_value = current + slope * (deadline.toordinal() - day.toordinal())
        if defn["unit"] == "%" and defn["op"] in (">=", ">", "all"):
            trend_value = max(0.0, min(trend_value, 100.0))
    pool_value = None
    m = defn["measure"]
    if m["kind"] == "title_count" and current is not None:
        conv = lifecycle.pool_rules()["forecast_conversion"]["value"]
        ready = (
            PoolEntry.objects.filter(tier__in=m["tiers"], meets=True, willing=True)
            .filter(scope.q("enterprise__"))
            .exclude(enterprise__in=Enterprise.objects.filter(holds_exists(day, m["tiers"])))
            .values("enterprise_id")
            .distinct()
            .count()
        )
        pool_value = current + ready * float(conv)
    best = trend_value if trend_value is not None else pool_value
    if pool_value is not None and trend_value is not None:
        best = max(trend_value, pool_value)
    likely = None
    target = _target_value(defn, part)
    if best is not None and target is not None:
        likely = OPS[defn["op"]](Fraction(best), target)
    methods = []
    if trend_value is not None:
        methods.append(TREND_METHOD)
    if pool_value is not None:
        methods.append(POOL_METHOD)
    return {
        "method": "trend_and_pool" if pool_value is not None else "trend",
        "label": "；".join(methods) if methods else "数据点不足，暂无预测",
        "trend": None if trend_value is None else round(trend_value, 2),
        "pool": None if pool_value is None else round(pool_value, 2),
        "likely": likely,
    }


def snapshot(day: dt.date, plan_key: str | None = None, with_regions: bool = True) -> int:
    """Store the actual value of every connected target (city and each 板块) on `day`: the
    final assessment's trend reads these stored values."""
    p = plan(plan_key, day)
    n = 0
    regions = [None, *(Region.objects.filter(active=True) if with_regions else [])]
    for d in p["targets"]:
        if not connected(d):
            continue
        for region in regions:
            sc = CITY if region is None else Scope(f"r{region.pk}", region_id=region.pk)
            actual = measure(d, min(day, d["deadline"]), sc)["actual"]
            TargetSnapshot.objects.update_or_create(
                plan=p["key"],
                target_id=d["id"],
                region=region,
                as_of=day,
                defaults={"actual": None if actual is None else _dec(_exact(actual))},
            )
            n += 1
    return n


__all__ = [
    "by_region",
    "by_region_all",
    "definition",
    "definitions",
    "evaluate",
    "forecast",
    "measure",
    "row",
    "series",
    "snapshot",
]
