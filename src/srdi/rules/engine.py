"""The scalar evaluator: one profile, one standard, a full explained result.

The contract's interpretation rules are applied here once for every rule file: the assessment
year, the basic conditions (SME under sme-size@2011 from the 上年度 figures, no compliance
flag), three-valued verdicts, score bounds under missing data, routes, gaps and the trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache
from itertools import combinations
from typing import Any

import yaml

from .describe import describe, input_name, value_name
from .expr import (
    BoolOp,
    Cmp,
    Const,
    Ctx,
    Define,
    Func,
    Manual,
    Node,
    TopInput,
    YearInput,
    kleene_and,
    kleene_or,
    to_json_value,
)
from .profile import COMPLIANCE_FLAGS, FIELD_LABELS, Profile
from .standard import STANDARDS_DIR, Indicator, Standard, sector_for


@cache
def common() -> dict:
    return yaml.safe_load((STANDARDS_DIR / "_common.yaml").read_text(encoding="utf-8"))


def _shown(v) -> str:
    """A value in a sentence a user reads: numbers as officials write them (srdi.core.formatting:
    separators, at most 2 decimals), unknown as 未知."""
    from srdi.core import formatting

    if v is None:
        return "未知"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, int | float | Fraction | Decimal):
        return formatting.number(v)
    return str(v)


def num_out(v: Fraction | None) -> int | float | None:
    """A score as JSON: an int when integral."""
    if v is None:
        return None
    return int(v) if v.denominator == 1 else float(v)


@dataclass(slots=True)
class ItemEval:
    met: bool | None
    value: Any
    missing: list[str]
    inputs: dict[str, Any]


def _eval_item(ctx: Ctx, rule: Node, value: Node | None, explain: bool) -> ItemEval:
    saved_missing, saved_inputs = ctx.missing, ctx.inputs
    ctx.missing = {}
    ctx.inputs = {} if explain else None
    try:
        met = rule.ev(ctx)
        val = value.ev(ctx) if value is not None else _default_value(rule, ctx)
        return ItemEval(met, val, list(ctx.missing), ctx.inputs or {})
    finally:
        saved_missing.update(ctx.missing)
        ctx.missing, ctx.inputs = saved_missing, saved_inputs


def _default_value(rule: Node, ctx: Ctx) -> Any:
    node = rule.node if isinstance(rule, Define) else rule
    if isinstance(node, Cmp) and not isinstance(node.left, Const):
        return node.left.ev(ctx)
    return None


# --------------------------------------------------------------------------------------------
# sme-size


def size_class(
    std: Standard, ctx: Ctx, explain: bool = False
) -> tuple[str | None, bool | None, dict]:
    """Size class under a size standard (None = unknown), SME or not, and the trace step."""
    p = ctx.profile
    sector_id = sector_for(std, p.get_top("size_sector"), p.get_top("industry_code"))
    step: dict[str, Any] = {"standard": std.id, "sector": sector_id}
    if sector_id is None:
        ctx.missing["size_sector"] = None
        return None, None, step
    sector = std.sectors[sector_id]
    sme = _eval_item(ctx, sector.sme, None, explain)
    medium = _eval_item(ctx, sector.medium, None, explain)
    small = _eval_item(ctx, sector.small, None, explain)
    cls: str | None
    if sme.met is False:
        cls = "large"
    elif sme.met is None:
        cls = None
    elif medium.met is True:
        cls = "medium"
    elif medium.met is None:
        cls = None
    elif small.met is True:
        cls = "small"
    elif small.met is None:
        cls = None
    else:
        cls = "micro"
    if explain:
        step.update(
            {
                "sector_label": sector.label,
                "text": sector.text,
                "line": sector.line,
                "rules": {
                    "sme": sector.sme.src,
                    "medium": sector.medium.src,
                    "small": sector.small.src,
                },
                "inputs": {**sme.inputs, **medium.inputs, **small.inputs},
                "result": cls,
            }
        )
    return cls, sme.met, step


# --------------------------------------------------------------------------------------------
# indicators


@dataclass(slots=True)
class IndEval:
    ind: Indicator
    values: list[Any]
    band: str | None
    lo: Fraction
    hi: Fraction
    missing: list[str]
    inputs: dict[str, Any]

    @property
    def known(self) -> bool:
        return self.lo == self.hi


def eval_indicator(ind: Indicator, ctx: Ctx, explain: bool) -> IndEval:
    saved_missing, saved_inputs = ctx.missing, ctx.inputs
    ctx.missing = {}
    ctx.inputs = {} if explain else None
    try:
        values = [m.rule.ev(ctx) for m in ind.measures]
        ctx.value = values[0] if values else None
        if ind.points_rule is not None:
            pts = ind.points_rule.ev(ctx)
            lo, hi = (ind.min, ind.max) if pts is None else (pts, pts)
            band = None
        else:
            possible = []
            for b in ind.bands:
                c = True if b.cond is None else b.cond.ev(ctx)
                if c is False:
                    continue
                possible.append(b)
                if c is True:
                    break
            lo = min(b.points for b in possible)
            hi = max(b.points for b in possible)
            band = possible[0].band if len(possible) == 1 else None
        return IndEval(ind, values, band, lo, hi, list(ctx.missing), ctx.inputs or {})
    finally:
        saved_missing.update(ctx.missing)
        ctx.missing, ctx.inputs, ctx.value = saved_missing, saved_inputs, None


def score_gate(
    std: Standard, evals: list[IndEval]
) -> tuple[bool | None, Fraction, Fraction, dict[str, Fraction], dict[str, Fraction]]:
    lo_dim = {d.name: Fraction(0) for d in std.dimensions}
    hi_dim = dict(lo_dim)
    for e in evals:
        lo_dim[e.ind.dimension] += e.lo
        hi_dim[e.ind.dimension] += e.hi
    lo, hi = sum(lo_dim.values(), Fraction(0)), sum(hi_dim.values(), Fraction(0))
    assert std.pass_score is not None
    sure = lo >= std.pass_score and all(
        d.min is None or lo_dim[d.name] >= d.min for d in std.dimensions
    )
    fails = hi < std.pass_score or any(
        d.min is not None and hi_dim[d.name] < d.min for d in std.dimensions
    )
    return (True if sure else False if fails else None), lo, hi, lo_dim, hi_dim


# --------------------------------------------------------------------------------------------
# evaluate


def evaluate_profile(
    std: Standard,
    prof: Profile,
    as_of: date,
    review: bool,
    explain: bool,
    size_std: Standard | None,
) -> dict:
    ctx = Ctx(prof, as_of.year, as_of, review)
    result: dict[str, Any] = {
        "uscc": prof.uscc,
        "standard": std.id,
        "version": std.version,
        "outcome": None,
        "score": None,
        "pass_score": num_out(std.pass_score),
        "route": None,
        "dimensions": {},
        "indicators": [],
        "conditions": [],
        "missing": [],
        "gaps": [],
    }
    trace: list[dict] = []
    if std.kind == "size":
        cls, sme, step = size_class(std, ctx, explain)
        result["size_class"] = cls
        result["outcome"] = _outcome(sme)
        result["conditions"].append(
            {
                "id": "sme",
                "label": common()["basic_conditions"]["sme"]["label"],
                "met": sme,
                "value": cls,
                "role": "required",
                "status": std.status,
            }
        )
        if explain:
            trace.append({"item": "size_class", **step})
        result["missing"] = list(ctx.missing)
        if sme is False:
            result["gaps"].append(
                {
                    "kind": "condition",
                    "id": "sme",
                    "label": result["conditions"][0]["label"],
                    "value": cls,
                    "text": "企业规模为大型，不属于中小企业",
                }
            )
        _finish(result, std, explain, trace, ctx)
        return result

    verdict_parts: list[bool | None] = []
    if std.basic:
        assert size_std is not None
        cls, sme, step = size_class(size_std, ctx, explain)
        flags = [prof.get_top(f) for f in COMPLIANCE_FLAGS]
        clean = not any(flags)
        bc = common()["basic_conditions"]
        result["conditions"].append(
            {
                "id": "sme",
                "label": bc["sme"]["label"],
                "met": sme,
                "value": cls,
                "role": "required",
                "status": size_std.status,
            }
        )
        result["conditions"].append(
            {
                "id": "compliance",
                "label": bc["compliance"]["label"],
                "met": clean,
                "value": [
                    f.split(".", 1)[1] for f, v in zip(COMPLIANCE_FLAGS, flags, strict=True) if v
                ],
                "role": "required",
                "status": std.status,
            }
        )
        verdict_parts += [sme, clean]
        if explain:
            trace.append(
                {
                    "item": "basic:sme",
                    "label": bc["sme"]["label"],
                    "text": bc["sme"]["text"],
                    **step,
                    "document": size_std.document,
                }
            )
            trace.append(
                {
                    "item": "basic:compliance",
                    "label": bc["compliance"]["label"],
                    "text": bc["compliance"]["text"],
                    "inputs": dict(zip(COMPLIANCE_FLAGS, flags, strict=True)),
                    "result": clean,
                }
            )

    cond_evals: dict[str, ItemEval] = {}
    direct: list[bool | None] = []
    for c in std.conditions:
        if c.role == "manual":
            ev = ItemEval(None, None, [], {})
        else:
            ev = _eval_item(ctx, c.rule, c.value, explain)
        cond_evals[c.id] = ev
        result["conditions"].append(
            {
                "id": c.id,
                "label": c.label,
                "met": ev.met,
                "value": to_json_value(ev.value),
                "role": c.role,
                "status": c.status,
            }
        )
        if c.role == "required":
            verdict_parts.append(ev.met)
        elif c.role == "direct":
            direct.append(ev.met)
        if explain:
            trace.append(
                _trace_item(
                    std,
                    f"condition:{c.id}",
                    c.label,
                    c.text,
                    c.rule,
                    c.line,
                    ev.inputs,
                    ev.met,
                    c.status,
                )
            )

    gate: bool | None = True
    evals: list[IndEval] = []
    pass_ok: bool | None = None
    if std.scored:
        evals = [eval_indicator(i, ctx, explain) for i in std.indicators]
        pass_ok, lo, hi, lo_dim, _hi_dim = score_gate(std, evals)
        result["score"] = num_out(lo)
        result["score_max"] = num_out(hi)
        result["dimensions"] = {k: num_out(v) for k, v in lo_dim.items()}
        result["dimension_minimums"] = {
            d.name: num_out(d.min) for d in std.dimensions if d.min is not None
        }
        for e in evals:
            result["indicators"].append(
                {
                    "id": e.ind.id,
                    "label": e.ind.label,
                    "value": to_json_value(e.values[0]) if e.values else None,
                    "band": e.band,
                    "points": num_out(e.lo) if e.known else None,
                    "max": num_out(e.ind.max),
                    "status": e.ind.status,
                }
            )
            if explain:
                trace.append(_trace_indicator(std, e))
        gate = kleene_or([pass_ok, *direct])
        verdict_parts.append(gate)

    outcome = kleene_and(verdict_parts)
    result["outcome"] = _outcome(outcome)
    if outcome is True and std.scored:
        result["route"] = "score" if pass_ok is True else "direct"
    result["missing"] = list(ctx.missing)
    if outcome is not True:
        result["gaps"] = _gaps(std, ctx, result, cond_evals, evals, gate)
    if explain:
        trace.insert(0, _trace_verdict(std, result))
    _finish(result, std, explain, trace, ctx)
    return result


def _outcome(v: bool | None) -> str:
    return "eligible" if v is True else "ineligible" if v is False else "undetermined"


def _finish(result: dict, std: Standard, explain: bool, trace: list[dict], ctx: Ctx) -> None:
    if explain:
        result["trace"] = jsonable(trace)
    result["document"] = std.document


def jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return to_json_value(v)


def _trace_item(std, item, label, text, rule, line, inputs, result, status) -> dict:
    return {
        "item": item,
        "label": label,
        "text": text,
        "rule": rule.src,
        "file": std.path.name,
        "line": line,
        "inputs": {k: _json_input(v) for k, v in inputs.items()},
        "result": result,
        "status": status,
        "document": std.document,
    }


def _json_input(v: Any) -> Any:
    if isinstance(v, list):
        return [{k: to_json_value(x) for k, x in e.items()} for e in v]
    return to_json_value(v)


def _trace_indicator(std: Standard, e: IndEval) -> dict:
    ind = e.ind
    if ind.points_rule is not None:
        rule = f"得分 = {ind.points_rule.src}"
    else:
        rule = "；".join(
            f"{b.band}档（{b.text or ''}）: {b.cond.src if b.cond else '其他'} → {num_out(b.points)}分"
            for b in ind.bands
        )
    step = _trace_item(
        std,
        f"indicator:{ind.id}",
        ind.label,
        ind.text,
        Const(None, "bool"),
        ind.line,
        e.inputs,
        {
            "band": e.band,
            "points": num_out(e.lo) if e.known else None,
            "range": [num_out(e.lo), num_out(e.hi)],
        },
        ind.status,
    )
    step["rule"] = rule
    step["value"] = [to_json_value(v) for v in e.values]
    return step


def _trace_verdict(std: Standard, result: dict) -> dict:
    parts = []
    if std.basic:
        parts.append("基本条件（中小企业、合规）")
    req = [c.label for c in std.conditions if c.role == "required"]
    parts += req
    if std.scored:
        dirs = [c.label for c in std.conditions if c.role == "direct"]
        mins = "，".join(f"{d.name}≥{num_out(d.min)}" for d in std.dimensions if d.min is not None)
        gate = f"评价得分≥{num_out(std.pass_score)}" + (f"（{mins}）" if mins else "")
        if dirs:
            gate += " 或 满足任一直通条件"
        parts.append(gate)
    return {
        "item": "verdict",
        "result": result["outcome"],
        "rule": " 且 ".join(parts),
        "standard": std.id,
        "title": std.title_zh,
        "version": std.version,
        "file": std.path.name,
        "document": std.document,
        "document_url": std.document_url,
        "status": std.status,
        "score": result["score"],
        "route": result["route"],
    }


# --------------------------------------------------------------------------------------------
# gaps


_OP_ZH = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}


def _leaf_needs(node: Node, ctx: Ctx, labels: dict[int, str]) -> list[dict]:
    """The failed comparisons of a rule with the value that would satisfy each."""
    if isinstance(node, Define):
        labels = {**labels, id(node.node): node.label or node.name}
        return _leaf_needs(node.node, ctx, labels)
    if isinstance(node, BoolOp):
        out: list[dict] = []
        if node.op == "and":
            for it in node.items:
                if it.ev(ctx) is False:
                    out += _leaf_needs(it, ctx, labels)
            return out
        alts = [n for it in node.items for n in [_leaf_needs(it, ctx, labels)] if n]
        return [{"any_of": alts}] if len(alts) > 1 else (alts[0] if alts else [])
    if isinstance(node, Cmp) and isinstance(node.right, Const) and node.ev(ctx) is False:
        left = node.left
        label = labels.get(id(node), None)
        if isinstance(left, Define):
            label = left.label or left.name
        if label is None and isinstance(left, TopInput):
            label = FIELD_LABELS.get(left.path)
        elif label is None and isinstance(left, YearInput):
            label = f"{ctx.year - left.k}年{FIELD_LABELS.get(left.field, left.field)}"
        cur = left.ev(ctx)
        target = to_json_value(node.right.value)
        label = label or left.src
        cur_text, target_text = _shown(to_json_value(cur)), _shown(target)
        if (
            left.type == "str"
        ):  # enumerations by their Chinese names: 研发机构级别：未建立 → ≠未建立
            cur_text = "未知" if cur is None else value_name(left, cur)
            target_text = f"“{value_name(left, node.right.value)}”"
        need = {
            "what": label,
            "value": to_json_value(cur),
            "op": node.op,
            "target": target,
            "text": f"{label}：{cur_text} → {_OP_ZH[node.op]}{target_text}",
        }
        eq = ratio_equivalent(left, node.right.value, node.op, ctx)
        if eq is not None:
            need["equivalent"] = eq
            need["text"] += f"（{eq['text']}）"
        return [need]
    if node.ev(ctx) is False:
        what = describe(node, ctx.year, labels)
        return [
            {
                "what": what,
                "rule": node.src,
                "value": False,
                "op": "==",
                "target": True,
                "text": f"需满足：{what}",
            }
        ]
    return []


def _amount_text(v: Fraction, op: str, whole: bool = False) -> str:
    """An amount for people, rounded so that reaching it meets the rule (up for ≥, down for ≤);
    ``whole``: counted things (people, items) in whole numbers."""
    if whole:
        n = (
            -((-v.numerator) // v.denominator)
            if op in (">=", ">")
            else v.numerator // v.denominator
        )
        return f"{n:,}"
    cents = v * 100
    n = -((-cents.numerator) // cents.denominator) if op in (">=", ">") else cents // 1
    whole, frac = divmod(int(n), 100)
    return f"{whole:,}" + (f".{frac:02d}".rstrip("0") if frac else "")


def ratio_equivalent(measure: Node, target: Fraction, op: str, ctx: Ctx) -> dict | None:
    """A ratio target as an amount of its numerator at today's denominator.

    ``pct(y1.rd_expense, y1.revenue) >= 3`` with revenue 8,000万元 → 研发费用 ≥ 240万元;
    ``pct_change(y1.main_revenue, y2.main_revenue) >= 10`` with 5,000万元 the year before →
    主营业务收入 ≥ 5,500万元. Only for a ratio of two inputs whose denominator is known and
    positive (else None).
    """
    node = measure
    while isinstance(node, Define):
        node = node.node
    if not (
        isinstance(node, Func)
        and node.name in ("pct", "ratio", "pct_change")
        and isinstance(node.args[0], YearInput | TopInput)
        and isinstance(node.args[1], YearInput | TopInput)
    ):
        return None
    probe = Ctx(profile=ctx.profile, year=ctx.year, as_of=ctx.as_of, review=ctx.review)
    den = node.args[1].ev(probe)
    if not isinstance(den, Fraction) or den <= 0:
        return None
    if node.name == "pct_change":
        amount = den * (1 + Fraction(target) / 100)
    else:
        amount = Fraction(target) * den / (100 if node.name == "pct" else 1)
    what, unit = input_name(node.args[0], ctx.year)
    basis, basis_unit = input_name(node.args[1], ctx.year)
    return {
        "what": what,
        "op": op,
        "amount": to_json_value(amount),
        "unit": unit,
        "basis": {"what": basis, "value": to_json_value(den), "unit": basis_unit},
        "text": f"即{what}{_OP_ZH[op]}{_amount_text(amount, op, unit in ('人', '项'))}{unit}"
        f"（按{basis}{_amount_text(den, '<=')}{basis_unit}计）",
    }


def _gaps(std, ctx, result, cond_evals, evals, gate) -> list[dict]:
    gaps: list[dict] = []
    for c in result["conditions"]:
        if c["role"] != "required" or c["met"] is not False:
            continue
        if c["id"] in ("sme", "compliance"):
            text = (
                "企业规模为大型，不属于中小企业"
                if c["id"] == "sme"
                else "存在合规问题：" + "、".join(c["value"])
            )
            gaps.append(
                {
                    "kind": "condition",
                    "id": c["id"],
                    "label": c["label"],
                    "value": c["value"],
                    "text": text,
                }
            )
            continue
        cond = next(x for x in std.conditions if x.id == c["id"])
        needs = _leaf_needs(cond.rule, ctx, {})
        gaps.append(
            {
                "kind": "condition",
                "id": c["id"],
                "label": c["label"],
                "value": c["value"],
                "needs": needs,
                "text": "；".join(_flat_text(needs)) or c["label"],
            }
        )
    for c in result["conditions"]:
        if c["role"] == "required" and c["met"] is None:
            ev = cond_evals.get(c["id"])
            missing = ev.missing if ev else list(ctx.missing)
            cond = next((x for x in std.conditions if x.id == c["id"]), None)
            checks = [n.what for n in cond.rule.walk() if isinstance(n, Manual)] if cond else []
            if missing:
                text = f"缺少数据，无法判断：{c['label']}"
            else:
                text = f"需人工核实：{c['label']}" + (f"（{'、'.join(checks)}）" if checks else "")
            gap = {
                "kind": "unknown",
                "id": c["id"],
                "label": c["label"],
                "missing": missing,
                "text": text,
            }
            if checks:
                gap["manual"] = checks
            gaps.append(gap)
    if std.scored and gate is not True:
        moves = fewest_moves(std, evals, ctx)
        if moves is not None:
            gaps.append(
                {
                    "kind": "score",
                    "score": result["score"],
                    "pass_score": result["pass_score"],
                    "moves": moves,
                    "text": "；".join(m["text"] for m in moves) if moves else "得分已达标",
                }
            )
        directs = [c for c in result["conditions"] if c["role"] == "direct"]
        if directs:
            gaps.append(
                {
                    "kind": "direct",
                    "any_of": [{"id": c["id"], "label": c["label"]} for c in directs],
                    "text": "或满足任一直通条件：" + "；".join(c["label"] for c in directs),
                }
            )
    return gaps


def _flat_text(needs: list[dict]) -> list[str]:
    out = []
    for n in needs:
        if "any_of" in n:
            out.append("（" + " 或 ".join("、".join(_flat_text(a)) for a in n["any_of"]) + "）")
        else:
            out.append(n["text"])
    return out


def _band_target(e: IndEval, band) -> tuple[Any, str | None]:
    ind = e.ind
    if band.thresholds:
        for m, t in zip(ind.measures, band.thresholds, strict=True):
            if t is not None:
                return to_json_value(t), m.unit
    return band.text, None


def _band_equivalent(e: IndEval, band, ctx: Ctx | None) -> dict | None:
    """The money (or count) a ratio band threshold means for this enterprise today."""
    if ctx is None or band is None or not band.thresholds:
        return None
    op = "<=" if e.ind.direction == "lower" else ">="
    for m, t in zip(e.ind.measures, band.thresholds, strict=True):
        if t is not None:
            return ratio_equivalent(m.rule, t, op, ctx)
    return None


def fewest_moves(std: Standard, evals: list[IndEval], ctx: Ctx | None = None) -> list[dict] | None:
    """The fewest indicator moves (each to the lowest band that suffices) reaching the pass score."""
    assert std.pass_score is not None
    cur = [e.lo for e in evals]
    dims = [e.ind.dimension for e in evals]
    options: list[list[tuple[Fraction, Any]]] = []  # per indicator: (points, band-or-None) upgrades
    for e in evals:
        ind = e.ind
        if ind.points_rule is not None:
            opts = [(Fraction(p), None) for p in range(int(e.lo) + 1, int(ind.max) + 1)]
            if ind.max not in [o[0] for o in opts] and ind.max > e.lo:
                opts.append((ind.max, None))
        else:
            opts = sorted(((b.points, b) for b in ind.bands if b.points > e.lo), key=lambda x: x[0])
        options.append(opts)

    def ok(points: list[Fraction]) -> bool:
        if sum(points, Fraction(0)) < std.pass_score:
            return False
        for d in std.dimensions:
            if d.min is not None:
                if (
                    sum(
                        (p for p, dn in zip(points, dims, strict=True) if dn == d.name), Fraction(0)
                    )
                    < d.min
                ):
                    return False
        return True

    if ok(cur):
        return []
    movable = [i for i, o in enumerate(options) if o]
    gain_max = {i: options[i][-1][0] - cur[i] for i in movable}
    needed = std.pass_score - sum(cur, Fraction(0))
    top = sorted(gain_max.values(), reverse=True)
    for k in range(1, len(movable) + 1):
        if sum(top[:k], Fraction(0)) < needed:
            continue  # no k moves can add enough points
        best: tuple[Fraction, list[Fraction]] | None = None
        if not any(d.min is not None for d in std.dimensions):
            # only the total counts: the k largest possible gains are a fewest-moves answer
            combos: Any = [tuple(sorted(movable, key=lambda i: -gain_max[i])[:k])]
        else:
            combos = combinations(movable, k)
        for combo in combos:
            if sum((gain_max[i] for i in combo), Fraction(0)) < needed:
                continue
            pts = list(cur)
            for i in combo:
                pts[i] = options[i][-1][0]
            if not ok(pts):
                continue
            for i in combo:  # lower each move to the lowest band that still suffices
                for p, _b in options[i]:
                    trial = list(pts)
                    trial[i] = p
                    if ok(trial):
                        pts = trial
                        break
            gain = sum(pts, Fraction(0)) - sum(cur, Fraction(0))
            if best is None or gain < best[0]:
                best = (gain, pts)
        if best is not None:
            moves = []
            for i, (e, p) in enumerate(zip(evals, best[1], strict=True)):
                if p == cur[i]:
                    continue
                band = next((b for q, b in options[i] if q == p), None)
                target, unit = _band_target(e, band) if band is not None else (None, None)
                frm = to_json_value(e.values[0]) if e.values else e.band
                frm_text = _shown(frm) if not isinstance(frm, str) else frm
                if band is not None and band.thresholds:
                    what = f"{e.ind.label}：{frm_text} → {target}{unit or ''}"
                elif band is not None:
                    what = f"{e.ind.label}：达到“{target}”"
                else:
                    what = f"{e.ind.label}：得分 {num_out(cur[i])} → {num_out(p)}"
                gain = p - cur[i]
                move = {
                    "indicator": e.ind.id,
                    "label": e.ind.label,
                    "from": frm,
                    "from_band": e.band,
                    "to_band": band.band if band is not None else None,
                    "target": target,
                    "unit": unit,
                    "points": num_out(gain),
                    "text": f"{what}（+{num_out(gain)}分）",
                }
                eq = _band_equivalent(e, band, ctx)
                if eq is not None:
                    move["equivalent"] = eq
                    move["text"] = f"{what}，{eq['text']}（+{num_out(gain)}分）"
                moves.append(move)
            return moves
    return None
