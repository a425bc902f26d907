"""Show rule values to people: booleans, outcomes, size classes and lists in Chinese."""

from __future__ import annotations

import functools
from decimal import Decimal
from fractions import Fraction

from django import template
from django.utils.translation import gettext as _

from srdi.core import formatting
from srdi.evaluation.formatting import outcome_zh, size_zh

register = template.Library()

_TIERS = {
    "tech_sme": "科技型中小企业",
    "innovative_sme": "创新型中小企业",
    "srdi_sme": "专精特新中小企业",
    "little_giant": "专精特新“小巨人”企业",
    "single_champion": "制造业单项冠军企业",
}


@functools.cache
def _enum_labels() -> dict:
    """Every option code of the exchange format → its Chinese name (e.g. below_municipal)."""
    from srdi.exchange.schema import all_fields

    out = {}
    for f in all_fields():
        for v, label in f.enum or ():
            if isinstance(v, str):
                out.setdefault(v, str(label))
    out.setdefault("none", "无")
    return out


@register.filter
def zh_value(value):
    if value is None:
        return _("（缺）")
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if isinstance(value, str):
        if value in ("eligible", "ineligible", "undetermined"):
            return outcome_zh(value)
        if value in ("large", "medium", "small", "micro"):
            return size_zh(value)
        return _TIERS.get(value) or _enum_labels().get(value, value)
    if isinstance(value, dict):
        if "tier" in value:
            return _TIERS.get(value["tier"], value["tier"]) + (
                f"（{value.get('granted', '')}—{value.get('valid_until', '')}）"
                if value.get("valid_until")
                else ""
            )
        return "，".join(f"{k}：{zh_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "；".join(str(zh_value(v)) for v in value) or _("无")
    if isinstance(value, int | float | Decimal | Fraction):
        return formatting.number(value)
    return value
