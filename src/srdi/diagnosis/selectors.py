"""Reads for the diagnosis: which enterprises and 板块 a user may diagnose (srdi.accounts.scopes)."""

from __future__ import annotations

from srdi.accounts import scopes


def enterprise_for(user, uscc: str):
    """The enterprise with this USCC if ``user`` may see it: 404 if unknown or out of scope."""
    from srdi.core import access
    from srdi.registry.models import Enterprise

    qs = Enterprise.objects.select_related("region", "industry")
    e = access.get(user, qs, uscc=(uscc or "").strip().upper())
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
