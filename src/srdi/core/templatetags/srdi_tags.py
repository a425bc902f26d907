from django import template

from srdi.core import formatting as fmt
from srdi.exchange.schema import path_label as _path_label

register = template.Library()


@register.filter
def path_label(value):
    """Input path(s) → Chinese names, e.g. years.2025.revenue → 2025年营业收入 (lists joined with 、)."""
    if isinstance(value, list | tuple):
        return "、".join(_path_label(str(v)) for v in value)
    return _path_label(str(value))


# Numbers and dates (srdi.core.formatting): {{ x|wan }} {{ x|wan_plain }} {{ x|pct }} …


@register.filter
def wan(value):
    return fmt.wan(value)


@register.filter
def wan_plain(value):
    return fmt.wan(value, unit=False)


@register.filter
def pct(value):
    return fmt.pct(value)


@register.filter
def num(value):
    return fmt.number(value)


@register.filter
def count(value):
    return fmt.count(value)


@register.filter
def date_zh(value):
    return fmt.date_zh(value)


@register.filter
def date_iso(value):
    return fmt.date_iso(value)


@register.filter
def datetime_zh(value):
    return fmt.datetime_zh(value)


@register.simple_tag(takes_context=True)
def render_panel(context, panel):
    """A home panel's template with the panel's own context at top level (srdi.core.workspace)."""
    from django.template.loader import get_template

    tmpl = get_template(panel["template"])
    values = context.flatten()
    values.update(panel["context"])
    return tmpl.render(values, context.get("request"))
