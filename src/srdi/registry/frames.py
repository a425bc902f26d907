"""A columnar read of the registry: the rules' evaluation frame built straight from SQL.

    from srdi.registry.frames import read_frame
    read = read_frame(Enterprise.objects.filter(region=r), columns, 2025, documents=True)
    read.frame       # srdi.rules.columnar.Frame, the same as build_frame(profiles, columns, 2025)
    read.ids         # enterprise primary keys, in row order (ascending)
    read.documents   # per row: the exchange-format JSON text of the inputs read (a snapshot)

``columns`` is what :func:`srdi.rules.columnar.columns_for` returns for the standards to
evaluate. The frame equals ``build_frame([rules.normalise(p) for p in profiles], columns,
year)`` where ``profiles`` are the documents
:func:`srdi.registry.selectors.iter_normalised_profiles` builds for the same enterprises
(srdi/evaluation/tests/test_frames.py compares the two): the same values and scales (exact
numbers as scaled integers, the smallest scale that holds every value), nulls (absent
measurements), declaration defaults, list order and revoked titles left out.

One query per table (the enterprises, the figures of the years needed, development scores and
each list read), never one per enterprise: on PostgreSQL each query is a ``COPY (SELECT …) TO
STDOUT`` parsed by Polars as CSV (no Python object per row); on SQLite the cursor's rows go into
Polars. Decimal columns are read as integers scaled by 10^decimal_places in SQL (SQLite keeps
decimals as REAL: exact up to 15 significant digits, as when Django reads them).

The documents (``documents=True``) are exchange-format JSON holding exactly the inputs read —
the fields the standards use, the years they look at — with exact numbers and a fixed key
order, so that the same data always gives the same text (and SHA-256).

Callers are responsible for scope: pass ``visible_enterprises(user)`` (srdi.accounts.scopes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import QuerySet

from srdi.rules.columnar import Frame
from srdi.rules.profile import LIST_FIELDS, TOP_FIELDS, YEAR_FIELDS

from .models import (
    AnnualFigures,
    Award,
    DevelopmentScore,
    Enterprise,
    Honor,
    MakerChinaResult,
    Region,
    Title,
)
from .profiles import ARRAY_FIELDS, ENTERPRISE_FIELDS

__all__ = ["RegistryRead", "read_frame", "read_sql", "scope_sql"]

#: Enterprise columns where "" stands for absent (as in srdi.registry.profiles)
_BLANK_IS_NONE = {"sei_code", "foundation_field", "size_sector", "industry_code"}

_FAR = dt.date(9999, 12, 31)  # a missing date sorts last, as in profile_from_rows

#: list name → (model, extra WHERE, sort key: (column, null-as) …) as profile_from_rows sorts
_LISTS: dict[str, tuple[type[models.Model], str, tuple[tuple[str, Any], ...]]] = {
    "awards": (Award, "", (("year", None), ("level", None), ("rank", 0), ("id", None))),
    "maker_china": (MakerChinaResult, "", (("year", None), ("group", None), ("id", None))),
    "honors": (Honor, "", (("type", None), ("valid_until", _FAR), ("id", None))),
    "titles": (
        Title,
        "status <> 'revoked'",
        (
            ("granted", _FAR),
            ("tier", None),
            ("level", None),
            ("valid_until", _FAR),
            ("id", None),
        ),
    ),
}

_KIND_DTYPE = {"num": pl.Int64, "date": pl.Date, "str": pl.Utf8}

_NUM_MARK = "\ue000"  # wraps number text inside JSON strings until it is unquoted
_TOP_ORDER = {k: i for i, k in enumerate(TOP_FIELDS)}
_YEAR_ORDER = {k: i for i, k in enumerate(YEAR_FIELDS)}


@dataclass
class RegistryRead:
    """What :func:`read_frame` returns: the frame, the rows' primary keys and names."""

    frame: Frame
    ids: pl.Series
    names: pl.Series
    documents: pl.Series | None = None

    def __len__(self) -> int:
        return self.frame.df.height

    def digests(self) -> list[str]:
        """SHA-256 (hex) of each document (the snapshot's content hash)."""
        assert self.documents is not None
        sha = hashlib.sha256
        return [sha(d.encode("utf-8")).hexdigest() for d in self.documents]


# --------------------------------------------------------------------------------------------
# SQL


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _pg() -> bool:
    return connection.vendor == "postgresql"


def scope_sql(queryset: QuerySet | None) -> tuple[str, list] | None:
    """``(sql, params)`` selecting the primary keys of ``queryset``; None for every enterprise."""
    if queryset is None:
        return None
    if queryset.model is not Enterprise:
        raise TypeError("read_frame needs an Enterprise queryset")
    q = queryset.query
    if not q.is_sliced:
        if not q.where and not q.combinator and not q.distinct:
            return None
        queryset = queryset.order_by()
    try:
        sql, params = queryset.values("pk").query.sql_with_params()
    except EmptyResultSet:  # pk__in=[], .none()
        meta = Enterprise._meta
        return f"SELECT {_q(meta.pk.column)} FROM {_q(meta.db_table)} WHERE 1 = 0", []
    return sql, list(params)


@dataclass(frozen=True)
class _Col:
    """One selected column: SQL expression, result name, how to read it back."""

    sql: str
    name: str
    kind: str  # num | bool | str | date | id
    places: int = 0  # decimal places of a DecimalField (number read × 10^places)


def _col(table_alias: str, field: models.Field, name: str) -> _Col:
    col = f"{table_alias}.{_q(field.column)}"
    if isinstance(field, models.DecimalField):
        n = 10**field.decimal_places
        expr = f"CAST({col} * {n} AS BIGINT)" if _pg() else f"CAST(ROUND({col} * {n}) AS INTEGER)"
        return _Col(expr, name, "num", field.decimal_places)
    if isinstance(field, models.BooleanField):
        return _Col(f"CAST({col} AS INTEGER)", name, "bool")
    if isinstance(field, models.DateField):  # text (SQLite would convert a bare column)
        return _Col(col if _pg() else f"CAST({col} AS TEXT)", name, "date")
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        return _Col(col, name, "num")
    return _Col(col, name, "str")


def read_sql(sql: str, params: list, schema: dict[str, Any]) -> pl.DataFrame:
    """The rows of a SELECT as a DataFrame with ``schema`` (Int64 / Utf8 columns, in order).

    PostgreSQL: ``COPY (sql) TO STDOUT`` as CSV, parsed by Polars; SQLite: the cursor's rows.
    """
    with connection.cursor() as cur:
        if _pg():
            buf = io.BytesIO()
            with cur.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params or None) as cp:
                for chunk in cp:
                    buf.write(chunk)
            if not buf.tell():
                return pl.DataFrame(schema=schema)
            buf.seek(0)
            return pl.read_csv(buf, has_header=False, schema=schema)
        cur.execute(sql, params)
        rows = cur.fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


def _fetch(select: list[_Col], from_where: str, params: list) -> pl.DataFrame:
    """``SELECT <select> <from_where>`` into a DataFrame (ints, strings, raw date text)."""
    sql = "SELECT " + ", ".join(c.sql for c in select) + " " + from_where
    schema = {c.name: (pl.Utf8 if c.kind in ("str", "date") else pl.Int64) for c in select}
    return read_sql(sql, params, schema)


def _where_scope(column: str, scope: tuple[str, list] | None) -> tuple[str, list]:
    if scope is None:
        return "", []
    return f"{column} IN ({scope[0]})", list(scope[1])


def _and(*parts: str) -> str:
    parts = tuple(p for p in parts if p)
    return (" WHERE " + " AND ".join(parts)) if parts else ""


# --------------------------------------------------------------------------------------------
# numbers


def _reduced_scale(s: pl.Series, places: int) -> int:
    """The smallest scale holding every value of a column read ×10^places (build_frame's lcm).

    A value v / 10^p has denominator 10^p / gcd(v, 10^p); their lcm is 10^p / gcd(10^p, all v),
    found one prime power of 2 and 5 at a time.
    """
    if places == 0:
        return 1
    vals = s.drop_nulls()
    g2 = g5 = 0
    for k in range(1, places + 1):
        if g2 == k - 1 and (vals % (2**k) == 0).all():
            g2 = k
        if g5 == k - 1 and (vals % (5**k) == 0).all():
            g5 = k
    return 10**places // (2**g2 * 5**g5)


def _num_json(raw: pl.DataFrame, col: str, places: int, extra: dict[str, pl.Series]) -> pl.Expr:
    """A column read ×10^places as an exact JSON number.

    Up to 15 significant digits a float prints back as the same decimal (shortest round trip),
    so the value goes into the JSON as the float nearest to it (divided by NumPy, correctly
    rounded; Polars multiplies by the reciprocal, which is not); wider values go in as marked
    decimal text that is unquoted after encoding. New columns are added to ``extra``.
    """
    c = pl.col(col)
    if places == 0:
        return c
    n = 10**places
    name = f"_json_{col}"
    s = raw[col]
    if s.abs().max() is None or s.abs().max() < 10**15:
        values = s.cast(pl.Float64).to_numpy() / float(n)
        extra[name] = pl.Series(name, values, dtype=pl.Float64, nan_to_null=True)
        return pl.col(name)
    a = c.abs()
    whole = (a // n).cast(pl.Utf8)
    frac = (a % n).cast(pl.Utf8).str.zfill(places).str.strip_chars_end("0")
    sign = pl.when(c < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    text = pl.concat_str(
        [sign, whole, pl.when(frac == "").then(pl.lit("")).otherwise(pl.lit(".") + frac)]
    )
    return pl.when(c.is_null()).then(None).otherwise(_NUM_MARK + text + _NUM_MARK)


# --------------------------------------------------------------------------------------------
# the read


@dataclass
class _Plan:
    top: list[tuple[str, str]]  # (frame column, kind)
    years: dict[int, list[tuple[str, str, str]]]  # offset → [(frame column, field, kind)]
    lists: list[str]


def _plan(columns: dict[str, str]) -> _Plan:
    plan = _Plan([], {}, [])
    for col, kind in columns.items():
        head, _, rest = col.partition(".")
        if head[:1] == "y" and head[1:].isdigit() and rest in YEAR_FIELDS:
            plan.years.setdefault(int(head[1:]), []).append((col, rest, kind))
        elif kind == "list":
            if col not in LIST_FIELDS:
                raise KeyError(col)
            plan.lists.append(col)
        else:
            if col not in TOP_FIELDS:
                raise KeyError(col)
            plan.top.append((col, kind))
    return plan


def read_frame(
    queryset: QuerySet | None,
    columns: dict[str, str],
    year: int,
    *,
    documents: bool = False,
) -> RegistryRead:
    """The evaluation frame of the enterprises of ``queryset`` (see the module docstring)."""
    plan = _plan(columns)
    scope = scope_sql(queryset)
    raw, places = _read_enterprises(plan, scope)
    raw = _join_years(raw, plan, scope, year, places)
    lists = {name: _read_list(name, scope) for name in plan.lists}
    frame = _frame(raw, plan, lists, places, year, columns)
    docs = _documents(raw, plan, lists, places, year) if documents else None
    return RegistryRead(frame=frame, ids=raw["id"], names=raw["name"], documents=docs)


def _read_enterprises(plan: _Plan, scope) -> tuple[pl.DataFrame, dict[str, int]]:
    meta = Enterprise._meta
    select = [
        _col("e", meta.pk, "id"),
        _col("e", meta.get_field("uscc"), "uscc"),
        _col("e", meta.get_field("name"), "name"),
    ]
    join = ""
    for col, _kind in plan.top:
        if col == "region":
            join = (
                f" LEFT JOIN {_q(Region._meta.db_table)} r"
                f" ON r.{_q(Region._meta.pk.column)} = e.{_q('region_id')}"
            )
            select.append(_Col(f"r.{_q('name')}", col, "str"))
            continue
        select.append(_col("e", meta.get_field(ENTERPRISE_FIELDS[col]), col))
    where, params = _where_scope(f"e.{_q(meta.pk.column)}", scope)
    raw = _fetch(
        select,
        f"FROM {_q(meta.db_table)} e{join}{_and(where)} ORDER BY e.{_q(meta.pk.column)}",
        params,
    )
    places = {c.name: c.places for c in select if c.kind == "num"}
    return _typed(raw, select), places


def _typed(df: pl.DataFrame, select: list[_Col]) -> pl.DataFrame:
    exprs = []
    for c in select:
        if c.kind == "bool":
            exprs.append(pl.col(c.name).cast(pl.Boolean))
        elif c.kind == "date":
            exprs.append(pl.col(c.name).str.slice(0, 10).str.to_date("%Y-%m-%d"))
    return df.with_columns(exprs) if exprs else df


def _join_years(raw: pl.DataFrame, plan: _Plan, scope, year: int, places: dict) -> pl.DataFrame:
    """One column per (offset, field) needed: ``y1.revenue`` = revenue of year − 1."""
    if not plan.years:
        return raw
    figs = {f for cols in plan.years.values() for _c, f, _k in cols if f != "development_score"}
    wanted = sorted(year - k for k in plan.years)
    tables = []
    if figs:
        meta = AnnualFigures._meta
        select = [
            _col("f", meta.get_field("enterprise"), "id"),
            _col("f", meta.get_field("year"), "year"),
        ]
        select += [_col("f", meta.get_field(f), f) for f in sorted(figs)]
        where, params = _where_scope(f"f.{_q('enterprise_id')}", scope)
        yrs = f"f.{_q('year')} IN ({', '.join(str(y) for y in wanted)})"
        df = _typed(_fetch(select, f"FROM {_q(meta.db_table)} f{_and(yrs, where)}", params), select)
        tables.append((df, {c.name: c.places for c in select if c.kind == "num"}))
    if any(f == "development_score" for cols in plan.years.values() for _c, f, _k in cols):
        meta = DevelopmentScore._meta
        select = [
            _col("s", meta.get_field("enterprise"), "id"),
            _col("s", meta.get_field("year"), "year"),
            _col("s", meta.get_field("score"), "development_score"),
        ]
        where, params = _where_scope(f"s.{_q('enterprise_id')}", scope)
        yrs = f"s.{_q('year')} IN ({', '.join(str(y) for y in wanted)})"
        df = _fetch(select, f"FROM {_q(meta.db_table)} s{_and(yrs, where)}", params)
        tables.append((df, {"development_score": select[2].places}))
    for k, cols in sorted(plan.years.items()):
        for df, pl_places in tables:
            here = [(c, f) for c, f, _k in cols if f in df.columns]
            if not here:
                continue
            part = df.filter(pl.col("year") == year - k).select(
                "id", *[pl.col(f).alias(c) for c, f in here]
            )
            raw = raw.join(part, on="id", how="left", maintain_order="left")
            for c, f in here:
                places[c] = pl_places.get(f, 0)
    return raw


def _read_list(name: str, scope) -> pl.DataFrame:
    """The elements of one list, sorted per enterprise as the profile builder sorts them."""
    model, extra, order = _LISTS[name]
    meta = model._meta
    fields = LIST_FIELDS[name]
    select = [_col("t", meta.get_field("enterprise"), "id"), _col("t", meta.pk, "_pk")]
    present = [f for f in fields if f in ARRAY_FIELDS[name]]  # honors.granted is not exchanged
    select += [_col("t", meta.get_field(f), f) for f in present]
    where, params = _where_scope(f"t.{_q('enterprise_id')}", scope)
    extra_sql = extra.replace("status", f"t.{_q('status')}") if extra else ""
    df = _typed(
        _fetch(select, f"FROM {_q(meta.db_table)} t{_and(extra_sql, where)}", params), select
    )
    sort_keys = [pl.col("id")]
    for col, null_as in order:
        c = pl.col("_pk" if col == "id" else col)
        sort_keys.append(c if null_as is None else c.fill_null(null_as))
    df = df.sort(sort_keys)
    missing = [
        pl.lit(None, dtype=_KIND_DTYPE[fields[f]]).alias(f) for f in fields if f not in present
    ]
    return df.with_columns(missing).select("id", *fields)


def _frame(
    raw: pl.DataFrame,
    plan: _Plan,
    lists: dict[str, pl.DataFrame],
    places: dict[str, int],
    year: int,
    columns: dict[str, str],
) -> Frame:
    exprs: list[pl.Expr] = [pl.col("uscc")]
    scales: dict[str, int] = {}
    for col, kind in columns.items():
        if kind == "list":
            continue
        head, _, rest = col.partition(".")
        spec = YEAR_FIELDS[rest] if col not in TOP_FIELDS else TOP_FIELDS[col]
        default = spec[2] if spec[1] else None
        c = pl.col(col)
        if col in _BLANK_IS_NONE:
            c = pl.when(c == "").then(None).otherwise(c)
        if kind == "num":
            p = places.get(col, 0)
            if default is not None:
                c = c.fill_null(int(default * 10**p))
            s = raw.select(c.alias(col)).to_series()
            scale = _reduced_scale(s, p)
            scales[col] = scale
            if p:
                c = c * scale // 10**p
            exprs.append(c.cast(pl.Int64).alias(col))
            continue
        if default is not None:
            c = c.fill_null(pl.lit(default))
        exprs.append(c.cast({"bool": pl.Boolean, "str": pl.Utf8, "date": pl.Date}[kind]).alias(col))
    df = raw.select("id", *exprs)
    for name in (c for c, k in columns.items() if k == "list"):
        el = lists[name]
        fields = list(LIST_FIELDS[name])
        agg = el.group_by("id", maintain_order=True).agg(pl.struct(fields).alias(name))
        df = df.join(agg, on="id", how="left", maintain_order="left")
    return Frame(df.drop("id"), scales, year)


def _documents(
    raw: pl.DataFrame,
    plan: _Plan,
    lists: dict[str, pl.DataFrame],
    places: dict[str, int],
    year: int,
) -> pl.Series:
    """Per row, the exchange-format JSON of the inputs read (numbers exact, keys ordered)."""
    top: dict[str, Any] = {"uscc": pl.col("uscc"), "name": pl.col("name")}
    extra: dict[str, pl.Series] = {}
    for col, kind in sorted(plan.top, key=lambda ck: _TOP_ORDER[ck[0]]):
        v = _num_json(raw, col, places.get(col, 0), extra) if kind == "num" else pl.col(col)
        if kind == "date":
            v = v.dt.strftime("%Y-%m-%d")
        if col in _BLANK_IS_NONE:
            v = pl.when(v == "").then(None).otherwise(v)
        head, _, sub = col.partition(".")
        if sub:
            top.setdefault(head, {})[sub] = v
        else:
            top[col] = v
    years: dict[str, dict[str, pl.Expr]] = {}
    scores: dict[str, pl.Expr] = {}
    for k, cols in sorted(plan.years.items(), reverse=True):
        for col, field, kind in sorted(cols, key=lambda c: _YEAR_ORDER[c[1]]):
            v = _num_json(raw, col, places.get(col, 0), extra) if kind == "num" else pl.col(col)
            if field == "development_score":
                scores[str(year - k)] = v
            else:
                years.setdefault(str(year - k), {})[field] = v
    if scores:
        top["development_scores"] = scores
    if years:
        top["years"] = years
    df = raw.with_columns(list(extra.values())) if extra else raw
    for name in sorted(plan.lists, key=list(LIST_FIELDS).index):
        el = lists[name]
        fields = list(ARRAY_FIELDS[name])
        item = []
        for f in fields:
            kind = LIST_FIELDS[name][f]
            if kind == "num":
                item.append(pl.col(f))
            elif kind == "date":
                item.append(pl.col(f).dt.strftime("%Y-%m-%d").alias(f))
            else:
                item.append(pl.col(f))
        agg = el.group_by("id", maintain_order=True).agg(pl.struct(item).alias(f"_list_{name}"))
        df = df.join(agg, on="id", how="left", maintain_order="left")
        top[name] = pl.col(f"_list_{name}")

    def struct(d: dict[str, Any]) -> pl.Expr:
        return pl.struct([(struct(v) if isinstance(v, dict) else v).alias(k) for k, v in d.items()])

    text = df.select(struct(top).struct.json_encode().alias("document")).to_series()
    if text.str.contains(_NUM_MARK, literal=True).any():
        mark = _NUM_MARK
        text = text.str.replace_all(f'"{mark}([^"{mark}]*){mark}"', "${1}")
    return text
