"""Loading rule files (``standards/<id>.yaml``) into checked :class:`Standard` objects.

Everything a standard says — thresholds, amounts, bands, points, dates, the cited document and
the original wording — lives in its YAML file. This module only reads and checks the file; the
interpretation rules of the contract (band edges, ≥/≤, three-valued logic, exact ratios, years)
are applied by the engine, once, for every file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from .expr import BoolOp, Cmp, Const, Define, Node, RuleError, Scope, parse_rule

STANDARDS_DIR = Path(__file__).parent / "standards"
STATUSES = {"verified", "partial", "unverified"}
ROLES = {"required", "direct", "part", "manual"}
SIZE_CLASSES = ("large", "medium", "small", "micro")


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records the line of every mapping value (key ``__lines__``)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    lines = {"__self__": node.start_mark.line + 1}
    for key_node, value_node in node.value:
        lines[str(loader.construct_object(key_node))] = value_node.start_mark.line + 1
    mapping["__lines__"] = lines
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class Band:
    band: str
    points: Fraction
    text: str | None
    cond: Node | None  # None = "otherwise" (the last band)
    thresholds: list[Fraction | None]  # per measure, for threshold bands (gap targets)
    line: int = 0


@dataclass
class Measure:
    label: str
    rule: Node
    unit: str | None


@dataclass
class Indicator:
    id: str
    label: str
    text: str | None
    dimension: str
    max: Fraction
    min: Fraction
    measures: list[Measure]
    bands: list[Band]
    points_rule: Node | None
    status: str
    line: int
    direction: str | None = None


@dataclass
class Condition:
    id: str
    label: str
    text: str | None
    rule: Node
    value: Node | None
    unit: str | None
    role: str
    status: str
    line: int


@dataclass
class Dimension:
    name: str
    max: Fraction
    min: Fraction | None


@dataclass
class Sector:
    id: str
    label: str
    text: str | None
    sme: Node
    medium: Node
    small: Node
    line: int


@dataclass
class Standard:
    id: str
    title_zh: str
    tier: str | None
    kind: str  # "criteria" | "size"
    document: str
    document_url: str | None
    effective_from: date
    effective_until: date | None
    review_until: date | None
    status: str
    note: str | None
    version: str
    path: Path
    basic: bool = False
    defines: dict[str, Define] = field(default_factory=dict)
    conditions: list[Condition] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    dimensions: list[Dimension] = field(default_factory=list)
    pass_score: Fraction | None = None
    sectors: dict[str, Sector] = field(default_factory=dict)
    sector_map: list[tuple[str, str, str]] = field(default_factory=list)  # (lo, hi, sector)
    sources: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)  # the parsed file (what-if copies edit this)

    @property
    def scored(self) -> bool:
        return bool(self.indicators)

    def in_force(self, on: date, review: bool = False) -> bool:
        if on < self.effective_from:
            return False
        if self.effective_until is None or on <= self.effective_until:
            return True
        return review and self.review_until is not None and on <= self.review_until

    def summary(self) -> dict:
        return {
            "id": self.id,
            "title_zh": self.title_zh,
            "document": self.document,
            "effective_from": self.effective_from.isoformat(),
            "effective_until": self.effective_until.isoformat() if self.effective_until else None,
            "review_until": self.review_until.isoformat() if self.review_until else None,
            "version": self.version,
            "status": self.status,
        }


# --------------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, path: Path | str, text: str):
        self.path = Path(path)
        self.file = str(path)
        try:
            self.data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - safe loader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise RuleError(
                self.file, mark.line + 1 if mark else None, f"YAML 格式错误：{exc}"
            ) from None
        if not isinstance(self.data, dict):
            raise RuleError(self.file, 1, "规则文件应为 YAML 映射")

    def line(self, d: dict, key: str | None = None) -> int:
        lines = d.get("__lines__", {})
        return lines.get(key, lines.get("__self__", 0)) if key else lines.get("__self__", 0)

    def need(self, d: dict, key: str, types: type | tuple = str) -> Any:
        if key not in d or d[key] is None:
            raise RuleError(self.file, self.line(d), f"缺少必填项“{key}”")
        v = d[key]
        if not isinstance(v, types):
            raise RuleError(self.file, self.line(d, key), f"“{key}”的类型不对")
        return v

    def num(self, d: dict, key: str, default: Any = None) -> Fraction | None:
        if key not in d or d[key] is None:
            return default
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise RuleError(self.file, self.line(d, key), f"“{key}”应为数字")
        try:
            return Fraction(str(v))
        except ValueError:
            raise RuleError(self.file, self.line(d, key), f"“{key}”应为数字") from None

    def status(self, d: dict, default: str) -> str:
        s = d.get("status", default)
        if s not in STATUSES:
            raise RuleError(
                self.file, self.line(d, "status"), f"status 应为 {sorted(STATUSES)} 之一"
            )
        return s

    def date(self, d: dict, key: str, required: bool) -> date | None:
        v = d.get(key)
        if v is None:
            if required:
                raise RuleError(self.file, self.line(d), f"缺少日期“{key}”")
            return None
        if not isinstance(v, date):
            raise RuleError(self.file, self.line(d, key), f"“{key}”应为日期 YYYY-MM-DD")
        return v

    def rule(self, d: dict, key: str, scope: Scope, want: str | None) -> Node:
        return parse_rule(
            self.need(d, key, (str, int, float, bool)), scope, self.line(d, key), want
        )


def _strip(d: Any) -> Any:
    if isinstance(d, dict):
        return {k: _strip(v) for k, v in d.items() if k != "__lines__"}
    if isinstance(d, list):
        return [_strip(v) for v in d]
    return d


def load_file(path: Path | str, text: str | None = None) -> Standard:
    """Read and check one rule file; raises :class:`RuleError` (file, line, reason)."""
    path = Path(path)
    if text is None:
        text = path.read_text(encoding="utf-8")
    r = _Reader(path, text)
    d = r.data
    sid = r.need(d, "id")
    version = d.get("version") or hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    std = Standard(
        id=sid,
        title_zh=r.need(d, "title_zh"),
        tier=d.get("tier"),
        kind=d.get("kind", "criteria"),
        document=r.need(d, "document"),
        document_url=d.get("document_url"),
        effective_from=r.date(d, "effective_from", True),  # type: ignore[arg-type]
        effective_until=r.date(d, "effective_until", False),
        review_until=r.date(d, "review_until", False),
        status=r.status(d, "verified"),
        note=d.get("note"),
        version=f"{sid}#{version}",
        path=path,
        basic=bool(d.get("basic_conditions", False)),
        sources=list(d.get("sources") or []),
        data=_strip(d),
    )
    if std.kind not in ("criteria", "size"):
        raise RuleError(r.file, r.line(d, "kind"), "kind 应为 criteria 或 size")
    scope = Scope(r.file, std.defines)
    for name, item in (d.get("define") or {}).items():
        if name == "__lines__":
            continue
        if isinstance(item, dict):
            node = r.rule(item, "rule", scope, None)
            label = item.get("label")
        else:
            node = parse_rule(item, scope, r.line(d["define"], name), None)
            label = None
        std.defines[name] = Define(name, node, label)
    if std.kind == "size":
        _load_size(r, d, std, scope)
        return std
    seen: set[str] = set()
    for c in d.get("conditions") or []:
        cid = r.need(c, "id")
        if cid in seen:
            raise RuleError(r.file, r.line(c, "id"), f"条件 id 重复：{cid}")
        seen.add(cid)
        role = c.get("role", "required")
        if role not in ROLES:
            raise RuleError(r.file, r.line(c, "role"), f"role 应为 {sorted(ROLES)} 之一")
        rule = (
            Const(None, "bool")
            if role == "manual" and "rule" not in c
            else r.rule(c, "rule", scope, "bool")
        )
        cond = Condition(
            id=cid,
            label=r.need(c, "label"),
            text=c.get("text"),
            rule=rule,
            value=r.rule(c, "value", scope, None) if "value" in c else None,
            unit=c.get("unit"),
            role=role,
            status=r.status(c, std.status),
            line=r.line(c),
        )
        std.conditions.append(cond)
        # a condition can be referred to by its id in later rules (parts of a whole)
        if not _is_builtin_name(cid):
            std.defines.setdefault(cid, Define(cid, rule, cond.label))
    sc = d.get("score")
    if sc:
        std.pass_score = r.num(sc, "pass")
        if std.pass_score is None:
            raise RuleError(r.file, r.line(sc), "score 缺少 pass（及格分）")
        for dim in r.need(sc, "dimensions", list):
            std.dimensions.append(
                Dimension(r.need(dim, "name"), r.num(dim, "max", Fraction(0)), r.num(dim, "min"))
            )
        dims = {x.name for x in std.dimensions}
        for ind in r.need(sc, "indicators", list):
            std.indicators.append(_load_indicator(r, ind, scope, dims, std.status))
        _check_dimension_totals(r, sc, std)
    if not std.conditions and not std.indicators:
        raise RuleError(r.file, r.line(d), "规则文件没有任何条件或指标")
    return std


def _is_builtin_name(name: str) -> bool:
    from .profile import TOP_FIELDS

    return name in TOP_FIELDS or name in ("niche_years", "review", "value")


def _load_indicator(r: _Reader, ind: dict, scope: Scope, dims: set[str], status: str) -> Indicator:
    iid = r.need(ind, "id")
    dim = r.need(ind, "dimension")
    if dim not in dims:
        raise RuleError(r.file, r.line(ind, "dimension"), f"未声明的维度“{dim}”")
    mx = r.num(ind, "max")
    if mx is None:
        raise RuleError(r.file, r.line(ind), f"指标 {iid} 缺少 max（满分）")
    measures: list[Measure] = []
    raw = ind.get("value")
    if isinstance(raw, list):
        for m in raw:
            measures.append(
                Measure(r.need(m, "label"), r.rule(m, "rule", scope, "num"), m.get("unit"))
            )
    elif raw is not None:
        measures.append(
            Measure(ind.get("label"), r.rule(ind, "value", scope, "num"), ind.get("unit"))
        )
    value_type = "num" if measures else None
    bscope = Scope(r.file, scope.defines, value_type)
    bands: list[Band] = []
    points_rule = None
    direction = ind.get("direction")
    if "points" in ind:
        points_rule = r.rule(ind, "points", bscope, "num")
    else:
        raw_bands = r.need(ind, "bands", list)
        if direction not in ("higher", "lower", None):
            raise RuleError(r.file, r.line(ind, "direction"), "direction 应为 higher 或 lower")
        for i, b in enumerate(raw_bands):
            bands.append(_load_band(r, b, bscope, measures, direction, i == len(raw_bands) - 1))
        pts = [b.points for b in bands]
        if direction is not None and pts != sorted(pts, reverse=True):
            # thresholds are applied as >= (higher) / <= (lower): only right if the higher
            # bands come first, so that an edge value lands in the higher-scoring band
            raise RuleError(r.file, r.line(ind, "bands"), "分档应按得分从高到低排列")
        if max(pts) != mx:
            raise RuleError(r.file, r.line(ind, "max"), f"指标 {iid} 的 max 与最高档分值不符")
    lo = r.num(ind, "min", Fraction(0) if points_rule is not None else min(b.points for b in bands))
    return Indicator(
        id=iid,
        label=r.need(ind, "label"),
        text=ind.get("text"),
        dimension=dim,
        max=mx,
        min=lo,  # type: ignore[arg-type]
        measures=measures,
        bands=bands,
        points_rule=points_rule,
        status=r.status(ind, status),
        line=r.line(ind),
        direction=direction,
    )


def _load_band(
    r: _Reader, b: dict, scope: Scope, measures: list[Measure], direction: str | None, last: bool
) -> Band:
    name = str(r.need(b, "band", (str, int)))
    points = r.num(b, "points")
    if points is None:
        raise RuleError(r.file, r.line(b), f"档 {name} 缺少 points")
    key = {"higher": "from", "lower": "upto"}.get(direction or "", None)
    thresholds: list[Fraction | None] = []
    cond: Node | None = None
    if "when" in b:
        cond = r.rule(b, "when", scope, "bool")
    elif key is not None and key in b:
        raw = b[key] if isinstance(b[key], list) else [b[key]]
        if len(raw) != len(measures):
            raise RuleError(r.file, r.line(b, key), f"“{key}”的个数应与指标取值个数相同")
        op = ">=" if direction == "higher" else "<="  # band edges go to the higher band
        parts: list[Node] = []
        for m, t in zip(measures, raw, strict=True):
            if t is None:
                thresholds.append(None)
                continue
            if isinstance(t, bool) or not isinstance(t, (int, float, str)):
                raise RuleError(r.file, r.line(b, key), "分档阈值应为数字")
            tv = Fraction(str(t))
            thresholds.append(tv)
            cmp = Cmp(op, m.rule, Const(tv, "num"))
            cmp.src = f"{m.rule.src} {op} {t}"
            cmp.line = r.line(b, key)
            parts.append(cmp)
        cond = parts[0] if len(parts) == 1 else BoolOp("or", parts)
        cond.src = cond.src or " or ".join(p.src for p in parts)
        cond.line = r.line(b, key)
    elif not last:
        raise RuleError(
            r.file, r.line(b), f"档 {name} 缺少“{key or 'when'}”条件（只有最后一档可省略）"
        )
    return Band(name, points, b.get("text"), cond, thresholds, r.line(b))


def _check_dimension_totals(r: _Reader, sc: dict, std: Standard) -> None:
    for dim in std.dimensions:
        total = sum((i.max for i in std.indicators if i.dimension == dim.name), Fraction(0))
        if dim.max and total != dim.max:
            raise RuleError(
                r.file,
                r.line(sc, "dimensions"),
                f"维度“{dim.name}”满分 {dim.max} 与指标合计 {total} 不符",
            )


def _load_size(r: _Reader, d: dict, std: Standard, scope: Scope) -> None:
    for name, s in (r.need(d, "sectors", dict)).items():
        if name == "__lines__":
            continue
        std.sectors[name] = Sector(
            id=name,
            label=r.need(s, "label"),
            text=s.get("text"),
            sme=r.rule(s, "sme", scope, "bool"),
            medium=r.rule(s, "medium", scope, "bool"),
            small=r.rule(s, "small", scope, "bool"),
            line=r.line(s),
        )
    for m in r.need(d, "sector_from_industry", list):
        codes = str(r.need(m, "codes", (str, int)))
        lo, _, hi = codes.partition("-")
        sector = r.need(m, "sector")
        if sector not in std.sectors:
            raise RuleError(r.file, r.line(m, "sector"), f"未知的划型行业“{sector}”")
        std.sector_map.append((lo.strip(), (hi or lo).strip(), sector))


def sector_for(std: Standard, size_sector: str | None, industry_code: str | None) -> str | None:
    """划型行业: as declared, else from the GB/T 4754 code via the rule file's table."""
    if size_sector:
        return size_sector if size_sector in std.sectors else None
    if not industry_code:
        return None
    digits = "".join(ch for ch in industry_code if ch.isdigit())
    best: tuple[int, str] | None = None
    for lo, hi, sector in std.sector_map:
        n = len(lo)
        if len(digits) < n:
            continue
        head = digits[:n]
        if lo <= head <= hi and (best is None or n > best[0]):
            best = (n, sector)
    return best[1] if best else None


def comparison_leaves(node: Node) -> list[Cmp]:
    return [n for n in node.walk() if isinstance(n, Cmp)]
