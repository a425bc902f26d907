"""Proposing commissioners for the enterprises that have none (``srdi assign``), solved as an
assignment problem (``scipy.optimize.linear_sum_assignment``).

Who gets one: every enterprise holding a valid 专精特新中小企业 / 小巨人 / 单项冠军 title, then
(with the slots left) the enterprises of the pool. Each commissioner's remaining capacity is
cut into slots; the k-th slot of a commissioner costs ``k × cost_per_load`` more (so the load
is spread), a slot of another 板块 costs ``cost_other_region`` and an industry the commissioner
does not serve ``cost_industry_mismatch`` (weights in ``data/service.yaml``). Nobody goes above
capacity: there are no slots beyond it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from scipy.optimize import linear_sum_assignment

from srdi.accounts.roles import Role
from srdi.registry.models import Enterprise

from . import config, services
from .models import CommissionerProfile


@dataclass
class Proposal:
    assignments: list[dict] = field(default_factory=list)  # enterprise, commissioner, reason
    unassigned: list[dict] = field(default_factory=list)
    load: dict[str, dict] = field(default_factory=dict)
    pairs: list[tuple] = field(default_factory=list)  # (Enterprise, User, reason)

    def as_json(self) -> dict:
        return {"assignments": self.assignments, "unassigned": self.unassigned, "load": self.load}


def _commissioners(region=None):
    User = get_user_model()
    qs = (
        User.objects.filter(role=Role.COMMISSIONER, is_active=True)
        .annotate(n=Count("assigned_enterprises", distinct=True))
        .order_by("username")
    )
    profiles = {p.user_id: p for p in CommissionerProfile.objects.all()}
    out = []
    for u in qs:
        p = profiles.get(u.pk)
        if p is not None and not p.active:
            continue
        out.append((u, p))
    return out


def candidates(day: dt.date, region=None):
    """(titled, pool) enterprises without a commissioner, in a stable order."""
    from srdi.cultivation.models import PoolEntry
    from srdi.cultivation.selectors import holds_in

    a = config.assignment()
    base = Enterprise.objects.filter(commissioners__isnull=True).select_related("region")
    if region is not None:
        base = base.filter(region=region)
    titled = list(base.filter(holds_in(day, a["titled_tiers"])).order_by("uscc"))
    got = {e.pk for e in titled}
    pool_ids = PoolEntry.objects.filter(tier__in=a["pool_tiers"]).values("enterprise_id")
    pool = [e for e in base.filter(pk__in=pool_ids).order_by("uscc") if e.pk not in got]
    return titled, pool


def _division(code: str) -> str:
    return (code or "")[:3]


def propose(day: dt.date | None = None, region=None) -> Proposal:
    day = day or timezone.localdate()
    a = config.assignment()
    c_region, c_ind, c_load = (
        float(a["cost_other_region"]), float(a["cost_industry_mismatch"]), float(a["cost_per_load"])
    )  # fmt: skip
    comms = _commissioners()
    cap = {u.pk: (p.capacity if p else int(a["default_capacity"])) for u, p in comms}
    load = {u.pk: u.n for u, _p in comms}
    out = Proposal()
    titled, pool = candidates(day, region)
    for group, label in ((titled, _("持有有效称号")), (pool, _("培育库企业"))):
        if not group:
            continue
        slots = []  # (user, profile, k-th load after assignment)
        for u, p in comms:
            free = max(0, cap[u.pk] - load[u.pk])
            for k in range(min(free, len(group))):
                slots.append((u, p, load[u.pk] + k + 1))
        if not slots:
            for e in group:
                out.unassigned.append({"enterprise": e.uscc, "reason": _("所有服务专员均已满额")})
            continue
        cost = np.empty((len(group), len(slots)))
        for j, (_u, p, k) in enumerate(slots):
            reg = p.region_id if p else None
            inds = {_division(x) for x in (p.industries if p else [])}
            col = np.full(len(group), c_load * k)
            for i, e in enumerate(group):
                if reg is None or e.region_id != reg:
                    col[i] += c_region
                if inds and _division(e.industry_code) not in inds:
                    col[i] += c_ind
            cost[:, j] = col
        rows, cols = linear_sum_assignment(cost)
        done = set()
        for i, j in zip(rows, cols, strict=True):
            e, (u, p, _k) = group[i], slots[j]
            load[u.pk] += 1
            done.add(i)
            parts = [label]
            if p and p.region_id and e.region_id == p.region_id:
                parts.append(_("同一板块（%(r)s）") % {"r": e.region.name})
            else:
                parts.append(_("跨板块（本板块专员无空余容量）"))
            inds = {_division(x) for x in (p.industries if p else [])}
            if inds and _division(e.industry_code) in inds:
                parts.append(_("行业相符（%(c)s）") % {"c": _division(e.industry_code)})
            elif inds:
                parts.append(_("行业不完全相符"))
            parts.append(_("指派后负荷 %(n)d/%(c)d") % {"n": load[u.pk], "c": cap[u.pk]})
            reason = "，".join(parts)
            out.assignments.append({"enterprise": e.uscc, "commissioner": u.username,
                                    "reason": reason})  # fmt: skip
            out.pairs.append((e, u, reason))
        for i, e in enumerate(group):
            if i not in done:
                out.unassigned.append({"enterprise": e.uscc, "reason": _("服务专员容量不足")})
    out.load = {u.username: {"assigned": load[u.pk], "capacity": cap[u.pk]} for u, _p in comms}
    return out


def apply(actor, proposal: Proposal) -> int:
    """Record a proposal (each pair audited, history kept, the commissioner told)."""
    n = 0
    for e, u, reason in proposal.pairs:
        n += services.assign(
            actor, e, u, _("自动指派：%(r)s") % {"r": reason}, system=actor is None
        )
    return n
