"""Reads of the service system that more than one view needs: request lists, the measures per
department, 板块 and commissioner, coverage against the plan."""

from __future__ import annotations

import datetime as dt
import statistics
from fractions import Fraction

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from srdi.accounts.roles import Department, Role
from srdi.registry.models import Enterprise, Region

from . import config, scopes, services, workdays
from .models import PlanItem, ServiceRequest, Visit

S = ServiceRequest.State
OPEN = (S.PENDING, S.IN_PROGRESS, S.RETURNED)


def requests_for(user, *, q="", state="", category="", department="", overdue=False,
                 region="", today: dt.date | None = None):  # fmt: skip
    qs = scopes.visible_requests(user).select_related("enterprise", "enterprise__region")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(enterprise__name__icontains=q)
                       | Q(enterprise__uscc=q.upper()))  # fmt: skip
    if state in S.values:
        qs = qs.filter(state=state)
    elif state == "open":
        qs = qs.filter(state__in=OPEN)
    if category:
        qs = qs.filter(category=category)
    if department:
        qs = qs.filter(department=department)
    if region:
        qs = qs.filter(enterprise__region_id=region)
    if overdue:
        qs = qs.filter(services.overdue_q(today or timezone.localdate()))
    return qs.order_by("-filed_at", "-pk")


def titled_enterprises(day: dt.date, scope=None):
    from srdi.cultivation.selectors import holds_in

    qs = scope.enterprises() if scope is not None else Enterprise.objects.all()
    return qs.filter(holds_in(day, config.assignment()["titled_tiers"]))


def coverage(day: dt.date | None = None, region_id: int | None = None) -> dict:
    """Commissioners against the plan (≥ 50; about one per two enterprises) and the share of
    titled enterprises that have one."""
    day = day or timezone.localdate()
    titled = titled_enterprises(day)
    if region_id:
        titled = titled.filter(region_id=region_id)
    n_titled = titled.count()
    covered = titled.filter(commissioners__isnull=False).distinct().count()
    User = get_user_model()
    active = User.objects.filter(role=Role.COMMISSIONER, is_active=True)
    serving = active.filter(assigned_enterprises__in=titled.values("pk")).distinct().count()
    t = config.targets()
    ratio = Fraction(n_titled, serving) if serving else None
    return {
        "commissioners": active.count() if not region_id else serving,
        "serving": serving,
        "target": t["commissioners_min"],
        "per": t["enterprises_per_commissioner"],
        "titled": n_titled,
        "covered": covered,
        "uncovered": n_titled - covered,
        "coverage_pct": round(100 * covered / n_titled, 1) if n_titled else None,
        "ratio": float(round(ratio, 2)) if ratio is not None else None,
        "ratio_ok": ratio is not None and ratio <= t["enterprises_per_commissioner"],
        "count_ok": active.count() >= t["commissioners_min"],
    }


# ------------------------------------------------------------------------------ measures
class _Days:
    """Working days between two dates in O(1) after one pass over the range."""

    def __init__(self, start: dt.date, end: dt.date):
        self.start = start
        self.cum: list[int] = []
        n, d = 0, start
        while d <= end:
            if workdays.is_workday(d):
                n += 1
            self.cum.append(n)
            d += dt.timedelta(days=1)

    def between(self, a: dt.date, b: dt.date) -> int:
        if b <= a:
            return 0
        return self.cum[(b - self.start).days] - self.cum[(a - self.start).days]


def _median(xs):
    return round(statistics.median(xs), 1) if xs else None


def request_measures(qs, today: dt.date, key: str) -> list[dict]:
    """Per ``key`` ("department" or "enterprise__region__name"): received, median working days
    to 受理 and to 办结, share closed on time, overdue now, mean satisfaction."""
    rows = list(
        qs.values_list(
            key,
            "state",
            "filed_on",
            "accepted_on",
            "closed_on",
            "close_due",
            "accept_due",
            "rating",
        )  # fmt: skip
    )
    if not rows:
        return []
    lo = min(r[2] for r in rows)
    days = _Days(lo, max(today, *(r[5] for r in rows)))
    groups: dict = {}
    for k, state, filed, acc, closed, close_due, accept_due, rating in rows:
        g = groups.setdefault(k, {"n": 0, "acc": [], "close": [], "ontime": 0, "closed": 0,
                                  "overdue": 0, "ratings": []})  # fmt: skip
        g["n"] += 1
        if acc:
            g["acc"].append(days.between(filed, acc))
        if closed:
            g["close"].append(days.between(filed, closed))
            g["closed"] += 1
            g["ontime"] += closed <= close_due
        if (state == S.PENDING and accept_due < today) or (
            state in (S.PENDING, S.IN_PROGRESS) and close_due < today
        ):
            g["overdue"] += 1
        if rating:
            g["ratings"].append(rating)
    out = []
    for k, g in groups.items():
        label = services.department_label(k) if key == "department" else (k or "未划分板块")
        out.append({
            "key": k, "label": label, "received": g["n"],
            "median_accept": _median(g["acc"]), "median_close": _median(g["close"]),
            "closed": g["closed"],
            "ontime_pct": round(100 * g["ontime"] / g["closed"], 1) if g["closed"] else None,
            "overdue": g["overdue"],
            "satisfaction": round(sum(g["ratings"]) / len(g["ratings"]), 2) if g["ratings"] else None,
            "rated": len(g["ratings"]),
        })  # fmt: skip
    out.sort(key=lambda r: (-r["received"], str(r["label"])))
    return out


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def commissioner_measures(today: dt.date, region_id: int | None = None) -> list[dict]:
    User = get_user_model()
    qs = User.objects.filter(role=Role.COMMISSIONER, is_active=True)
    if region_id:
        qs = qs.filter(
            Q(commissioner_profile__region_id=region_id)
            | Q(assigned_enterprises__region_id=region_id)
        ).distinct()
    qs = qs.annotate(n=Count("assigned_enterprises", distinct=True)).order_by("username")
    q0 = quarter_start(today)
    visits = dict(
        Visit.objects.filter(visited_on__gte=q0, visited_on__lte=today)
        .values_list("by")
        .annotate(c=Count("pk"))
        .values_list("by", "c")
    )
    items = dict(
        PlanItem.objects.filter(status__in=["accepted", "in_progress"], owner__isnull=False)
        .values_list("owner")
        .annotate(c=Count("pk"))
        .values_list("owner", "c")
    )
    caps = {}
    from .models import CommissionerProfile

    for p in CommissionerProfile.objects.all():
        caps[p.user_id] = p
    out = []
    for u in qs:
        p = caps.get(u.pk)
        out.append({
            "user": u, "name": str(u), "username": u.username, "enterprises": u.n,
            "capacity": p.capacity if p else config.assignment()["default_capacity"],
            "region": p.region.name if p and p.region_id else "",
            "department": services.department_label(p.department) if p and p.department else "",
            "visits_quarter": visits.get(u.pk, 0), "open_items": items.get(u.pk, 0),
        })  # fmt: skip
    return out


def measures(user, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=365)
    qs = scopes.visible_requests(user).filter(filed_on__gt=since)
    region_id = user.region_id if scopes.is_region_officer(user) else None
    return {
        "today": today,
        "since": since,
        "by_department": request_measures(qs, today, "department"),
        "by_region": request_measures(qs, today, "enterprise__region__name"),
        "commissioners": commissioner_measures(today, region_id)
        if (scopes.is_admin(user) or scopes.is_region_officer(user) or scopes.is_department(user))
        else [r for r in commissioner_measures(today) if r["user"].pk == user.pk],
        "coverage": coverage(today, region_id),
    }


def charts(m: dict) -> dict:
    """ECharts options for the measures page."""
    dep = m["by_department"]
    reg = m["by_region"]
    return {
        "dept": {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": ["收到诉求", "逾期未办", "按期办结率(%)"]},
            "xAxis": {"type": "category", "data": [str(r["label"]) for r in dep]},
            "yAxis": [{"type": "value", "name": "件"}, {"type": "value", "name": "%", "max": 100}],
            "series": [
                {"name": "收到诉求", "type": "bar", "data": [r["received"] for r in dep]},
                {"name": "逾期未办", "type": "bar", "data": [r["overdue"] for r in dep]},
                {
                    "name": "按期办结率(%)",
                    "type": "line",
                    "yAxisIndex": 1,
                    "data": [r["ontime_pct"] for r in dep],
                },
            ],
        },  # fmt: skip
        "region": {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": ["受理中位天数", "办结中位天数"]},
            "xAxis": {
                "type": "category",
                "data": [str(r["label"]) for r in reg],
                "axisLabel": {"rotate": 30},
            },
            "yAxis": {"type": "value", "name": "工作日"},
            "series": [
                {"name": "受理中位天数", "type": "bar", "data": [r["median_accept"] for r in reg]},
                {"name": "办结中位天数", "type": "bar", "data": [r["median_close"] for r in reg]},
            ],
        },  # fmt: skip
        "commissioners": {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": ["服务企业", "本季度走访", "在办事项"]},
            "xAxis": {
                "type": "category",
                "data": [r["name"] for r in m["commissioners"][:40]],
                "axisLabel": {"rotate": 45},
            },
            "yAxis": {"type": "value"},
            "series": [
                {
                    "name": "服务企业",
                    "type": "bar",
                    "data": [r["enterprises"] for r in m["commissioners"][:40]],
                },
                {
                    "name": "本季度走访",
                    "type": "bar",
                    "data": [r["visits_quarter"] for r in m["commissioners"][:40]],
                },
                {
                    "name": "在办事项",
                    "type": "bar",
                    "data": [r["open_items"] for r in m["commissioners"][:40]],
                },
            ],
        },  # fmt: skip
    }


def departments() -> list[tuple[str, str]]:
    return [(c, str(label)) for c, label in Department.choices]


def regions():
    return Region.objects.filter(active=True)
