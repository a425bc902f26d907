"""The rule expression language: a small, safe, typed subset of Python expression syntax.

A rule is parsed with :func:`ast.parse` and then rebuilt, node by node, from a strict whitelist
into this module's own tree (nothing is ever ``eval``-ed). Every node has a static type
(``num``, ``bool``, ``str``, ``surd``) checked when the rule file loads; a bad rule raises
:class:`RuleError` naming the file, line and reason.

One tree, two evaluators:

* :meth:`Node.ev` — scalar, exact (``Fraction``), three-valued (``None`` = unknown, Kleene
  AND/OR), recording every absent measurement it needed and every input it read;
* :meth:`Node.pl` — columnar, a Polars expression. Numbers are carried as exact rationals
  (an Int128 numerator expression over a positive denominator), comparisons are
  cross-multiplied integers, never float ratios. Polars' null logic is Kleene, as ours is.

Vocabulary (see docs in ``standards/README.md``):

* inputs: ``y1.revenue`` (figure of year Y-1; ``y0`` … ``y5``), ``ip.class1``, ``market.share_pct``,
  ``quality.iso9001``, ``rd_institution`` … (profile.py lists them), ``niche_years``, ``review``;
* functions: ``ratio(a, b)``, ``pct(a, b)``, ``pct_change(new, old)``, ``mean(…)``, ``sum(…)``,
  ``min(…)``, ``max(…)``, ``count(bool…)``, ``sqrt(x)``, ``is_set(decl)``,
  ``any_recent(list, n, predicate)`` (years Y-n … Y-1), ``any_valid(list, predicate)``
  (granted ≤ as_of ≤ valid_until), ``manual("…")`` (a fact only a reviewer can check: unknown);
* operators: ``and or not``, ``< <= > >= == !=``, ``in [..]``, ``+ - * / //``.
"""

from __future__ import annotations

import ast
import math
import operator
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

import polars as pl

from .profile import LIST_FIELDS, TOP_FIELDS, YEAR_FIELDS, Profile, year_path

MAX_YEAR_OFFSET = 9
I128 = pl.Int128


class RuleError(Exception):
    """A rule file that cannot be used: file, line and reason."""

    def __init__(self, file: str, line: int | None, reason: str):
        self.file, self.line, self.reason = file, line, reason
        super().__init__(f"{file}:{line if line is not None else '?'}: {reason}")


# --------------------------------------------------------------------------------------------
# scalar values


@dataclass(frozen=True, slots=True)
class Surd:
    """coef * sqrt(rad) + add, kept exact for comparisons."""

    rad: Fraction
    coef: Fraction = Fraction(1)
    add: Fraction = Fraction(0)

    def __float__(self) -> float:
        return float(self.coef) * math.sqrt(float(self.rad)) + float(self.add)


# One table of comparison operators for both evaluators: Fractions (scalar) and Polars
# expressions (columnar) implement the same rich comparisons.
_COMPARE = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}


def _cmp_frac(op: str, a: Fraction, b: Fraction) -> bool:
    return _COMPARE[op](a, b)


_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}


def _cmp_surd(op: str, s: Surd, c: Fraction) -> bool:
    """coef*sqrt(rad)+add  op  c, exactly."""
    t = (c - s.add) / s.coef
    if s.coef < 0:
        op = _FLIP[op]
    # sqrt(rad) op t
    if t < 0:
        return op in (">=", ">", "!=")
    return _cmp_frac(op, s.rad, t * t)


# --------------------------------------------------------------------------------------------
# evaluation contexts


@dataclass(slots=True)
class Ctx:
    """Scalar evaluation context."""

    profile: Profile
    year: int  # assessment year Y
    as_of: date
    review: bool
    missing: dict[str, None] = field(default_factory=dict)
    inputs: dict[str, Any] | None = None  # path -> value read (for the trace)
    value: Any = None  # the indicator value inside band rules
    elem: dict | None = None  # list element inside predicates

    def read(self, path: str, value: Any, decl: bool) -> Any:
        if value is None and not decl:
            self.missing[path] = None
        if self.inputs is not None:
            self.inputs[path] = value
        return value


@dataclass(slots=True)
class PCtx:
    """Columnar compile context: the batch's constants and the frame's number scales."""

    year: int
    as_of: date
    review: bool
    scales: dict[str, int]
    bounds: dict[str, int] = field(default_factory=dict)  # column -> max |scaled value|
    value: Any = None  # compiled indicator value (PRat / expr) inside band rules
    in_elem: str | None = None  # list name inside predicates
    stager: Stager | None = None
    memo: dict[int | str, Any] = field(default_factory=dict)
    sectors: list[str] | None = None  # 划型 sectors present in the frame (None = all)

    def keep(self, key: int | str | None, value: Any) -> Any:
        """Materialise a compiled value as staged columns (shared, not copied)."""
        if self.stager is None:
            return value
        if key is not None and key in self.memo:
            return self.memo[key]
        out = self.stager.keep(value)
        if key is not None:
            self.memo[key] = out
        return out


class Stager:
    """Temporary columns computed in dependency stages (``with_columns`` one after another).

    Polars expressions are trees: a subexpression used twice is copied twice. Named definitions
    are used many times (and nest), so they are computed once into a column instead.
    """

    def __init__(self) -> None:
        self.stages: list[dict[str, pl.Expr]] = []
        self.level: dict[str, int] = {}

    def put(self, expr: pl.Expr) -> pl.Expr:
        deps = [self.level[n] for n in expr.meta.root_names() if n in self.level]
        lvl = max(deps) + 1 if deps else 0
        while len(self.stages) <= lvl:
            self.stages.append({})
        name = f"_t{len(self.level)}"
        self.stages[lvl][name] = expr
        self.level[name] = lvl
        return pl.col(name)

    def keep(self, value: Any) -> Any:
        if isinstance(value, PRat):
            d = value.d if isinstance(value.d, int) else self.put(value.d)
            return PRat(self.put(value.n), d, value.nb, value.db)
        if isinstance(value, PSurd):
            return PSurd(self.keep(value.rad), value.coef, value.add)
        if isinstance(value, pl.Expr):
            return self.put(value)
        return value


# Bound analysis: each PRat carries upper bounds on |n| and d (from the frame's column maxima),
# so that integer columns stay Int64 and only products that could overflow widen to Int128.
LIMIT = 2**62
HUGE = 2**120


@dataclass(slots=True)
class PRat:
    """An exact rational column: n / d with d > 0 (d a Python int or an integer expression).

    ``nb`` bounds |n| and ``db`` bounds d over every row; they decide Int64 vs Int128.
    """

    n: pl.Expr
    d: pl.Expr | int
    nb: int = HUGE
    db: int = HUGE


def _lit(x: int) -> pl.Expr:
    return pl.lit(x, dtype=pl.Int64 if abs(x) < LIMIT else I128)


def _mulb(a: pl.Expr | int, b: pl.Expr | int, bound: int) -> pl.Expr | int:
    """a * b, widened to Int128 first when the product's bound could overflow Int64."""
    if isinstance(a, int) and isinstance(b, int):
        return a * b
    if isinstance(a, int):
        a, b = b, a
    # a is an expression now
    if isinstance(b, int) and b == 1:
        return a
    if bound >= LIMIT:
        a = a.cast(I128)
        b = b.cast(I128) if isinstance(b, pl.Expr) else pl.lit(b, dtype=I128)
    elif isinstance(b, int):
        b = _lit(b)
    return a * b


def _mul(a: pl.Expr | int, b: pl.Expr | int) -> pl.Expr | int:
    return _mulb(a, b, HUGE)


def _as_expr(x: pl.Expr | int) -> pl.Expr:
    return x if isinstance(x, pl.Expr) else _lit(x)


def prat_const(c: Fraction) -> PRat:
    return PRat(_lit(c.numerator), c.denominator, abs(c.numerator), c.denominator)


def prat_add(a: PRat, b: PRat, sign: int = 1) -> PRat:
    if isinstance(a.d, int) and isinstance(b.d, int):
        lcm = a.d * b.d // math.gcd(a.d, b.d)
        fa, fb = lcm // a.d, lcm // b.d
        nb = a.nb * fa + b.nb * fb
        an = _as_expr(_mulb(a.n, fa, nb))
        bn = _as_expr(_mulb(b.n, fb, nb))
        if nb >= LIMIT:
            an, bn = an.cast(I128), bn.cast(I128)
        return PRat(an + bn if sign > 0 else an - bn, lcm, nb, lcm)
    nb = a.nb * b.db + b.nb * a.db
    an = _as_expr(_mulb(a.n, b.d, nb))
    bn = _as_expr(_mulb(b.n, a.d, nb))
    if nb >= LIMIT:
        an, bn = an.cast(I128), bn.cast(I128)
    db = a.db * b.db
    return PRat(an + bn if sign > 0 else an - bn, _mulb(a.d, b.d, db), nb, db)


def prat_mul(a: PRat, b: PRat) -> PRat:
    nb, db = a.nb * b.nb, a.db * b.db
    return PRat(_as_expr(_mulb(a.n, b.n, nb)), _mulb(a.d, b.d, db), nb, db)


def prat_div(a: PRat, b: PRat) -> PRat:
    """a / b, null where b is 0 or null; keeps the denominator positive."""
    nb, db = a.nb * b.db, a.db * b.nb
    num = _as_expr(_mulb(a.n, b.d, nb))
    den_sign = b.n
    n = pl.when(den_sign > 0).then(num).when(den_sign < 0).then(_neg(num)).otherwise(None)
    absd = pl.when(den_sign < 0).then(_neg(den_sign)).otherwise(den_sign)
    return PRat(n, _as_expr(_mulb(a.d, absd, db)), nb, db)


def _neg(x: pl.Expr) -> pl.Expr:
    """-x (Polars has no unary minus for Int128)."""
    return pl.lit(0, dtype=pl.Int64) - x


def prat_cmp(op: str, a: PRat, b: PRat) -> pl.Expr:
    bound = max(a.nb * b.db, b.nb * a.db)
    left = _as_expr(_mulb(a.n, b.d, bound))
    right = _as_expr(_mulb(b.n, a.d, bound))
    if bound >= LIMIT:
        left, right = left.cast(I128), right.cast(I128)
    return _pl_op(op, left, right)


def _pl_op(op: str, left: pl.Expr, right: pl.Expr) -> pl.Expr:
    return _COMPARE[op](left, right)


def prat_floor(a: PRat) -> PRat:
    if isinstance(a.d, int) and a.d == 1:
        return a
    return PRat(_as_expr(a.n).floordiv(_as_expr(a.d)), 1, a.nb, 1)


def prat_pick(cond: pl.Expr, a: PRat, b: PRat) -> PRat:
    """cond ? a : b (null when cond is null)."""
    nb, db = max(a.nb * b.db, b.nb * a.db), a.db * b.db
    an, bn = _as_expr(_mulb(a.n, b.d, nb)), _as_expr(_mulb(b.n, a.d, nb))
    if nb >= LIMIT:
        an, bn = an.cast(I128), bn.cast(I128)
    n = pl.when(cond.is_null()).then(None).when(cond).then(an).otherwise(bn)
    return PRat(n, _mulb(a.d, b.d, db), nb, db)


@dataclass(slots=True)
class PSurd:
    rad: PRat
    coef: Fraction
    add: Fraction


# --------------------------------------------------------------------------------------------
# nodes


class Node(ABC):
    type: str = "num"
    line: int = 0
    src: str = ""

    @abstractmethod
    def ev(self, ctx: Ctx) -> Any:
        """Scalar value (three-valued: None = unknown)."""

    @abstractmethod
    def pl(self, c: PCtx) -> Any:
        """Columnar value (PRat, PSurd or a Polars expression)."""

    def children(self) -> list[Node]:
        return []

    def walk(self):
        yield self
        for ch in self.children():
            yield from ch.walk()


class Const(Node):
    def __init__(self, value: Any, type_: str):
        self.value, self.type = value, type_

    def ev(self, ctx: Ctx) -> Any:
        return self.value

    def pl(self, c: PCtx) -> Any:
        if self.type == "num":
            return prat_const(self.value)
        if self.type == "strlist":
            return self.value
        return pl.lit(self.value)


class TopInput(Node):
    def __init__(self, path: str):
        self.path = path
        kind, self.decl, self.default = TOP_FIELDS[path]
        self.type = kind

    def ev(self, ctx: Ctx) -> Any:
        return ctx.read(self.path, ctx.profile.get_top(self.path), self.decl)

    def pl(self, c: PCtx) -> Any:
        col = pl.col(self.path)
        if self.type == "num":
            if self.decl:
                col = col.fill_null(0)
            scale = c.scales.get(self.path, 1)
            return PRat(col, scale, c.bounds.get(self.path, HUGE), scale)
        if self.decl and self.default is not None:
            col = col.fill_null(pl.lit(self.default))
        return col


class YearInput(Node):
    def __init__(self, k: int, fieldname: str):
        self.k, self.field = k, fieldname
        kind, self.decl, self.default = YEAR_FIELDS[fieldname]
        self.type = kind

    @property
    def column(self) -> str:
        return f"y{self.k}.{self.field}"

    def ev(self, ctx: Ctx) -> Any:
        y = ctx.year - self.k
        return ctx.read(year_path(y, self.field), ctx.profile.get_year(y, self.field), self.decl)

    def pl(self, c: PCtx) -> Any:
        col = pl.col(self.column)
        if self.type == "num":
            if self.decl:
                col = col.fill_null(0)
            scale = c.scales.get(self.column, 1)
            return PRat(col, scale, c.bounds.get(self.column, HUGE), scale)
        return col


class NicheYears(Node):
    """Whole years from niche_since to 1 January of Y (interpretation rule 2)."""

    type = "num"

    def ev(self, ctx: Ctx) -> Any:
        d = ctx.read("niche_since", ctx.profile.get_top("niche_since"), False)
        if d is None:
            return None
        return Fraction(niche_years(d, ctx.year))

    def pl(self, c: PCtx) -> Any:
        # Y - year(d) - (0 if d is 1 January else 1) == (Y - 1) - year(d - 1 day): one calendar
        # extraction instead of three (null stays null).
        d = pl.col("niche_since")
        day_before = (d.cast(pl.Int32) - 1).cast(pl.Date)
        yrs = pl.lit(c.year - 1, dtype=pl.Int64) - day_before.dt.year().cast(pl.Int64)
        return c.keep("niche_years", PRat(yrs, 1, 10**4, 1))


def niche_years(since: date, year: int) -> int:
    return year - since.year - (0 if (since.month, since.day) == (1, 1) else 1)


class Review(Node):
    type = "bool"

    def ev(self, ctx: Ctx) -> Any:
        return ctx.review

    def pl(self, c: PCtx) -> Any:
        return pl.lit(c.review)


class ValueRef(Node):
    """``value`` inside a band rule: the indicator's value."""

    def __init__(self, type_: str):
        self.type = type_

    def ev(self, ctx: Ctx) -> Any:
        return ctx.value

    def pl(self, c: PCtx) -> Any:
        return c.value


class ElemField(Node):
    def __init__(self, list_name: str, fieldname: str):
        self.list_name, self.field = list_name, fieldname
        self.type = LIST_FIELDS[list_name][fieldname]

    def ev(self, ctx: Ctx) -> Any:
        return ctx.elem.get(self.field) if ctx.elem is not None else None

    def pl(self, c: PCtx) -> Any:
        e = pl.element().struct.field(self.field)
        if self.type == "num":
            return PRat(e.cast(pl.Int64), 1, 10**7, 1)
        return e


class Define(Node):
    """A reference to a named definition (kept by name for the trace and the gaps)."""

    def __init__(self, name: str, node: Node, label: str | None):
        self.name, self.node, self.label = name, node, label
        self.type = node.type

    def children(self) -> list[Node]:
        return [self.node]

    def ev(self, ctx: Ctx) -> Any:
        return self.node.ev(ctx)

    def pl(self, c: PCtx) -> Any:
        if c.stager is not None and id(self) in c.memo:
            return c.memo[id(self)]
        return c.keep(id(self), self.node.pl(c))


def kleene_and(values: list[Any]) -> bool | None:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def kleene_or(values: list[Any]) -> bool | None:
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


class BoolOp(Node):
    type = "bool"

    def __init__(self, op: str, items: list[Node]):
        self.op, self.items = op, items

    def children(self) -> list[Node]:
        return self.items

    def ev(self, ctx: Ctx) -> Any:
        vals = [i.ev(ctx) for i in self.items]  # no short-circuit: collect every missing input
        return kleene_and(vals) if self.op == "and" else kleene_or(vals)

    def pl(self, c: PCtx) -> Any:
        exprs = [i.pl(c) for i in self.items]
        out = exprs[0]
        for e in exprs[1:]:
            out = (out & e) if self.op == "and" else (out | e)
        return out


class Not(Node):
    type = "bool"

    def __init__(self, x: Node):
        self.x = x

    def children(self) -> list[Node]:
        return [self.x]

    def ev(self, ctx: Ctx) -> Any:
        v = self.x.ev(ctx)
        return None if v is None else not v

    def pl(self, c: PCtx) -> Any:
        return ~self.x.pl(c)


class Cmp(Node):
    type = "bool"

    def __init__(self, op: str, left: Node, right: Node):
        self.op, self.left, self.right = op, left, right

    def children(self) -> list[Node]:
        return [self.left, self.right]

    def ev(self, ctx: Ctx) -> Any:
        a, b = self.left.ev(ctx), self.right.ev(ctx)
        if a is None or b is None:
            return None
        if isinstance(a, Surd):
            return _cmp_surd(self.op, a, b)
        if isinstance(b, Surd):
            return _cmp_surd(_FLIP[self.op], b, a)
        if self.op in ("==", "!="):
            return (a == b) if self.op == "==" else (a != b)
        return _cmp_frac(self.op, a, b)

    def pl(self, c: PCtx) -> Any:
        a, b = self.left.pl(c), self.right.pl(c)
        if isinstance(a, PSurd) or isinstance(b, PSurd):
            op = self.op
            if isinstance(b, PSurd):
                a, b, op = b, a, _FLIP[op]
            return _pl_surd_cmp(op, a, self.right.value)  # type: ignore[attr-defined]
        if isinstance(a, PRat):
            return prat_cmp(self.op, a, b)
        return _pl_op(self.op, a, b)


def _pl_surd_cmp(op: str, s: PSurd, cval: Fraction) -> pl.Expr:
    t = (cval - s.add) / s.coef
    if s.coef < 0:
        op = _FLIP[op]
    valid = s.rad.n >= 0
    if t < 0:
        res = pl.lit(op in (">=", ">", "!="))
    else:
        res = prat_cmp(op, s.rad, prat_const(t * t))
    return pl.when(s.rad.n.is_null() | ~valid).then(None).otherwise(res)


class InList(Node):
    type = "bool"

    def __init__(self, x: Node, values: list[str], negate: bool):
        self.x, self.values, self.negate = x, values, negate

    def children(self) -> list[Node]:
        return [self.x]

    def ev(self, ctx: Ctx) -> Any:
        v = self.x.ev(ctx)
        if v is None:
            return None
        return (v in self.values) != self.negate

    def pl(self, c: PCtx) -> Any:
        e = self.x.pl(c)
        r = e.is_in(self.values)
        if self.negate:
            r = ~r
        return pl.when(e.is_null()).then(None).otherwise(r)


class Arith(Node):
    def __init__(self, op: str, left: Node, right: Node, type_: str):
        self.op, self.left, self.right, self.type = op, left, right, type_

    def children(self) -> list[Node]:
        return [self.left, self.right]

    def ev(self, ctx: Ctx) -> Any:
        a, b = self.left.ev(ctx), self.right.ev(ctx)
        if a is None or b is None:
            return None
        if isinstance(a, Surd) or isinstance(b, Surd):
            s, k = (a, b) if isinstance(a, Surd) else (b, a)
            if self.op == "+":
                return Surd(s.rad, s.coef, s.add + k)
            if self.op == "-":
                return Surd(s.rad, s.coef, s.add - k) if s is a else Surd(s.rad, -s.coef, k - s.add)
            if self.op == "*":
                return Surd(s.rad, s.coef * k, s.add * k)
            return Surd(s.rad, s.coef / k, s.add / k)  # "/" by a constant
        if self.op == "+":
            return a + b
        if self.op == "-":
            return a - b
        if self.op == "*":
            return a * b
        if b == 0:
            return None
        if self.op == "/":
            return a / b
        return Fraction(a // b)

    def pl(self, c: PCtx) -> Any:
        a, b = self.left.pl(c), self.right.pl(c)
        if isinstance(a, PSurd) or isinstance(b, PSurd):
            s = a if isinstance(a, PSurd) else b
            k = (self.right if s is a else self.left).value  # type: ignore[attr-defined]
            if self.op == "+":
                return PSurd(s.rad, s.coef, s.add + k)
            if self.op == "-":
                if s is a:
                    return PSurd(s.rad, s.coef, s.add - k)
                return PSurd(s.rad, -s.coef, k - s.add)
            if self.op == "*":
                return PSurd(s.rad, s.coef * k, s.add * k)
            return PSurd(s.rad, s.coef / k, s.add / k)
        if self.op == "+":
            return prat_add(a, b)
        if self.op == "-":
            return prat_add(a, b, -1)
        if self.op == "*":
            return prat_mul(a, b)
        q = prat_div(a, b)
        return prat_floor(q) if self.op == "//" else q


class Neg(Node):
    def __init__(self, x: Node):
        self.x, self.type = x, x.type

    def children(self) -> list[Node]:
        return [self.x]

    def ev(self, ctx: Ctx) -> Any:
        v = self.x.ev(ctx)
        return None if v is None else -v

    def pl(self, c: PCtx) -> Any:
        v = self.x.pl(c)
        return PRat(_neg(v.n), v.d, v.nb, v.db)


class Func(Node):
    """ratio, pct, pct_change, mean, sum, min, max, count, sqrt, is_set."""

    def __init__(self, name: str, args: list[Node], type_: str):
        self.name, self.args, self.type = name, args, type_

    def children(self) -> list[Node]:
        return self.args

    def ev(self, ctx: Ctx) -> Any:
        vals = [a.ev(ctx) for a in self.args]
        n = self.name
        if n == "is_set":
            return vals[0] is not None
        if n == "count":
            if any(v is None for v in vals):
                return None
            return Fraction(sum(1 for v in vals if v))
        if any(v is None for v in vals):
            return None
        if n in ("ratio", "pct", "pct_change"):
            num, den = vals
            if den == 0:
                return None
            r = num / den
            if n == "ratio":
                return r
            if n == "pct":
                return r * 100
            return (r - 1) * 100
        if n == "mean":
            return sum(vals, Fraction(0)) / len(vals)
        if n == "sum":
            return sum(vals, Fraction(0))
        if n == "min":
            return min(vals)
        if n == "max":
            return max(vals)
        if n == "sqrt":
            return None if vals[0] < 0 else Surd(vals[0])
        raise AssertionError(n)

    def pl(self, c: PCtx) -> Any:
        n = self.name
        if n == "is_set":
            return self.args[0].pl(c).is_not_null()
        if n == "count":
            es = [a.pl(c) for a in self.args]
            total = es[0].cast(pl.Int64)
            for e in es[1:]:
                total = total + e.cast(pl.Int64)
            return PRat(total, 1, len(es), 1)
        args = [a.pl(c) for a in self.args]
        if n in ("ratio", "pct", "pct_change"):
            r = prat_div(args[0], args[1])
            if n == "ratio":
                return r
            if n == "pct":
                return prat_mul(r, prat_const(Fraction(100)))
            return prat_mul(prat_add(r, prat_const(Fraction(1)), -1), prat_const(Fraction(100)))
        if n in ("mean", "sum"):
            acc = args[0]
            for a in args[1:]:
                acc = prat_add(acc, a)
            if n == "mean":
                acc = PRat(
                    acc.n, _mulb(acc.d, len(args), acc.db * len(args)), acc.nb, acc.db * len(args)
                )
            return acc
        if n in ("min", "max"):
            # each operand is read three times by a pick: staged as columns, so that nested
            # min/max do not copy their subtrees exponentially
            acc = c.keep(None, args[0])
            for a in args[1:]:
                a = c.keep(None, a)
                cond = prat_cmp("<=" if n == "min" else ">=", acc, a)
                acc = c.keep(None, prat_pick(cond, acc, a))
            return acc
        if n == "sqrt":
            return PSurd(args[0], Fraction(1), Fraction(0))
        raise AssertionError(n)


class Manual(Node):
    """``manual("申请产品属于新产品")``: a fact the profile cannot hold, left to a reviewer.

    Always unknown (three-valued ``None``), so a rule such as ``years >= 10 or (years >= 5 and
    manual("…"))`` is true at 10 years, false under 5 and undetermined in between — never a false
    "ineligible" for what only a person can check. Not a missing input: gaps name it as a manual
    check.
    """

    type = "bool"

    def __init__(self, what: str):
        self.what = what

    def ev(self, ctx: Ctx) -> Any:
        return None

    def pl(self, c: PCtx) -> Any:
        return pl.lit(None, dtype=pl.Boolean)


class AnyList(Node):
    """any_recent(list, n, pred): years Y-n … Y-1; any_valid(list, pred): valid on as_of."""

    type = "bool"

    def __init__(self, mode: str, list_name: str, years: int | None, pred: Node | None):
        self.mode, self.list_name, self.years, self.pred = mode, list_name, years, pred

    def children(self) -> list[Node]:
        return [self.pred] if self.pred else []

    def _elem_ok(self, ctx: Ctx, e: dict) -> bool:
        if self.mode == "recent":
            y = e.get("year")
            if y is None or not (ctx.year - self.years <= y <= ctx.year - 1):
                return False
        else:
            g, u = e.get("granted"), e.get("valid_until")
            if (g is not None and g > ctx.as_of) or (u is not None and ctx.as_of > u):
                return False
        if self.pred is None:
            return True
        saved = ctx.elem
        ctx.elem = e
        try:
            return self.pred.ev(ctx) is True  # an element with an unknown part claims nothing
        finally:
            ctx.elem = saved

    def ev(self, ctx: Ctx) -> Any:
        items = ctx.profile.lists.get(self.list_name, [])
        if ctx.inputs is not None:
            ctx.inputs[self.list_name] = items
        return any(self._elem_ok(ctx, e) for e in items)

    def pl(self, c: PCtx) -> Any:
        el = pl.element()
        if self.mode == "recent":
            y = el.struct.field("year")
            cond = (y >= c.year - self.years) & (y <= c.year - 1)
        else:
            g, u = el.struct.field("granted"), el.struct.field("valid_until")
            d = pl.lit(c.as_of)
            cond = (g.is_null() | (g <= d)) & (u.is_null() | (u >= d))
        if self.pred is not None:
            cond = cond & self.pred.pl(c)
        return pl.col(self.list_name).list.eval(cond.fill_null(False)).list.any().fill_null(False)


# --------------------------------------------------------------------------------------------
# parsing


_CMP = {ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<=", ast.Lt: "<", ast.Eq: "==", ast.NotEq: "!="}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//"}
_FUNCS_NUM = {"ratio": 2, "pct": 2, "pct_change": 2}
_FUNCS_VAR = {"mean", "sum", "min", "max", "count"}


@dataclass
class Scope:
    """Names visible to a rule: definitions, ``value`` in bands, element fields in predicates."""

    file: str
    defines: dict[str, Define]
    value_type: str | None = None
    elem_list: str | None = None


class Parser:
    def __init__(self, text: str, scope: Scope, line: int):
        self.text, self.scope, self.base_line = text, scope, line

    def fail(self, node: ast.AST | None, reason: str) -> RuleError:
        ln = self.base_line + (getattr(node, "lineno", 1) - 1 if node is not None else 0)
        return RuleError(self.scope.file, ln, f"{reason}（规则：{self.text.strip()}）")

    def parse(self) -> Node:
        src = " ".join(self.text.split("\n")).strip()
        try:
            tree = ast.parse(src, mode="eval")
        except SyntaxError as exc:
            raise RuleError(
                self.scope.file, self.base_line, f"规则语法错误：{exc.msg}（规则：{src}）"
            ) from None
        self.src = src
        node = self.build(tree.body)
        node.src = src
        return node

    def seg(self, n: ast.AST) -> str:
        return ast.get_source_segment(self.src, n) or ""

    def build(self, n: ast.AST) -> Node:
        node = self._build(n)
        node.line = self.base_line + getattr(n, "lineno", 1) - 1
        if not node.src:
            node.src = self.seg(n)
        return node

    def _num(self, node: Node, n: ast.AST) -> None:
        if node.type not in ("num", "surd"):
            raise self.fail(n, f"“{self.seg(n)}”应为数值")

    def _build(self, n: ast.AST) -> Node:
        if isinstance(n, ast.Constant):
            v = n.value
            if isinstance(v, bool):
                return Const(v, "bool")
            if isinstance(v, (int, float)):
                return Const(Fraction(self.seg(n)), "num")  # exact, from the source text
            if isinstance(v, str):
                return Const(v, "str")
            raise self.fail(n, f"不支持的常量 {v!r}")
        if isinstance(n, ast.BoolOp):
            items = [self.build(v) for v in n.values]
            for it, src in zip(items, n.values, strict=True):
                if it.type != "bool":
                    raise self.fail(src, f"“{self.seg(src)}”应为条件（真/假）")
            return BoolOp("and" if isinstance(n.op, ast.And) else "or", items)
        if isinstance(n, ast.UnaryOp):
            x = self.build(n.operand)
            if isinstance(n.op, ast.Not):
                if x.type != "bool":
                    raise self.fail(n, "not 只能用于条件")
                return Not(x)
            if isinstance(n.op, ast.USub):
                self._num(x, n.operand)
                if isinstance(x, Const):
                    return Const(-x.value, "num")
                return Neg(x)
            raise self.fail(n, "不支持的一元运算")
        if isinstance(n, ast.Compare):
            if len(n.ops) != 1:
                raise self.fail(n, "不支持连续比较，请用 and 连接")
            op, right_ast = n.ops[0], n.comparators[0]
            left = self.build(n.left)
            if isinstance(op, (ast.In, ast.NotIn)):
                if not isinstance(right_ast, (ast.List, ast.Tuple)) or not all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in right_ast.elts
                ):
                    raise self.fail(n, 'in 后应为字符串列表，如 ["national", "provincial"]')
                if left.type != "str":
                    raise self.fail(n, "in 左侧应为文字字段")
                return InList(left, [e.value for e in right_ast.elts], isinstance(op, ast.NotIn))
            if type(op) not in _CMP:
                raise self.fail(n, "不支持的比较运算")
            right = self.build(right_ast)
            sop = _CMP[type(op)]
            lt, rt = left.type, right.type
            if "surd" in (lt, rt):
                other = right if lt == "surd" else left
                if not isinstance(other, Const) or other.type != "num":
                    raise self.fail(n, "含 sqrt 的值只能与常数比较")
                if lt != "surd":  # keep the surd on the left
                    left, right, sop = right, left, _FLIP[sop]
                return Cmp(sop, left, right)
            if lt != rt:
                raise self.fail(n, f"比较两侧类型不同（{lt} 与 {rt}）")
            if lt in ("bool", "str") and sop not in ("==", "!="):
                raise self.fail(n, "文字或真假值只能用 == 或 != 比较")
            return Cmp(sop, left, right)
        if isinstance(n, ast.BinOp):
            if type(n.op) not in _ARITH:
                raise self.fail(n, "不支持的算术运算")
            op = _ARITH[type(n.op)]
            a, b = self.build(n.left), self.build(n.right)
            self._num(a, n.left)
            self._num(b, n.right)
            if isinstance(a, Const) and isinstance(b, Const) and op != "//":
                v = {
                    "+": a.value + b.value,
                    "-": a.value - b.value,
                    "*": a.value * b.value,
                    "/": a.value / b.value if b.value else None,
                }[op]
                if v is None:
                    raise self.fail(n, "除数为 0")
                return Const(v, "num")
            if "surd" in (a.type, b.type):
                other = b if a.type == "surd" else a
                if not isinstance(other, Const) or op == "//" or (op == "/" and other is a):
                    raise self.fail(n, "sqrt 的结果只能与常数做 + - * / 运算")
                if op in ("*", "/") and other.value == 0:
                    raise self.fail(n, "不能乘以或除以 0")
                return Arith(op, a, b, "surd")
            return Arith(op, a, b, "num")
        if isinstance(n, ast.Name):
            return self.name(n.id, n)
        if isinstance(n, ast.Attribute):
            path = self.dotted(n)
            return self.name(path, n)
        if isinstance(n, ast.Call):
            return self.call(n)
        raise self.fail(n, f"不允许的语法：{type(n).__name__}")

    def dotted(self, n: ast.AST) -> str:
        if isinstance(n, ast.Name):
            return n.id
        if isinstance(n, ast.Attribute):
            return self.dotted(n.value) + "." + n.attr
        raise self.fail(n, "字段名应为 a.b 形式")

    def name(self, path: str, n: ast.AST) -> Node:
        sc = self.scope
        if sc.elem_list is not None:
            fields = LIST_FIELDS[sc.elem_list]
            if path in fields:
                return ElemField(sc.elem_list, path)
        if path == "value" and sc.value_type is not None:
            return ValueRef(sc.value_type)
        if path in sc.defines:
            return sc.defines[path]
        if path == "niche_years":
            return NicheYears()
        if path == "review":
            return Review()
        if path in TOP_FIELDS:
            return TopInput(path)
        head, _, rest = path.partition(".")
        if head[:1] == "y" and head[1:].isdigit() and rest:
            k = int(head[1:])
            if k > MAX_YEAR_OFFSET:
                raise self.fail(n, f"年份偏移 {head} 过大")
            if rest not in YEAR_FIELDS:
                raise self.fail(n, f"未知的年度字段“{rest}”")
            return YearInput(k, rest)
        raise self.fail(n, f"未知的名称“{path}”")

    def call(self, n: ast.Call) -> Node:
        if not isinstance(n.func, ast.Name) or n.keywords:
            raise self.fail(n, "只能调用内置函数，且不用关键字参数")
        fn = n.func.id
        if fn in ("any_recent", "any_valid"):
            return self.any_list(fn, n)
        if fn == "manual":
            if (
                len(n.args) != 1
                or not isinstance(n.args[0], ast.Constant)
                or not isinstance(n.args[0].value, str)
                or not n.args[0].value.strip()
            ):
                raise self.fail(
                    n, 'manual 需要 1 个文字参数，说明需人工核实的事项，如 manual("属于新产品")'
                )
            return Manual(n.args[0].value.strip())
        args = [self.build(a) for a in n.args]
        if fn in _FUNCS_NUM:
            if len(args) != _FUNCS_NUM[fn]:
                raise self.fail(n, f"{fn} 需要 {_FUNCS_NUM[fn]} 个参数")
            for a, s in zip(args, n.args, strict=True):
                if a.type != "num":
                    raise self.fail(s, f"“{self.seg(s)}”应为数值")
            return Func(fn, args, "num")
        if fn in _FUNCS_VAR:
            if not args:
                raise self.fail(n, f"{fn} 至少需要 1 个参数")
            want = "bool" if fn == "count" else "num"
            for a, s in zip(args, n.args, strict=True):
                if a.type != want:
                    raise self.fail(s, f"“{self.seg(s)}”应为{'条件' if want == 'bool' else '数值'}")
            return Func(fn, args, "num")
        if fn == "sqrt":
            if len(args) != 1 or args[0].type != "num":
                raise self.fail(n, "sqrt 需要 1 个数值参数")
            return Func(fn, args, "surd")
        if fn == "is_set":
            if len(args) != 1 or not (isinstance(args[0], TopInput) and args[0].decl):
                raise self.fail(n, "is_set 只用于申报类字段（如 foundation_field）")
            return Func(fn, args, "bool")
        raise self.fail(n, f"未知函数“{fn}”")

    def any_list(self, fn: str, n: ast.Call) -> Node:
        if not n.args or not isinstance(n.args[0], ast.Name) or n.args[0].id not in LIST_FIELDS:
            raise self.fail(n, f"{fn} 第一个参数应为列表字段：{', '.join(LIST_FIELDS)}")
        list_name = n.args[0].id
        rest = n.args[1:]
        years = None
        if fn == "any_recent":
            if "year" not in LIST_FIELDS[list_name]:
                raise self.fail(n, f"{list_name} 没有年份，不能用 any_recent")
            if not rest or not isinstance(rest[0], ast.Constant) or type(rest[0].value) is not int:
                raise self.fail(n, "any_recent 第二个参数应为年数（整数）")
            years = rest[0].value
            rest = rest[1:]
        elif "valid_until" not in LIST_FIELDS[list_name]:
            raise self.fail(n, f"{list_name} 没有有效期，不能用 any_valid")
        if len(rest) > 1:
            raise self.fail(n, f"{fn} 参数过多")
        pred = None
        if rest:
            inner = Parser(self.text, Scope(self.scope.file, {}, None, list_name), self.base_line)
            inner.src = self.src
            pred = inner.build(rest[0])
            if pred.type != "bool":
                raise self.fail(rest[0], "筛选条件应为真/假")
        return AnyList("recent" if fn == "any_recent" else "valid", list_name, years, pred)


def parse_rule(text: Any, scope: Scope, line: int, want: str | None = None) -> Node:
    if isinstance(text, bool):
        return Const(text, "bool")
    if isinstance(text, (int, float)):
        text = str(text)
    if not isinstance(text, str) or not text.strip():
        raise RuleError(scope.file, line, "规则应为非空表达式文本")
    node = Parser(text, scope, line).parse()
    if want is not None:
        ok = node.type == want or (want == "num" and node.type == "num")
        if not ok:
            kind = {"bool": "条件（真/假）", "num": "数值", "str": "文字"}.get(want, want)
            raise RuleError(scope.file, node.line or line, f"规则“{node.src}”应为{kind}")
    return node


def inputs_of(node: Node) -> list[Node]:
    """The leaf inputs a rule reads (for the trace and for columnar flattening)."""
    return [n for n in node.walk() if isinstance(n, (TopInput, YearInput, NicheYears, AnyList))]


def to_json_value(v: Any) -> Any:
    """A rule value as JSON: ints stay ints, other rationals become (rounded) floats."""
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return int(v)
        return round(float(v), 4)
    if isinstance(v, Surd):
        return round(float(v), 4)
    if isinstance(v, date):
        return v.isoformat()
    return v
