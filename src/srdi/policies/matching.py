"""Matching enterprises to policies: one (scalar, with reasons) or all × all (Polars, columnar).

Statuses (three-valued, Kleene AND over the conditions):
    eligible    every condition met
    unknown     none failed, some cannot be decided (the missing data is named)
    near        exactly one condition not met (what is lacking is named) — 差一点符合
    ineligible  two or more conditions not met

The estimated amount follows the policy's benefit formula with exact (Fraction) arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

import polars as pl

from . import conditions as C
from .catalogue import Spec, fmt_amount, to_decimal

ELIGIBLE, UNKNOWN, NEAR, INELIGIBLE = "eligible", "unknown", "near", "ineligible"
STATUS_LABELS = {
    ELIGIBLE: "符合",
    UNKNOWN: "待补充数据",
    NEAR: "差一项",
    INELIGIBLE: "不符合",
}
STATUS_CODES = {0: INELIGIBLE, 1: ELIGIBLE, 2: UNKNOWN, 3: NEAR}
STATUS_ENUM = pl.Enum([INELIGIBLE, ELIGIBLE, UNKNOWN, NEAR])


def status_of(values: list[bool | None]) -> str:
    n_false = sum(1 for v in values if v is False)
    n_none = sum(1 for v in values if v is None)
    if n_false == 0:
        return ELIGIBLE if n_none == 0 else UNKNOWN
    return NEAR if n_false == 1 else INELIGIBLE


@dataclass
class Amount:
    value: Fraction | None  # 万元
    state: str  # "ok" | "pending" (待核定) | "missing" (input unknown) | "none" (non-monetary)
    note: str = ""
    inputs: dict | None = None

    def json(self) -> Any:
        return None if self.value is None else json_number(self.value)


def json_number(x: Fraction) -> int | float:
    d = to_decimal(x)
    return int(d) if d == d.to_integral_value() else float(d)


def estimate(spec: Spec, profile: C.Profile, year: int, as_of: date) -> Amount:
    """The benefit under the spec's formula (assumes the conditions hold)."""
    b = spec.benefit
    ref = spec.reference_date(as_of)
    if b.kind == "none":
        return Amount(None, "none", b.note or "非资金类支持")
    if b.kind == "fixed":
        if b.amount is None:
            return Amount(None, "pending", "金额待核定")
        return Amount(b.amount, "ok", f"定额 {fmt_amount(b.amount)}万元")
    if b.kind == "tiered":
        missing: list[str] = []
        for t in b.tiers:
            r = C.evaluate(t.when, profile, year, ref)
            if r.value is True:
                if t.amount is None:
                    return Amount(None, "pending", f"{t.label}：金额待核定")
                return Amount(t.amount, "ok", t.label)
            if r.value is None:
                missing += r.missing
                return Amount(None, "missing", f"无法判定档次（缺少 {'、'.join(missing)}）")
        return Amount(Fraction(0), "ok", "未达到任何奖励档次")
    assert b.base is not None
    r = C.evaluate(b.base, profile, year, ref)
    if r.value is None:
        return Amount(None, "missing", f"缺少 {'、'.join(r.missing)}", r.inputs)
    base = Fraction(r.value)
    if b.kind == "percent":
        if b.rate_pct is None:
            return Amount(None, "pending", "比例待核定", r.inputs)
        if base <= 0 and b.floor_zero:
            return Amount(Fraction(0), "ok", f"{b.base_label or '基数'}未增长，不予奖励", r.inputs)
        v = base * b.rate_pct / 100
        note = f"{b.base_label or '基数'} {fmt_amount(base)} × {fmt_amount(b.rate_pct)}%"
    else:
        if b.per is None:
            return Amount(None, "pending", "每项金额待核定", r.inputs)
        v = max(base, Fraction(0)) * b.per
        note = f"{fmt_amount(base)} 项 × {fmt_amount(b.per)}万元"
    if b.cap is not None and v > b.cap:
        return Amount(
            b.cap, "ok", f"{note} = {fmt_amount(v)}，超过上限，按 {fmt_amount(b.cap)}万元", r.inputs
        )
    return Amount(v, "ok", f"{note} = {fmt_amount(v)}万元", r.inputs)


def match_one(spec: Spec, profile: C.Profile, as_of: date) -> dict:
    """One enterprise × one policy with the reason per condition and the estimated amount."""
    year = as_of.year
    ref = spec.reference_date(as_of)
    conds = []
    values = []
    missing: list[str] = []
    for c in spec.conditions:
        r = C.evaluate(c.compiled, profile, year, ref)
        values.append(r.value)
        missing += [m for m in r.missing if m not in missing]
        conds.append(
            {
                "id": c.id,
                "label": c.label,
                "expr": c.expr,
                "met": r.value,
                "missing": r.missing if r.value is None else [],
                "inputs": {k: _json_input(v) for k, v in r.inputs.items()},
            }
        )
    status = status_of(values)
    out: dict[str, Any] = {
        "policy": spec.key,
        "title": spec.title,
        "category": spec.category,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "conditions": conds,
        "missing": missing if status == UNKNOWN else [],
        "lacking": [c["label"] for c in conds if c["met"] is False],
        "amount": None,
        "amount_state": None,
        "amount_note": "",
        "monetary": spec.benefit.kind != "none",
    }
    if status in (ELIGIBLE, UNKNOWN, NEAR):
        a = estimate(spec, profile, year, as_of)
        out.update(amount=a.json(), amount_state=a.state, amount_note=a.note)
    return out


def _json_input(v: Any) -> Any:
    if isinstance(v, list):
        return [{k: C.to_json_value(x) for k, x in e.items()} for e in v]
    return C.to_json_value(v)


def match_profile(specs: list[Spec], profile: C.Profile, as_of: date) -> list[dict]:
    with C.verdict_cache():
        return [match_one(s, profile, as_of) for s in specs]


# ---------------------------------------------------------------------------------------------
# columnar: all profiles × all policies in one Polars job


def match_all(
    specs: list[Spec], profiles: list[C.Profile], as_of: date, *, amounts: bool = True
) -> pl.DataFrame:
    """Long frame of the non-ineligible pairs: row (profile index), policy (spec index),
    status (eligible/unknown/near), codes (per-condition 1 met / 0 not / 2 unknown, base 3),
    amount (万元, float to 0.0001; null when undetermined or 待核定)."""
    year = as_of.year
    uniq: dict[tuple[str, date], int] = {}
    cols: set[str] = set()
    verdict_ids: list[str] = []
    for s in specs:
        ref = s.reference_date(as_of)
        for c in s.conditions:
            uniq.setdefault((c.expr, ref), len(uniq))
            cols |= c.compiled.columns()
        if amounts and s.benefit.base is not None:
            cols |= s.benefit.base.columns()
        for t in s.benefit.tiers:
            cols |= t.when.columns()
        verdict_ids += s.verdicts()
    verdict_ids = list(dict.fromkeys(verdict_ids))
    verdicts = C.compute_verdicts(profiles, verdict_ids, as_of) if verdict_ids else {}
    frame, scales = C.build_frame(profiles, year, cols, verdicts)
    compiled: dict[tuple[str, date], C.Compiled] = {}
    for s in specs:
        ref = s.reference_date(as_of)
        for c in s.conditions:
            compiled[(c.expr, ref)] = c.compiled
    cond_exprs = []
    for (expr, ref), idx in uniq.items():
        pc = C.pctx(year, ref, scales)
        cond_exprs.append(C.bool_expr(compiled[(expr, ref)], pc).alias(f"c{idx}"))
    lf = frame.lazy().with_columns(cond_exprs)
    status_exprs = []
    codes: list[pl.Expr] = []
    for j, s in enumerate(specs):
        ref = s.reference_date(as_of)
        cs = [pl.col(f"c{uniq[(c.expr, ref)]}") for c in s.conditions]
        if not cs:
            status_exprs.append(pl.lit(1, dtype=pl.UInt8).alias(f"s{j}"))
            codes.append(pl.lit(0, dtype=pl.Int64))
            continue
        n_false = pl.sum_horizontal([(~c).cast(pl.UInt8).fill_null(0) for c in cs])
        n_null = pl.sum_horizontal([c.is_null().cast(pl.UInt8) for c in cs])
        st = (
            pl.when(n_false == 0)
            .then(pl.when(n_null == 0).then(1).otherwise(2))
            .when(n_false == 1)
            .then(3)
            .otherwise(0)
            .cast(pl.UInt8)
        )
        status_exprs.append(st.alias(f"s{j}"))
        code = None
        for i, c in enumerate(cs):
            term = pl.when(c.is_null()).then(2 * 3**i).when(c).then(3**i).otherwise(0)
            code = term if code is None else code + term
        codes.append(code.cast(pl.Int64))
    # 1) every condition once (deduplicated), every policy's status: one wide frame
    wide = lf.with_columns(pl.int_range(pl.len()).alias("row")).with_columns(status_exprs).collect()
    # 2) per policy, only the pairs that are not ineligible: reason codes and amounts
    parts = []
    lw = wide.lazy()
    for j, s in enumerate(specs):
        sel = [
            pl.col("row"),
            pl.lit(j, dtype=pl.Int32).alias("policy"),
            pl.col(f"s{j}").alias("status"),
            codes[j].alias("codes"),
            (_amount_expr(s, year, as_of, scales) if amounts else pl.lit(None, pl.Float64)).alias(
                "amount"
            ),
        ]
        parts.append(lw.filter(pl.col(f"s{j}") > 0).select(sel))
    if not parts:
        return pl.DataFrame(
            schema={
                "row": pl.Int64,
                "policy": pl.Int32,
                "status": STATUS_ENUM,
                "codes": pl.Int64,
                "amount": pl.Float64,
            }
        )
    long = pl.concat(parts).collect()
    return long.with_columns(
        pl.col("status").replace_strict(
            {1: ELIGIBLE, 2: UNKNOWN, 3: NEAR}, return_dtype=STATUS_ENUM
        )
    )


def _amount_expr(spec: Spec, year: int, as_of: date, scales: dict[str, int]) -> pl.Expr:
    b = spec.benefit
    ref = spec.reference_date(as_of)
    pc = C.pctx(year, ref, scales)
    if b.kind == "fixed" and b.amount is not None:
        return pl.lit(float(b.amount), dtype=pl.Float64)
    if b.kind == "tiered":
        expr = pl.lit(0.0, dtype=pl.Float64)
        for t in reversed(b.tiers):
            val = pl.lit(None, pl.Float64) if t.amount is None else pl.lit(float(t.amount))
            w = C.bool_expr(t.when, pc)
            expr = pl.when(w.is_null()).then(None).when(w).then(val).otherwise(expr)
        return expr
    if b.kind in ("percent", "per_item") and b.base is not None:
        factor = b.rate_pct / 100 if b.kind == "percent" else b.per
        if factor is None:
            return pl.lit(None, pl.Float64)
        base = C.num_expr(b.base, pc)
        base = C.prat_clamp(
            base, Fraction(0) if (b.floor_zero or b.kind == "per_item") else None, None
        )
        v = C.prat_scale(base, factor)
        v = C.prat_clamp(v, None, b.cap)
        return C.prat_to_float(v)
    return pl.lit(None, pl.Float64)


def decode_codes(code: int, n: int) -> list[bool | None]:
    out: list[bool | None] = []
    for _ in range(n):
        d = code % 3
        code //= 3
        out.append(None if d == 2 else bool(d))
    return out
