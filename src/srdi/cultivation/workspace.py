"""Home panels of 梯度培育: targets (the city's, or the 板块's own share), tier movements,
alerts, and a commissioner's own enterprises (never the city's targets)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from srdi.accounts.roles import Role
from srdi.core import workspace

from . import selectors, targets
from .models import Alert


def _scope(request):
    try:
        return selectors.scope_for(request.user)
    except Exception:  # not an official: no panel
        return None


@workspace.panel(
    "cultivation_targets",
    title="计划目标进度",
    template="cultivation/_home_targets.html",
    roles={Role.ADMIN},
    order=10,
)
def city_targets(request):
    day = timezone.localdate()
    rows = [r for r in targets.evaluate(day, selectors.CITY, with_forecast=False) if r["target"]]
    behind = [r for r in rows if r["achieved"] is False]
    return {"rows": rows[:8], "behind": len(behind), "total": len(rows), "link": "/cultivation/"}


@workspace.panel(
    "cultivation_region_targets",
    title="本板块目标份额与进度",
    template="cultivation/_home_region_targets.html",
    roles={Role.REGION_OFFICER},
    order=10,
)
def region_targets(request):
    user = request.user
    if not user.region_id:
        return None
    scope = _scope(request)
    if scope is None:
        return None
    rows = [r for r in targets.evaluate(timezone.localdate(), scope, with_forecast=False)
            if r["target"] is not None]  # fmt: skip
    return {"rows": rows[:8], "region": user.region.name, "link": "/cultivation/"}


@workspace.panel(
    "cultivation_movements",
    title="梯度变动（近 30 天）",
    template="cultivation/_home_movements.html",
    roles={Role.ADMIN, Role.REGION_OFFICER},
    order=20,
)
def movements(request):
    scope = _scope(request)
    if scope is None:
        return None
    day = timezone.localdate()
    new = selectors.new_titles(day - dt.timedelta(days=30), day, scope)
    expiring = selectors.expiring_titles(day, scope)
    by_tier = [
        (selectors.tier_label(r["tier"]), r["n"])
        for r in new.order_by().values("tier").annotate(n=Count("pk")).order_by("tier")
    ]
    return {
        "new_count": new.count(),
        "by_tier": by_tier,
        "expiring_count": expiring.count(),
        "expiring": [(selectors.tier_label(t.tier), t) for t in expiring[:5]],
    }


@workspace.panel(
    "cultivation_alerts",
    title="待处理预警",
    template="cultivation/_home_alerts.html",
    roles={Role.ADMIN, Role.REGION_OFFICER, Role.COMMISSIONER},
    order=30,
)
def alerts(request):
    scope = _scope(request)
    if scope is None:
        return None
    qs = selectors.open_alerts(scope).order_by("-detected_on", "-pk")
    counts = {
        r["kind"]: r["n"]
        for r in qs.order_by().values("kind").annotate(n=Count("pk", distinct=True))
    }
    return {
        "kinds": [(k, Alert.Kind(k).label, counts.get(k, 0)) for k in Alert.Kind.values],
        "total": sum(counts.values()),
        "rows": list(qs.distinct()[:6]),
        "link": "/cultivation/alerts/",
    }


@workspace.panel(
    "cultivation_my_enterprises",
    title="我服务的企业",
    template="cultivation/_home_my_enterprises.html",
    roles={Role.COMMISSIONER},
    order=10,
)
def my_enterprises(request):
    user = request.user
    qs = (
        user.assigned_enterprises.select_related("region")
        .annotate(open_alerts=Count("alerts", filter=Q(alerts__resolved_on__isnull=True)))
        .order_by("-open_alerts", "name")
    )
    return {"rows": list(qs[:10]), "count": qs.count(), "empty": not qs.exists()} or None
