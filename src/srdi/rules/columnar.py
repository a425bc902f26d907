"""The columnar evaluator: the same rule files, compiled to Polars expressions.

Every rule tree of a standard (``expr.Node``) compiles through :meth:`Node.pl` into one Polars
expression; the engine's own logic (basic conditions, band selection under unknowns, score
bounds, dimension minimums, three-valued verdict, route) is built here once, mirroring
``engine.py``. Numbers are exact: inputs are stored as scaled integers (``value × scale``) and
every comparison is a cross-multiplied Int128 comparison, never a float ratio.

A *frame* has one row per profile and columns named by path relative to the assessment year:
``y1.revenue`` (year Y-1), ``ip.class1``, ``niche_since`` (Date), ``awards`` (list of struct) …
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

import polars as pl

from .expr import (
    I128,
    AnyList,
    NicheYears,
    Node,
    PCtx,
    PRat,
    Stager,
    TopInput,
    YearInput,
    prat_add,
    prat_cmp,
    prat_const,
)
from .profile import COMPLIANCE_FLAGS, LIST_FIELDS, TOP_FIELDS, YEAR_FIELDS, Profile, normalise
from .standard import Standard

LIST_DTYPES: dict[str, pl.DataType] = {
    name: pl.List(
        pl.Struct(
            {
                f: (pl.Int64 if k == "num" else pl.Date if k == "date" else pl.Utf8)
                for f, k in fields.items()
            }
        )
    )
    for name, fields in LIST_FIELDS.items()
}


# --------------------------------------------------------------------------------------------
# which inputs a set of standards reads


def _nodes_of(std: Standard) -> list[Node]:
    nodes: list[Node] = []
    for c in std.conditions:
        nodes.append(c.rule)
    for i in std.indicators:
        nodes += [m.rule for m in i.measures]
        nodes += [b.cond for b in i.bands if b.cond is not None]
        if i.points_rule is not None:
            nodes.append(i.points_rule)
    for s in std.sectors.values():
        nodes += [s.sme, s.medium, s.small]
    return nodes


def columns_for(stds: list[Standard], size_std: Standard | None) -> dict[str, str]:
    """Column name -> kind ("num", "bool", "str", "date", "list") needed by the standards."""
    cols: dict[str, str] = {}
    all_stds = list(stds) + ([size_std] if size_std is not None else [])
    for std in all_stds:
        for root in _nodes_of(std):
            for n in root.walk():
                if isinstance(n, TopInput):
                    cols[n.path] = n.type
                elif isinstance(n, YearInput):
                    cols[n.column] = n.type
                elif isinstance(n, NicheYears):
                    cols["niche_since"] = "date"
                elif isinstance(n, AnyList):
                    cols[n.list_name] = "list"
        if std.kind == "size" or std.basic:
            cols["size_sector"] = "str"
            cols["industry_code"] = "str"
        if std.basic:
            for f in COMPLIANCE_FLAGS:
                cols[f] = "bool"
    return cols


# --------------------------------------------------------------------------------------------
# profiles -> frame


SECTOR = "_size_sector"  # the 划型 sector of each row, computed once per frame


@dataclass
class Frame:
    """Profiles as columns, with statistics computed once and reused by every evaluation of the
    frame (as a database keeps column statistics beside its table)."""

    df: pl.DataFrame
    scales: dict[str, int]
    year: int
    _bounds: dict[str, int] | None = field(default=None, init=False, repr=False, compare=False)
    _sectors: dict[str, tuple[pl.Series, list[str]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def bounds(self) -> dict[str, int]:
        """Max |scaled value| per integer column (one pass), for the Int64/Int128 choice."""
        if self._bounds is None:
            cols = [c for c, t in self.df.schema.items() if t == pl.Int64]
            row = self.df.select(pl.col(cols).abs().max()).row(0) if cols else ()
            self._bounds = {c: int(v or 0) for c, v in zip(cols, row, strict=True)}
        return self._bounds

    def sectors(self, size_std: Standard) -> tuple[pl.Series, list[str]]:
        """The 划型 sector of each row (declared, else derived from the industry code) and the
        sectors present. Computed in a pass of its own: Polars runs string work badly beside
        list evaluations in one ``with_columns``."""
        key = size_std.version
        if key not in self._sectors:
            if "industry_code" in self.df.columns:
                col = self.df.select(_sector_expr(size_std).alias(SECTOR)).to_series()
                found = sorted(x for x in col.unique().to_list() if x is not None)
            else:
                col = pl.Series(SECTOR, [None] * self.df.height, dtype=pl.Utf8)
                found = []
            self._sectors[key] = (col, found)
        return self._sectors[key]


def _lcm(a: int, b: int) -> int:
    return a * b // math.gcd(a, b)


def build_frame(profiles: list[Profile], columns: dict[str, str], year: int) -> Frame:
    """Flatten normalised profiles into a frame (years relative to ``year``)."""
    data: dict[str, list] = {"uscc": [p.uscc for p in profiles]}
    lists: dict[str, pl.DataFrame] = {}
    scales: dict[str, int] = {}
    schema: dict[str, pl.DataType] = {"uscc": pl.Utf8}
    for col, kind in columns.items():
        head, _, rest = col.partition(".")
        if head[:1] == "y" and head[1:].isdigit() and rest in YEAR_FIELDS:
            y = year - int(head[1:])
            vals = [p.years.get(y, {}).get(rest) for p in profiles]
            decl_default = YEAR_FIELDS[rest][2] if YEAR_FIELDS[rest][1] else None
        elif kind == "list":
            lists[col] = _list_column(col, profiles)
            continue
        else:
            vals = [p.top.get(col) for p in profiles]
            decl_default = TOP_FIELDS[col][2] if TOP_FIELDS[col][1] else None
        if decl_default is not None:
            vals = [decl_default if v is None else v for v in vals]
        if kind == "num":
            scale = 1
            for v in vals:
                if v is not None and v.denominator != 1:
                    scale = _lcm(scale, v.denominator)
            data[col] = [None if v is None else int(v * scale) for v in vals]
            scales[col] = scale
            schema[col] = pl.Int64
        else:
            data[col] = vals
            schema[col] = {"bool": pl.Boolean, "str": pl.Utf8, "date": pl.Date}[kind]
    df = pl.DataFrame(data, schema=schema)
    if lists:
        df = df.with_row_index("_row")
        for ldf in lists.values():
            df = df.join(ldf, on="_row", how="left")
        df = df.drop("_row")
    return Frame(df, scales, year)


def _list_column(col: str, profiles: list[Profile]) -> pl.DataFrame:
    """A list-of-struct column built from flat element columns (fast), keyed by row index."""
    fields = LIST_FIELDS[col]
    rows: list[int] = []
    flat: dict[str, list] = {f: [] for f in fields}
    for i, p in enumerate(profiles):
        for e in p.lists.get(col, ()):
            rows.append(i)
            for f in fields:
                v = e.get(f)
                flat[f].append(int(v) if isinstance(v, Fraction) else v)
    struct = LIST_DTYPES[col].inner  # type: ignore[attr-defined]
    el = pl.DataFrame(
        {"_row": rows, **flat},
        schema={"_row": pl.UInt32, **{f: t for f, t in struct.to_schema().items()}},
    )
    return el.group_by("_row", maintain_order=True).agg(pl.struct(list(fields)).alias(col))


# --------------------------------------------------------------------------------------------
# compile


# Categorical outputs are Enums: a when/then over Enum literals costs a thirtieth of one over
# string literals; rows_from_frame gives plain strings.
OUTCOME = pl.Enum(["eligible", "ineligible", "undetermined"])
SIZE_CLASS = pl.Enum(["large", "medium", "small", "micro"])
ROUTE = pl.Enum(["score", "direct"])


def _outcome(v: pl.Expr) -> pl.Expr:
    return (
        pl.when(v.is_null())
        .then(pl.lit("undetermined", dtype=OUTCOME))
        .when(v)
        .then(pl.lit("eligible", dtype=OUTCOME))
        .otherwise(pl.lit("ineligible", dtype=OUTCOME))
    )


def _and(exprs: list[pl.Expr]) -> pl.Expr:
    out = exprs[0]
    for e in exprs[1:]:
        out = out & e
    return out


def _or(exprs: list[pl.Expr]) -> pl.Expr:
    out = exprs[0]
    for e in exprs[1:]:
        out = out | e
    return out


def _sector_expr(size_std: Standard) -> pl.Expr:
    """划型行业: declared, else looked up from the code's leading digits (longest match wins)."""
    declared = pl.col("size_sector")
    digits = pl.col("industry_code").str.replace_all(r"\D", "")
    by_len: dict[int, dict[str, str]] = {}
    for lo, hi, sector in size_std.sector_map:
        n = len(lo)
        table = by_len.setdefault(n, {})
        for code in range(int(lo), int(hi) + 1):
            table[str(code).zfill(n)] = sector
    derived = pl.coalesce(
        [
            digits.str.slice(0, n).replace_strict(table, default=None, return_dtype=pl.Utf8)
            for n, table in sorted(by_len.items(), reverse=True)
        ]
    )
    known = list(size_std.sectors)
    return (
        pl.when(declared.is_not_null())
        .then(pl.when(declared.is_in(known)).then(declared).otherwise(None))
        .otherwise(derived)
    )


def _size_exprs(size_std: Standard, c: PCtx) -> tuple[pl.Expr, pl.Expr]:
    """(is SME, size class) expressions (computed once per frame)."""
    key = -id(size_std)
    if key in c.memo:
        return c.memo[key]
    sector = pl.col(SECTOR)
    parts: dict[str, Any] = {"sme": None, "medium": None, "small": None}
    present = c.sectors if c.sectors is not None else list(size_std.sectors)
    for key in parts:
        chain = None
        for sid, s in size_std.sectors.items():
            if sid not in present:
                continue
            e = c.keep(None, getattr(s, key).pl(c))
            chain = (pl.when(sector == sid) if chain is None else chain.when(sector == sid)).then(e)
        parts[key] = (
            chain.otherwise(pl.lit(None, dtype=pl.Boolean))  # type: ignore[union-attr]
            if chain is not None
            else pl.lit(None, dtype=pl.Boolean)
        )
    sme, medium, small = (c.keep(None, parts[k]) for k in ("sme", "medium", "small"))
    none = pl.lit(None, dtype=SIZE_CLASS)
    cls = (
        pl.when(sme.is_null())
        .then(none)
        .when(~sme)
        .then(pl.lit("large", dtype=SIZE_CLASS))
        .when(medium.is_null())
        .then(none)
        .when(medium)
        .then(pl.lit("medium", dtype=SIZE_CLASS))
        .when(small.is_null())
        .then(none)
        .when(small)
        .then(pl.lit("small", dtype=SIZE_CLASS))
        .otherwise(pl.lit("micro", dtype=SIZE_CLASS))
    )
    c.memo[key] = (sme, c.keep(None, cls))
    return c.memo[key]


def _as_float(r: PRat) -> pl.Expr:
    d = r.d if isinstance(r.d, pl.Expr) else pl.lit(r.d, dtype=I128)
    return r.n.cast(pl.Float64) / d.cast(pl.Float64)


def _indicator_bounds(ind, c: PCtx) -> tuple[PRat, PRat]:
    if ind.points_rule is not None:
        c.value = c.keep(None, ind.measures[0].rule.pl(c)) if ind.measures else None
        v = ind.points_rule.pl(c)
        c.value = None
        # unknown points: the bounds min / max, on a common denominator d·m
        m = _lcm(ind.min.denominator, ind.max.denominator)
        d = v.d if isinstance(v.d, pl.Expr) else pl.lit(v.d, dtype=pl.Int64)
        known = v.n * m

        def bound(k: Fraction) -> pl.Expr:
            return d * (k.numerator * (m // k.denominator))

        lo_n = pl.when(v.n.is_null()).then(bound(ind.min)).otherwise(known)
        hi_n = pl.when(v.n.is_null()).then(bound(ind.max)).otherwise(known)
        den = v.d * m if isinstance(v.d, int) else d * m
        nb = max(v.nb * m, v.db * m * max(abs(ind.min), abs(ind.max)))
        nb = int(nb) + 1
        return PRat(lo_n, den, nb, v.db * m), PRat(hi_n, den, nb, v.db * m)
    c.value = c.keep(None, ind.measures[0].rule.pl(c)) if ind.measures else None
    conds = [c.keep(None, b.cond.pl(c)) if b.cond is not None else pl.lit(True) for b in ind.bands]
    c.value = None
    # A band is possible when its condition is not surely false and no earlier band is surely
    # true; the bounds are the least and the greatest points among the possible bands (null when
    # none is). Written as two when/then chains over the bands sorted by points (a chain is about
    # twenty times cheaper in Polars than min/max_horizontal over nullable columns).
    possible: list[tuple[int, pl.Expr]] = []
    prior_true: pl.Expr | None = None
    for b, cond in zip(ind.bands, conds, strict=True):
        if b.points.denominator != 1:
            raise ValueError(f"{ind.id}: 分档分值须为整数")
        poss = cond.fill_null(True)
        if prior_true is not None:
            poss = poss & ~prior_true
        possible.append((int(b.points), c.keep(None, poss)))
        t = cond.fill_null(False)
        prior_true = t if prior_true is None else (prior_true | t)
    top = max(abs(pts) for pts, _ in possible)

    def chain(order: list[tuple[int, pl.Expr]]) -> pl.Expr:
        pts, poss = order[0]
        out = pl.when(poss).then(pl.lit(pts, dtype=pl.Int64))
        for pts, poss in order[1:]:
            out = out.when(poss).then(pl.lit(pts, dtype=pl.Int64))
        return out.otherwise(pl.lit(None, dtype=pl.Int64))

    ascending = sorted(possible, key=lambda x: x[0])
    lo = chain(ascending)
    hi = chain(ascending[::-1])
    return PRat(lo, 1, top, 1), PRat(hi, 1, top, 1)


def compile_standard(std: Standard, c: PCtx, size_std: Standard | None) -> dict[str, pl.Expr]:
    """Output columns for one standard: outcome, score, size_class, route, dimensions."""
    p = std.id + ":"
    out: dict[str, pl.Expr] = {}
    if std.kind == "size":
        sme, cls = _size_exprs(std, c)
        out[p + "outcome"] = _outcome(sme)
        out[p + "size_class"] = cls
        return out
    parts: list[pl.Expr] = []
    if std.basic:
        assert size_std is not None
        sme, _cls = _size_exprs(size_std, c)
        clean = ~_or([pl.col(f).fill_null(False) for f in COMPLIANCE_FLAGS])
        parts += [sme, clean]
    direct: list[pl.Expr] = []
    for cond in std.conditions:
        if cond.role == "required":
            parts.append(c.keep(None, cond.rule.pl(c)))
        elif cond.role == "direct":
            direct.append(c.keep(None, cond.rule.pl(c)))
    pass_ok = None
    if std.scored:
        bounds = {i.id: _indicator_bounds(i, c) for i in std.indicators}
        lo_dim: dict[str, PRat] = {}
        hi_dim: dict[str, PRat] = {}
        for ind in std.indicators:
            lo, hi = (c.keep(None, x) for x in bounds[ind.id])
            d = ind.dimension
            lo_dim[d] = lo if d not in lo_dim else prat_add(lo_dim[d], lo)
            hi_dim[d] = hi if d not in hi_dim else prat_add(hi_dim[d], hi)
        names = [d.name for d in std.dimensions]
        lo_dim = {n: c.keep(None, v) for n, v in lo_dim.items()}
        hi_dim = {n: c.keep(None, v) for n, v in hi_dim.items()}
        lo_t, hi_t = lo_dim[names[0]], hi_dim[names[0]]
        for n in names[1:]:
            lo_t, hi_t = prat_add(lo_t, lo_dim[n]), prat_add(hi_t, hi_dim[n])
        lo_t, hi_t = c.keep(None, lo_t), c.keep(None, hi_t)
        ps = prat_const(std.pass_score)  # type: ignore[arg-type]
        sure = [prat_cmp(">=", lo_t, ps)]
        fails = [prat_cmp("<", hi_t, ps)]
        for d in std.dimensions:
            if d.min is not None:
                sure.append(prat_cmp(">=", lo_dim[d.name], prat_const(d.min)))
                fails.append(prat_cmp("<", hi_dim[d.name], prat_const(d.min)))
        pass_ok = (
            pl.when(_and(sure))
            .then(pl.lit(True))
            .when(_or(fails))
            .then(pl.lit(False))
            .otherwise(pl.lit(None, dtype=pl.Boolean))
        )
        pass_ok = c.keep(None, pass_ok)
        parts.append(_or([pass_ok, *direct]))
        out[p + "score"] = _as_float(lo_t)
        for n in names:
            out[p + "dim:" + n] = _as_float(lo_dim[n])
    verdict = c.keep(None, _and(parts))
    out[p + "outcome"] = _outcome(verdict)
    if pass_ok is not None:
        out[p + "route"] = (
            pl.when(verdict.fill_null(False) & pass_ok.fill_null(False))
            .then(pl.lit("score", dtype=ROUTE))
            .when(verdict.fill_null(False))
            .then(pl.lit("direct", dtype=ROUTE))
            .otherwise(pl.lit(None, dtype=ROUTE))
        )
    return out


def evaluate_frame(
    frame: Frame, stds: list[Standard], as_of: date, review: bool, size_std: Standard | None
) -> pl.DataFrame:
    c = PCtx(
        year=as_of.year,
        as_of=as_of,
        review=review,
        scales=frame.scales,
        bounds=frame.bounds(),
        stager=Stager(),
    )
    df = frame.df
    if size_std is not None and any(s.kind == "size" or s.basic for s in stds):
        # only the 划型 sectors that occur in this frame need their rules compiled
        sector, c.sectors = frame.sectors(size_std)
        df = df.with_columns(sector)
    exprs: dict[str, pl.Expr] = {}
    for std in stds:
        exprs.update(compile_standard(std, c, size_std))
    lf = df.lazy()
    for stage in c.stager.stages:  # type: ignore[union-attr]
        lf = lf.with_columns(**stage)
    return lf.select(pl.col("uscc"), **exprs).collect()


def evaluate_many(
    profiles: list[dict], stds: list[Standard], as_of: date, review: bool
) -> list[dict]:
    from .catalog import load_standard

    size_std = load_standard("sme-size@2011")
    profs = [normalise(p) for p in profiles]
    frame = build_frame(profs, columns_for(stds, size_std), as_of.year)
    res = evaluate_frame(frame, stds, as_of, review, size_std)
    return rows_from_frame(res, stds)


def _num(v: float | None) -> int | float | None:
    if v is None:
        return None
    # The verdict is decided on exact rationals; only this display value passes through a float
    # division (n / d), so round away its last-bit error (55.050000000000004 → 55.05).
    v = round(float(v), 9)
    return int(v) if v.is_integer() else v


def _nums(values: list) -> list:
    """_num over a column (plain ints pass through untouched)."""
    return [v if v is None or type(v) is int else _num(v) for v in values]


def rows_from_frame(res: pl.DataFrame, stds: list[Standard]) -> list[dict]:
    """One result dict per profile × standard (profiles in frame order, standards as given).

    Built column-wise: per standard, its columns become Python lists once and the dicts are
    zipped from them (this is the cost of whole-population results, ~700,000 dicts at a time).
    """
    usccs = res["uscc"].to_list()
    per_std: list[list[dict]] = []
    for std in stds:
        p = std.id + ":"
        sid = std.id
        outcome = res[p + "outcome"].cast(pl.Utf8).to_list()
        if std.kind == "size":
            cls = res[p + "size_class"].cast(pl.Utf8).to_list()
            rows = [
                {"uscc": u, "standard": sid, "outcome": o, "size_class": c, "score": None}
                for u, o, c in zip(usccs, outcome, cls, strict=True)
            ]
        elif std.scored:
            score = _nums(res[p + "score"].to_list())
            route = res[p + "route"].cast(pl.Utf8).to_list()
            names = [d.name for d in std.dimensions]
            dims = [_nums(res[p + "dim:" + n].to_list()) for n in names]
            rows = [
                {
                    "uscc": u,
                    "standard": sid,
                    "outcome": o,
                    "score": sc,
                    "route": r,
                    "dimensions": dict(zip(names, ds, strict=True)),
                }
                for u, o, sc, r, *ds in zip(usccs, outcome, score, route, *dims, strict=True)
            ]
        else:
            rows = [
                {"uscc": u, "standard": sid, "outcome": o, "score": None}
                for u, o in zip(usccs, outcome, strict=True)
            ]
        per_std.append(rows)
    # interleave: profile by profile, its standards in the order asked
    return [r for group in zip(*per_std, strict=True) for r in group] if per_std else []
