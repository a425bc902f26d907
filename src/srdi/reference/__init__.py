"""Reference data of the platform, as YAML files beside this module (pure Python, no Django).

Every item carries ``status`` (``verified`` / ``verified-derived`` / ``partial`` /
``unverified``, meaning as in shared/reference/context.md) and ``source``. The registry loads
these into editable database tables; the exchange validator reads ``sei2018`` directly.

    >>> from srdi.reference import load
    >>> load("regions")["items"][0]["name"]
    '梅李镇'
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

__all__ = ["DIR", "NAMES", "codes", "load", "walk"]

DIR = Path(__file__).resolve().parent
NAMES = ("regions", "industries", "sei2018", "foundation_fields", "industry_systems")

try:  # the C loader is ~10x faster for the industries list
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


@functools.cache
def _load(name: str):
    path = DIR / f"{name}.yaml"
    if not path.is_file():
        raise KeyError(f"没有参考数据文件：{name}（可用：{', '.join(NAMES)}）")
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_Loader)


def load(name: str):
    """The parsed content of ``<name>.yaml`` (cached; treat it as read-only)."""
    return _load(name)


def walk(items, depth=0, parent=None):
    """Yield ``(item, depth, parent_code)`` over a tree of items with ``children``, or over a
    flat list whose items name their ``parent`` (``industries``: parents come first)."""
    for item in items:
        yield item, depth, item["parent"] if "parent" in item else parent
        yield from walk(item.get("children", ()), depth + 1, item.get("code"))


def codes(name: str) -> set[str]:
    """Every ``code`` in a reference tree (``industries``, ``sei2018`` …) or every region
    ``name`` for ``regions``."""
    data = load(name)
    key = "name" if name == "regions" else "code"
    return {str(item[key]) for item, _, _ in walk(data["items"])}
