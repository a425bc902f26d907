"""Reads of the cultivation app: who holds what on a date, the pool funnel, alerts, drill-downs.

Every read takes a :class:`Scope` (built from the user by :func:`scope_for`): a 板块 officer's
figures cover its 板块 only, a commissioner's its assigned enterprises. Counts shown on the
dashboard and the lists they drill down to are built from the same filters, so they agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from srdi.accounts import scopes
from srdi.accounts.roles import Role
from srdi.registry.models import Enterprise, Honor, Region, Title

from . import lifecycle
from .models import TIER_LABELS, Alert, PoolEntry

VERSION_KEY = "cultivation:version"


# ---------------------------------------------------------------- scope


@dataclass(frozen=True)
class Scope:
    """Whose figures: the whole city, one 板块, or one commissioner's enterprises."""

    key: str  # "all" | "r<region id>" | "c<user id>"
    region_id: int | None = None
    commissioner_id: int | None = None
    label: str = "全市"

    @property
    def is_city(self) -> bool:
        return self.key == "all"

    @property
    def has_targets(self) -> bool:
        """The plan's targets belong to the city and (as shares) to a 板块; a commissioner's
        enterprises have none (their home shows their enterprises, never the city's targets)."""
        return self.commissioner_id is None

    def enterprises(self) -> QuerySet:
        qs = Enterprise.objects.all()
        if self.region_id is not None:
            return qs.filter(region_id=self.region_id)
        if self.commissioner_id is not None:
            return qs.filter(commissioners__id=self.commissioner_id)
        return qs

    def q(self, prefix: str = "") -> Q:
        """A filter on a model related to Enterprise through `prefix` (e.g. "enterprise__")."""
        if self.region_id is not None:
            return Q(**{f"{prefix}region_id": self.region_id})
        if self.commissioner_id is not None:
            return Q(**{f"{prefix}commissioners__id": self.commissioner_id})
        return Q()


CITY = Scope("all")


def scope_for(user, region_id: int | None = None) -> Scope:
    """The scope of an official; admins and departments may narrow to one 板块."""
    scopes.require_official(user)
    if scopes.sees_all_enterprises(user):
        if region_id:
            region = Region.objects.filter(pk=region_id).first()
            if region is None:
                raise PermissionDenied("板块不存在。")
            return Scope(f"r{region.pk}", region_id=region.pk, label=region.name)
        return CITY
    if user.role == Role.REGION_OFFICER:
        if not user.region_id:
            raise PermissionDenied("您的账号未设置所属板块。")
        if region_id and int(region_id) != user.region_id:
            raise PermissionDenied("您只能查看本板块的数据。")
        return Scope(f"r{user.region_id}", region_id=user.region_id, label=user.region.name)
    if user.role == Role.COMMISSIONER:
        return Scope(f"c{user.pk}", commissioner_id=user.pk, label="我服务的企业")
    raise PermissionDenied("仅政府部门工作人员可查看。")


def require_targets(scope: Scope) -> Scope:
    """For what shows the plan's targets (target pages and lists, series, bulletin, plans): a
    commissioner, whose scope has no targets, is refused (403)."""
    if not scope.has_targets:
        raise PermissionDenied("服务专员查看所服务企业的情况，计划目标由市、板块层面查看。")
    return scope


def targets_scope_for(user, region_id: int | None = None) -> Scope:
    return require_targets(scope_for(user, region_id))


# ---------------------------------------------------------------- cache


def data_version() -> int:
    v = cache.get(VERSION_KEY)
    if v is None:
        v = 1
        cache.set(VERSION_KEY, v, None)
    return v


def bump_version() -> None:
    """Called by every service that changes what the dashboard shows."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def cache_seconds() -> int:
    """How long dashboard aggregates are kept (writes through this app's services clear them
    at once; other writes — imports, registry edits — show within this time)."""
    return int(getattr(settings, "SRDI_DASHBOARD_CACHE_SECONDS", 600))


def cached(name: str, scope: Scope, day: dt.date, compute, *extra):
    key = f"cultivation:{data_version()}:{name}:{scope.key}:{day.isoformat()}:" + ":".join(
        str(x) for x in extra
    )
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, cache_seconds())
    return value


# ---------------------------------------------------------------- holding titles


def holds_q(day: dt.date, prefix: str = "") -> Q:
    """Titles held on `day` (contract rule 7; revoked from the revocation date on)."""
    p = prefix
    not_revoked = ~Q(**{f"{p}status": Title.Status.REVOKED}) | Q(**{f"{p}revoked_at__gt": day})
    started = Q(**{f"{p}granted__isnull": True}) | Q(**{f"{p}granted__lte": day})
    running = Q(**{f"{p}valid_until__isnull": True}) | Q(**{f"{p}valid_until__gte": day})
    return not_revoked & started & running


def held_titles(day: dt.date, tiers=None, scope: Scope = CITY) -> QuerySet:
    qs = Title.objects.filter(holds_q(day)).filter(scope.q("enterprise__"))
    if tiers:
        qs = qs.filter(tier__in=list(tiers))
    return qs


def holds_in(day: dt.date, tiers) -> Q:
    """Enterprises (pk) holding a valid title of `tiers` on `day`.

    An uncorrelated ``pk IN (subquery)``: PostgreSQL hashes it once, so it stays fast when
    combined with OR (correlated EXISTS under OR is re-run for every row).
    """
    return Q(
        pk__in=Title.objects.filter(holds_q(day), tier__in=list(tiers)).values("enterprise_id")
    )


holds_exists = holds_in


def holders(day: dt.date, tiers, scope: Scope = CITY) -> QuerySet:
    """Enterprises holding a valid title of one of `tiers` on `day`."""
    return scope.enterprises().filter(holds_in(day, tiers))


def tier_counts(day: dt.date, scope: Scope = CITY) -> dict:
    """Enterprises holding each tier on `day`: total, by 板块 and by industry division."""

    def compute():
        base = held_titles(day, scope=scope)
        total = {
            r["tier"]: r["n"]
            for r in base.values("tier").annotate(n=Count("enterprise_id", distinct=True))
        }
        by_region: dict = {}
        for r in base.values("enterprise__region_id", "tier").annotate(
            n=Count("enterprise_id", distinct=True)
        ):
            by_region.setdefault(r["enterprise__region_id"], {})[r["tier"]] = r["n"]
        by_industry: dict = {}
        for r in (
            base.annotate(division=Substr("enterprise__industry_code", 1, 3))
            .values("division", "tier")
            .annotate(n=Count("enterprise_id", distinct=True))
        ):
            by_industry.setdefault(r["division"] or "", {})[r["tier"]] = r["n"]
        by_level: dict = {}
        for r in base.values("tier", "level").annotate(n=Count("enterprise_id", distinct=True)):
            by_level.setdefault(r["tier"], {})[r["level"]] = r["n"]
        return {
            "total": total,
            "by_region": by_region,
            "by_industry": by_industry,
            "by_level": by_level,
        }

    return cached("tiers", scope, day, compute)


# ---------------------------------------------------------------- pool funnel

STAGES = ("all", "potential", "meets", "willing", "applied", "recognised")
STAGE_LABELS = {
    "all": "全部企业",
    "potential": "潜在培育对象",
    "meets": "符合认定条件",
    "willing": "有申报意愿",
    "applied": "已申报",
    "recognised": "已认定",
}


def _pool_in(tier: str, **filters) -> Q:
    return Q(pk__in=PoolEntry.objects.filter(tier=tier, **filters).values("enterprise_id"))


def stage_flags(tier: str, day: dt.date) -> dict:
    """One boolean expression per stage (the enterprise has that mark itself)."""
    pot = lifecycle.pool_rules()["potential"].get(tier, {})
    potential = _pool_in(tier)
    if pot.get("titles"):
        potential = potential | holds_in(day, pot["titles"])
    if pot.get("honors"):
        honors = Honor.objects.filter(type__in=pot["honors"]).filter(
            (Q(granted__isnull=True) | Q(granted__lte=day))
            & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        )
        potential = potential | Q(pk__in=honors.values("enterprise_id"))
    return {
        "potential": potential,
        "meets": _pool_in(tier, meets=True),
        "willing": _pool_in(tier, willing=True),
        "applied": _pool_in(tier, applied_on__isnull=False, applied_on__lte=day),
        "recognised": holds_in(day, [tier]),
    }


def stage_filter(tier: str, stage: str, day: dt.date):
    """Enterprises that reached `stage` or a later one (the funnel is cumulative)."""
    if stage not in STAGES:
        raise ValueError(stage)
    if stage == "all":
        return Q()
    flags = stage_flags(tier, day)
    expr = None
    for s in STAGES[STAGES.index(stage) :]:
        expr = flags[s] if expr is None else expr | flags[s]
    return expr


def funnel(tier: str, day: dt.date, scope: Scope = CITY) -> list[dict]:
    """The pool funnel for a target tier: per stage, enterprises that reached it (or further)."""

    def compute():
        agg = {s: Count("pk", filter=stage_filter(tier, s, day)) for s in STAGES if s != "all"}
        agg["all"] = Count("pk")
        flags = stage_flags(tier, day)
        for s in STAGES[1:]:
            agg[f"own_{s}"] = Count("pk", filter=flags[s])
        row = scope.enterprises().aggregate(**agg)
        return [
            {
                "stage": s,
                "label": STAGE_LABELS[s],
                "count": row[s],
                "own": row.get(f"own_{s}", row["all"]),
            }
            for s in STAGES
        ]

    return cached("funnel", scope, day, compute, tier)


def pool_entries(tier: str, scope: Scope = CITY) -> QuerySet:
    return (
        PoolEntry.objects.filter(tier=tier)
        .filter(scope.q("enterprise__"))
        .select_related("enterprise", "enterprise__region")
    )


# ---------------------------------------------------------------- alerts


def open_alerts(scope: Scope = CITY, kind: str | None = None) -> QuerySet:
    qs = Alert.objects.filter(resolved_on__isnull=True)
    if scope.region_id is not None:
        qs = qs.filter(region_id=scope.region_id)
    elif scope.commissioner_id is not None:
        qs = qs.filter(enterprise__commissioners__id=scope.commissioner_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("enterprise", "region")


def alert_counts(scope: Scope, day: dt.date) -> dict:
    def compute():
        return {
            r["kind"]: r["n"]
            for r in open_alerts(scope).order_by().values("kind").annotate(n=Count("pk"))
        }

    return cached("alerts", scope, day, compute)


# ---------------------------------------------------------------- titles over a period


def new_titles(start: dt.date, end: dt.date, scope: Scope = CITY) -> QuerySet:
    return (
        Title.objects.filter(granted__gte=start, granted__lte=end)
        .exclude(status=Title.Status.REVOKED)
        .filter(scope.q("enterprise__"))
        .select_related("enterprise", "enterprise__region")
        .order_by("tier", "enterprise__name")
    )


def expiring_titles(day: dt.date, scope: Scope = CITY, months: int | None = None) -> QuerySet:
    months = lifecycle.expiry_months() if months is None else months
    return (
        Title.objects.filter(holds_q(day))
        .filter(valid_until__isnull=False, valid_until__lte=lifecycle.add_months(day, months))
        .filter(scope.q("enterprise__"))
        .select_related("enterprise", "enterprise__region")
        .order_by("valid_until", "enterprise__name")
    )


def region_ranking(day: dt.date, start: dt.date, tiers=None) -> list[dict]:
    """板块 ranked by enterprises holding a title of `tiers` on `day`, then by new titles since `start`."""
    tiers = list(tiers or lifecycle.ladder())
    held = dict(
        Title.objects.filter(holds_q(day), tier__in=tiers)
        .values("enterprise__region_id")
        .annotate(n=Count("enterprise_id", distinct=True))
        .values_list("enterprise__region_id", "n")
    )
    new = dict(
        Title.objects.filter(granted__gte=start, granted__lte=day, tier__in=tiers)
        .exclude(status=Title.Status.REVOKED)
        .values("enterprise__region_id")
        .annotate(n=Count("enterprise_id", distinct=True))
        .values_list("enterprise__region_id", "n")
    )
    rows = [
        {"region_id": r.pk, "region": r.name, "held": held.get(r.pk, 0), "new": new.get(r.pk, 0)}
        for r in Region.objects.filter(active=True)
    ]
    rows.sort(key=lambda r: (-r["held"], -r["new"], r["region"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows


def tier_label(tier: str) -> str:
    return TIER_LABELS.get(tier, tier)
