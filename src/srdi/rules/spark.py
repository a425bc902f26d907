"""The Spark backend: the same rule files, compiled to Spark SQL column expressions.

The front end is shared with the Polars compiler (``columnar.py``): the rule files are parsed
and type-checked once (``standard.py`` / ``expr.py``), the inputs a set of standards reads come
from :func:`columnar.columns_for`, and the frame layout (one row per profile, columns named by
path relative to the assessment year, numbers as scaled integers with one scale per column) is
the one :func:`columnar.build_frame` and :func:`srdi.registry.frames.read_frame` produce. This
module only maps each node of the parsed tree to a Spark ``Column`` — no standard, threshold or
band is written here.

Exactness is the Polars compiler's: every number is an exact rational ``n / d`` (``d > 0``) of
integer columns, every comparison is cross-multiplied. Integers stay ``bigint`` while the bound
analysis (the frame's column maxima, as in ``expr.PRat``) proves they fit; wider products are
``decimal(38,0)`` (exact, never a float). ANSI mode is on, so an overflow would stop the job
instead of giving a wrong verdict. Spark SQL's AND / OR / NOT are Kleene's, as ours are.

    from srdi.rules import spark
    session = spark.session("local[2]")
    res = spark.evaluate_parquet(session, "frame.parquet", stds, as_of, review)  # DataFrame
"""

from __future__ import annotations

import math
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import singledispatch
from pathlib import Path
from typing import Any

from .expr import (
    _FLIP,
    HUGE,
    LIMIT,
    AnyList,
    Arith,
    BoolOp,
    Cmp,
    Const,
    Define,
    ElemField,
    Func,
    InList,
    Manual,
    Neg,
    NicheYears,
    Node,
    Not,
    Review,
    TopInput,
    ValueRef,
    YearInput,
)
from .frameio import ROW, FrameMeta, finish_rows
from .profile import COMPLIANCE_FLAGS
from .standard import Standard

SECTOR = "_size_sector"


# Spark SQL's binding strengths (higher binds tighter); PRIMARY: a literal, a column, a call,
# CASE … END or anything in parentheses.
_PREC = {"OR": 1, "AND": 2, "NOT": 3, "=": 4, "<>": 4, "<": 4, "<=": 4, ">": 4, ">=": 4}
_PREC.update({"+": 5, "-": 5, "*": 6})
PRIMARY = 9


class E:
    """A Spark SQL expression, as text: compiling a standard makes no call into the JVM, and the
    whole evaluation goes to Spark as one SQL query (parsed and planned once).

    Operators are written with only the parentheses their binding strengths need (``a AND b AND
    c``, not ``((a AND b) AND c)``): Spark's parser looks ahead to the closing parenthesis at
    every opening one, so nested parentheses cost it time that grows with their depth (measured:
    most of the cold planning time of the whole evaluation)."""

    __slots__ = ("prec", "sql")

    def __init__(self, sql: str, prec: int = PRIMARY):
        self.sql = sql
        self.prec = prec

    def __str__(self) -> str:
        return self.sql

    def _bin(self, op: str, other: Any) -> E:
        p = _PREC[op]
        o = _e(other)
        # left-associative: the left side may bind as weakly as the operator (but comparisons do
        # not chain), the right side must bind tighter, so the grouping is the one given
        left = _w(self, p + 1 if p == 4 else p)
        return E(f"{left} {op} {_w(o, p + 1)}", p)

    def __and__(self, o):
        return self._bin("AND", o)

    def __or__(self, o):
        return self._bin("OR", o)

    def __invert__(self):
        return E(f"NOT {_w(self, 3)}", 3)

    def __ge__(self, o):  # type: ignore[override]
        return self._bin(">=", o)

    def __gt__(self, o):  # type: ignore[override]
        return self._bin(">", o)

    def __le__(self, o):  # type: ignore[override]
        return self._bin("<=", o)

    def __lt__(self, o):  # type: ignore[override]
        return self._bin("<", o)

    def __eq__(self, o):  # type: ignore[override]
        return self._bin("=", o)

    def __ne__(self, o):  # type: ignore[override]
        return self._bin("<>", o)

    def __add__(self, o):
        return self._bin("+", o)

    def __sub__(self, o):
        return self._bin("-", o)

    def __mul__(self, o):
        return self._bin("*", o)

    def __neg__(self):
        return E(f"(- {_w(self, PRIMARY)})")

    __hash__ = None  # type: ignore[assignment]

    def isNull(self) -> E:  # noqa: N802 - the Column API's names
        return E(f"({_w(self, PRIMARY)} IS NULL)")

    def isNotNull(self) -> E:  # noqa: N802
        return E(f"({_w(self, PRIMARY)} IS NOT NULL)")

    def cast(self, t: str) -> E:
        return E(f"CAST({self.sql} AS {t})")

    def isin(self, values: list[str]) -> E:
        return E(f"({_w(self, PRIMARY)} IN ({', '.join(_str(v) for v in values)}))")

    def field(self, name: str) -> E:
        return E(f"{self.sql}.`{name}`")


def _w(x: E, prec: int) -> str:
    """The text of x as an operand needing at least binding strength ``prec``."""
    return x.sql if x.prec >= prec else f"({x.sql})"


def _str(v: str) -> str:
    return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"


def lit(v: Any, typ: str | None = None) -> E:
    """A literal (None → a typed NULL)."""
    if v is None:
        return E(f"CAST(NULL AS {typ or 'BOOLEAN'})")
    if isinstance(v, bool):
        return E("TRUE" if v else "FALSE")
    if isinstance(v, int):
        return _lit(v)
    if isinstance(v, str):
        return E(_str(v))
    if isinstance(v, date):
        return E(f"DATE'{v.isoformat()}'")
    raise TypeError(v)


def _e(x: Any) -> E:
    return x if isinstance(x, E) else lit(x)


def when(cond: E, value: Any) -> _Case:
    return _Case([(cond, _e(value))])


class _Case:
    def __init__(self, arms: list[tuple[E, E]]):
        self.arms = arms

    def when(self, cond: E, value: Any) -> _Case:
        return _Case([*self.arms, (cond, _e(value))])

    def otherwise(self, value: Any) -> E:
        arms = " ".join(f"WHEN {c.sql} THEN {v.sql}" for c, v in self.arms)
        return E(f"CASE {arms} ELSE {_e(value).sql} END")

    def end(self, typ: str | None = None) -> E:
        """The chain with a typed NULL (or SQL's untyped NULL) for no arm."""
        if typ is not None:
            return self.otherwise(lit(None, typ))
        return E(f"CASE {' '.join(f'WHEN {c.sql} THEN {v.sql}' for c, v in self.arms)} END")


def coalesce(*xs: Any) -> E:
    return E(f"COALESCE({', '.join(_e(x).sql for x in xs)})")


# --------------------------------------------------------------------------------------------
# session


def session(master: str = "local[2]", *, memory: str | None = None, app: str = "srdi-rules"):
    """A SparkSession for the rules (ANSI arithmetic, UTC, quiet logs).

    On a cluster (``spark://…``, ``yarn``) the master and resources come from the cluster's own
    configuration as usual; locally ``memory`` sets the driver heap (default 2g).
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    b = (
        SparkSession.builder.master(master)
        .appName(app)
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.adaptive.enabled", "true")
        # one projection per stage, each compiled to small methods the JIT compiles: fusing
        # them into one whole-stage method makes a method too large for the JIT (measured:
        # ×4 the CPU time; bench/RESULTS-spark.md)
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.parquet.compression.codec", "zstd")
        # the throughput collector (local mode; a cluster keeps its own executor settings): the
        # evaluation is one batch, pauses do not matter (measured:
        # 9 % less CPU than the default G1 at 10,000,000 profiles)
        .config("spark.driver.extraJavaOptions", "-Dlog4j2.level=ERROR -XX:+UseParallelGC")
    )
    if master.startswith("local"):
        b = b.config("spark.driver.memory", memory or "2g")
    s = b.getOrCreate()
    s.sparkContext.setLogLevel("ERROR")
    return s


# --------------------------------------------------------------------------------------------
# exact rationals over Spark columns


@dataclass(slots=True)
class SRat:
    """An exact rational column n / d (d > 0; d a Python int or a column); nb, db bound |n|, d."""

    n: Any
    d: Any
    nb: int = HUGE
    db: int = HUGE


@dataclass(slots=True)
class SSurd:
    rad: SRat
    coef: Fraction
    add: Fraction


WIDE = "DECIMAL(38,0)"


def col(name: str) -> E:
    return E(f"`{name}`")


def _wide(x: E) -> E:
    return x.cast(WIDE)


def _lit(x: int) -> E:
    if abs(x) < LIMIT:
        return E(f"{x}L" if x >= 0 else f"({x}L)")
    return E(f"CAST({x}BD AS {WIDE})")


def _is_col(x: Any) -> bool:
    return not isinstance(x, int)


def _mulb(a, b, bound: int):
    """a * b (ints or columns), as decimal(38,0) when the product's bound could pass bigint."""
    if not _is_col(a) and not _is_col(b):
        return a * b
    if not _is_col(a):
        a, b = b, a
    if not _is_col(b) and b == 1:
        return a
    if bound >= LIMIT:
        a = _wide(a)
        b = _wide(b) if _is_col(b) else _wide(_lit(b))
    elif not _is_col(b):
        b = _lit(b)
    return a * b


def _as_col(x) -> E:
    return x if _is_col(x) else _lit(x)


def s_const(c: Fraction) -> SRat:
    return SRat(_lit(c.numerator), c.denominator, abs(c.numerator), c.denominator)


def s_add(a: SRat, b: SRat, sign: int = 1) -> SRat:
    if not _is_col(a.d) and not _is_col(b.d):
        lcm = a.d * b.d // math.gcd(a.d, b.d)
        fa, fb = lcm // a.d, lcm // b.d
        nb = a.nb * fa + b.nb * fb
        an, bn = _as_col(_mulb(a.n, fa, nb)), _as_col(_mulb(b.n, fb, nb))
        if nb >= LIMIT:
            an, bn = _wide(an), _wide(bn)
        return SRat(an + bn if sign > 0 else an - bn, lcm, nb, lcm)
    nb = a.nb * b.db + b.nb * a.db
    an, bn = _as_col(_mulb(a.n, b.d, nb)), _as_col(_mulb(b.n, a.d, nb))
    if nb >= LIMIT:
        an, bn = _wide(an), _wide(bn)
    db = a.db * b.db
    return SRat(an + bn if sign > 0 else an - bn, _mulb(a.d, b.d, db), nb, db)


def s_mul(a: SRat, b: SRat) -> SRat:
    nb, db = a.nb * b.nb, a.db * b.db
    return SRat(_as_col(_mulb(a.n, b.n, nb)), _mulb(a.d, b.d, db), nb, db)


def s_div(a: SRat, b: SRat) -> SRat:
    """a / b, null where b is 0 or null; the denominator kept positive."""
    nb, db = a.nb * b.db, a.db * b.nb
    num = _as_col(_mulb(a.n, b.d, nb))
    den = b.n
    n = when(den > 0, num).when(den < 0, -num).end()
    absd = when(den < 0, -den).otherwise(den)
    return SRat(n, _as_col(_mulb(a.d, absd, db)), nb, db)


def s_cmp(op: str, a: SRat, b: SRat) -> E:
    bound = max(a.nb * b.db, b.nb * a.db)
    left, right = _as_col(_mulb(a.n, b.d, bound)), _as_col(_mulb(b.n, a.d, bound))
    if bound >= LIMIT:
        left, right = _wide(left), _wide(right)
    return _op(op, left, right)


def _op(op: str, a: E, b: E) -> E:
    return _e(a)._bin("=" if op == "==" else "<>" if op == "!=" else op, b)


def s_floor(a: SRat) -> SRat:
    """floor(n / d) exactly (d > 0): (n - pmod(n, d)) div d, an exact integer division."""
    if not _is_col(a.d) and a.d == 1:
        return a
    n, d = _as_col(a.n), _as_col(a.d)
    if a.nb >= LIMIT or a.db >= LIMIT:
        n, d = _wide(n), _wide(d)
        q = E(f"CAST(({_w(n, 6)} - pmod({n}, {d})) / {_w(d, PRIMARY)} AS {WIDE})")
    else:
        q = E(f"(({_w(n, 6)} - pmod({n}, {d})) div {_w(d, PRIMARY)})")
    return SRat(q, 1, a.nb, 1)


def s_pick(cond: E, a: SRat, b: SRat) -> SRat:
    nb, db = max(a.nb * b.db, b.nb * a.db), a.db * b.db
    an, bn = _as_col(_mulb(a.n, b.d, nb)), _as_col(_mulb(b.n, a.d, nb))
    if nb >= LIMIT:
        an, bn = _wide(an), _wide(bn)
    n = E(f"CASE WHEN {_w(cond, PRIMARY)} IS NULL THEN NULL WHEN {cond} THEN {an} ELSE {bn} END")
    return SRat(n, _mulb(a.d, b.d, db), nb, db)


# --------------------------------------------------------------------------------------------
# compile context: shared subexpressions as staged columns


class Stager:
    """Named temporary columns computed stage after stage (one nested SELECT per stage).

    As in the Polars compiler: a definition used many times is computed once into a column, in
    the stage after the deepest staged column it reads, so independent definitions share a
    stage.
    """

    _REF = re.compile(r"`_t(\d+)`")

    def __init__(self) -> None:
        self.stages: list[dict[str, E]] = []
        self.level: dict[str, int] = {}

    def put(self, column: E) -> E:
        deps = [self.level[f"_t{m}"] for m in self._REF.findall(column.sql)]
        lvl = max(deps) + 1 if deps else 0
        while len(self.stages) <= lvl:
            self.stages.append({})
        name = f"_t{len(self.level)}"
        self.stages[lvl][name] = column
        self.level[name] = lvl
        return col(name)


@dataclass
class SCtx:
    year: int
    as_of: date
    review: bool
    scales: dict[str, int]
    bounds: dict[str, int]
    sectors: list[str] | None = None
    stager: Stager = field(default_factory=Stager)
    memo: dict[Any, Any] = field(default_factory=dict)
    value: Any = None
    elem: dict[str, E] | None = None  # the list element's fields inside a predicate

    def keep(self, key: Any, value: Any) -> Any:
        """Materialise a compiled value as staged columns (shared, not copied)."""
        if self.elem is not None:  # inside a list predicate: the element is not a column
            return value
        if key is not None and key in self.memo:
            return self.memo[key]
        out = self._keep(value)
        if key is not None:
            self.memo[key] = out
        return out

    def _keep(self, value: Any) -> Any:
        if isinstance(value, SRat):
            d = value.d if not _is_col(value.d) else self.stager.put(value.d)
            return SRat(self.stager.put(value.n), d, value.nb, value.db)
        if isinstance(value, SSurd):
            return SSurd(self._keep(value.rad), value.coef, value.add)
        if isinstance(value, E):
            return self.stager.put(value)
        return value


# --------------------------------------------------------------------------------------------
# nodes → columns


@singledispatch
def sp(node: Node, c: SCtx) -> Any:
    raise NotImplementedError(f"Spark: {type(node).__name__}")


@sp.register
def _(node: Const, c: SCtx) -> Any:
    if node.type == "num":
        return s_const(node.value)
    if node.type == "strlist":
        return node.value
    return lit(node.value)


@sp.register
def _(node: TopInput, c: SCtx) -> Any:
    x = col(node.path)
    if node.type == "num":
        if node.decl:
            x = coalesce(x, _lit(0))
        scale = c.scales.get(node.path, 1)
        return SRat(x, scale, c.bounds.get(node.path, HUGE), scale)
    if node.decl and node.default is not None:
        x = coalesce(x, lit(node.default))
    return x


@sp.register
def _(node: YearInput, c: SCtx) -> Any:
    x = col(node.column)
    if node.type == "num":
        if node.decl:
            x = coalesce(x, _lit(0))
        scale = c.scales.get(node.column, 1)
        return SRat(x, scale, c.bounds.get(node.column, HUGE), scale)
    return x


@sp.register
def _(node: NicheYears, c: SCtx) -> Any:
    # (Y - 1) - year(d - 1 day), as the Polars compiler (null stays null)
    yrs = E(f"({c.year - 1}L - CAST(year(date_sub(`niche_since`, 1)) AS BIGINT))")
    return c.keep("niche_years", SRat(yrs, 1, 10**4, 1))


@sp.register
def _(node: Review, c: SCtx) -> Any:
    return lit(c.review)


@sp.register
def _(node: ValueRef, c: SCtx) -> Any:
    return c.value


@sp.register
def _(node: ElemField, c: SCtx) -> Any:
    assert c.elem is not None
    e = c.elem[node.field]
    if node.type == "num":
        return SRat(e.cast("BIGINT"), 1, 10**7, 1)
    return e


@sp.register
def _(node: Define, c: SCtx) -> Any:
    if c.elem is not None:
        return sp(node.node, c)
    if id(node) in c.memo:
        return c.memo[id(node)]
    return c.keep(id(node), sp(node.node, c))


@sp.register
def _(node: BoolOp, c: SCtx) -> Any:
    xs = [sp(i, c) for i in node.items]
    out = xs[0]
    for e in xs[1:]:
        out = (out & e) if node.op == "and" else (out | e)
    return out


@sp.register
def _(node: Not, c: SCtx) -> Any:
    return ~sp(node.x, c)


@sp.register
def _(node: Cmp, c: SCtx) -> Any:
    a, b = sp(node.left, c), sp(node.right, c)
    if isinstance(a, SSurd) or isinstance(b, SSurd):
        op = node.op
        if isinstance(b, SSurd):
            a, b, op = b, a, _FLIP[op]
        return _surd_cmp(op, a, node.right.value)  # type: ignore[attr-defined]
    if isinstance(a, SRat):
        return s_cmp(node.op, a, b)
    return _op(node.op, a, b)


def _surd_cmp(op: str, s: SSurd, cval: Fraction) -> E:
    t = (cval - s.add) / s.coef
    if s.coef < 0:
        op = _FLIP[op]
    res = lit(op in (">=", ">", "!=")) if t < 0 else s_cmp(op, s.rad, s_const(t * t))
    n = s.rad.n
    return when(n.isNull() | (n < _lit(0)), lit(None)).otherwise(res)


@sp.register
def _(node: InList, c: SCtx) -> Any:
    e = sp(node.x, c)
    r = e.isin(node.values)
    if node.negate:
        r = ~r
    return when(e.isNull(), lit(None)).otherwise(r)


@sp.register
def _(node: Arith, c: SCtx) -> Any:
    a, b = sp(node.left, c), sp(node.right, c)
    if isinstance(a, SSurd) or isinstance(b, SSurd):
        s = a if isinstance(a, SSurd) else b
        k = (node.right if s is a else node.left).value  # type: ignore[attr-defined]
        if node.op == "+":
            return SSurd(s.rad, s.coef, s.add + k)
        if node.op == "-":
            return SSurd(s.rad, s.coef, s.add - k) if s is a else SSurd(s.rad, -s.coef, k - s.add)
        if node.op == "*":
            return SSurd(s.rad, s.coef * k, s.add * k)
        return SSurd(s.rad, s.coef / k, s.add / k)
    if node.op == "+":
        return s_add(a, b)
    if node.op == "-":
        return s_add(a, b, -1)
    if node.op == "*":
        return s_mul(a, b)
    q = s_div(a, b)
    return s_floor(q) if node.op == "//" else q


@sp.register
def _(node: Neg, c: SCtx) -> Any:
    v = sp(node.x, c)
    return SRat(-v.n, v.d, v.nb, v.db)


@sp.register
def _(node: Func, c: SCtx) -> Any:
    n = node.name
    if n == "is_set":
        return sp(node.args[0], c).isNotNull()
    if n == "count":
        es = [sp(a, c) for a in node.args]
        total = es[0].cast("BIGINT")
        for e in es[1:]:
            total = total + e.cast("BIGINT")
        return SRat(total, 1, len(es), 1)
    args = [sp(a, c) for a in node.args]
    if n in ("ratio", "pct", "pct_change"):
        r = s_div(args[0], args[1])
        if n == "ratio":
            return r
        if n == "pct":
            return s_mul(r, s_const(Fraction(100)))
        return s_mul(s_add(r, s_const(Fraction(1)), -1), s_const(Fraction(100)))
    if n in ("mean", "sum"):
        acc = args[0]
        for a in args[1:]:
            acc = s_add(acc, a)
        if n == "mean":
            k = len(args)
            acc = SRat(acc.n, _mulb(acc.d, k, acc.db * k), acc.nb, acc.db * k)
        return acc
    if n in ("min", "max"):
        # each operand is read three times by a pick: staged, as in the Polars compiler
        acc = c.keep(None, args[0])
        for a in args[1:]:
            a = c.keep(None, a)
            cond = s_cmp("<=" if n == "min" else ">=", acc, a)
            acc = c.keep(None, s_pick(cond, acc, a))
        return acc
    if n == "sqrt":
        return SSurd(args[0], Fraction(1), Fraction(0))
    raise AssertionError(n)


@sp.register
def _(node: Manual, c: SCtx) -> Any:
    return lit(None)


@sp.register
def _(node: AnyList, c: SCtx) -> Any:
    from .profile import LIST_FIELDS

    el = E("el")
    if node.mode == "recent":
        y = el.field("year")
        cond = (y >= _lit(c.year - node.years)) & (y <= _lit(c.year - 1))
    else:
        g, u, d = el.field("granted"), el.field("valid_until"), lit(c.as_of)
        cond = (g.isNull() | (g <= d)) & (u.isNull() | (u >= d))
    if node.pred is not None:
        saved, c.elem = c.elem, {f: el.field(f) for f in LIST_FIELDS[node.list_name]}
        try:
            cond = cond & sp(node.pred, c)
        finally:
            c.elem = saved
    pred = coalesce(cond, lit(False))
    return coalesce(E(f"exists({col(node.list_name)}, el -> {pred})"), lit(False))


# --------------------------------------------------------------------------------------------
# the engine's logic (mirrors columnar.compile_standard)


def _outcome(v: E) -> E:
    return (
        when(v.isNull(), lit("undetermined")).when(v, lit("eligible")).otherwise(lit("ineligible"))
    )


def _and(xs: list) -> E:
    out = xs[0]
    for e in xs[1:]:
        out = out & e
    return out


def _or(xs: list) -> E:
    out = xs[0]
    for e in xs[1:]:
        out = out | e
    return out


def _sector_expr(size_std: Standard) -> E:
    """划型行业: declared, else from the code's leading digits (longest range match wins)."""
    declared = col("size_sector")
    digits = E("regexp_replace(`industry_code`, '[^0-9]', '')")
    derived = None
    for lo, hi, sector in sorted(size_std.sector_map, key=lambda x: -len(x[0])):
        n = len(lo)
        head = E(f"substring({digits}, 1, {n})")
        cond = (E(f"length({digits})") >= E(str(n))) & (head >= lit(lo)) & (head <= lit(hi))
        derived = when(cond, lit(sector)) if derived is None else derived.when(cond, lit(sector))
    out = derived.end("STRING") if derived is not None else lit(None, "STRING")
    known = list(size_std.sectors)
    return when(declared.isNotNull(), when(declared.isin(known), declared).end("STRING")).otherwise(
        out
    )


def _size_exprs(size_std: Standard, c: SCtx):
    key = ("size", size_std.version)
    if key in c.memo:
        return c.memo[key]
    sector = col(SECTOR)
    present = c.sectors if c.sectors is not None else list(size_std.sectors)
    parts: dict[str, Any] = {}
    for part in ("sme", "medium", "small"):
        chain = None
        for sid, s in size_std.sectors.items():
            if sid not in present:
                continue
            e = c.keep(None, sp(getattr(s, part), c))
            cond = sector == lit(sid)
            chain = when(cond, e) if chain is None else chain.when(cond, e)
        parts[part] = c.keep(None, chain.end("BOOLEAN") if chain is not None else lit(None))
    sme, medium, small = parts["sme"], parts["medium"], parts["small"]
    none = lit(None, "STRING")
    cls = (
        when(sme.isNull(), none)
        .when(~sme, lit("large"))
        .when(medium.isNull(), none)
        .when(medium, lit("medium"))
        .when(small.isNull(), none)
        .when(small, lit("small"))
        .otherwise(lit("micro"))
    )
    c.memo[key] = (sme, c.keep(None, cls))
    return c.memo[key]


def _as_float(r: SRat) -> E:
    d = r.d if _is_col(r.d) else _lit(r.d)
    return E(f"(CAST({r.n} AS DOUBLE) / CAST({d} AS DOUBLE))")


def _lcm(a: int, b: int) -> int:
    return a * b // math.gcd(a, b)


def _indicator_bounds(ind, c: SCtx) -> tuple[SRat, SRat]:
    c.value = c.keep(None, sp(ind.measures[0].rule, c)) if ind.measures else None
    if ind.points_rule is not None:
        v = sp(ind.points_rule, c)
        c.value = None
        # unknown points: the bounds min / max, on a common denominator d·m
        m = _lcm(ind.min.denominator, ind.max.denominator)
        d = v.d if _is_col(v.d) else _lit(v.d)
        known = v.n * _lit(m)

        def bound(k: Fraction) -> E:
            return d * _lit(k.numerator * (m // k.denominator))

        lo_n = when(v.n.isNull(), bound(ind.min)).otherwise(known)
        hi_n = when(v.n.isNull(), bound(ind.max)).otherwise(known)
        den = v.d * m if not _is_col(v.d) else d * _lit(m)
        nb = int(max(v.nb * m, v.db * m * max(abs(ind.min), abs(ind.max)))) + 1
        return SRat(lo_n, den, nb, v.db * m), SRat(hi_n, den, nb, v.db * m)
    conds = [c.keep(None, sp(b.cond, c)) if b.cond is not None else lit(True) for b in ind.bands]
    c.value = None
    # a band is possible when its condition is not surely false and no earlier band is surely
    # true; the bounds are the least and the greatest points of the possible bands
    possible: list[tuple[int, E]] = []
    prior_true = None
    for b, cond in zip(ind.bands, conds, strict=True):
        if b.points.denominator != 1:
            raise ValueError(f"{ind.id}: 分档分值须为整数")
        poss = coalesce(cond, lit(True))
        if prior_true is not None:
            poss = poss & ~prior_true
        possible.append((int(b.points), c.keep(None, poss)))
        t = coalesce(cond, lit(False))
        prior_true = t if prior_true is None else (prior_true | t)
    top = max(abs(p) for p, _ in possible)

    def chain(order: list[tuple[int, E]]) -> E:
        pts, poss = order[0]
        out = when(poss, _lit(pts))
        for pts, poss in order[1:]:
            out = out.when(poss, _lit(pts))
        return out.end("BIGINT")

    asc = sorted(possible, key=lambda x: x[0])
    return SRat(chain(asc), 1, top, 1), SRat(chain(asc[::-1]), 1, top, 1)


def compile_standard(std: Standard, c: SCtx, size_std: Standard | None) -> dict[str, E]:
    """Output columns for one standard: outcome, score, size_class, route, dimensions."""
    p = std.id + ":"
    out: dict[str, E] = {}
    if std.kind == "size":
        sme, cls = _size_exprs(std, c)
        out[p + "outcome"] = _outcome(sme)
        out[p + "size_class"] = cls
        return out
    parts: list[E] = []
    if std.basic:
        assert size_std is not None
        sme, _cls = _size_exprs(size_std, c)
        clean = ~_or([coalesce(col(f), lit(False)) for f in COMPLIANCE_FLAGS])
        parts += [sme, clean]
    direct: list[E] = []
    for cond in std.conditions:
        if cond.role == "required":
            parts.append(c.keep(None, sp(cond.rule, c)))
        elif cond.role == "direct":
            direct.append(c.keep(None, sp(cond.rule, c)))
    pass_ok = None
    if std.scored:
        bounds = {i.id: _indicator_bounds(i, c) for i in std.indicators}
        lo_dim: dict[str, SRat] = {}
        hi_dim: dict[str, SRat] = {}
        for ind in std.indicators:
            lo, hi = (c.keep(None, x) for x in bounds[ind.id])
            d = ind.dimension
            lo_dim[d] = lo if d not in lo_dim else s_add(lo_dim[d], lo)
            hi_dim[d] = hi if d not in hi_dim else s_add(hi_dim[d], hi)
        names = [d.name for d in std.dimensions]
        lo_dim = {n: c.keep(None, v) for n, v in lo_dim.items()}
        hi_dim = {n: c.keep(None, v) for n, v in hi_dim.items()}
        lo_t, hi_t = lo_dim[names[0]], hi_dim[names[0]]
        for n in names[1:]:
            lo_t, hi_t = s_add(lo_t, lo_dim[n]), s_add(hi_t, hi_dim[n])
        lo_t, hi_t = c.keep(None, lo_t), c.keep(None, hi_t)
        ps = s_const(std.pass_score)  # type: ignore[arg-type]
        sure = [s_cmp(">=", lo_t, ps)]
        fails = [s_cmp("<", hi_t, ps)]
        for d in std.dimensions:
            if d.min is not None:
                sure.append(s_cmp(">=", lo_dim[d.name], s_const(d.min)))
                fails.append(s_cmp("<", hi_dim[d.name], s_const(d.min)))
        pass_ok = c.keep(
            None, when(_and(sure), lit(True)).when(_or(fails), lit(False)).end("BOOLEAN")
        )
        parts.append(_or([pass_ok, *direct]))
        out[p + "score"] = _as_float(lo_t)
        for n in names:
            out[p + "dim:" + n] = _as_float(lo_dim[n])
    verdict = c.keep(None, _and(parts))
    out[p + "outcome"] = _outcome(verdict)
    if pass_ok is not None:
        v, ok = coalesce(verdict, lit(False)), coalesce(pass_ok, lit(False))
        out[p + "route"] = when(v & ok, lit("score")).when(v, lit("direct")).end("STRING")
    return out


# --------------------------------------------------------------------------------------------
# evaluate


def _bounds(df) -> dict[str, int]:
    """Max |value| per integer column, in one pass (when the frame's meta file has none)."""
    cols = [n for n, t in df.dtypes if t in ("bigint", "int") and n != ROW]
    if not cols:
        return {}
    row = df.selectExpr(*[f"max(abs({col(n)})) AS {col(n)}" for n in cols]).first()
    return {n: int(row[n] or 0) for n in cols}


_VIEWS = iter(range(10**9))
_CHEAP = re.compile(r"^\(?(`[^`]+`|-?\d+L|TRUE|FALSE)\)?$")


def _restage(
    stager: Stager, outputs: dict[str, str]
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The staged columns with every column read only once (or a bare column or literal) put
    back into the one expression that reads it, then regrouped into stages.

    Each stage is a projection that copies every column still needed above it into a new row:
    a column read once saves nothing by being staged and costs a copy per row per stage, so
    only the shared subexpressions (read twice or more) stay columns. Inlining substitutes the
    expression text for its name; no expression is duplicated.
    """
    ref = Stager._REF
    defs = {name: stager.stages[lvl][name].sql for name, lvl in stager.level.items()}
    uses: dict[str, int] = dict.fromkeys(defs, 0)
    for text in [*defs.values(), *outputs.values()]:
        for m in ref.findall(text):
            uses[f"_t{m}"] += 1
    inline = {n for n, k in uses.items() if k <= 1 or _CHEAP.match(defs[n])}
    done: dict[str, str] = {}

    def expand(name: str) -> str:
        if name not in done:
            done[name] = ref.sub(sub, defs[name])
        return done[name]

    def sub(m: re.Match) -> str:
        name = f"_t{m.group(1)}"
        return f"({expand(name)})" if name in inline else m.group(0)

    kept = [n for n in sorted(defs, key=lambda n: int(n[2:])) if n not in inline and uses[n]]
    level: dict[str, int] = {}
    stages: list[dict[str, str]] = []
    for name in kept:  # a definition only reads earlier ones
        text = expand(name)
        deps = [level[f"_t{m}"] for m in ref.findall(text)]
        lvl = max(deps) + 1 if deps else 0
        level[name] = lvl
        while len(stages) <= lvl:
            stages.append({})
        stages[lvl][name] = text
    return stages, {k: ref.sub(sub, v) for k, v in outputs.items()}


def compile_sql(
    view: str,
    columns: list[str],
    meta: FrameMeta,
    bounds: dict[str, int],
    stds: list[Standard],
    as_of: date,
    review: bool,
    size_std: Standard | None,
) -> str:
    """The evaluation of ``stds`` over the frame in ``view`` as one Spark SQL query."""
    c = SCtx(as_of.year, as_of, review, meta.scales, bounds)
    exprs: dict[str, E] = {}
    for std in stds:
        exprs.update(compile_standard(std, c, size_std))
    row = col(ROW) if ROW in columns else E("monotonically_increasing_id()")
    q = f"SELECT *, {row} AS `_row_` FROM {view}"
    if size_std is not None and any(s.kind == "size" or s.basic for s in stds):
        sector = _sector_expr(size_std) if "industry_code" in columns else lit(None, "STRING")
        q = f"SELECT *, {sector} AS {col(SECTOR)} FROM ({q}) s"
    stages, outs_sql = _restage(c.stager, {k: v.sql for k, v in exprs.items()})
    for i, stage in enumerate(stages):
        items = ", ".join(f"{v} AS {col(k)}" for k, v in stage.items())
        q = f"SELECT *, {items} FROM ({q}) s{i}"
    keep = ["`_row_` AS `_row`", "`uscc`"] + (["`name`"] if "name" in columns else [])
    outs = [f"{v} AS {col(k)}" for k, v in outs_sql.items()]
    return f"SELECT {', '.join(keep + outs)} FROM ({q}) fin"


def evaluate_df(
    spark_df,
    meta: FrameMeta,
    stds: list[Standard],
    as_of: date,
    review: bool,
    size_std: Standard | None,
):
    """The result DataFrame: ``_row``, ``uscc`` (``name``) and per standard ``<id>:outcome`` /
    ``score`` / ``size_class`` / ``route`` / ``dim:<name>`` (the Polars engine's columns)."""
    if as_of.year != meta.year:
        raise ValueError(
            f"评估数据框按 {meta.year} 年构建，评估日期应在 {meta.year} 年内（实为 {as_of}）"
        )
    bounds = meta.bounds if meta.bounds is not None else _bounds(spark_df)
    view = f"srdi_frame_{next(_VIEWS)}"
    spark_df.createOrReplaceTempView(view)
    sql = compile_sql(view, spark_df.columns, meta, bounds, stds, as_of, review, size_std)
    return spark_df.sparkSession.sql(sql)


def long_results(res, stds: list[Standard]):
    """One row per enterprise × standard: uscc, standard, version, outcome, score, size_class,
    route (one pass: an array of structs, inlined)."""
    has = set(res.columns)
    items = []
    for std in stds:
        p = std.id + ":"

        def pick(name: str, typ: str, p: str = p) -> str:
            return col(p + name).sql if p + name in has else f"CAST(NULL AS {typ})"

        items.append(
            "named_struct("
            f"'standard', {_str(std.id)}, 'version', {_str(std.version)}, "
            f"'outcome', {pick('outcome', 'STRING')}, 'score', {pick('score', 'DOUBLE')}, "
            f"'size_class', {pick('size_class', 'STRING')}, 'route', {pick('route', 'STRING')})"
        )
    return res.selectExpr("`_row`", "`uscc`", f"inline(array({', '.join(items)}))")


def evaluate_parquet(spark, path: Path | str, stds, as_of: date, review: bool):
    from .catalog import load_standard

    path = Path(path)
    meta = FrameMeta.read(path)
    # at least four read tasks per core: a frame of a few large parts otherwise gives fewer
    # tasks than twice the cores, and the last wave runs on one core while the others wait
    cores = spark.sparkContext.defaultParallelism
    spark.conf.set("spark.sql.files.minPartitionNum", str(4 * cores))
    df = spark.read.parquet(str(path))
    return evaluate_df(df, meta, stds, as_of, review, load_standard("sme-size@2011"))


def collect(spark_res, workdir: Path | str | None = None):
    """The result DataFrame as a Polars frame in frame order: written as Parquet by Spark (as a
    cluster would), read back by Polars, sorted by the frame's row number."""
    import polars as pl

    tmp = Path(tempfile.mkdtemp(prefix="srdi-spark-res-", dir=workdir))
    try:
        target = tmp / "res"
        spark_res.write.mode("overwrite").parquet(str(target))
        files = sorted(target.glob("*.parquet"))
        if not files:
            return pl.DataFrame()
        return pl.concat([pl.read_parquet(f) for f in files]).sort(ROW)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def collect_rows(spark_res, stds: list[Standard], workdir: Path | str | None = None) -> list[dict]:
    """The contract's summary rows, exactly as the Polars engine gives them."""
    res = collect(spark_res, workdir)
    return finish_rows(res, stds) if res.height else []
