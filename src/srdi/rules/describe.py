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


def input_name(node: Node, year: int | None = None) -> tuple[str, str]:
    """(Chinese name, unit) of an input: 营业收入（万元） of Y-1 → ("2024年营业收入", "万元")."""
    if isinstance(node, YearInput):
        raw = FIELD_LABELS.get(node.field, node.field)
        prefix = f"{year - node.k}年" if year is not None else ""
    elif isinstance(node, TopInput):
        raw, prefix = FIELD_LABELS.get(node.path, node.path), ""
    elif isinstance(node, Define):
        raw, prefix = node.label or node.name, ""
    elif isinstance(node, ElemField):
        raw, prefix = ELEM_LABELS.get(node.field, node.field), ""
    else:
        return node.src, ""
    name, unit = raw, ""
    if raw.endswith("）") and "（" in raw:
        name, _, unit = raw[:-1].rpartition("（")
    return prefix + name, unit


def value_name(node: Node, v: Any) -> str:
    """A constant as people read it: enumerations by their Chinese names (national → 国家级)."""
    path = (
        node.path
        if isinstance(node, TopInput)
        else f"{node.list_name}.{node.field}"
        if isinstance(node, ElemField)
        else None
    )
    if path is not None and path in ENUMS:
        names = dict(ENUMS[path])
        if v in names:
            return names[v]
    return str(to_json_value(v))


def describe(node: Node, year: int | None = None, labels: dict[int, str] | None = None) -> str:
    """The rule ``node`` (a condition: true / false) in Chinese."""
    labels = labels or {}
    if id(node) in labels:
        return labels[id(node)]
    if isinstance(node, Define):
        return node.label or describe(node.node, year, labels)
    if isinstance(node, TopInput) and node.type == "bool":
        return input_name(node)[0]
    if isinstance(node, Not):
        return "不满足：" + describe(node.x, year, labels)
    if isinstance(node, BoolOp):
        parts = [describe(it, year, labels) for it in node.items]
        return ("、" if node.op == "and" else " 或 ").join(parts)
    if isinstance(node, Cmp) and isinstance(node.right, Const):
        name = input_name(node.left, year)[0]
        if node.left.type == "bool":
            return name if node.right.value == (node.op == "==") else "非" + name
        return f"{name}{_OPS[node.op]}{value_name(node.left, node.right.value)}"
    if isinstance(node, InList):
        vals = "、".join(value_name(node.x, v) for v in node.values)
        return f"{input_name(node.x, year)[0]}{'不' if node.negate else ''}属于{vals}"
    if isinstance(node, Func) and node.name == "is_set":
        return f"有{input_name(node.args[0], year)[0]}"
    if isinstance(node, AnyList):
        what = LIST_LABELS.get(node.list_name, node.list_name)
        cond = f"（{describe(node.pred, year, labels)}）" if node.pred is not None else ""
        if node.mode == "recent":
            return f"近{node.years}年有{what}{cond}"
        return f"有在有效期内的{what}{cond}"
    return node.src
