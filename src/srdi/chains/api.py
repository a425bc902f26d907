"""JSON API of chains (/api/chains): the same services and scope as the pages (404 out of
scope, 403 read-only); token and session doors alike."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Body, Router
from ninja.errors import HttpError

from srdi.core import access
from srdi.registry.models import Enterprise

from . import scopes, selectors, services
from .models import Chain, FeaturedCluster, Leader, Node, Placement, Proposal, SupplierNeed

router = Router()


def _err(exc: ValidationError):
    raise HttpError(400, "；".join(str(m) for m in exc.messages))


def _node(n: Node) -> dict:
    return {
        "id": n.pk, "chain": n.chain_id, "code": n.code, "name": n.name, "segment": n.segment,
        "segment_label": n.get_segment_display(), "products": n.products,
        "technologies": n.technologies, "foundation": n.foundation,
        "industry_codes": n.industry_codes, "keywords": n.keywords, "key_link": n.key_link,
    }  # fmt: skip


def _chain(c: Chain) -> dict:
    return {"id": c.pk, "code": c.code, "name": c.name, "key": c.key, "active": c.active,
            "description": c.description, "status": c.status,
            "status_label": c.get_status_display(), "source": c.source}  # fmt: skip


def _placement(p: Placement) -> dict:
    return {"id": p.pk, "enterprise": {"uscc": p.enterprise.uscc, "name": p.enterprise.name},
            "node": p.node_id, "node_name": p.node.name, "chain": p.node.chain.name,
            "status": p.status, "status_label": p.get_status_display(),
            "products": p.products, "score": p.score, "reasons": p.reasons}  # fmt: skip


def _proposal(p: Proposal) -> dict:
    return {"id": p.pk, "need": p.need_id,
            "enterprise": {"uscc": p.enterprise.uscc, "name": p.enterprise.name},
            "score": p.score, "reasons": p.reasons, "state": p.state,
            "state_label": p.get_state_display()}  # fmt: skip


def _cluster(c: FeaturedCluster) -> dict:
    return {"id": c.pk, "name": c.name, "status": c.status, "status_label": c.get_status_display(),
            "region": c.region.name if c.region_id else None,
            "chain": c.chain.name if c.chain_id else None, "lead_org": c.lead_org,
            "leading_product": c.leading_product, "year": c.year,
            "provincial_year": c.provincial_year, "national_year": c.national_year,
            "verification": c.verification, "source": c.source,
            "members": c.members.count()}  # fmt: skip


@router.get("/coverage", summary="重点产业链配套覆盖（与 srdi chains coverage 相同）")
def coverage(request):
    return selectors.coverage_json()


@router.get("/chains", summary="产业链")
def list_chains(request):
    return [_chain(c) for c in access.visible(request.auth, Chain)]


@router.get("/chains/{int:pk}", summary="产业链图谱：环节、覆盖与断点")
def get_chain(request, pk: int):
    chain = access.get(request.auth, Chain, pk=pk)
    m = selectors.chain_map(chain)
    nodes = []
    for r in m["rows"]:
        d = _node(r["node"])
        d.update(local=r["local"], srdi=r["srdi"], state=r["state"], leaders=r["leaders"],
                 downstream=r["downstream"])  # fmt: skip
        nodes.append(d)
    cov = {k: m["coverage"][k] for k in ("nodes", "covered", "coverage_pct", "gaps")}
    return {**_chain(chain), "nodes": nodes, "edges": m["edges"], "coverage": cov}


@router.post("/chains", summary="新建产业链（市工信局）", response={200: dict, 400: dict})
def create_chain(request, data: dict = Body(...)):
    try:
        return _chain(services.save_chain(request.auth, data))
    except ValidationError as exc:
        _err(exc)


@router.put("/chains/{int:pk}", summary="修改产业链", response={200: dict, 400: dict})
def update_chain(request, pk: int, data: dict = Body(...)):
    chain = access.get(request.auth, Chain, write=True, pk=pk)
    try:
        return _chain(services.save_chain(request.auth, data, chain))
    except ValidationError as exc:
        _err(exc)


@router.post("/chains/{int:pk}/nodes", summary="新增环节", response={200: dict, 400: dict})
def create_node(request, pk: int, data: dict = Body(...)):
    chain = access.get(request.auth, Chain, write=True, pk=pk)
    try:
        return _node(services.save_node(request.auth, chain, data))
    except ValidationError as exc:
        _err(exc)


@router.get("/nodes/{int:pk}", summary="环节：本地企业、链主与候选企业（权限范围内）")
def get_node(request, pk: int):
    user = request.auth
    node = access.get(user, Node, pk=pk)
    ents = selectors.node_enterprises(user, node)
    out = _node(node)
    out["enterprises"] = [{"uscc": p.enterprise.uscc, "name": p.enterprise.name,
                           "tier": p.tier or None, "products": p.products} for p in ents]  # fmt: skip
    out["leaders"] = [{"leader": x["leader"].pk, "name": x["name"], "local": x["local"],
                       "outside": x["outside"]} for x in selectors.leaders_at(user, node)]  # fmt: skip
    out["candidates"] = (
        [{"uscc": c["enterprise"].uscc, "name": c["enterprise"].name, "tier": c["tier"] or None,
          "status": c["status"], "reasons": c["reasons"]}
         for c in selectors.candidates(user, node)] if scopes.is_official(user) else []
    )  # fmt: skip
    return out


@router.put("/nodes/{int:pk}", summary="修改环节", response={200: dict, 400: dict})
def update_node(request, pk: int, data: dict = Body(...)):
    node = access.get(request.auth, Node, write=True, pk=pk)
    try:
        return _node(services.save_node(request.auth, node.chain, data, node))
    except ValidationError as exc:
        _err(exc)


@router.post("/nodes/{int:pk}/place", summary="确认企业位于该环节（板块或市工信局）",
             response={200: dict, 400: dict})  # fmt: skip
def place(request, pk: int, uscc: str, data: dict = Body(...)):
    node = access.get(request.auth, Node, pk=pk)
    ent = access.get(request.auth, Enterprise, uscc=uscc.strip().upper())
    try:
        return _placement(services.place(request.auth, ent, node, data.get("products", "")))
    except ValidationError as exc:
        _err(exc)


@router.post("/nodes/{int:pk}/propose", summary="企业提出本企业的产业链位置或更正",
             response={200: dict, 400: dict})  # fmt: skip
def propose(request, pk: int, uscc: str, data: dict = Body(...)):
    node = access.get(request.auth, Node, pk=pk)
    ent = access.get(request.auth, Enterprise, uscc=uscc.strip().upper())
    try:
        p = services.propose(
            request.auth, ent, node, data.get("products", ""), data.get("note", "")
        )
    except ValidationError as exc:
        _err(exc)
    return _placement(p)


@router.post("/nodes/{int:pk}/leads", summary="从断点发起招商线索或揭榜挂帅需求",
             response={200: dict, 400: dict})  # fmt: skip
def start_lead(request, pk: int, data: dict = Body(...)):
    node = access.get(request.auth, Node, pk=pk)
    try:
        lead = services.start_lead(request.auth, node, data.get("kind", ""),
                                   data.get("title", ""), data.get("note", ""))  # fmt: skip
    except ValidationError as exc:
        _err(exc)
    return {"id": lead.pk, "kind": lead.kind, "title": lead.title, "status": lead.status}


@router.get("/placements", summary="企业链上位置（权限范围内）")
def list_placements(request, status: str = "", uscc: str = "", chain: int = 0):
    qs = scopes.visible_placements(request.auth).select_related("enterprise", "node__chain")
    if status:
        qs = qs.filter(status=status)
    if uscc:
        qs = qs.filter(enterprise__uscc=uscc.strip().upper())
    if chain:
        qs = qs.filter(node__chain_id=chain)
    return [_placement(p) for p in qs[:1000]]


@router.post("/placements/{int:pk}/decide", summary="确认、否定或更正企业位置",
             response={200: dict, 400: dict})  # fmt: skip
def decide(request, pk: int, data: dict = Body(...)):
    p = access.get(request.auth, Placement.objects.select_related("enterprise", "node__chain"),
                   write=True, pk=pk)  # fmt: skip
    node = access.get(request.auth, Node, pk=data["node"]) if data.get("node") else None
    try:
        p = services.decide(request.auth, p, bool(data.get("confirm")), node=node,
                            products=data.get("products", ""), note=data.get("note", ""))  # fmt: skip
    except ValidationError as exc:
        _err(exc)
    return _placement(p)


@router.get("/leaders", summary="链主企业（权限范围内）")
def list_leaders(request):
    return [{"id": x.pk, "chain": x.chain.name, "uscc": x.enterprise.uscc, "name": x.enterprise.name}
            for x in selectors.leaders_for(request.auth)]  # fmt: skip


@router.get("/leaders/{int:pk}", summary="链主及其配套关系")
def get_leader(request, pk: int):
    user = request.auth
    leader = access.get(user, Leader.objects.select_related("enterprise", "chain"), pk=pk)
    links = scopes.visible_links(user, leader.links.select_related("supplier", "node"))
    return {"id": leader.pk, "chain": leader.chain.name, "name": leader.enterprise.name,
            "links": [{"supplier": x.supplier_name(), "local": x.local, "node": x.node_id,
                       "product": x.product, "kind": x.kind,
                       "since": x.since.isoformat() if x.since else None} for x in links]}  # fmt: skip


@router.post("/leaders/{int:pk}/links", summary="登记配套关系（链主或市工信局）",
             response={200: dict, 400: dict})  # fmt: skip
def create_link(request, pk: int, data: dict = Body(...)):
    leader = access.get(request.auth, Leader, pk=pk)
    try:
        x = services.save_link(request.auth, leader, data)
    except ValidationError as exc:
        _err(exc)
    return {"id": x.pk, "supplier": x.supplier_name(), "local": x.local, "product": x.product}


@router.post("/leaders/{int:pk}/needs", summary="发布本地配套需求并推荐本地企业",
             response={200: dict, 400: dict})  # fmt: skip
def create_need(request, pk: int, data: dict = Body(...)):
    leader = access.get(request.auth, Leader, pk=pk)
    if not scopes.may_post_for(request.auth, leader):
        raise PermissionDenied("仅链主本企业或市工信局可以发布配套需求。")
    try:
        need = services.post_need(request.auth, leader, data)
    except ValidationError as exc:
        _err(exc)
    return {"id": need.pk, "product": need.product,
            "proposals": [_proposal(p) for p in need.proposals.select_related("enterprise")]}  # fmt: skip


@router.get("/needs/{int:pk}", summary="配套需求与推荐进展")
def get_need(request, pk: int):
    user = request.auth
    need = access.get(user, SupplierNeed.objects.select_related("leader__enterprise"), pk=pk)
    props = scopes.visible_proposals(user, need.proposals.select_related("enterprise"))
    return {"id": need.pk, "leader": need.leader.enterprise.name, "product": need.product,
            "spec": need.spec, "volume": need.volume, "status": need.status,
            "proposals": [_proposal(p) for p in props]}  # fmt: skip


@router.post("/proposals/{int:pk}/transition", summary="推进配套对接（对接 → 试样 → 批量供货）",
             response={200: dict, 400: dict})  # fmt: skip
def transition(request, pk: int, data: dict = Body(...)):
    p = access.get(request.auth, Proposal.objects.select_related("need__leader"), write=True, pk=pk)
    try:
        p = services.transition(request.auth, p, data.get("event", ""), data.get("note", ""))
    except ValidationError as exc:
        _err(exc)
    return _proposal(p)


@router.get("/clusters", summary="中小企业特色产业集群")
def list_clusters(request):
    counts = selectors.cluster_counts()
    return {"provincial": counts["provincial"].count(), "national": counts["national"].count(),
            "clusters": [_cluster(c) for c in access.visible(request.auth, FeaturedCluster)
                         .select_related("region", "chain")]}  # fmt: skip


@router.get("/clusters/{int:pk}", summary="集群详情与成员统计（成员名单按权限）")
def get_cluster(request, pk: int):
    c = access.get(request.auth, FeaturedCluster, pk=pk)
    s = selectors.cluster_stats(c, request.auth)
    return {**_cluster(c), "revenue": str(s["revenue"]), "revenue_year": s["revenue_year"],
            "srdi": s["srdi"], "patents": s["patents"],
            "visible_members": [{"uscc": e.uscc, "name": e.name} for e in s["visible"]]}  # fmt: skip


@router.post("/clusters", summary="登记特色产业集群（市工信局）", response={200: dict, 400: dict})
def create_cluster(request, data: dict = Body(...)):
    try:
        c = services.save_cluster(request.auth, data)
        if data.get("members"):
            services.set_members(request.auth, c, list(data["members"]))
    except ValidationError as exc:
        _err(exc)
    return _cluster(c)


@router.get("/niche", summary="市级关键环节产品培育库（权限范围内）")
def list_niche(request):
    return [{"id": n.pk, "uscc": n.enterprise.uscc, "enterprise": n.enterprise.name,
             "product": n.product, "chain": n.node.chain.name, "node": n.node.name,
             "market_share_pct": None if n.market_share_pct is None else float(n.market_share_pct),
             "status": n.status}
            for n in scopes.visible_niche(request.auth).select_related("enterprise", "node__chain")]  # fmt: skip
