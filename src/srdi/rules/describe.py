"""Rules read aloud: a condition's tree in plain Chinese, for gaps a person can act on.

``describe(node)`` turns the parts of a rule that are not simple "figure ≥ threshold"
comparisons — declarations, list tests such as ``any_recent(awards, 3, level == "national" and
rank <= 3)``, ``is_set(…)``, negations — into Chinese (近3年获得科技奖励（级别为国家级、排名不超过3）),
with the field and value names of the exchange format. Anything it does not know is shown as the
rule's source text, never dropped.
"""

from __future__ import annotations

from typing import Any

from srdi.exchange.schema import ENUMS

from .expr import (
    AnyList,
    BoolOp,
    Cmp,
    Const,
    Define,
    ElemField,
    Func,
    InList,
    Node,
    Not,
    TopInput,
    YearInput,
    to_json_value,
)
from .profile import FIELD_LABELS

LIST_LABELS = {
    "awards": "科技奖励",
    "maker_china": "“创客中国”大赛成绩",
    "honors": "荣誉",
    "titles": "称号",
}
ELEM_LABELS = {"level": "级别", "rank": "排名", "group": "组别", "type": "类型", "tier": "梯度"}
ELEM_LABELS |= {"year": "年份", "granted": "认定日期", "valid_until": "有效期"}
_OPS = {
    ">=": "不低于",
    ">": "高于",
    "<=": "不超过",
    "<": "低于",
    "==": "为",
    "!=": "不为",
}


def _plain(label: str) -> str:
    """“营业收入（万元）” → “营业收入”."""
    return label.rsplit("（", 1)[0] if label.endswith("）") else label


def _value(path: str | None, v: Any) -> str:
    if path is not None and path in ENUMS:
        names = dict(ENUMS[path])
        if v in names:
            return names[v]
    return str(to_json_value(v))


def _path(node: Node) -> str | None:
    if isinstance(node, TopInput):
        return node.path
    if isinstance(node, ElemField):
        return f"{node.list_name}.{node.field}"
    return None


def _name(node: Node, year: int | None) -> str:
    if isinstance(node, Define):
        return node.label or node.name
    if isinstance(node, TopInput):
        return _plain(FIELD_LABELS.get(node.path, node.path))
    if isinstance(node, YearInput):
        label = _plain(FIELD_LABELS.get(node.field, node.field))
        return f"{year - node.k}年{label}" if year is not None else label
    if isinstance(node, ElemField):
        return ELEM_LABELS.get(node.field, node.field)
    return node.src


def describe(node: Node, year: int | None = None, labels: dict[int, str] | None = None) -> str:
    """The rule ``node`` (a condition: true / false) in Chinese."""
    labels = labels or {}
    if id(node) in labels:
        return labels[id(node)]
    if isinstance(node, Define):
        return node.label or describe(node.node, year, labels)
    if isinstance(node, TopInput) and node.type == "bool":
        return _plain(FIELD_LABELS.get(node.path, node.path))
    if isinstance(node, Not):
        return "不满足：" + describe(node.x, year, labels)
    if isinstance(node, BoolOp):
        parts = [describe(it, year, labels) for it in node.items]
        return ("、" if node.op == "and" else " 或 ").join(parts)
    if isinstance(node, Cmp) and isinstance(node.right, Const):
        name = _name(node.left, year)
        if node.left.type == "bool":
            return name if node.right.value == (node.op == "==") else "非" + name
        return f"{name}{_OPS[node.op]}{_value(_path(node.left), node.right.value)}"
    if isinstance(node, InList):
        path = _path(node.x)
        vals = "、".join(_value(path, v) for v in node.values)
        return f"{_name(node.x, year)}{'不' if node.negate else ''}属于{vals}"
    if isinstance(node, Func) and node.name == "is_set":
        return f"有{_name(node.args[0], year)}"
    if isinstance(node, AnyList):
        what = LIST_LABELS.get(node.list_name, node.list_name)
        cond = f"（{describe(node.pred, year, labels)}）" if node.pred is not None else ""
        if node.mode == "recent":
            return f"近{node.years}年有{what}{cond}"
        return f"有在有效期内的{what}{cond}"
    return node.src
