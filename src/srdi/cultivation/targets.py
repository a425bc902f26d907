"""The plan's targets (``data/targets.yaml``) measured from the platform's records.

    rows = targets.evaluate(as_of, scope)      # one dict per target: target, actual, progress …

Exact arithmetic: sums are Decimals, percentages are computed as Fractions and rounded only
for display (2 decimals). Comparisons with the target use the exact value.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Q, Sum

from srdi.accounts.models import User
from srdi.registry.models import AnnualFigures, Enterprise, Region

from . import lifecycle
from .models import ManualFigure, PoolEntry, TargetSnapshot
from .selectors import CITY, Scope, cached, held_titles, holders, holds_exists, holds_q

TWO = Decimal("0.01")
OPS = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}
KIND_LABELS = {
    "title_count": "平台称号记录",
    "ratio_of_sums": "平台年度数据",
    "mean": "平台年度数据",
    "share_true": "平台年度数据",
    "revenue_share": "平台年度数据",
    "flag_count": "平台企业库标记",
    "user_count": "平台用户",
    "manual": "手工填报",
}


def definitions() -> list[dict]:
    return list(lifecycle.load("targets")["targets"])


def definition(target_id: str) -> dict:
    for t in definitions():
        if t["id"] == target_id:
            return t
    raise KeyError(f"未知的目标：{target_id}")


def plan() -> dict:
    return lifecycle.load("targets")


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


# ---------------------------------------------------------------- measuring one target


def population(measure: dict, day: dt.date, scope: Scope):
    return holders(day, measure["population"], scope)


POPULATION_KINDS = ("ratio_of_sums", "mean", "share_true", "revenue_share")


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
        for d in definitions():
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


def measure(defn: dict, day: dt.date, scope: Scope = CITY) -> dict:
    """``{"actual": Fraction|Decimal|int|None, "year": int|None}`` for one target."""
    m = defn["measure"]
    kind = m["kind"]
    if kind == "title_count":
        n = held_titles(day, m["tiers"], scope).values("enterprise_id").distinct().count()
        return {"actual": n, "year": None}
    if kind in ("ratio_of_sums", "mean", "share_true", "revenue_share"):
        year = figures_year(m, day, scope)
        return {"actual": measure_population(m, day, scope, year), "year": year}
    if kind == "flag_count":
        return {"actual": scope.enterprises().filter(**{m["field"]: True}).count(), "year": None}
    if kind == "user_count":
        qs = User.objects.filter(role=m["role"], is_active=True)
        if not scope.is_city:
            qs = qs.filter(assigned_enterprises__in=scope.enterprises()).distinct()
        return {"actual": qs.count(), "year": None}
    if kind == "manual":
        value, _ = manual_value(defn["id"], day, scope)
        return {"actual": value, "year": None}
    raise ValueError(f"目标 {defn['id']} 的计量方式未知：{kind}")


def _jsonnum(value):
    if value is None:
        return None
    if isinstance(value, int):
        return value
    d = _dec(value) if isinstance(value, Fraction) else Decimal(value)
    d = d.quantize(TWO, rounding=ROUND_HALF_UP)
    return int(d) if d == d.to_integral() else float(d)


def _achieved(defn: dict, actual) -> bool | None:
    if actual is None or defn.get("target") is None:
        return None
    exact = actual if isinstance(actual, Fraction) else Fraction(Decimal(actual))
    return OPS[defn["op"]](exact, Fraction(Decimal(str(defn["target"]))))


def _progress(defn: dict, actual) -> float | None:
    if actual is None or not defn.get("target"):
        return None
    p = Fraction(Decimal(str(actual))) if not isinstance(actual, Fraction) else actual
    return float(round(min(p / Fraction(Decimal(str(defn["target"]))), Fraction(10)) * 100, 1))


def row(defn: dict, day: dt.date, scope: Scope = CITY, with_forecast: bool = True) -> dict:
    m = measure(defn, day, scope)
    actual = m["actual"]
    deadline = defn["deadline"]
    out = {
        "id": defn["id"],
        "section": defn.get("section", ""),
        "name": defn["name"],
        "unit": defn["unit"],
        "op": defn["op"],
        "target": defn.get("target"),
        "actual": _jsonnum(actual),
        "deadline": deadline.isoformat(),
        "achieved": _achieved(defn, actual),
        "progress_pct": _progress(defn, actual),
        "measured_by": defn["measure"]["kind"],
        "measured_by_label": KIND_LABELS[defn["measure"]["kind"]],
        "manual": defn["measure"]["kind"] == "manual",
        "year": m["year"],
        "figure_status": defn.get("figure_status", "unverified"),
        "wording_status": defn.get("wording_status", "unverified"),
        "source": plan()["sources"].get(defn.get("source"), defn.get("source", "")),
        "note": defn.get("note", ""),
        "scope": scope.label,
        "target_is_citywide": True,
    }
    if with_forecast:
        out["forecast"] = forecast(defn, day, scope, actual)
    return out


def evaluate(day: dt.date, scope: Scope = CITY, with_forecast: bool = True) -> list[dict]:
    """Every target, measured on `day` within `scope` (cached per data version)."""
    return cached(
        "targets",
        scope,
        day,
        lambda: [row(d, day, scope, with_forecast) for d in definitions()],
        int(with_forecast),
    )


def by_region(defn: dict, day: dt.date) -> list[dict]:
    """The target's actual value in each 板块 (progress by 板块)."""
    out = []
    for region in Region.objects.filter(active=True):
        sc = Scope(f"r{region.pk}", region_id=region.pk, label=region.name)
        out.append(
            {
                "region_id": region.pk,
                "region": region.name,
                "actual": _jsonnum(measure(defn, day, sc)["actual"]),
            }
        )
    return out


def by_region_all(day: dt.date) -> dict:
    """{target id: [{region, actual}]} for the count targets (cached)."""

    def compute():
        return {
            d["id"]: by_region(d, day)
            for d in definitions()
            if d["measure"]["kind"] in ("title_count", "flag_count", "manual")
        }

    return cached("targets_by_region", CITY, day, compute)


# ---------------------------------------------------------------- over time and forecast


def series_dates(day: dt.date) -> list[dt.date]:
    """Quarter ends from the plan's start up to `day`, and `day` itself."""
    start = plan()["plan_period"]["start"]
    out = []
    y, q = start.year, 1
    while True:
        end = dt.date(y, q * 3, {3: 31, 6: 30, 9: 30, 12: 31}[q * 3])
        if end >= day:
            break
        out.append(end)
        q += 1
        if q == 5:
            y, q = y + 1, 1
    out.append(day)
    return out


def series(defn: dict, day: dt.date, scope: Scope = CITY) -> list[dict]:
    """The target's actual value over time (from the records where they allow it)."""
    m = defn["measure"]
    kind = m["kind"]
    if kind == "title_count":
        dates = series_dates(day)
        from srdi.registry.models import Title

        base = Title.objects.filter(tier__in=m["tiers"]).filter(scope.q("enterprise__"))
        agg = base.aggregate(
            **{
                f"d{i}": Count("enterprise_id", distinct=True, filter=holds_q(d))
                for i, d in enumerate(dates)
            }
        )
        return [{"as_of": d.isoformat(), "actual": agg[f"d{i}"]} for i, d in enumerate(dates)]
    if kind in ("ratio_of_sums", "mean", "share_true", "revenue_share"):
        start = plan()["plan_period"]["start"].year
        out = []
        for year in range(start - 1, day.year):
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
        target_id=defn["id"], as_of__lte=day, region_id=scope.region_id
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


def forecast(defn: dict, day: dt.date, scope: Scope, actual) -> dict:
    """The value expected at the deadline: from the trend, and (title counts) from the pool.

    After the deadline the forecast is the value measured on the deadline itself.
    """
    deadline = defn["deadline"]
    if day >= deadline:
        at = measure(defn, deadline, scope)["actual"]
        return {
            "method": "deadline_passed",
            "label": "计划期已结束：期末实际值",
            "trend": _jsonnum(at),
            "pool": None,
            "likely": _achieved(defn, at),
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
    if best is not None and defn.get("target") is not None:
        likely = OPS[defn["op"]](Fraction(best), Fraction(Decimal(str(defn["target"]))))
    return {
        "method": "trend_and_pool",
        "label": "按趋势与培育库预测",
        "trend": None if trend_value is None else round(trend_value, 2),
        "pool": None if pool_value is None else round(pool_value, 2),
        "likely": likely,
    }


def snapshot(day: dt.date) -> int:
    """Store today's actuals (city and each 板块) for the trend of targets not reconstructable."""
    n = 0
    regions = [None, *Region.objects.filter(active=True)]
    for d in definitions():
        if d["measure"]["kind"] not in ("flag_count", "user_count"):
            continue
        for region in regions:
            sc = CITY if region is None else Scope(f"r{region.pk}", region_id=region.pk)
            actual = measure(d, day, sc)["actual"]
            TargetSnapshot.objects.update_or_create(
                target_id=d["id"],
                region=region,
                as_of=day,
                defaults={"actual": None if actual is None else Decimal(actual)},
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


# ---------------------------------------------------------------- each 板块's share


SPLIT_KINDS = ("title_count", "flag_count", "user_count", "manual")


def region_shares() -> dict:
    """{region id: Fraction share} of the count targets (data/region_shares.yaml): proportional
    to the 板块's registry enterprises unless 市工信局 set a share; shares sum to 1."""
    return region_shares_for("*")


def region_shares_for(target_id: str) -> dict:
    data = lifecycle.load("region_shares")
    overrides = dict((data.get("overrides") or {}).get("*") or {})
    overrides.update((data.get("overrides") or {}).get(target_id) or {})
    regions = list(
        Region.objects.filter(active=True)
        .annotate(n=Count("enterprises"))
        .values_list("pk", "name", "n")
    )
    fixed = {pk: Fraction(str(overrides[name])) for pk, name, _n in regions if name in overrides}
    rest = max(Fraction(0), 1 - sum(fixed.values(), Fraction(0)))
    free = [(pk, n) for pk, _name, n in regions if pk not in fixed]
    total = sum(n for _pk, n in free)
    out = dict(fixed)
    for pk, n in free:
        out[pk] = rest * Fraction(n, total) if total else Fraction(0)
    return out


def region_target(defn: dict, region_id: int):
    """The 板块's share of a target: count targets split by the shares, others as they are."""
    target = defn.get("target")
    if target is None:
        return None
    if defn["measure"]["kind"] not in SPLIT_KINDS:
        return Decimal(str(target))
    share = region_shares_for(defn["id"]).get(region_id, Fraction(0))
    value = Fraction(Decimal(str(target))) * share
    return _dec(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)  # whole enterprises


def region_rows(day: dt.date, region) -> list[dict]:
    """Every target for one 板块: its share of the target, its actual, its progress."""
    sc = Scope(f"r{region.pk}", region_id=region.pk, label=region.name)
    out = []
    for defn in definitions():
        if defn.get("target") is None:
            continue
        actual = measure(defn, day, sc)["actual"]
        share = region_target(defn, region.pk)
        progress = None
        if actual is not None and share:
            exact = Fraction(Decimal(str(actual))) if not isinstance(actual, Fraction) else actual
            progress = float(round(min(exact / Fraction(share), Fraction(10)) * 100, 1))
        out.append(
            {
                "id": defn["id"],
                "section": defn.get("section", ""),
                "name": defn["name"],
                "unit": defn["unit"],
                "target": share,
                "city_target": defn["target"],
                "split": defn["measure"]["kind"] in SPLIT_KINDS,
                "actual": _jsonnum(actual),
                "progress_pct": progress,
            }
        )
    return out
