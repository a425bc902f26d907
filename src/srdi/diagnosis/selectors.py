"""Reads for the diagnosis: which enterprises and 板块 a user may diagnose (srdi.accounts.scopes)."""

from __future__ import annotations

from django.http import Http404

from srdi.accounts import scopes


def enterprise_for(user, uscc: str):
    """The enterprise with this USCC if ``user`` may see it: 404 if unknown, 403 if out of scope."""
    from django.core.exceptions import PermissionDenied

    from srdi.registry.models import Enterprise

    try:
        e = Enterprise.objects.select_related("region", "industry").get(uscc=uscc.strip().upper())
    except Enterprise.DoesNotExist:
        raise Http404("未找到该统一社会信用代码对应的企业。") from None
    if not scopes.can_view(user, e):
        raise PermissionDenied("您无权查看该企业的诊断报告。")
    from srdi.finance import consent  # a partner: only with "diagnosis" granted, logged

    consent.require(user, e, "diagnosis", door="page", what="把脉诊断报告")
    return e


def batch_regions(user):
    """The 板块 in which ``user`` may run a batch (those holding enterprises they can see)."""
    from srdi.registry.models import Region

    visible = scopes.visible_enterprises(user)
    return Region.objects.filter(pk__in=visible.values("region_id")).order_by("sort_order", "name")


def batch_enterprises(user, region):
    """The enterprises of ``region`` that ``user`` may see (officials only)."""
    scopes.require_official(user)
    return scopes.visible_enterprises(user).filter(region=region)


def visible(user):
    from srdi.finance import consent

    return consent.visible_for(user, "diagnosis").select_related("region").order_by("name")
