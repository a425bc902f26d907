"""Who sees and changes what in chains (registered with srdi.core.access).

* the taxonomies, chains, nodes, the map's aggregate figures and the 特色产业集群 are public to
  every signed-in user (plan 一(一)/二(二): the map is shared work);
* enterprise-level records (placements, supply links, proposals, niche products, cluster
  members) follow ``accounts.scopes.visible_enterprises``: 市工信局 and departments all, a 板块
  officer the 板块's enterprises, a commissioner the assigned ones, an enterprise itself, a
  partner (bank, university) only enterprises that granted it consent;
* a supply link or proposal is visible to either party's readers (supplier or leader);
* 链主 needs: officials, the leader itself, and enterprises proposed for it;
* gap leads (招商/揭榜): officials only;
* editing taxonomies and confirming placements: 市工信局 administrators and the 工信局
  department; a 板块 officer confirms placements of the 板块's enterprises; a leader posts
  its own needs.
"""

from __future__ import annotations

from django.db.models import Q

from srdi.accounts import scopes as acc
from srdi.accounts.roles import Department, Role
from srdi.core import access

from .models import (
    Chain,
    FeaturedCluster,
    GapLead,
    Leader,
    NicheProduct,
    Node,
    Placement,
    Proposal,
    SupplierNeed,
    SupplyLink,
)


def signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def is_editor(user) -> bool:
    """May edit taxonomies, chains, clusters and confirm any placement (市工信局)."""
    return bool(
        signed_in(user)
        and (
            acc.is_admin(user)
            or (user.role == Role.DEPARTMENT and user.department == Department.GXJ)
        )
    )


def is_official(user) -> bool:
    return acc.is_official(user)


def sees_all(user) -> bool:
    return acc.sees_all_enterprises(user)


def is_enterprise(user) -> bool:
    return bool(signed_in(user) and user.role == Role.ENTERPRISE and user.enterprise_id)


def may_place(user, enterprise) -> bool:
    """Confirm or correct an enterprise's place on the chains."""
    if is_editor(user):
        return True
    return bool(
        signed_in(user)
        and user.role == Role.REGION_OFFICER
        and user.region_id
        and enterprise.region_id == user.region_id
    )


def may_post_for(user, leader) -> bool:
    """Post a leader's supplier needs: the leader itself or the 市工信局."""
    return is_editor(user) or (is_enterprise(user) and user.enterprise_id == leader.enterprise_id)


def proposal_sides(user, p) -> set[str]:
    """Which side(s) of a supplier proposal `user` acts for: leader, supplier, gxj."""
    out = set()
    if is_editor(user):
        out.add("gxj")
    if is_enterprise(user) and user.enterprise_id == p.need.leader.enterprise_id:
        out.add("leader")
    if (is_enterprise(user) and user.enterprise_id == p.enterprise_id) or (
        signed_in(user)
        and user.role in {Role.REGION_OFFICER, Role.COMMISSIONER}
        and acc.can_view(user, p.enterprise)
    ):
        out.add("supplier")
    return out


def _ents(user):
    return acc.visible_enterprises(user)


def public(user, qs):
    return qs if signed_in(user) else qs.none()


def visible_placements(user, qs=None):
    qs = Placement.objects.all() if qs is None else qs
    return qs if sees_all(user) else qs.filter(enterprise__in=_ents(user))


def visible_leaders(user, qs=None):
    qs = Leader.objects.all() if qs is None else qs
    if is_official(user):
        return qs
    if is_enterprise(user):
        return qs.filter(
            Q(enterprise_id=user.enterprise_id) | Q(links__supplier_id=user.enterprise_id)
        ).distinct()
    return qs.filter(enterprise__in=_ents(user))


def visible_links(user, qs=None):
    qs = SupplyLink.objects.all() if qs is None else qs
    if sees_all(user):
        return qs
    ents = _ents(user)
    return qs.filter(Q(supplier__in=ents) | Q(leader__enterprise__in=ents)).distinct()


def visible_needs(user, qs=None):
    qs = SupplierNeed.objects.all() if qs is None else qs
    if is_official(user):
        return qs
    if is_enterprise(user):
        return qs.filter(
            Q(leader__enterprise_id=user.enterprise_id)
            | Q(proposals__enterprise_id=user.enterprise_id)
        ).distinct()
    return qs.none()


def visible_proposals(user, qs=None):
    qs = Proposal.objects.all() if qs is None else qs
    if sees_all(user):
        return qs
    ents = _ents(user)
    return qs.filter(Q(enterprise__in=ents) | Q(need__leader__enterprise__in=ents)).distinct()


def visible_leads(user, qs=None):
    qs = GapLead.objects.all() if qs is None else qs
    return qs if is_official(user) else qs.none()


def visible_niche(user, qs=None):
    qs = NicheProduct.objects.all() if qs is None else qs
    return qs if sees_all(user) else qs.filter(enterprise__in=_ents(user))


access.register(Chain, visible=public, writable=lambda u, o: is_editor(u), name="产业链")
access.register(Node, visible=public, writable=lambda u, o: is_editor(u), name="产业链环节")
access.register(
    Placement,
    visible=visible_placements,
    writable=lambda u, p: may_place(u, p.enterprise),
    name="企业链上位置",
)
access.register(
    Leader, visible=visible_leaders, writable=lambda u, o: is_editor(u), name="链主企业"
)
access.register(
    SupplyLink, visible=visible_links, writable=lambda u, o: is_editor(u), name="配套关系"
)
access.register(
    SupplierNeed,
    visible=visible_needs,
    writable=lambda u, n: may_post_for(u, n.leader),
    name="链主配套需求",
)
access.register(
    Proposal,
    visible=visible_proposals,
    writable=lambda u, p: bool(proposal_sides(u, p)),
    name="配套推荐",
)
access.register(GapLead, visible=visible_leads, writable=lambda u, o: is_editor(u), name="补链线索")
access.register(
    FeaturedCluster, visible=public, writable=lambda u, o: is_editor(u), name="特色产业集群"
)
access.register(
    NicheProduct, visible=visible_niche, writable=lambda u, o: is_editor(u), name="关键环节产品"
)
