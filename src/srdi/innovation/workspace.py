"""Menu entry and home panels of innovation (university partners, enterprises, 科技局)."""

from __future__ import annotations

from srdi.accounts.roles import Role
from srdi.core import workspace

from . import scopes
from .models import Match


def _uses_innovation(user) -> bool:
    return bool(
        scopes.sees_all(user)
        or scopes.is_university(user)
        or user.role in {Role.ENTERPRISE, Role.REGION_OFFICER, Role.COMMISSIONER}
    )


workspace.menu("innovation", "创新对接", "/innovation/", order=60, visible=_uses_innovation)
workspace.menu(
    "challenges",
    "揭榜挂帅",
    "/innovation/challenges/",
    order=61,
    visible=lambda user: user.is_authenticated and not _uses_innovation(user),
)

ACTIVE = (Match.State.RECOMMENDED, Match.State.DOCKING, Match.State.SIGNED, Match.State.RESEARCHING)


@workspace.panel(
    "innovation_university",
    title="推荐给本机构的技术需求",
    template="innovation/_home_matches.html",
    roles={Role.PARTNER},
    order=30,
)
def university_panel(request):
    user = request.user
    if not scopes.is_university(user):
        return None
    qs = (
        scopes.visible_matches(user)
        .filter(state__in=ACTIVE)
        .select_related("need__enterprise", "capability__team")
    )
    return {
        "rows": list(qs.order_by("state", "-score")[:8]),
        "count": qs.count(),
        "docking": qs.exclude(state=Match.State.RECOMMENDED).count(),
        "link": "/innovation/matches/",
    }


@workspace.panel(
    "innovation_enterprise",
    title="我的技术需求与推荐团队",
    template="innovation/_home_matches.html",
    roles={Role.ENTERPRISE},
    order=30,
)
def enterprise_panel(request):
    user = request.user
    if not scopes.is_enterprise(user):
        return None
    qs = (
        scopes.visible_matches(user)
        .filter(state__in=ACTIVE)
        .select_related("need__enterprise", "capability__team")
    )
    return {
        "rows": list(qs.order_by("state", "-score")[:8]),
        "count": qs.count(),
        "docking": qs.exclude(state=Match.State.RECOMMENDED).count(),
        "link": "/innovation/",
    }


@workspace.panel(
    "innovation_kjj",
    title="产学研对接概况",
    template="innovation/_home_kjj.html",
    roles={Role.DEPARTMENT, Role.ADMIN},
    order=30,
)
def kjj_panel(request):
    if not scopes.sees_all(request.user):
        return None
    from . import selectors

    return selectors.overview()
