"""Policy specifications: the one dict shape shared by the YAML catalogue, the database and the UI.

A spec (all amounts in 万元):

    key, title, department, document_no, published (date), valid_from, valid_until,
    category, status ("verified" | "unverified" = 待核实), source,
    reference ("today" | "year_end": titles are checked on 31 December of the reward year),
    conditions: [{id, label, expr}],            # expr in the rules language (conditions.py)
    benefit: {kind: fixed | tiered | percent | per_item | none, ...},
    materials: [text], window: {opens, closes, note}, contact, summary

Benefit kinds:
    fixed     amount (null = 待核定)
    tiered    tiers: [{label, when (bool expr), amount (null = 待核定)}] — the first tier that holds
    percent   base (num expr), base_label, rate_pct, cap (null = none), floor_zero (bool)
    per_item  count (num expr), count_label, per (amount per item), cap
    none      note (non-monetary support, e.g. a loan product or a service)

Nothing here is a literal amount: every figure comes from the spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from srdi.core import cleaning

from .conditions import Compiled, ConditionError, compile_expr

DATA_DIR = Path(__file__).parent / "data"
CATEGORIES = ("资金奖补", "贷款贴息", "认定奖励", "保险补偿", "融资支持", "人才", "上市", "服务")
BENEFIT_KINDS = ("fixed", "tiered", "percent", "per_item", "none")
REFERENCES = ("today", "year_end")
STATUSES = ("verified", "unverified")


class SpecError(ValueError):
    """Every problem of a spec at once (list of Chinese messages, each naming the field)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


def _num(v: Any, where: str, problems: list[str], allow_none: bool = True) -> Fraction | None:
    if v is None or v == "":
        if not allow_none:
            problems.append(f"{where}：不能为空")
        return None
    if isinstance(v, bool):
        problems.append(f"{where}：应为数字")
        return None
    try:
        f = Fraction(Decimal(str(v).strip()))
    except Exception:  # noqa: BLE001
        problems.append(f"{where}：“{v}”不是有效数字")
        return None
    if f < 0:
        problems.append(f"{where}：不能为负数")
    return f


def _date(v: Any, label: str, problems: list[str], pre: str = "") -> date | None:
    """The one date cleaning (core.cleaning), every problem of a spec told at once; ``pre``
    names the spec (file and key)."""
    return cleaning.collected(cleaning.date, v, label, problems, pre)


@dataclass
class Condition:
    id: str
    label: str
    expr: str
    compiled: Compiled


@dataclass
class Tier:
    label: str
    when: Compiled
    amount: Fraction | None


@dataclass
class Benefit:
    kind: str
    amount: Fraction | None = None
    tiers: list[Tier] = field(default_factory=list)
    base: Compiled | None = None
    base_label: str = ""
    rate_pct: Fraction | None = None
    cap: Fraction | None = None
    floor_zero: bool = True
    per: Fraction | None = None
    note: str = ""

    @property
    def pending(self) -> bool:
        """An amount that is still 待核定 (configured as null)."""
        if self.kind == "fixed":
            return self.amount is None
        if self.kind == "tiered":
            return any(t.amount is None for t in self.tiers)
        if self.kind == "percent":
            return self.rate_pct is None
        if self.kind == "per_item":
            return self.per is None
        return False

    def describe(self) -> str:
        def m(x: Fraction | None) -> str:
            return "待核定" if x is None else f"{fmt_amount(x)}万元"

        if self.kind == "fixed":
            return f"定额奖励 {m(self.amount)}"
        if self.kind == "tiered":
            return "；".join(f"{t.label} {m(t.amount)}" for t in self.tiers)
        if self.kind == "percent":
            rate = "待核定" if self.rate_pct is None else f"{fmt_amount(self.rate_pct)}%"
            cap = f"，最高 {fmt_amount(self.cap)}万元" if self.cap is not None else ""
            return f"按{self.base_label or '基数'}的 {rate} 计算{cap}"
        if self.kind == "per_item":
            cap = f"，最高 {fmt_amount(self.cap)}万元" if self.cap is not None else ""
            return f"每项 {m(self.per)}（{self.base_label or '项数'}）{cap}"
        return self.note or "非资金类支持"


@dataclass
class Spec:
    key: str
    title: str
    category: str
    department: str = ""
    document_no: str = ""
    published: date | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    status: str = "unverified"
    source: str = ""
    reference: str = "today"
    summary: str = ""
    conditions: list[Condition] = field(default_factory=list)
    benefit: Benefit = field(default_factory=lambda: Benefit("none"))
    materials: list[str] = field(default_factory=list)
    window: dict = field(default_factory=dict)
    contact: str = ""
    raw: dict = field(default_factory=dict)

    def in_force(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    def reference_date(self, as_of: date) -> date:
        """The date titles are checked on: today, or 31 December of the reward year (Y-1)."""
        return date(as_of.year - 1, 12, 31) if self.reference == "year_end" else as_of

    def verdicts(self) -> list[str]:
        out: list[str] = []
        for c in self.conditions:
            out += c.compiled.verdicts
        for t in self.benefit.tiers:
            out += t.when.verdicts
        return list(dict.fromkeys(out))


def fmt_amount(x: Fraction | Decimal | None) -> str:
    if x is None:
        return "待核定"
    from srdi.core import formatting  # as officials write amounts: separators, ≤ 2 decimals

    return formatting.number(to_decimal(Fraction(x)))


def to_decimal(x: Fraction) -> Decimal:
    """Exact when the fraction is a finite decimal; else rounded to 0.0001 万元 (one yuan)."""
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d == 1:
        return Decimal(x.numerator) / Decimal(x.denominator)
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.0001"))


def parse_spec(raw: dict, where: str = "") -> Spec:
    """Check a spec dict and compile its expressions; SpecError with every problem."""
    p: list[str] = []
    pre = f"{where}" if where else ""
    if not isinstance(raw, dict):
        raise SpecError([f"{pre}政策应为对象"])
    key = str(raw.get("key") or "").strip()
    if not key:
        p.append(f"{pre}key（政策编号）：不能为空")
    title = str(raw.get("title") or "").strip()
    if not title:
        p.append(f"{pre}title（政策名称）：不能为空")
    category = str(raw.get("category") or "").strip()
    if category not in CATEGORIES:
        p.append(f"{pre}category（类别）：“{category}”不在 {'、'.join(CATEGORIES)} 中")
    status = raw.get("status") or "unverified"
    if status not in STATUSES:
        p.append(f"{pre}status：应为 verified 或 unverified")
    reference = raw.get("reference") or "today"
    if reference not in REFERENCES:
        p.append(f"{pre}reference：应为 today 或 year_end")
    spec = Spec(
        key=key,
        title=title,
        category=category,
        department=str(raw.get("department") or ""),
        document_no=str(raw.get("document_no") or ""),
        published=_date(raw.get("published"), "published（发布日期）", p, pre),
        valid_from=_date(raw.get("valid_from"), "valid_from（有效期起）", p, pre),
        valid_until=_date(raw.get("valid_until"), "valid_until（有效期止）", p, pre),
        status=status,
        source=str(raw.get("source") or ""),
        reference=reference,
        summary=str(raw.get("summary") or ""),
        materials=[str(m) for m in (raw.get("materials") or [])],
        window=dict(raw.get("window") or {}),
        contact=str(raw.get("contact") or ""),
        raw=raw,
    )
    if spec.valid_from and spec.valid_until and spec.valid_from > spec.valid_until:
        p.append(f"{pre}有效期：起始日期晚于截止日期")
    conds = raw.get("conditions") or []
    if not isinstance(conds, list):
        p.append(f"{pre}conditions：应为列表")
        conds = []
    seen: set[str] = set()
    for i, c in enumerate(conds, 1):
        w = f"{pre}条件{i}"
        if not isinstance(c, dict):
            p.append(f"{w}：应为 {{id, label, expr}}")
            continue
        cid = str(c.get("id") or f"c{i}")
        if cid in seen:
            p.append(f"{w}：编号“{cid}”重复")
        seen.add(cid)
        label = str(c.get("label") or "").strip()
        if not label:
            p.append(f"{w}（{cid}）：缺少说明 label")
        try:
            comp = compile_expr(str(c.get("expr") or ""), "bool", f"{w}（{label or cid}）")
        except ConditionError as exc:
            p.append(str(exc))
            continue
        spec.conditions.append(Condition(cid, label, comp.src, comp))
    spec.benefit = _parse_benefit(raw.get("benefit") or {"kind": "none"}, pre, p)
    if p:
        raise SpecError(p)
    return spec


def _parse_benefit(b: dict, pre: str, p: list[str]) -> Benefit:
    w = f"{pre}benefit（奖补标准）"
    if not isinstance(b, dict):
        p.append(f"{w}：应为对象")
        return Benefit("none")
    kind = b.get("kind") or "none"
    if kind not in BENEFIT_KINDS:
        p.append(f"{w}：kind 应为 {'、'.join(BENEFIT_KINDS)} 之一")
        return Benefit("none")
    out = Benefit(kind, note=str(b.get("note") or ""), base_label=str(b.get("base_label") or ""))
    out.cap = _num(b.get("cap"), f"{w}.cap（上限）", p)
    if kind == "fixed":
        out.amount = _num(b.get("amount"), f"{w}.amount（金额）", p)
    elif kind == "tiered":
        for i, t in enumerate(b.get("tiers") or [], 1):
            tw = f"{w}.tiers[{i}]"
            try:
                when = compile_expr(str(t.get("when") or ""), "bool", f"{tw}.when")
            except ConditionError as exc:
                p.append(str(exc))
                continue
            out.tiers.append(
                Tier(str(t.get("label") or ""), when, _num(t.get("amount"), f"{tw}.amount", p))
            )
        if not out.tiers:
            p.append(f"{w}：按档次奖励至少需要一档 tiers")
    elif kind in ("percent", "per_item"):
        key = "base" if kind == "percent" else "count"
        try:
            out.base = compile_expr(str(b.get(key) or ""), "num", f"{w}.{key}")
        except ConditionError as exc:
            p.append(str(exc))
        if kind == "percent":
            out.rate_pct = _num(b.get("rate_pct"), f"{w}.rate_pct（比例%）", p)
            if out.rate_pct is not None and out.rate_pct > 100:
                p.append(f"{w}.rate_pct（比例%）：不能超过 100")
            out.floor_zero = bool(b.get("floor_zero", True))
        else:
            out.per = _num(b.get("per"), f"{w}.per（每项金额）", p)
    return out


def load_catalogue(path: Path | None = None) -> tuple[dict, list[dict]]:
    """All catalogue files: (file header, list of raw specs with source filled in)."""
    files = [path] if path else sorted(DATA_DIR.glob("*.yaml"))
    raws: list[dict] = []
    header: dict = {}
    for f in files:
        doc = yaml.safe_load(Path(f).read_text(encoding="utf-8")) or {}
        header = {k: v for k, v in doc.items() if k != "policies"}
        for item in doc.get("policies") or []:
            item = dict(item)
            item.setdefault("source", doc.get("source", ""))
            item["_file"] = Path(f).name
            raws.append(item)
    return header, raws


def catalogue_specs() -> list[Spec]:
    _h, raws = load_catalogue()
    problems: list[str] = []
    specs = []
    for r in raws:
        try:
            specs.append(parse_spec(r, f"{r.get('_file')}:{r.get('key')}: "))
        except SpecError as exc:
            problems += exc.problems
    if problems:
        raise SpecError(problems)
    return specs


def catalogue_spec(key: str) -> Spec:
    for s in catalogue_specs():
        if s.key == key:
            return s
    raise KeyError(key)
