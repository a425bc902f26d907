"""Menu entries and home panels of the service system: commissioners (their enterprises, open
items, alerts — never city targets), departments (requests routed to them), 板块 officers
(their 板块), enterprises (their plan and requests), administrators (coverage)."""

from __future__ import annotations

from django.utils import timezone

from srdi.accounts.roles import Role
from srdi.core import workspace

from . import scopes, selectors, services
from .models import PlanItem, ServiceRequest

S = ServiceRequest.State


def _uses(user) -> bool:
    return bool(
        scopes.is_admin(user)
        or scopes.is_department(user)
        or scopes.is_commissioner(user)
        or scopes.is_region_officer(user)
        or scopes.is_enterprise(user)
    )


workspace.menu("support", "服务体系", "/support/", order=55, visible=_uses)
workspace.menu("support_requests", "诉求", "/support/requests/", order=56, visible=_uses)


def _requests_ctx(user, limit=8) -> dict:
    today = timezone.localdate()
    qs = scopes.visible_requests(user).filter(state__in=[S.PENDING, S.IN_PROGRESS, S.RETURNED])
    overdue = qs.filter(services.overdue_q(today))
    rows = list(qs.select_related("enterprise").order_by("close_due", "pk")[:limit])
    for r in rows:
        r.due = services.current_due(r)
        r.late = services.overdue_days(r, today)
    return {"rows": rows, "count": qs.count(), "overdue": overdue.count(),
            "link": "/support/requests/?state=open"}  # fmt: skip


@workspace.panel("support_commissioner", title="我服务的企业", roles={Role.COMMISSIONER},
                 template="support/_home_commissioner.html", order=10)  # fmt: skip
def commissioner_panel(request):
    user = request.user
    from srdi.cultivation.models import Alert

    ents = user.assigned_enterprises.select_related("region").order_by("name")
    today = timezone.localdate()
    items = PlanItem.objects.filter(
        plan__enterprise__in=ents.values("pk"), status__in=["accepted", "in_progress"]
    )
    alerts = Alert.objects.filter(
        enterprise__in=ents.values("pk"), resolved_on__isnull=True
    ).select_related("enterprise")
    return {
        "enterprises": list(ents[:20]),
        "n_enterprises": ents.count(),
        "items_open": items.count(),
        "items_late": items.filter(due__lt=today).count(),
        "items_soon": list(items.select_related("plan__enterprise").order_by("due")[:6]),
        "alerts": list(alerts.order_by("-detected_on")[:6]),
        "n_alerts": alerts.count(),
        **{f"req_{k}": v for k, v in _requests_ctx(user, 6).items()},
    }


@workspace.panel("support_department", title="转到本部门的诉求", roles={Role.DEPARTMENT},
                 template="support/_home_requests.html", order=15)  # fmt: skip
def department_panel(request):
    if not scopes.is_department(request.user):
        return None
    return _requests_ctx(request.user)


@workspace.panel("support_region", title="本板块服务情况", roles={Role.REGION_OFFICER},
                 template="support/_home_region.html", order=15)  # fmt: skip
def region_panel(request):
    user = request.user
    if not scopes.is_region_officer(user):
        return None
    return {"cov": selectors.coverage(region_id=user.region_id), **_requests_ctx(user)}


@workspace.panel("support_enterprise", title="我的一企一策与诉求", roles={Role.ENTERPRISE},
                 template="support/_home_enterprise.html", order=15)  # fmt: skip
def enterprise_panel(request):
    user = request.user
    if not scopes.is_enterprise(user):
        return None
    items = PlanItem.objects.filter(
        plan__enterprise_id=user.enterprise_id,
        status__in=["accepted", "in_progress", "done"],
    )
    return {
        "items": list(items.order_by("status", "due")[:8]),
        "n_items": items.count(),
        "n_done": items.filter(status="done").count(),
        **_requests_ctx(user, 5),
    }


@workspace.panel("support_admin", title="服务专员配备", roles={Role.ADMIN},
                 template="support/_home_admin.html", order=25)  # fmt: skip
def admin_panel(request):
    return {"cov": selectors.coverage(), **_requests_ctx(request.user, 5)}
