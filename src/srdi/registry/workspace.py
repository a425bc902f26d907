"""Home panels of the enterprise registry: an enterprise's own place on the ladder, what has
been shared with a partner, a 板块's or department's imports and the data it keeps."""

from __future__ import annotations

from django.utils import timezone

from srdi.accounts import scopes
from srdi.accounts.roles import PartnerKind, Role
from srdi.core import workspace

from .models import DataShare, ImportBatch


@workspace.panel(
    "registry_my_status",
    title="本企业的梯度培育状态",
    template="registry/_home_status.html",
    roles={Role.ENTERPRISE},
    order=10,
)
def my_status(request):
    ent = request.user.enterprise
    if ent is None:
        return None
    from srdi.cultivation.selectors import tier_label

    day = timezone.localdate()
    titles = [t for t in ent.titles.order_by("-granted") if t.is_valid_on(day)]
    latest = ent.years.order_by("-year").first()
    return {
        "enterprise": ent,
        "titles": [(tier_label(t.tier), t) for t in titles],
        "latest_year": latest.year if latest else None,
        "update_due": latest is None or latest.year < day.year - 1,
        "last_year": day.year - 1,
    }


@workspace.panel(
    "registry_shared",
    title="企业授权共享给本机构的数据",
    template="registry/_home_shared.html",
    roles={Role.PARTNER},
    order=10,
)
def shared_with_me(request):
    user = request.user
    if not user.organization:
        return None
    qs = (
        DataShare.objects.filter(organization=user.organization, revoked_at__isnull=True)
        .select_related("enterprise", "enterprise__region")
        .order_by("-granted_at")
    )
    if user.partner_kind == PartnerKind.UNIVERSITY and not qs.exists():
        return None  # universities work from the matches panel
    return {"rows": list(qs[:10]), "count": qs.count()}


@workspace.panel(
    "registry_imports",
    title="数据导入",
    template="registry/_home_imports.html",
    roles={Role.ADMIN, Role.DEPARTMENT, Role.REGION_OFFICER},
    order=40,
)
def imports(request):
    from .services import may_import

    user = request.user
    if not may_import(user):
        return None
    qs = ImportBatch.objects.filter(uploaded_by=user).order_by("-uploaded_at")
    return {
        "rows": list(qs[:5]),
        "with_rejects": qs.filter(rejected__gt=0).count(),
        "department": user.get_department_display() if user.department else "",
        "enterprises": scopes.visible_enterprises(user).count(),
    }
