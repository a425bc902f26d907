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


def enterprise_honours(user, enterprise) -> list[dict]:
    """One enterprise's honours and certifications as its pages list them (newest first):
    officials and the enterprise itself within their scope; a partner only when the enterprise
    granted it the section titles belong to (``srdi.finance.consent``, section ``titles``; the
    calling page logs the read)."""
    from django.utils.translation import gettext as _

    from srdi.finance import consent

    from .models import Honour

    if consent.is_partner(user):
        if not consent.may_read(user, enterprise, "titles"):
            return []
        qs = Honour.objects.filter(enterprise=enterprise)
    else:
        qs = scopes.visible_honours(user).filter(enterprise=enterprise)
    rows = []
    for h in qs.order_by("-year", "kind", "item"):
        name = h.kind_label + (f"（{h.item}）" if h.item else "")
        if h.stars:
            name += _("（%(n)s星）") % {"n": h.stars}
        rows.append(
            {
                "name": name,
                "level": h.level_label,
                "year": h.year,
                "source": h.issuer,
                "certificate_no": h.certificate_no,
                "revoked_on": h.revoked_on,
            }
        )
    return rows
