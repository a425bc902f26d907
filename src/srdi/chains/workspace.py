"""Menu entry and home panels of chains."""

from __future__ import annotations

from srdi.accounts.roles import Role
from srdi.core import workspace

from . import scopes

workspace.menu("chains", "产业链", "/chains/", order=55, visible=scopes.signed_in)


@workspace.panel(
    "chains_coverage",
    title="重点产业链配套覆盖",
    template="chains/_home_coverage.html",
    roles={Role.ADMIN, Role.DEPARTMENT, Role.REGION_OFFICER},
    order=35,
)
def coverage_panel(request):
    from . import selectors

    c = selectors.coverage()
    if not c["chains"]:
        return None
    return {
        "c": c,
        "worst": sorted(c["chains"], key=lambda r: r["coverage_pct"] or 0)[:4],
        "clusters": {k: v.count() for k, v in selectors.cluster_counts().items()},
    }


@workspace.panel(
    "chains_mine",
    title="本企业在产业链上",
    template="chains/_home_mine.html",
    roles={Role.ENTERPRISE},
    order=36,
)
def enterprise_panel(request):
    from .models import Placement, Proposal

    user = request.user
    if not scopes.is_enterprise(user):
        return None
    places = Placement.objects.filter(
        enterprise_id=user.enterprise_id,
        status__in=[Placement.Status.CONFIRMED, Placement.Status.PROPOSED],
    ).select_related("node__chain")
    proposals = (
        scopes.visible_proposals(user)
        .filter(
            enterprise_id=user.enterprise_id,
            state__in=[Proposal.State.PROPOSED, Proposal.State.DOCKING, Proposal.State.SAMPLING],
        )
        .select_related("need__leader__enterprise")
    )
    if not places.exists() and not proposals.exists():
        return None
    return {"places": list(places[:6]), "proposals": list(proposals[:6])}
