"""Demo data of chains: the reference chains and clusters, suggested and confirmed placements,
leaders with supplier links, a leader's need with proposals, gap leads, clusters with members,
niche products. Idempotent (natural keys); seeded."""

from __future__ import annotations

import datetime as dt
import hashlib

from srdi.core import demo

LEADERS = {  # chain code → how many leaders to name among its placed enterprises
    "auto": 2, "equipment": 1, "textile": 1, "materials": 1, "newenergy": 1, "acoustics": 1,
}  # fmt: skip
CONFIRM_SHARE = 0.7
DEMO_CLUSTERS = (
    ("汽车精密零部件特色产业集群", "auto", "provincial", 2024, "轴承、齿轮与压铸件"),
    ("高端装备液压件特色产业集群", "equipment", "cultivating", None, "液压件与密封件"),
    ("品牌服装特色产业集群", "textile", "provincial", 2025, "品牌服装"),
)


@demo.step("chains", order=65)
def chains_demo(ctx: demo.Context) -> str | None:
    from django.utils import timezone

    from . import reference, services
    from .models import (
        Chain,
        FeaturedCluster,
        GapLead,
        Leader,
        NicheProduct,
        Node,
        Placement,
        ProposalEvent,
        SupplierNeed,
        SupplyLink,
    )

    reference.load()
    ents = ctx.enterprises()
    if not ents.exists():
        return None
    rng = ctx.rng
    services.suggest_placements(ents)
    # officers confirm most suggestions (decided at a date spread over the plan period)
    start = dt.date(2023, 1, 15)
    span = max((ctx.today - start).days, 1)
    to_confirm = []
    for p in Placement.objects.filter(status=Placement.Status.SUGGESTED).select_related(
        "enterprise", "node"
    ):
        # a deterministic draw per (enterprise, node): a second run confirms nothing new
        key = f"{ctx.seed}:{p.enterprise.uscc}:{p.node.chain_id}:{p.node.code}".encode()
        if int(hashlib.sha256(key).hexdigest()[:8], 16) / 0xFFFFFFFF < CONFIRM_SHARE:
            p.status = Placement.Status.CONFIRMED
            p.products = p.enterprise.main_product[:300] if p.enterprise_id else ""
            day = start + dt.timedelta(days=rng.randrange(span))
            p.decided_at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
            p.is_synthetic = True
            to_confirm.append(p)
    Placement.objects.bulk_update(to_confirm, ["status", "products", "decided_at", "is_synthetic"])
    # 链主: the largest confirmed enterprises of each chain (by employees of the latest year)
    leaders = []
    for chain in Chain.objects.filter(code__in=list(LEADERS)).order_by("sort_order"):
        named = list(Leader.objects.filter(chain=chain, is_synthetic=True))
        if named:  # chosen on an earlier run
            leaders.extend(named)
            continue
        placed = (
            Placement.objects.filter(node__chain=chain, status=Placement.Status.CONFIRMED)
            .values_list("enterprise_id", flat=True)
            .distinct()
        )
        from django.db.models import Max

        cands = (
            ents.filter(pk__in=placed)
            .annotate(staff=Max("years__employees"))
            .order_by("-staff", "pk")
        )
        for ent in list(cands[: LEADERS[chain.code]]):
            leader, _c = Leader.objects.get_or_create(
                enterprise=ent, chain=chain,
                defaults={"since": dt.date(2023, 6, 1), "is_synthetic": True},
            )  # fmt: skip
            leaders.append(leader)
    # supplier links: local suppliers at each node, and an outside supplier at some gaps
    from .selectors import coverage

    gaps = {gid for c in coverage(ctx.today)["chains"] for gid in c["gap_ids"]}
    kinds = ["supply", "co_dev", "co_verify"]
    for leader in leaders:
        if leader.links.exists():  # linked on an earlier run
            continue
        for node in Node.objects.filter(chain=leader.chain).order_by("sort_order"):
            if node.segment == "down":
                continue
            local = list(
                Placement.objects.filter(node=node, status=Placement.Status.CONFIRMED)
                .exclude(enterprise=leader.enterprise)
                .order_by("pk")
                .values_list("enterprise_id", flat=True)[:12]
            )
            for eid in rng.sample(local, min(len(local), 2)):
                SupplyLink.objects.get_or_create(
                    leader=leader, supplier_id=eid, node=node,
                    defaults={"product": (node.products or [node.name])[0],
                              "since": dt.date(2019 + rng.randrange(6), 1 + rng.randrange(12), 1),
                              "kind": rng.choice(kinds), "is_synthetic": True},
                )  # fmt: skip
            if node.pk in gaps or not local:
                SupplyLink.objects.get_or_create(
                    leader=leader, outside_supplier=f"外地{node.name}供应商（示例）", node=node,
                    defaults={"product": (node.products or [node.name])[0],
                              "since": dt.date(2020, 3, 1), "is_synthetic": True},
                )  # fmt: skip
    # a leader's need with proposals, moved along
    needs = 0
    for leader in leaders[:3]:
        node = (
            Node.objects.filter(chain=leader.chain, segment="mid", placements__status="confirmed")
            .order_by("sort_order")
            .first()
        )
        if node is None:
            continue
        product = (node.products or [node.name])[0]
        need, created = SupplierNeed.objects.get_or_create(
            leader=leader, product=product,
            defaults={"node": node, "spec": f"{product}，满足整机厂质量体系要求（示例）",
                      "volume": f"年需求约 {rng.randrange(2, 20) * 1000} 件", "is_synthetic": True},
        )  # fmt: skip
        needs += 1
        if created:
            services.propose_suppliers(need)
            props = list(need.proposals.order_by("-score", "pk"))
            if props:
                p = props[0]
                for event, to, note in (("dock", "docking", "示例：对接会上交换样品要求"),
                                        ("sample", "sampling", "示例：送样测试中")):  # fmt: skip
                    ProposalEvent.objects.create(proposal=p, action=event, from_state=p.state,
                                                 to_state=to, note=note)  # fmt: skip
                    p.state = to
                p.save(update_fields=["state"])
    leads = 0
    for c in coverage(ctx.today)["chains"][:3]:
        for gid in c["gap_ids"][:1]:
            _lead, made = GapLead.objects.get_or_create(
                node_id=gid, kind="investment",
                defaults={"title": f"{Node.objects.get(pk=gid).name}招商线索（示例）",
                          "note": "示例：本地无专精特新配套，链主外购比例高。", "is_synthetic": True},
            )  # fmt: skip
            leads += made
    # clusters: members for the known ones, and demo clusters
    for name, code, status, year, product in DEMO_CLUSTERS:
        chain = Chain.objects.filter(code=code).first()
        FeaturedCluster.objects.get_or_create(
            name=name,
            defaults={"chain": chain, "status": status, "leading_product": product,
                      "provincial_year": year if status == "provincial" else None,
                      "year": 2023, "lead_org": "（示例）行业协会", "is_synthetic": True,
                      "verification": "unverified", "source": "演示数据"},
        )  # fmt: skip
    for cl in FeaturedCluster.objects.filter(chain__isnull=False):
        if cl.members.exists():
            continue
        members = (
            Placement.objects.filter(node__chain=cl.chain, status=Placement.Status.CONFIRMED)
            .values_list("enterprise_id", flat=True)
            .distinct()
            .order_by("enterprise_id")[:25]
        )
        cl.members.set(list(members))
    # niche products: SRDI enterprises on thin or key nodes
    niche = 0
    for node in Node.objects.filter(key_link=True).order_by("pk")[:8]:
        p = (
            Placement.objects.filter(node=node, status=Placement.Status.CONFIRMED)
            .select_related("enterprise")
            .order_by("pk")
            .first()
        )
        if p is None:
            continue
        _obj, c = NicheProduct.objects.get_or_create(
            enterprise=p.enterprise, node=node, product=(node.products or [node.name])[0],
            defaults={"market_share_pct": rng.randrange(5, 35), "why_key": f"{node.name}为{node.chain.name}关键环节，国内供应商少（示例）",
                      "status": "listed", "is_synthetic": True},
        )  # fmt: skip
        niche += c
    c = coverage(ctx.today)
    return (
        f"产业链 {len(c['chains'])} 条、环节 {c['nodes']} 个（配套覆盖 {c['coverage_pct']}%），"
        f"链主 {len(leaders)} 家，配套需求 {needs} 条，补链线索 {leads} 条，"
        f"特色产业集群 {FeaturedCluster.objects.count()} 个，培育库新增产品 {niche} 个"
    )
