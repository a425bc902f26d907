"""Home panels of 惠企政策: an enterprise's claimable policies and its own applications (the
reviewers' panel of waiting applications is in review_workspace.py)."""

from __future__ import annotations

from srdi.accounts.roles import Role
from srdi.core import workspace

from .models import Application, Policy, PolicyMatch


@workspace.panel(
    "policies_claimable",
    title="可申报的政策",
    template="policies/_home_claimable.html",
    roles={Role.ENTERPRISE},
    order=20,
)
def claimable(request):
    ent = request.user.enterprise
    if ent is None:
        return None
    applied = Application.objects.filter(enterprise=ent).values("policy_id")
    qs = (
        PolicyMatch.objects.filter(
            enterprise=ent, status="eligible", policy__status=Policy.Status.PUBLISHED
        )
        .exclude(policy_id__in=applied)
        .select_related("policy")
        .order_by("-amount", "policy__title")
    )
    apps = (
        Application.objects.filter(enterprise=ent).select_related("policy").order_by("-created_at")
    )
    return {
        "enterprise": ent,
        "rows": list(qs[:8]),
        "count": qs.count(),
        "applications": list(apps[:6]),
    }
