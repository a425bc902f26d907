"""Every write of chains: permission check, change, audit record, notification.

The web pages, the API and ``srdi chains`` call these; nothing else writes chain records.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from srdi.accounts import scopes as acc
from srdi.accounts.roles import Role
from srdi.audit.services import record
from srdi.core.cleaning import date as _date
from srdi.core.cleaning import text
from srdi.core.cleaning import year as _year
from srdi.core.notifications import notify

from . import scopes, suggest
from .models import (
    Chain,
    Cooperation,
    FeaturedCluster,
    GapLead,
    Leader,
    NicheProduct,
    Node,
    Placement,
    Proposal,
    ProposalEvent,
    Segment,
    SupplierNeed,
    SupplyLink,
)

MAX_TEXT = 2000


# ------------------------------------------------------------------ input helpers
def _text(value, label: str, *, required=False, max_len=200) -> str:
    """A chain record's text: at most 200 characters unless said otherwise."""
    return text(value, label, required=required, max_len=max_len)


def _list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        import re

        value = re.split(r"[，,、;；\s]+", value)
    return [str(v).strip() for v in value if str(v).strip()][:50]


def _choice(value, choices, label: str, default=None):
    if value in (None, ""):
        if default is None:
            raise ValidationError(_("请选择“%(f)s”。") % {"f": label})
        return default
    labels = {str(lbl): v for v, lbl in choices}
    value = str(value).strip()
    if value in dict(choices):
        return value
    if value in labels:
        return labels[value]
    raise ValidationError(
        _("“%(f)s”应为：%(c)s") % {"f": label, "c": "、".join(str(lbl) for _v, lbl in choices)}
    )


def require_editor(user) -> None:
    if not scopes.is_editor(user):
        raise PermissionDenied(_("仅市工信局可维护产业链、集群与培育库。"))


def _officers_of(enterprise):
    from srdi.accounts.models import User

    return User.objects.filter(
        is_active=True, role=Role.REGION_OFFICER, region_id=enterprise.region_id
    )


def _enterprise_users(enterprise):
    from srdi.accounts.models import User

    return User.objects.filter(is_active=True, role=Role.ENTERPRISE, enterprise=enterprise)


# ------------------------------------------------------------------ chains and nodes
CHAIN_FIELDS = ("code", "name", "key", "description", "status", "source", "active")
NODE_FIELDS = ("code", "name", "segment", "products", "technologies", "foundation",
               "industry_codes", "keywords", "key_link", "sort_order")  # fmt: skip


def _snap(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


@transaction.atomic
def save_chain(user, data: dict, chain: Chain | None = None) -> Chain:
    require_editor(user)
    before = _snap(chain, CHAIN_FIELDS) if chain else None
    chain = chain or Chain()
    chain.code = (
        _text(data.get("code"), _("编号"), required=True, max_len=40)
        if not chain.pk
        else (_text(data.get("code"), _("编号"), max_len=40) or chain.code)
    )
    if Chain.objects.filter(code=chain.code).exclude(pk=chain.pk).exists():
        raise ValidationError(_("编号“%(c)s”已被其他产业链使用。") % {"c": chain.code})
    chain.name = _text(data.get("name"), _("产业链名称"), required=True, max_len=100)
    chain.description = _text(data.get("description"), _("简介"), max_len=MAX_TEXT)
    chain.key = bool(data.get("key", True))
    chain.active = bool(data.get("active", True))
    chain.source = _text(data.get("source"), _("来源"), max_len=500)
    chain.status = _choice(data.get("status"), Chain._meta.get_field("status").choices,
                           _("核实状态"), default="unverified")  # fmt: skip
    chain.updated_at = timezone.now()
    chain.save()
    record(actor=user, action="chains.chain.save", obj=chain, before=before,
           after=_snap(chain, CHAIN_FIELDS))  # fmt: skip
    return chain


@transaction.atomic
def save_node(user, chain: Chain, data: dict, node: Node | None = None) -> Node:
    require_editor(user)
    before = _snap(node, NODE_FIELDS) if node else None
    node = node or Node(chain=chain)
    code = _text(data.get("code"), _("环节编号"), max_len=40) or node.code
    if not code:
        code = f"n{chain.nodes.count() + 1}"
        while chain.nodes.filter(code=code).exists():
            code += "x"
    if chain.nodes.filter(code=code).exclude(pk=node.pk).exists():
        raise ValidationError(_("环节编号“%(c)s”在本链中已存在。") % {"c": code})
    node.code = code
    node.name = _text(data.get("name"), _("环节名称"), required=True, max_len=100)
    node.segment = _choice(data.get("segment"), Segment.choices, _("上中下游"))
    node.products = _list(data.get("products"))
    node.technologies = _list(data.get("technologies"))
    node.keywords = _list(data.get("keywords"))
    codes = [c.upper() for c in _list(data.get("industry_codes"))]
    import re

    bad = [c for c in codes if not re.fullmatch(r"[A-T]\d{0,4}", c)]
    if bad:
        raise ValidationError(
            _("行业代码格式不对（应为门类字母加最多4位数字，如 C3451）：%(c)s")
            % {"c": "、".join(bad)}
        )
    node.industry_codes = codes
    from .reference import foundations

    f = str(data.get("foundation") or "").strip()
    names = {v: k for k, v in foundations().items()}
    if f and f not in foundations():
        if f not in names:
            raise ValidationError(
                _("工业六基类别应为：%(c)s") % {"c": "、".join(foundations().values())}
            )
        f = names[f]
    node.foundation = f
    node.key_link = bool(data.get("key_link"))
    if data.get("sort_order") not in (None, ""):
        node.sort_order = int(data["sort_order"])
    elif not node.pk:
        node.sort_order = chain.nodes.count()
    node.save()
    chain.updated_at = timezone.now()
    chain.save(update_fields=["updated_at"])
    record(actor=user, action="chains.node.save", obj=node, before=before,
           after=_snap(node, NODE_FIELDS))  # fmt: skip
    return node


@transaction.atomic
def delete_node(user, node: Node) -> None:
    require_editor(user)
    before = _snap(node, NODE_FIELDS)
    record(actor=user, action="chains.node.delete", obj=node, before=before)
    node.delete()


# ------------------------------------------------------------------ placements
def _place_snap(p: Placement) -> dict:
    return {"node": p.node_id, "status": p.status, "products": p.products}


def suggest_placements(enterprises=None, nodes=None, actor=None) -> dict:
    """(Re)compute suggestions: new suggested placements with reasons; confirmed, rejected and
    proposed ones are left as they are. Returns counts."""
    from srdi.registry.models import Enterprise

    nodes = list(nodes if nodes is not None else Node.objects.filter(chain__active=True))
    enterprises = Enterprise.objects.all() if enterprises is None else enterprises
    existing = {
        (e, n): s for e, n, s in Placement.objects.values_list("enterprise_id", "node_id", "status")
    }
    made = updated = 0
    new = []
    for ent in enterprises.only("pk", "industry_code", "main_product", "ext").iterator():
        for s in suggest.suggest(ent, nodes):
            key = (ent.pk, s.node_id)
            if key not in existing:
                new.append(Placement(enterprise_id=ent.pk, node_id=s.node_id, score=s.score,
                                     reasons=s.reasons, status=Placement.Status.SUGGESTED))  # fmt: skip
                existing[key] = Placement.Status.SUGGESTED
                made += 1
            elif existing[key] == Placement.Status.SUGGESTED:
                Placement.objects.filter(enterprise_id=ent.pk, node_id=s.node_id).update(
                    score=s.score, reasons=s.reasons
                )
                updated += 1
    Placement.objects.bulk_create(new, batch_size=1000)
    if actor is not None or made:
        record(actor=actor, action="chains.suggest", object_type="chains.placement",
               note=f"新增建议 {made} 条，更新 {updated} 条")  # fmt: skip
    return {"created": made, "updated": updated}


@transaction.atomic
def place(user, enterprise, node: Node, products: str = "", note: str = "") -> Placement:
    """An officer puts an enterprise at a node (confirmed)."""
    if not scopes.may_place(user, enterprise):
        raise PermissionDenied(_("您无权确认该企业的产业链位置。"))
    products = _text(products, _("该环节主要产品"), max_len=300)
    p, _c = Placement.objects.get_or_create(enterprise=enterprise, node=node)
    before = _place_snap(p)
    p.status = Placement.Status.CONFIRMED
    p.products = products or p.products or enterprise.main_product[:300]
    p.note = note[:300]
    p.decided_by = user
    p.decided_at = timezone.now()
    p.save()
    record(actor=user, action="chains.place.confirm", obj=p, before=before, after=_place_snap(p))
    return p


@transaction.atomic
def decide(user, p: Placement, confirm: bool, node: Node | None = None, products: str = "",
           note: str = "") -> Placement:  # fmt: skip
    """Confirm a suggestion or proposal, reject it, or correct it to another node."""
    if not scopes.may_place(user, p.enterprise):
        raise PermissionDenied(_("您无权确认该企业的产业链位置。"))
    if node is not None and node.pk != p.node_id:
        reject = decide(user, p, False, note=_("更正到其他环节"))
        return place(user, reject.enterprise, node, products or p.products, note)
    before = _place_snap(p)
    p.status = Placement.Status.CONFIRMED if confirm else Placement.Status.REJECTED
    if products:
        p.products = _text(products, _("该环节主要产品"), max_len=300)
    elif confirm and not p.products:
        p.products = p.enterprise.main_product[:300]
    p.note = note[:300]
    p.decided_by = user
    p.decided_at = timezone.now()
    p.save()
    record(actor=user, action="chains.place." + ("confirm" if confirm else "reject"), obj=p,
           before=before, after=_place_snap(p), note=note)  # fmt: skip
    if p.status == Placement.Status.CONFIRMED or before["status"] == Placement.Status.PROPOSED:
        notify(_enterprise_users(p.enterprise), kind="chains",
               title=_("产业链位置已%(v)s：%(n)s") % {"v": _("确认") if confirm else _("否定"),
                                                    "n": str(p.node)},
               body=note, link="/chains/mine/",
               dedupe_key=f"chains-place-{p.pk}-{p.status}")  # fmt: skip
    return p


@transaction.atomic
def propose(user, enterprise, node: Node, products: str, note: str = "") -> Placement:
    """An enterprise proposes (a correction of) its place on a chain; its 板块 officers decide."""
    if not (scopes.is_enterprise(user) and user.enterprise_id == enterprise.pk) and not (
        scopes.may_place(user, enterprise)
    ):
        raise PermissionDenied(_("只能为本企业提出产业链位置更正。"))
    products = _text(products, _("该环节主要产品"), required=True, max_len=300)
    p, _c = Placement.objects.get_or_create(enterprise=enterprise, node=node)
    if p.status == Placement.Status.CONFIRMED:
        raise ValidationError(_("该位置已确认，无需再次提出。"))
    before = _place_snap(p)
    p.status = Placement.Status.PROPOSED
    p.products = products
    p.note = _text(note, _("说明"), max_len=300)
    p.save()
    record(actor=user, action="chains.place.propose", obj=p, before=before,
           after=_place_snap(p), note=p.note)  # fmt: skip
    notify(_officers_of(enterprise), kind="chains",
           title=_("企业申请更正产业链位置：%(e)s") % {"e": enterprise.name},
           body=f"{node}：{products}", link=f"/chains/nodes/{node.pk}/",
           dedupe_key=f"chains-propose-{p.pk}")  # fmt: skip
    return p


# ------------------------------------------------------------------ leaders and supply links
@transaction.atomic
def save_leader(user, enterprise, chain: Chain, since=None, note: str = "") -> Leader:
    require_editor(user)
    leader, created = Leader.objects.get_or_create(enterprise=enterprise, chain=chain)
    leader.since = _date(since, _("认定时间")) or leader.since
    leader.note = note[:300]
    leader.save()
    record(actor=user, action="chains.leader.save", obj=leader,
           after={"chain": chain.name, "created": created})  # fmt: skip
    return leader


@transaction.atomic
def save_link(user, leader: Leader, data: dict, link: SupplyLink | None = None) -> SupplyLink:
    """Who supplies the leader: a local enterprise (by 统一社会信用代码) or an outside name."""
    if not (scopes.is_editor(user) or scopes.may_post_for(user, leader)):
        raise PermissionDenied(_("仅市工信局或链主本企业可以登记配套关系。"))
    from srdi.registry.models import Enterprise

    link = link or SupplyLink(leader=leader)
    uscc = _text(data.get("supplier_uscc"), _("供应商统一社会信用代码"), max_len=18).upper()
    outside = _text(data.get("outside_supplier"), _("外地供应商"), max_len=200)
    if uscc:
        ent = Enterprise.objects.filter(uscc=uscc).first()
        if ent is None:
            raise ValidationError(_("企业库中没有统一社会信用代码为 %(u)s 的企业。") % {"u": uscc})
        link.supplier, link.outside_supplier = ent, ""
    elif outside:
        link.supplier, link.outside_supplier = None, outside
    else:
        raise ValidationError(_("请填写本地供应商的统一社会信用代码，或外地供应商名称。"))
    node_id = data.get("node")
    link.node = None
    if node_id not in (None, ""):
        link.node = Node.objects.filter(pk=node_id, chain=leader.chain).first()
        if link.node is None:
            raise ValidationError(_("所选环节不属于“%(c)s”。") % {"c": leader.chain.name})
    link.product = _text(data.get("product"), _("供应产品"), required=True)
    link.since = _date(data.get("since"), _("合作起始"))
    link.kind = _choice(data.get("kind"), Cooperation.choices, _("合作方式"), default="supply")
    link.note = _text(data.get("note"), _("备注"), max_len=300)
    link.save()
    record(actor=user, action="chains.link.save", obj=link,
           enterprise_uscc=link.supplier.uscc if link.supplier_id else "",
           after={"leader": leader.enterprise.name, "supplier": link.supplier_name(),
                  "product": link.product, "node": link.node_id, "kind": link.kind})  # fmt: skip
    return link


# ------------------------------------------------------------------ leaders' supplier needs


@transaction.atomic
def post_need(user, leader: Leader, data: dict) -> SupplierNeed:
    if not scopes.may_post_for(user, leader):
        raise PermissionDenied(_("仅链主本企业或市工信局可以发布配套需求。"))
    need = SupplierNeed(leader=leader, created_by=user)
    need.product = _text(data.get("product"), _("采购产品"), required=True)
    need.spec = _text(data.get("spec"), _("规格要求"), max_len=MAX_TEXT)
    need.volume = _text(data.get("volume"), _("采购量"), max_len=100)
    node_id = data.get("node")
    if node_id not in (None, ""):
        need.node = Node.objects.filter(pk=node_id, chain=leader.chain).first()
        if need.node is None:
            raise ValidationError(_("所选环节不属于“%(c)s”。") % {"c": leader.chain.name})
    need.save()
    record(actor=user, action="chains.need.post", obj=need, enterprise_uscc=leader.enterprise.uscc,
           after={"product": need.product, "node": need.node_id, "volume": need.volume})  # fmt: skip
    propose_suppliers(need)
    return need


def rank_suppliers(need: SupplierNeed, top: int | None = None) -> list[tuple]:
    """Local SMEs for a need: confirmed at the need's node (or matching the product text), with
    tier and capacity (latest revenue) as reasons. Returns (enterprise, score, reasons)."""
    from srdi.registry.models import AnnualFigures, Enterprise

    from .selectors import highest_tiers

    text = f"{need.product} {need.spec}"
    tt = suggest.terms(text)
    chain_nodes = list(need.leader.chain.nodes.all())
    at_node = set()
    if need.node_id:
        at_node = set(
            Placement.objects.filter(
                node_id=need.node_id, status=Placement.Status.CONFIRMED
            ).values_list("enterprise_id", flat=True)
        )
    placed = {}
    for eid, name in Placement.objects.filter(
        node__in=chain_nodes, status=Placement.Status.CONFIRMED
    ).values_list("enterprise_id", "node__name"):
        placed.setdefault(eid, name)
    cands = Enterprise.objects.filter(pk__in=set(placed) | at_node).exclude(
        pk=need.leader.enterprise_id
    )
    tiers = highest_tiers([e.pk for e in cands], timezone.localdate())
    revenue = dict(
        AnnualFigures.objects.filter(enterprise__in=cands, revenue__isnull=False)
        .order_by("enterprise_id", "year")
        .values_list("enterprise_id", "revenue")
    )
    from srdi.registry.listing import TIER_LABELS, TIER_ORDER

    w = suggest.weights()["suppliers"]  # data/suggest.yaml
    out = []
    for e in cands:
        score, reasons = 0.0, []
        if e.pk in at_node:
            score += w["at_node"]
            reasons.append(_("已确认位于“%(n)s”环节") % {"n": need.node.name})
        elif e.pk in placed:
            score += w["in_chain"]
            reasons.append(_("位于本链“%(n)s”环节") % {"n": placed[e.pk]})
        hits = [w for w in tt if w in suggest.terms(e.main_product)]
        if hits:
            score += w["product_term"] * min(len(hits), w["product_terms_max"])
            reasons.append(_("主导产品与需求相符：%(w)s") % {"w": "、".join(sorted(hits)[:3])})
        t = tiers.get(e.pk)
        if t:
            score += w["tier_step"] * (TIER_ORDER.index(t) + 1)
            reasons.append(_("持有“%(t)s”称号") % {"t": TIER_LABELS[t]})
        if e.pk in revenue:
            from srdi.core.formatting import wan

            reasons.append(_("最近年度营业收入 %(r)s") % {"r": wan(revenue[e.pk])})
        if score >= w["threshold"]:
            out.append((e, round(score, 3), reasons))
    out.sort(key=lambda x: (-x[1], x[0].name))
    return out[: top or w["top"]]


def propose_suppliers(need: SupplierNeed) -> list[Proposal]:
    made = []
    for ent, score, reasons in rank_suppliers(need):
        p, created = Proposal.objects.get_or_create(
            need=need, enterprise=ent, defaults={"score": score, "reasons": reasons}
        )
        if created:
            made.append(p)
            notify(_enterprise_users(ent), kind="chains",
                   title=_("链主配套需求推荐：%(p)s") % {"p": need.product},
                   body=_("%(l)s 希望在本地采购，平台推荐了贵企业。") % {"l": need.leader.enterprise.name},
                   link=f"/chains/needs/{need.pk}/", dedupe_key=f"chains-proposal-{p.pk}")  # fmt: skip
    return made


class SupplyMachine(StateMachine):
    """推荐 → 对接 → 试样 → 批量供货, or 未成 before supply starts."""

    proposed = State(_("推荐"), initial=True, value=Proposal.State.PROPOSED)
    docking = State(_("对接"), value=Proposal.State.DOCKING)
    sampling = State(_("试样"), value=Proposal.State.SAMPLING)
    supplying = State(_("批量供货"), final=True, value=Proposal.State.SUPPLYING)
    closed = State(_("未成"), final=True, value=Proposal.State.CLOSED)

    dock = proposed.to(docking)
    sample = docking.to(sampling)
    supply = sampling.to(supplying)
    close = proposed.to(closed) | docking.to(closed) | sampling.to(closed)


TRANSITION_ROLES = {
    "dock": {"leader", "supplier", "gxj"},
    "sample": {"leader", "gxj"},
    "supply": {"leader", "gxj"},
    "close": {"leader", "supplier", "gxj"},
}
TRANSITION_LABELS = {
    "dock": _("开始对接"), "sample": _("进入试样"), "supply": _("批量供货"), "close": _("终止"),
}  # fmt: skip


def allowed_transitions(user, p: Proposal) -> list[str]:
    sm = SupplyMachine(model=p, state_field="state")
    sides = scopes.proposal_sides(user, p)
    return [e.id for e in sm.allowed_events if TRANSITION_ROLES.get(e.id, set()) & sides]


@transaction.atomic
def transition(user, p: Proposal, event: str, note: str = "") -> Proposal:
    p = Proposal.objects.select_for_update().get(pk=p.pk)
    if event not in TRANSITION_ROLES:
        raise ValidationError(_("未知的操作。"))
    if not TRANSITION_ROLES[event] & scopes.proposal_sides(user, p):
        raise PermissionDenied(_("您无权执行“%(a)s”。") % {"a": TRANSITION_LABELS[event]})
    before = p.state
    sm = SupplyMachine(model=p, state_field="state")
    try:
        sm.send(event)
    except TransitionNotAllowed:
        raise ValidationError(
            _("当前进展为“%(s)s”，不能“%(a)s”。")
            % {"s": Proposal.State(before).label, "a": TRANSITION_LABELS[event]}
        ) from None
    p.updated_at = timezone.now()
    p.save(update_fields=["state", "updated_at"])
    note = note[:300]
    ProposalEvent.objects.create(proposal=p, action=event, from_state=before, to_state=p.state,
                                 actor=user, note=note)  # fmt: skip
    record(actor=user, action=f"chains.supply.{event}", obj=p, enterprise_uscc=p.enterprise.uscc,
           before={"state": before}, after={"state": p.state}, note=note)  # fmt: skip
    users = list(_enterprise_users(p.enterprise)) + list(
        _enterprise_users(p.need.leader.enterprise)
    )
    notify([u for u in users if u != user], kind="chains",
           title=_("配套对接进展：%(s)s") % {"s": Proposal.State(p.state).label},
           body=f"{p.need.leader.enterprise.name} · {p.need.product} · {p.enterprise.name}",
           link=f"/chains/needs/{p.need_id}/", dedupe_key=f"chains-supply-{p.pk}-{p.state}")  # fmt: skip
    if p.state == Proposal.State.SUPPLYING:
        SupplyLink.objects.get_or_create(
            leader=p.need.leader, supplier=p.enterprise, product=p.need.product,
            defaults={"node": p.need.node, "since": timezone.localdate(),
                      "kind": Cooperation.SUPPLY, "note": _("由配套需求对接形成")},
        )  # fmt: skip
    return p


# ------------------------------------------------------------------ gaps → leads
@transaction.atomic
def start_lead(user, node: Node, kind: str, title: str, note: str = "") -> GapLead:
    if not acc.is_official(user) or user.role == Role.COMMISSIONER:
        raise PermissionDenied(_("仅政府部门与板块工作人员可以从断点发起招商或揭榜需求。"))
    lead = GapLead(node=node, created_by=user)
    lead.kind = _choice(kind, GapLead.Kind.choices, _("类型"))
    lead.title = _text(title, _("标题"), required=True)
    lead.note = _text(note, _("说明"), max_len=MAX_TEXT)
    lead.save()
    record(actor=user, action="chains.lead.start", obj=lead,
           after={"node": node.pk, "kind": lead.kind, "title": lead.title})  # fmt: skip
    return lead


# ------------------------------------------------------------------ clusters
CLUSTER_FIELDS = ("name", "lead_org", "leading_product", "status", "year", "provincial_year",
                  "national_year", "verification", "source")  # fmt: skip


@transaction.atomic
def save_cluster(user, data: dict, cluster: FeaturedCluster | None = None) -> FeaturedCluster:
    require_editor(user)
    from srdi.registry.models import Region

    before = _snap(cluster, CLUSTER_FIELDS) if cluster else None
    c = cluster or FeaturedCluster()
    c.name = _text(data.get("name"), _("集群名称"), required=True, max_len=100)
    if FeaturedCluster.objects.filter(name=c.name).exclude(pk=c.pk).exists():
        raise ValidationError(_("已有同名集群：%(n)s") % {"n": c.name})
    c.lead_org = _text(data.get("lead_org"), _("牵头单位"))
    c.leading_product = _text(data.get("leading_product"), _("主导产品"))
    c.year = _year(data.get("year"), _("启动培育年份"))
    c.provincial_year = _year(data.get("provincial_year"), _("省级认定年份"))
    c.national_year = _year(data.get("national_year"), _("国家级认定年份"))
    c.status = (
        FeaturedCluster.Status.NATIONAL if c.national_year
        else FeaturedCluster.Status.PROVINCIAL if c.provincial_year
        else FeaturedCluster.Status.CULTIVATING
    )  # fmt: skip
    c.verification = _choice(data.get("verification"),
                             FeaturedCluster._meta.get_field("verification").choices,
                             _("核实状态"), default=c.verification or "unverified")  # fmt: skip
    c.source = _text(data.get("source"), _("来源"), max_len=500)
    c.note = _text(data.get("note"), _("说明"), max_len=MAX_TEXT)
    rid = data.get("region")
    c.region = Region.objects.filter(pk=rid).first() if rid not in (None, "") else None
    cid = data.get("chain")
    c.chain = Chain.objects.filter(pk=cid).first() if cid not in (None, "") else None
    c.updated_at = timezone.now()
    c.save()
    record(actor=user, action="chains.cluster.save", obj=c, before=before,
           after=_snap(c, CLUSTER_FIELDS))  # fmt: skip
    return c


@transaction.atomic
def set_members(user, cluster: FeaturedCluster, usccs: list[str]) -> FeaturedCluster:
    require_editor(user)
    from srdi.registry.models import Enterprise

    usccs = [u.strip().upper() for u in usccs if u and u.strip()]
    found = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=usccs)}
    missing = [u for u in usccs if u not in found]
    if missing:
        raise ValidationError(
            _("企业库中没有这些统一社会信用代码：%(u)s") % {"u": "、".join(missing[:10])}
        )
    before = sorted(cluster.members.values_list("uscc", flat=True))
    cluster.members.set(found.values())
    record(actor=user, action="chains.cluster.members", obj=cluster, before={"members": before},
           after={"members": sorted(found)})  # fmt: skip
    return cluster


# ------------------------------------------------------------------ niche-product pool
@transaction.atomic
def save_niche(user, enterprise, node: Node, data: dict, item: NicheProduct | None = None):
    require_editor(user)
    item = item or NicheProduct(enterprise=enterprise, node=node, created_by=user)
    before = {"status": item.status, "product": item.product} if item.pk else None
    item.product = _text(data.get("product"), _("产品"), required=True)
    share = data.get("market_share_pct")
    if share in (None, ""):
        item.market_share_pct = None
    else:
        try:
            item.market_share_pct = Decimal(str(share).strip().rstrip("%"))
        except InvalidOperation:
            raise ValidationError(
                _("细分市场占有率应为 0–100 的数字：%(v)s") % {"v": share}
            ) from None
        if not 0 <= item.market_share_pct <= 100:
            raise ValidationError(_("细分市场占有率应为 0–100 的数字：%(v)s") % {"v": share})
    item.why_key = _text(data.get("why_key"), _("关键性说明"), max_len=MAX_TEXT)
    item.status = _choice(data.get("status"), NicheProduct.Status.choices, _("状态"),
                          default=item.status or "candidate")  # fmt: skip
    if (
        NicheProduct.objects.filter(enterprise=enterprise, node=node, product=item.product)
        .exclude(pk=item.pk)
        .exists()
    ):
        raise ValidationError(_("培育库中已有该企业在该环节的同名产品。"))
    item.save()
    record(actor=user, action="chains.niche.save", obj=item, before=before,
           after={"status": item.status, "product": item.product, "node": node.pk})  # fmt: skip
    return item
