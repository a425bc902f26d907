"""The condition builder: a policy condition as a tree an official edits with a form, written
as the rules language underneath (and read back from it), and read aloud in Chinese.

A tree (JSON) is one of::

    {"t": "group", "op": "and" | "or", "items": [tree, ...]}        全部满足 / 任一满足
    {"t": "cmp", "field": "y1.revenue", "op": ">=", "value": "2000"}  指标 比较 数值（单位）
    {"t": "growth", "field": "revenue", "op": ">=", "value": "20"}    上年比前年增长（%）
    {"t": "flag", "field": "compliance.serious_dishonesty", "value": false}   是 / 否
    {"t": "holds", "tiers": ["little_giant", "srdi_sme"]}             持有有效称号
    {"t": "honor", "types": ["high_tech"]}                           持有有效荣誉
    {"t": "eligible", "standard": "srdi-sme@2026"}                   符合认定标准
    {"t": "first", "tier": "little_giant"}                           首次获得称号（上年1月1日以后）
    {"t": "ratio", "num": "y1.rd_expense", "den": "y1.revenue", "op": ">=", "value": "3"}  占比（%）

:func:`to_expr` writes the rules language (``srdi.policies.conditions``); :func:`from_expr`
reads the subset :func:`to_expr` writes (None when an expression needs the 高级 tab);
:func:`describe` reads a tree in Chinese. Field names, units and the Chinese names of tiers,
honours and standards come from the exchange schema and the rule files — nothing is listed here.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

OPS = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于", "==": "等于", "!=": "不等于"}
GROUP_OPS = {"and": "全部满足", "or": "任一满足"}
YEARS = {"y1": "上年", "y2": "前年"}
MAX_DEPTH = 4
MAX_ITEMS = 30


class BuilderError(ValueError):
    """A tree the builder cannot write (Chinese message naming where)."""


# ---------------------------------------------------------------------------------------------
# catalogue (from the schema and the rule files)


@lru_cache(maxsize=1)
def fields() -> dict[str, dict]:
    """Every field the builder offers: path → {label, unit, kind ("num" | "bool")}."""
    from srdi.exchange import schema as S
    from srdi.rules.profile import TOP_FIELDS, YEAR_FIELDS

    out: dict[str, dict] = {}
    for path, (kind, _decl, _default) in TOP_FIELDS.items():
        if kind not in ("num", "bool"):
            continue
        f = S.field_by_path(path)
        out[path] = {"label": f.label, "unit": f.unit or "", "kind": kind, "year": ""}
    for yk, yl in YEARS.items():
        for name, (kind, _decl, _default) in YEAR_FIELDS.items():
            if kind not in ("num", "bool"):
                continue
            if name == "development_score":
                label, unit = "专精特新发展评价得分", "分"
            else:
                f = S.field_by_path(f"years.2024.{name}")
                label, unit = f.label, f.unit or ""
            out[f"{yk}.{name}"] = {
                "label": f"{yl}{label}",
                "unit": unit,
                "kind": kind,
                "year": yk,
                "name": name,
            }
    return out


def growth_fields() -> dict[str, dict]:
    return {
        v["name"]: {"label": v["label"][len(YEARS["y1"]) :], "unit": v["unit"]}
        for k, v in fields().items()
        if v["year"] == "y1" and v["kind"] == "num" and v["name"] != "development_score"
    }


@lru_cache(maxsize=1)
def tiers() -> dict[str, str]:
    from srdi.exchange import schema as S

    return dict(S.section("titles").by_key["tier"].enum_labels)


@lru_cache(maxsize=1)
def honors() -> dict[str, str]:
    from srdi.exchange import schema as S

    return dict(S.section("honors").by_key["type"].enum_labels)


@lru_cache(maxsize=1)
def standards() -> dict[str, str]:
    from srdi.rules.catalog import list_standards

    out = {}
    for s in list_standards():
        if s.kind != "criteria":
            continue
        out[s.id] = f"{s.title_zh}（{s.effective_from.year}年起施行）"
    return out


def catalogue() -> dict:
    """What the form's field pickers offer (JSON for the page)."""
    return {
        "fields": [{"path": k, **v} for k, v in fields().items()],
        "growth": [{"name": k, **v} for k, v in growth_fields().items()],
        "ops": [{"op": k, "label": v} for k, v in OPS.items()],
        "groups": [{"op": k, "label": v} for k, v in GROUP_OPS.items()],
        "tiers": [{"key": k, "label": v} for k, v in tiers().items()],
        "honors": [{"key": k, "label": v} for k, v in honors().items()],
        "standards": [{"key": k, "label": v} for k, v in standards().items()],
    }


# ---------------------------------------------------------------------------------------------
# tree → expression


def _number(v, where: str) -> str:
    try:
        d = Decimal(str(v).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise BuilderError(f"{where}：“{v}”不是有效数字") from None
    if not d.is_finite():
        raise BuilderError(f"{where}：“{v}”不是有效数字")
    if abs(d) >= Decimal(10) ** 15:
        raise BuilderError(f"{where}：数值过大")
    s = format(d.normalize(), "f")
    return "0" if s in ("-0", "") else s


def _strs(values, allowed: dict, what: str) -> list[str]:
    vals = [v for v in (values or []) if v]
    if not vals:
        raise BuilderError(f"请至少选择一个{what}")
    bad = [v for v in vals if v not in allowed]
    if bad:
        raise BuilderError(f"未知的{what}“{bad[0]}”")
    return list(dict.fromkeys(vals))


def to_expr(tree: dict, _depth: int = 0, where: str = "条件") -> str:
    """The rules-language expression of a tree; BuilderError (Chinese) when incomplete."""
    if not isinstance(tree, dict):
        raise BuilderError(f"{where}：格式不正确")
    t = tree.get("t")
    if t == "group":
        if _depth >= MAX_DEPTH:
            raise BuilderError(f"{where}：条件组最多嵌套 {MAX_DEPTH} 层")
        op = tree.get("op")
        if op not in GROUP_OPS:
            raise BuilderError(f"{where}：请选择“全部满足”或“任一满足”")
        items = tree.get("items") or []
        if not items:
            raise BuilderError(f"{where}：条件组是空的")
        if len(items) > MAX_ITEMS:
            raise BuilderError(f"{where}：一个条件组最多 {MAX_ITEMS} 项")
        parts = []
        for i, it in enumerate(items, 1):
            e = to_expr(it, _depth + 1, f"{where}第{i}项")
            parts.append(
                f"({e})" if it.get("t") == "group" and len(it.get("items") or []) > 1 else e
            )
        return f" {op} ".join(parts)
    if t == "cmp":
        f = fields().get(tree.get("field"))
        if f is None or f["kind"] != "num":
            raise BuilderError(f"{where}：请选择指标")
        op = tree.get("op")
        if op not in OPS:
            raise BuilderError(f"{where}：请选择比较方式")
        return f"{tree['field']} {op} {_number(tree.get('value'), where)}"
    if t == "growth":
        name = tree.get("field")
        if name not in growth_fields():
            raise BuilderError(f"{where}：请选择指标")
        op = tree.get("op")
        if op not in OPS:
            raise BuilderError(f"{where}：请选择比较方式")
        return f"pct_change(y1.{name}, y2.{name}) {op} {_number(tree.get('value'), where)}"
    if t == "flag":
        f = fields().get(tree.get("field"))
        if f is None or f["kind"] != "bool":
            raise BuilderError(f"{where}：请选择是/否项")
        return tree["field"] if tree.get("value", True) else f"not {tree['field']}"
    if t == "holds":
        vals = _strs(tree.get("tiers"), tiers(), "称号")
        return "holds(" + ", ".join(f'"{v}"' for v in vals) + ")"
    if t == "honor":
        vals = _strs(tree.get("types"), honors(), "荣誉")
        return "has_honor(" + ", ".join(f'"{v}"' for v in vals) + ")"
    if t == "eligible":
        s = tree.get("standard")
        if s not in standards():
            raise BuilderError(f"{where}：请选择认定标准")
        return f'eligible("{s}")'
    if t == "first":
        tier = tree.get("tier")
        if tier not in tiers():
            raise BuilderError(f"{where}：请选择称号")
        return f'first_recognized("{tier}")'
    if t == "ratio":
        a, b = fields().get(tree.get("num")), fields().get(tree.get("den"))
        if a is None or b is None or a["kind"] != "num" or b["kind"] != "num":
            raise BuilderError(f"{where}：请选择两个指标")
        op = tree.get("op")
        if op not in OPS:
            raise BuilderError(f"{where}：请选择比较方式")
        n = _number(tree.get("value"), where)
        return f"pct({tree['num']}, {tree['den']}) {op} {n}"
    raise BuilderError(f"{where}：请选择条件类型")


# ---------------------------------------------------------------------------------------------
# expression → tree (the subset to_expr writes)

_TOKEN = re.compile(
    r"""\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>"[^"]*")|(?P<op>>=|<=|==|!=|>|<)"""
    r"""|(?P<punct>[(),])|(?P<name>[A-Za-z_][A-Za-z0-9_.]*))"""
)


def _tokens(text: str) -> list[tuple[str, str]] | None:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            return None
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


CALLS = ("holds", "has_honor", "eligible", "first_recognized", "pct_change", "pct")


class _Unsupported(Exception):
    """A condition the form cannot show: it stays in the 高级 tab as its expression."""


class _Parser:
    def __init__(self, toks):
        self.toks, self.i = toks, 0

    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else (None, None)

    def take(self, kind=None, value=None):
        tk = self.peek()
        if tk[0] is None or (kind and tk[0] != kind) or (value is not None and tk[1] != value):
            raise _Unsupported
        self.i += 1
        return tk[1]

    def expr(self, depth=0):
        if depth > MAX_DEPTH:
            raise _Unsupported
        first = self.term(depth)
        op = None
        items = [first]
        while self.peek() in (("name", "and"), ("name", "or")):
            o = self.take()
            if op is None:
                op = o
            elif o != op:
                raise _Unsupported  # mixed and/or without parentheses: 高级 only
            items.append(self.term(depth))
        return items[0] if op is None else {"t": "group", "op": op, "items": items}

    def term(self, depth):
        kind, val = self.peek()
        if (kind, val) == ("punct", "("):
            self.take()
            inner = self.expr(depth + 1)
            self.take("punct", ")")
            if inner.get("t") != "group":
                raise _Unsupported  # redundant parentheses are not written by to_expr
            return inner
        if (kind, val) == ("name", "not"):
            self.take()
            path = self.take("name")
            if fields().get(path, {}).get("kind") != "bool":
                raise _Unsupported
            return {"t": "flag", "field": path, "value": False}
        if kind == "name" and val in CALLS:
            return self.call()
        if kind == "name":
            path = self.take("name")
            f = fields().get(path)
            if f is None:
                raise _Unsupported
            if f["kind"] == "bool":
                return {"t": "flag", "field": path, "value": True}
            op = self.take("op")
            num = self.take("num")
            return {"t": "cmp", "field": path, "op": op, "value": num}
        raise _Unsupported

    def call(self):
        fn = self.take("name")
        self.take("punct", "(")
        if fn == "pct":
            a = self.take("name")
            self.take("punct", ",")
            b = self.take("name")
            self.take("punct", ")")
            fa, fb = fields().get(a), fields().get(b)
            if not fa or not fb or fa["kind"] != "num" or fb["kind"] != "num":
                raise _Unsupported
            op = self.take("op")
            num = self.take("num")
            return {"t": "ratio", "num": a, "den": b, "op": op, "value": num}
        if fn == "pct_change":
            a = self.take("name")
            self.take("punct", ",")
            b = self.take("name")
            self.take("punct", ")")
            name = a[3:] if a.startswith("y1.") else None
            if not name or b != f"y2.{name}" or name not in growth_fields():
                raise _Unsupported
            op = self.take("op")
            num = self.take("num")
            return {"t": "growth", "field": name, "op": op, "value": num}
        args = [self.take("str")[1:-1]]
        while self.peek() == ("punct", ","):
            self.take()
            args.append(self.take("str")[1:-1])
        self.take("punct", ")")
        if fn == "holds" and all(a in tiers() for a in args):
            return {"t": "holds", "tiers": args}
        if fn == "has_honor" and all(a in honors() for a in args):
            return {"t": "honor", "types": args}
        if fn == "eligible" and len(args) == 1 and args[0] in standards():
            return {"t": "eligible", "standard": args[0]}
        if fn == "first_recognized" and len(args) == 1 and args[0] in tiers():
            return {"t": "first", "tier": args[0]}
        raise _Unsupported


def from_expr(text: str) -> dict | None:
    """The tree of an expression (a root group), or None when only the 高级 tab can show it."""
    toks = _tokens(text or "")
    if not toks:
        return None
    p = _Parser(toks)
    try:
        node = p.expr()
        if p.i != len(toks):
            return None
    except _Unsupported:
        return None
    if node.get("t") != "group":
        node = {"t": "group", "op": "and", "items": [node]}
    return node


# ---------------------------------------------------------------------------------------------
# tree → Chinese


def _value(v: str, unit: str) -> str:
    from srdi.core import formatting as F

    d = Decimal(_number(v, "数值"))
    decimals = max(0, -d.as_tuple().exponent) if d != d.to_integral_value() else 0
    shown = F.number(d, decimals)
    if unit == "%":
        return f"{shown}%"
    return f"{shown} {unit}" if unit else shown


def describe(tree: dict, _top: bool = True) -> str:
    t = tree.get("t")
    if t == "group":
        parts = [describe(it, False) for it in tree.get("items") or []]
        if len(parts) == 1:
            return parts[0]
        joined = ("，且" if tree["op"] == "and" else "，或").join(parts)
        return joined if _top else f"（{joined}）"
    if t == "cmp":
        f = fields()[tree["field"]]
        return f"{f['label']}{OPS[tree['op']]} {_value(tree['value'], f['unit'])}"
    if t == "growth":
        g = growth_fields()[tree["field"]]
        return f"上年{g['label']}比前年增长{OPS[tree['op']]} {_value(tree['value'], '%')}"
    if t == "flag":
        f = fields()[tree["field"]]
        return f"{f['label']}：{'是' if tree.get('value', True) else '否'}"
    if t == "holds":
        return "持有有效的称号：" + "或".join(tiers()[k] for k in tree["tiers"])
    if t == "honor":
        return "持有有效的荣誉：" + "或".join(honors()[k] for k in tree["types"])
    if t == "eligible":
        return f"符合认定标准：{standards()[tree['standard']]}"
    if t == "first":
        return f"首次获得称号：{tiers()[tree['tier']]}（认定日期在上一年1月1日以后）"
    if t == "ratio":
        a, b = fields()[tree["num"]], fields()[tree["den"]]
        return f"{a['label']}占{b['label']}的比例{OPS[tree['op']]} {_value(tree['value'], '%')}"
    return ""


def reading(expr: str) -> str:
    """The Chinese reading of an expression ("" when the builder cannot read it)."""
    tree = from_expr(expr)
    return describe(tree) if tree else ""
