"""Policy conditions in the rules core's language — the one module that depends on srdi.rules.

A policy's eligibility is a list of conditions, each a boolean expression of the rules language
(``srdi.rules.expr``: ``y1.revenue >= 2000``, ``pct_change(y1.revenue, y2.revenue) >= 20``,
``any_valid(titles, tier == "little_giant")`` …), parsed by the rules core's own parser and
evaluated by its two evaluators (scalar exact/three-valued, and Polars columnar). This module adds
a few policy words on top, as macros or extra nodes of the same tree:

* ``holds("little_giant", "srdi_sme")`` — holds a valid title of one of these tiers on the
  reference date (= ``any_valid(titles, tier in [...])``);
* ``has_honor("high_tech")`` — holds a valid honour of that type;
* ``eligible("srdi-sme@2026")`` — the rules core's verdict for that standard is ``eligible``
  (unknown when it is ``undetermined``);
* ``first_recognized("little_giant")`` — the enterprise's earliest title of that tier was
  granted between 1 January of the reward year (Y-1) and the reference date.

Years: ``y1`` is the *reward year* (the year before the assessment year Y), ``y2`` the year
before it, as in the rules core. The reference date (validity of titles) is ``as_of``.
"""

from __future__ import annotations

import contextvars
import math
import re
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

import polars as pl

from srdi.rules.expr import (
    I128,
    AnyList,
    Ctx,
    Define,
    NicheYears,
    Node,
    PCtx,
    PRat,
    RuleError,
    Scope,
    TopInput,
    YearInput,
    parse_rule,
    prat_cmp,
    prat_const,
    prat_mul,
    prat_pick,
)
from srdi.rules.expr import to_json_value as _to_json_value
from srdi.rules.profile import (
    LIST_FIELDS,
    TOP_FIELDS,
    YEAR_FIELDS,
    Profile,
    ProfileValueError,
    normalise,
)

__all__ = [
    "Compiled",
    "ConditionError",
    "Profile",
    "ProfileValueError",
    "RuleError",
    "build_frame",
    "compile_expr",
    "evaluate",
    "normalise",
    "to_json_value",
]

to_json_value = _to_json_value
TIERS = ("tech_sme", "innovative_sme", "srdi_sme", "little_giant", "single_champion")
HONORS = ("high_tech", "tech_innovation_demo", "ip_advantage", "ip_demo")


class ConditionError(ValueError):
    """A condition that cannot be used, with a Chinese message naming where and why."""


# ---------------------------------------------------------------------------------------------
# extra nodes


_verdicts: contextvars.ContextVar[dict | None] = contextvars.ContextVar("verdicts", default=None)


def _verdict(profile: Profile, standard: str, as_of: date) -> tuple[bool | None, list[str]]:
    cache = _verdicts.get()
    key = (id(profile), standard, as_of)
    if cache is not None and key in cache:
        return cache[key]
    try:
        from srdi import rules

        r = rules.evaluate(profile, standard, as_of, explain=False)
        out = {"eligible": True, "ineligible": False}.get(r.get("outcome"))
        res = (out, list(r.get("missing") or []))
    except Exception as exc:  # noqa: BLE001 - rules core not ready / unknown standard
        res = (None, [f"verdict.{standard}（{exc}）"])
    if cache is not None:
        cache[key] = res
    return res


class Verdict(Node):
    """``eligible("srdi-sme@2026")``: the rules core's outcome for that standard."""

    type = "bool"

    def __init__(self, standard: str):
        self.standard = standard
        self.src = f'eligible("{standard}")'

    def ev(self, ctx: Ctx) -> Any:
        v, missing = _verdict(ctx.profile, self.standard, ctx.as_of)
        if v is None:
            for m in missing or [f"verdict.{self.standard}"]:
                ctx.missing[m] = None
        if ctx.inputs is not None:
            ctx.inputs[f"verdict.{self.standard}"] = v
        return v

    def pl(self, c: PCtx) -> Any:
        return pl.col(verdict_column(self.standard))


def verdict_column(standard: str) -> str:
    return f"verdict:{standard}"


class FirstRecognized(Node):
    """The earliest title of a tier was granted in [1 Jan of Y-1, as_of]."""

    type = "bool"

    def __init__(self, tier: str):
        self.tier = tier
        self.src = f'first_recognized("{tier}")'

    def ev(self, ctx: Ctx) -> Any:
        items = [t for t in ctx.profile.lists.get("titles", []) if t.get("tier") == self.tier]
        if ctx.inputs is not None:
            ctx.inputs["titles"] = ctx.profile.lists.get("titles", [])
        grants = [t["granted"] for t in items if t.get("granted") is not None]
        if not grants:
            return False
        first = min(grants)
        return date(ctx.year - 1, 1, 1) <= first <= ctx.as_of

    def pl(self, c: PCtx) -> Any:
        el = pl.element()
        first = (
            pl.col("titles")
            .list.eval(el.filter(el.struct.field("tier") == self.tier).struct.field("granted"))
            .list.min()
        )
        return (
            pl.when(first.is_null())
            .then(pl.lit(False))
            .otherwise((first >= pl.lit(date(c.year - 1, 1, 1))) & (first <= pl.lit(c.as_of)))
        )


# ---------------------------------------------------------------------------------------------
# compiling


_MACRO = re.compile(r"\b(holds|has_honor|eligible|first_recognized)\s*\(([^()]*)\)")
_STR = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)')\s*$""")


def _str_args(name: str, raw: str) -> list[str]:
    out = []
    for part in raw.split(","):
        m = _STR.match(part)
        if not m:
            raise ConditionError(f'{name}(…) 的参数应为带引号的文字，如 {name}("little_giant")')
        out.append(m.group(1) if m.group(1) is not None else m.group(2))
    return out


@dataclass
class Compiled:
    """A compiled expression: the rules-core node, its source, its type."""

    src: str
    node: Node
    type: str
    verdicts: list[str] = field(default_factory=list)

    def columns(self) -> set[str]:
        return columns_of(self.node)


def compile_expr(text: str, want: str = "bool", where: str = "条件") -> Compiled:
    """Parse one expression of the rules language (+ the policy macros); ConditionError if bad."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError(f"{where}：表达式不能为空")
    defines: dict[str, Define] = {}
    verdicts: list[str] = []

    def repl(m: re.Match) -> str:
        fn, raw = m.group(1), m.group(2)
        args = _str_args(fn, raw)
        if fn == "holds":
            bad = [a for a in args if a not in TIERS]
            if bad:
                raise ConditionError(f"holds(…) 中未知的梯度“{bad[0]}”，可用：{'、'.join(TIERS)}")
            lst = ", ".join(f'"{a}"' for a in args)
            return f"any_valid(titles, tier in [{lst}])"
        if fn == "has_honor":
            bad = [a for a in args if a not in HONORS]
            if bad:
                raise ConditionError(
                    f"has_honor(…) 中未知的荣誉“{bad[0]}”，可用：{'、'.join(HONORS)}"
                )
            lst = ", ".join(f'"{a}"' for a in args)
            return f"any_valid(honors, type in [{lst}])"
        if len(args) != 1:
            raise ConditionError(f"{fn}(…) 只接受一个参数")
        name = f"__{fn}_{len(defines)}"
        if fn == "eligible":
            from srdi import rules

            try:
                rules.load_standard(args[0])
            except Exception:  # noqa: BLE001
                raise ConditionError(f"eligible(…) 中未知的认定标准“{args[0]}”") from None
            node: Node = Verdict(args[0])
            verdicts.append(args[0])
        else:
            if args[0] not in TIERS:
                raise ConditionError(f"first_recognized(…) 中未知的梯度“{args[0]}”")
            node = FirstRecognized(args[0])
        defines[name] = Define(name, node, node.src)
        return name

    expanded = _MACRO.sub(repl, text.strip())
    try:
        node = parse_rule(expanded, Scope(where, defines), 1, want=want)
    except RuleError as exc:
        reason = exc.reason
        for name, d in defines.items():
            reason = reason.replace(name, d.node.src)
        raise ConditionError(f"{where}：{reason}") from None
    return Compiled(text.strip(), node, node.type, verdicts)


def columns_of(node: Node) -> set[str]:
    cols: set[str] = set()
    for n in node.walk():
        if isinstance(n, TopInput):
            cols.add(n.path)
        elif isinstance(n, YearInput):
            cols.add(n.column)
        elif isinstance(n, NicheYears):
            cols.add("niche_since")
        elif isinstance(n, AnyList):
            cols.add(n.list_name)
        elif isinstance(n, FirstRecognized):
            cols.add("titles")
        elif isinstance(n, Verdict):
            cols.add(verdict_column(n.standard))
    return cols


# ---------------------------------------------------------------------------------------------
# scalar evaluation


@dataclass
class Result:
    value: Any
    missing: list[str]
    inputs: dict[str, Any]


def evaluate(comp: Compiled, profile: Profile, year: int, as_of: date) -> Result:
    """Scalar, exact, three-valued: the value, the absent inputs it needed, the inputs read."""
    ctx = Ctx(profile=profile, year=year, as_of=as_of, review=False, inputs={})
    token = _verdicts.set(_verdicts.get() if _verdicts.get() is not None else {})
    try:
        v = comp.node.ev(ctx)
    finally:
        _verdicts.reset(token)
    return Result(v, list(ctx.missing), ctx.inputs or {})


class verdict_cache:  # noqa: N801 - used as a context manager
    """Share rules-core verdicts across many scalar evaluations of the same profiles."""

    def __enter__(self):
        self.token = _verdicts.set({})
        return self

    def __exit__(self, *exc):
        _verdicts.reset(self.token)


# ---------------------------------------------------------------------------------------------
# columnar evaluation


def _num_column(values: list[Fraction | None]) -> tuple[pl.Series, int]:
    """Exact numbers as integers over one common scale (the lcm of their denominators)."""
    pairs = [None if v is None else v.as_integer_ratio() for v in values]
    dens = {d for nd in pairs if nd is not None for d in (nd[1],)}
    scale = math.lcm(*dens) if dens else 1
    if scale == 1:
        ints = [None if nd is None else nd[0] for nd in pairs]
    else:
        ints = [None if nd is None else nd[0] * (scale // nd[1]) for nd in pairs]
    try:
        return pl.Series(ints, dtype=pl.Int64).cast(I128), scale
    except (OverflowError, TypeError, ValueError):  # beyond 64 bits: build Int128 directly
        return pl.Series(ints, dtype=I128), scale


_EMPTY: dict = {}
_LIST_DTYPES = {"str": pl.Utf8, "num": pl.Int64, "date": pl.Date}


def _list_column(profiles: list[Profile], col: str) -> pl.Series:
    """A list-of-struct column, built flat (one row per element) and grouped by profile."""
    fields = LIST_FIELDS[col]
    rows: list[int] = []
    flat: dict[str, list] = {f: [] for f in fields}
    for i, p in enumerate(profiles):
        for e in p.lists.get(col, ()):
            rows.append(i)
            for f, k in fields.items():
                v = e.get(f)
                flat[f].append(int(v) if k == "num" and v is not None else v)
    schema = {f: _LIST_DTYPES[k] for f, k in fields.items()}
    dtype = pl.List(pl.Struct(schema))
    elems = pl.DataFrame(
        {"__row": pl.Series(rows, dtype=pl.Int64)}
        | {f: pl.Series(flat[f], dtype=schema[f]) for f in fields}
    )
    grouped = elems.group_by("__row").agg(pl.struct(list(fields)).alias(col))
    full = pl.DataFrame({"__row": pl.Series(range(len(profiles)), dtype=pl.Int64)})
    out = full.join(grouped, on="__row", how="left").sort("__row")[col]
    return out.fill_null(pl.Series([[]], dtype=dtype)).cast(dtype)


def build_frame(
    profiles: list[Profile], year: int, columns: set[str], verdicts: dict[str, list] | None = None
) -> tuple[pl.DataFrame, dict[str, int]]:
    """The Polars frame of the inputs the compiled expressions read (exact integer scaling)."""
    data: dict[str, pl.Series] = {}
    scales: dict[str, int] = {}
    year_rows: dict[int, list[dict]] = {}
    for col in sorted(columns):
        if col.startswith("verdict:"):
            vals = (verdicts or {}).get(col[len("verdict:") :]) or [None] * len(profiles)
            data[col] = pl.Series(vals, dtype=pl.Boolean)
            continue
        if col in LIST_FIELDS:
            data[col] = _list_column(profiles, col)
            continue
        if col == "niche_since":
            data[col] = pl.Series([p.top.get("niche_since") for p in profiles], dtype=pl.Date)
            continue
        if col in TOP_FIELDS:
            kind, _decl, _default = TOP_FIELDS[col]
            vals = [p.top.get(col) for p in profiles]
        else:
            head, _, fname = col.partition(".")
            k = int(head[1:])
            kind = YEAR_FIELDS[fname][0]
            if k not in year_rows:
                year_rows[k] = [p.years.get(year - k) or _EMPTY for p in profiles]
            vals = [d.get(fname) for d in year_rows[k]]
        if kind == "num":
            data[col], scales[col] = _num_column(vals)
        elif kind == "bool":
            data[col] = pl.Series(vals, dtype=pl.Boolean)
        elif kind == "date":
            data[col] = pl.Series(vals, dtype=pl.Date)
        else:
            data[col] = pl.Series(vals, dtype=pl.Utf8)
    if not data:
        data["__row"] = pl.Series(range(len(profiles)), dtype=pl.Int64)
    return pl.DataFrame(data), scales


def bool_expr(comp: Compiled, pctx: PCtx) -> pl.Expr:
    return comp.node.pl(pctx)


def num_expr(comp: Compiled, pctx: PCtx) -> PRat:
    return comp.node.pl(pctx)


def pctx(year: int, as_of: date, scales: dict[str, int]) -> PCtx:
    return PCtx(year=year, as_of=as_of, review=False, scales=scales)


def compute_verdicts(
    profiles: list[Profile], standards: list[str], as_of: date
) -> dict[str, list[bool | None]]:
    """Outcome per profile for each standard, from the rules core (columnar when it offers it)."""
    out: dict[str, list[bool | None]] = {}
    if not standards:
        return out
    from srdi import rules

    try:
        res = rules.evaluate_many([p.raw for p in profiles], standards, as_of)
        m = {"eligible": True, "ineligible": False}
        n = len(standards)
        for j, s in enumerate(standards):
            out[s] = [m.get(res[i * n + j].get("outcome")) for i in range(len(profiles))]
        return out
    except Exception:  # noqa: BLE001 - columnar evaluator not available: scalar fallback
        for s in standards:
            out[s] = [_verdict(p, s, as_of)[0] for p in profiles]
        return out


# exact helpers for benefit formulas (columnar)


def prat_clamp(a: PRat, low: Fraction | None, high: Fraction | None) -> PRat:
    if low is not None:
        lo = prat_const(low)
        a = prat_pick(prat_cmp(">=", a, lo), a, lo)
    if high is not None:
        hi = prat_const(high)
        a = prat_pick(prat_cmp("<=", a, hi), a, hi)
    return a


def prat_scale(a: PRat, k: Fraction) -> PRat:
    return prat_mul(a, prat_const(k))


def prat_to_float(a: PRat) -> pl.Expr:
    d = a.d if isinstance(a.d, pl.Expr) else pl.lit(a.d, dtype=I128)
    return (a.n * 10000).floordiv(d).cast(pl.Float64) / 10000
