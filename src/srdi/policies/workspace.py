"""Home panels of 惠企政策: applications waiting for review (市工信局, the department the policy
routes to), and an enterprise's claimable policies and its own applications."""

from __future__ import annotations

from django.db.models import Q

from srdi.accounts.roles import Role
from srdi.core import workspace

from . import selectors as S
from .models import Application, Policy, PolicyMatch


def _routed(user, qs):
    """Applications a department user reviews: those of policies its department issues."""
    if user.role == Role.DEPARTMENT and user.department:
        label = str(user.get_department_display())
        short = label.removeprefix("市")
        return qs.filter(
            Q(policy__department__contains=label) | Q(policy__department__contains=short)
        )
    return qs


@workspace.panel(
    "policies_reviews",
    title="待审核的政策申报",
    template="policies/_home_reviews.html",
    roles={Role.ADMIN, Role.DEPARTMENT},
    order=15,
)
def reviews(request):
    user = request.user
    qs = _routed(user, S.applications_for(user)).filter(status=Application.Status.SUBMITTED)
    approved = _routed(user, S.applications_for(user)).filter(status=Application.Status.APPROVED)
    return {
        "rows": list(qs.order_by("submitted_at", "pk")[:8]),
        "count": qs.count(),
        "to_pay": approved.count(),
        "link": "/policies/ledger/",
    }


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
