"""Reads of chains that more than one view (and the API, CLI and measures) need: coverage,
the map of a chain, candidates at a node, cluster statistics."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Q
from django.utils import timezone

from srdi.cultivation.selectors import holds_q
from srdi.registry.listing import TIER_LABELS, TIER_ORDER
from srdi.registry.models import Enterprise, Title

from . import graph
from .models import Chain, FeaturedCluster, Leader, Node, Placement, SupplyLink
from .reference import data


def rules() -> dict:
    return data("coverage")


def srdi_tiers() -> list[str]:
    return list(rules()["srdi_tiers"])


def _end_of(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def confirmed(day: dt.date | None = None):
    qs = Placement.objects.filter(status=Placement.Status.CONFIRMED)
    if day is not None:
        qs = qs.filter(Q(decided_at__isnull=True) | Q(decided_at__lte=_end_of(day)))
    return qs


def highest_tiers(enterprise_ids, day: dt.date) -> dict[int, str]:
    """The highest tier each enterprise holds on `day` (absent = none)."""
    rank = {t: i for i, t in enumerate(TIER_ORDER)}
    out: dict[int, str] = {}
    rows = Title.objects.filter(holds_q(day), enterprise_id__in=list(enterprise_ids)).values_list(
        "enterprise_id", "tier"
    )
    for eid, tier in rows:
        if tier in rank and (eid not in out or rank[tier] > rank[out[eid]]):
            out[eid] = tier
    return out


def pct(k: int, n: int) -> Fraction | None:
    return Fraction(k * 100, n) if n else None


def pct_float(value: Fraction | None) -> float | None:
    if value is None:
        return None
    d = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return float(d)


def node_stats(day: dt.date, nodes, enterprises=None) -> dict[int, dict]:
    """Per node: local enterprises (confirmed), how many hold each tier, SRDI suppliers."""
    node_ids = [n.pk for n in nodes]
    qs = confirmed(day).filter(node_id__in=node_ids)
    if enterprises is not None:
        qs = qs.filter(enterprise__in=enterprises)
    pairs = list(qs.values_list("node_id", "enterprise_id"))
    tiers = highest_tiers({e for _n, e in pairs}, day)
    srdi = set(srdi_tiers())
    out = {nid: {"local": 0, "srdi": 0, "tiers": Counter()} for nid in node_ids}
    for nid, eid in pairs:
        s = out[nid]
        s["local"] += 1
        t = tiers.get(eid)
        if t:
            s["tiers"][t] += 1
        if t in srdi:
            s["srdi"] += 1
    return out


def chain_coverage(chain: Chain, day: dt.date, nodes=None, stats=None, enterprises=None) -> dict:
    nodes = list(chain.nodes.all()) if nodes is None else nodes
    stats = node_stats(day, nodes, enterprises) if stats is None else stats
    gaps = [n for n in nodes if stats[n.pk]["srdi"] == 0]
    covered = len(nodes) - len(gaps)
    return {
        "id": chain.pk,
        "code": chain.code,
        "name": chain.name,
        "nodes": len(nodes),
        "covered": covered,
        "coverage": pct(covered, len(nodes)),
        "coverage_pct": pct_float(pct(covered, len(nodes))),
        "gaps": [n.name for n in gaps],
        "gap_ids": [n.pk for n in gaps],
    }


def key_chains():
    return Chain.objects.filter(key=True, active=True).prefetch_related("nodes")


def coverage(day: dt.date | None = None, enterprises=None) -> dict:
    """重点产业链配套覆盖 (plan 一(三)): by chain and in total, from the confirmed placements."""
    day = day or timezone.localdate()
    chains = list(key_chains())
    all_nodes = [n for c in chains for n in c.nodes.all()]
    stats = node_stats(day, all_nodes, enterprises)
    rows = [chain_coverage(c, day, list(c.nodes.all()), stats, enterprises) for c in chains]
    n = sum(r["nodes"] for r in rows)
    k = sum(r["covered"] for r in rows)
    return {
        "as_of": day.isoformat(),
        "chains": rows,
        "nodes": n,
        "covered": k,
        "coverage": pct(k, n),
        "coverage_pct": pct_float(pct(k, n)),
        "chains_full": sum(1 for r in rows if r["nodes"] and r["covered"] == r["nodes"]),
    }


def coverage_json(day: dt.date | None = None) -> dict:
    """The CLI/API form: ``{"chains": [{"id", "name", "nodes", "covered", "coverage_pct",
    "gaps"}], ...}``."""
    c = coverage(day)
    keep = ("id", "name", "nodes", "covered", "coverage_pct", "gaps")
    return {
        "as_of": c["as_of"],
        "chains": [{k: r[k] for k in keep} for r in c["chains"]],
        "total": {"nodes": c["nodes"], "covered": c["covered"],
                  "coverage_pct": c["coverage_pct"], "chains_full": c["chains_full"]},
    }  # fmt: skip


def history_days(today: dt.date) -> list[dt.date]:
    start = dt.date.fromisoformat(str(rules()["history_since"]))
    out = []
    y, q = start.year, (start.month - 1) // 3 + 1
    while True:
        end_month = q * 3
        day = dt.date(y, end_month, 1) + dt.timedelta(days=31)
        day = day.replace(day=1) - dt.timedelta(days=1)
        if day >= today:
            break
        out.append(day)
        q += 1
        if q > 4:
            y, q = y + 1, 1
    out.append(today)
    return out


def coverage_history(today: dt.date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    return [
        {"as_of": d.isoformat(), "coverage_pct": coverage(d)["coverage_pct"]}
        for d in history_days(today)
    ]


# ----------------------------------------------------------------- the map of one chain
def chain_map(chain: Chain, day: dt.date | None = None) -> dict:
    day = day or timezone.localdate()
    nodes = list(chain.nodes.all())
    stats = node_stats(day, nodes)
    links = list(SupplyLink.objects.filter(leader__chain=chain).values_list("node_id", "leader_id"))
    g = graph.chain_graph(nodes, links)
    pos = graph.layout(nodes)
    thin = int(rules()["thin_at_most"])
    rows = []
    for n in nodes:
        s = stats[n.pk]
        state = "gap" if s["srdi"] == 0 else ("thin" if s["srdi"] <= thin else "covered")
        rows.append({
            "node": n, "id": n.pk, "name": n.name, "segment": n.segment,
            "segment_label": n.get_segment_display(), "local": s["local"], "srdi": s["srdi"],
            "tiers": [(TIER_LABELS.get(t, t), s["tiers"][t]) for t in reversed(TIER_ORDER)
                      if s["tiers"].get(t)],
            "state": state, "leaders": len(graph.leaders_buying(g, n.pk)),
            "downstream": len(graph.downstream(g, n.pk)) if state == "gap" else 0,
            "x": pos[n.pk][0], "y": pos[n.pk][1], "key_link": n.key_link,
        })  # fmt: skip
    edges = [(a[1], b[1]) for a, b in g.edges() if a[0] == "node" and b[0] == "node"]
    cov = chain_coverage(chain, day, nodes, stats)
    return {"chain": chain, "rows": rows, "edges": edges, "coverage": cov}


def echarts_option(m: dict) -> dict:
    """The ECharts graph option of a chain map (labels in Chinese; ids only as data keys)."""
    colours = {"gap": "#d9534f", "thin": "#f0ad4e", "covered": "#3c9d5d"}
    data_ = [
        {
            "id": str(r["id"]), "name": r["name"], "x": r["x"], "y": r["y"],
            "symbolSize": 34 + min(r["local"], 12) * 3,
            "itemStyle": {"color": colours[r["state"]],
                          "borderColor": "#222" if r["key_link"] else "#fff", "borderWidth": 2},
            "value": r["local"],
            "tooltip": {"formatter": f"{r['name']}（{r['segment_label']}）<br/>本地企业 {r['local']} 家，"
                                     f"专精特新 {r['srdi']} 家，采购链主 {r['leaders']} 家"},
        }
        for r in m["rows"]
    ]  # fmt: skip
    links = [{"source": str(a), "target": str(b)} for a, b in m["edges"]]
    return {
        "tooltip": {},
        "series": [{
            "type": "graph", "layout": "none", "roam": True, "data": data_, "links": links,
            "label": {"show": True, "position": "bottom", "fontSize": 12},
            "edgeSymbol": ["none", "arrow"], "lineStyle": {"color": "#999", "opacity": 0.5},
        }],
    }  # fmt: skip


def node_enterprises(user, node: Node, day: dt.date | None = None):
    """Confirmed enterprises at `node` that `user` may see, with their highest tier."""
    from . import scopes

    day = day or timezone.localdate()
    qs = scopes.visible_placements(user, node.placements.filter(status=Placement.Status.CONFIRMED))
    qs = list(qs.select_related("enterprise__region"))
    tiers = highest_tiers([p.enterprise_id for p in qs], day)
    for p in qs:
        p.tier = tiers.get(p.enterprise_id, "")
        p.tier_label = TIER_LABELS.get(p.tier, "无有效称号")
    return sorted(qs, key=lambda p: (-_rank(p.tier), p.enterprise.name))


def _rank(tier: str) -> int:
    return TIER_ORDER.index(tier) + 1 if tier in TIER_ORDER else 0


def candidates(user, node: Node, day: dt.date | None = None, limit: int = 30) -> list[dict]:
    """Who could fill `node`: suggested or proposed placements and confirmed ones without an
    SRDI title yet (the pool to cultivate), best first, with reasons — within `user`'s scope."""
    from . import scopes

    day = day or timezone.localdate()
    srdi = set(srdi_tiers())
    qs = scopes.visible_placements(
        user,
        node.placements.exclude(status=Placement.Status.REJECTED).select_related(
            "enterprise__region"
        ),
    )
    qs = list(qs)
    tiers = highest_tiers([p.enterprise_id for p in qs], day)
    out = []
    for p in qs:
        t = tiers.get(p.enterprise_id, "")
        if p.status == Placement.Status.CONFIRMED and t in srdi:
            continue
        reasons = list(p.reasons or [])
        if p.status == Placement.Status.CONFIRMED:
            reasons.insert(0, "已确认在该环节，尚无专精特新称号（可重点培育）")
        elif p.status == Placement.Status.PROPOSED:
            reasons.insert(0, "企业自报在该环节（待确认）")
        out.append({"placement": p, "enterprise": p.enterprise, "tier": t,
                    "tier_label": TIER_LABELS.get(t, "无有效称号"), "status": p.status,
                    "status_label": p.get_status_display(), "score": p.score,
                    "reasons": reasons})  # fmt: skip
    out.sort(key=lambda c: (c["status"] != "confirmed", -_rank(c["tier"]), -c["score"]))
    return out[:limit]


def leaders_at(user, node: Node) -> list[dict]:
    """The leaders that buy at `node` (supply links), with local/outside counts."""
    from . import scopes

    by_leader: dict[int, dict] = defaultdict(lambda: {"local": 0, "outside": 0, "products": set()})
    links = scopes.visible_links(user, node.links.select_related("leader__enterprise"))
    leaders = {}
    for link in links:
        d = by_leader[link.leader_id]
        d["local" if link.local else "outside"] += 1
        d["products"].add(link.product)
        leaders[link.leader_id] = link.leader
    visible = set(
        scopes.visible_leaders(user).filter(pk__in=list(leaders)).values_list("pk", flat=True)
    )
    return [
        {"leader": leaders[i], "name": leaders[i].enterprise.name, "local": d["local"],
         "outside": d["outside"], "products": "、".join(sorted(d["products"]))}
        for i, d in by_leader.items() if i in visible
    ]  # fmt: skip


# ----------------------------------------------------------------- clusters
def cluster_counts(day: dt.date | None = None, region_id: int | None = None) -> dict:
    day = day or timezone.localdate()
    qs = FeaturedCluster.objects.all()
    if region_id is not None:
        qs = qs.filter(region_id=region_id)
    prov = qs.filter(provincial_year__isnull=False, provincial_year__lte=day.year)
    nat = qs.filter(national_year__isnull=False, national_year__lte=day.year)
    return {"provincial": prov, "national": nat}


def cluster_stats(cluster: FeaturedCluster, user, day: dt.date | None = None) -> dict:
    """Member statistics: count, revenue (latest year), tiers, patents (visible members only)."""
    from srdi.accounts import scopes as acc
    from srdi.registry.models import AnnualFigures

    day = day or timezone.localdate()
    all_members = cluster.members.all()
    members = list(acc.visible_enterprises(user, all_members).select_related("region"))
    ids = [e.pk for e in all_members]
    tiers = highest_tiers(ids, day)
    tier_counts = Counter(tiers.values())
    revenue = Decimal(0)
    year = None
    latest = AnnualFigures.objects.filter(enterprise_id__in=ids, revenue__isnull=False).order_by(
        "-year"
    )
    first = latest.first()
    if first:
        year = first.year
        revenue = sum((f.revenue for f in latest.filter(year=year)), Decimal(0))
    patents = _patents(ids)
    return {
        "count": len(ids),
        "visible": members,
        "revenue": revenue,
        "revenue_year": year,
        "tiers": [(TIER_LABELS[t], tier_counts[t]) for t in reversed(TIER_ORDER) if tier_counts[t]],
        "srdi": sum(tier_counts[t] for t in srdi_tiers()),
        "patents": patents,
    }


def _patents(ids) -> dict:
    from django.db.models import Sum

    agg = Enterprise.objects.filter(pk__in=list(ids)).aggregate(
        c1=Sum("ip_class1"), c2=Sum("ip_class2")
    )
    return {"class1": agg["c1"] or 0, "class2": agg["c2"] or 0}


def enterprises_for_choice(user):
    from srdi.accounts import scopes as acc

    return acc.visible_enterprises(user, Enterprise.objects.order_by("name"))


def leaders_for(user):
    from . import scopes

    return scopes.visible_leaders(user, Leader.objects.select_related("enterprise", "chain"))


def niche_candidates(user, day: dt.date | None = None) -> list[dict]:
    """Candidates for the 市级培育库 (二(一)): enterprises in the 培育库 (cultivation pool) placed
    on a gap or thin node of a key chain, not yet holding a product there in the pool."""
    from srdi.cultivation.models import PoolEntry

    from . import scopes
    from .models import NicheProduct

    day = day or timezone.localdate()
    thin = int(rules()["thin_at_most"])
    chains = list(key_chains())
    nodes = [n for c in chains for n in c.nodes.all()]
    stats = node_stats(day, nodes)
    weak = {n.pk: ("gap" if stats[n.pk]["srdi"] == 0 else "thin") for n in nodes
            if stats[n.pk]["srdi"] <= thin}  # fmt: skip
    pooled = PoolEntry.objects.values("enterprise_id")
    listed = set(NicheProduct.objects.values_list("enterprise_id", "node_id"))
    qs = scopes.visible_placements(
        user,
        Placement.objects.filter(node_id__in=list(weak), enterprise_id__in=pooled)
        .exclude(status=Placement.Status.REJECTED)
        .select_related("enterprise", "node__chain"),
    ).order_by("node__chain__sort_order", "node__sort_order", "-score")
    out = []
    for p in qs[:500]:
        if (p.enterprise_id, p.node_id) in listed:
            continue
        out.append({
            "placement": p, "enterprise": p.enterprise, "node": p.node,
            "state": weak[p.node_id],
            "reason": ("该环节无本地专精特新企业（断点）" if weak[p.node_id] == "gap"
                       else "该环节本地专精特新企业少（薄弱环节）") + "；企业在培育库中",
        })  # fmt: skip
    return out
