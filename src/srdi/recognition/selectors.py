"""Reads of the registers (lists with filters, shared by pages, API, export)."""

from __future__ import annotations

from django.db.models import Q

from . import scopes


def honours_for(user, *, kind="", year="", region="", q=""):
    qs = scopes.visible_honours(user).select_related("enterprise", "enterprise__region")
    if kind:
        qs = qs.filter(kind=kind)
    if str(year).isdigit():
        qs = qs.filter(year=int(year))
    if str(region).isdigit():
        qs = qs.filter(enterprise__region_id=int(region))
    if q:
        qs = qs.filter(
            Q(enterprise__name__icontains=q) | Q(enterprise__uscc__iexact=q) | Q(item__icontains=q)
        )
    return qs.order_by("-year", "kind", "enterprise__name")


def platforms_for(user, *, kind="", year="", region="", q=""):
    qs = scopes.visible_platforms(user).select_related("region", "operator")
    if kind:
        qs = qs.filter(kind=kind)
    if str(year).isdigit():
        qs = qs.filter(year=int(year))
    if str(region).isdigit():
        qs = qs.filter(region_id=int(region))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(operator_name__icontains=q))
    return qs.order_by("-year", "kind", "name")
