from django import template

from srdi.exchange.schema import path_label as _path_label

register = template.Library()


@register.filter
def path_label(value):
    """Input path(s) → Chinese names, e.g. years.2025.revenue → 2025年营业收入 (lists joined with 、)."""
    if isinstance(value, list | tuple):
        return "、".join(_path_label(str(v)) for v in value)
    return _path_label(str(value))
