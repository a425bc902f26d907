"""Mapping between the registry models and the exchange-format profile (v1).

One place knows which model column holds which exchange-format field:

* ``ENTERPRISE_FIELDS``: exchange path (``"name"``, ``"market.share_pct"``) → Enterprise column;
* ``YEAR_FIELDS``: key under ``years.YYYY`` → AnnualFigures column (same names);
* the arrays (awards, maker_china, honors, titles) and ``development_scores`` are child rows.

``profile_from_rows`` builds the *normalised* profile (dates, Decimals; absent = unknown /
none) from model instances; :func:`srdi.exchange.to_json_obj` turns it into the JSON document
that export writes (declarations filled in). ``enterprise_values`` is the reverse for the
top level (the columns a normalised profile sets).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from srdi.exchange import schema as S

from .models import AnnualFigures, Enterprise

# --------------------------------------------------------------------------- top level

#: exchange path → Enterprise column, for every scalar field kept on the Enterprise row
ENTERPRISE_FIELDS: dict[str, str] = {}
for _f in S.TOP_SECTION.fields:
    ENTERPRISE_FIELDS[_f.key] = _f.key
for _sec in S.OBJECTS:
    for _f in _sec.fields:
        ENTERPRISE_FIELDS[f"{_sec.key}.{_f.key}"] = f"{_sec.key}_{_f.key}"
ENTERPRISE_FIELDS["region"] = "region_id"  # name ↔ id, see below

#: columns where "" stands for absent / null
_BLANK_IS_NONE = {"sei_code", "foundation_field", "size_sector", "main_product", "industry_code"}

YEAR_FIELDS: tuple[str, ...] = tuple(f.key for f in S.section("years").fields)
assert set(YEAR_FIELDS) == set(AnnualFigures.FIGURES), "AnnualFigures out of step with schema"

ARRAY_KEYS = ("awards", "maker_china", "honors", "titles")
ARRAY_FIELDS = {s.key: tuple(f.key for f in s.fields) for s in S.ARRAYS}

#: prefetch names for building many profiles
PREFETCH = ("years", "awards", "maker_china", "honors", "titles", "development_scores")


def _db_value(column: str, value):
    """Model value of a normalised exchange value."""
    if value is None and column in _BLANK_IS_NONE:
        return ""
    return value


def _profile_value(column: str, value):
    if column in _BLANK_IS_NONE and value == "":
        return None
    return value


def enterprise_values(profile: dict, region_ids: dict[str, int]) -> dict:
    """Enterprise column → value for the top-level fields *present* in a normalised profile."""
    out: dict = {}
    for key, value in profile.items():
        if key in ("years", "development_scores", "ext", *ARRAY_KEYS):
            continue
        if key == "region":
            out["region_id"] = region_ids.get(value) if value is not None else None
            continue
        if isinstance(value, dict):  # market / quality / ip / compliance
            for sub, v in value.items():
                out[f"{key}_{sub}"] = v
            continue
        out[key] = _db_value(key, value)
    if "ext" in profile:
        out["ext"] = profile["ext"] or {}
    return out


def column_path(column: str) -> str:
    """Exchange path of an Enterprise column (``market_share_pct`` → ``market.share_pct``)."""
    return _COLUMN_PATH.get(column, column)


_COLUMN_PATH = {v: k for k, v in ENTERPRISE_FIELDS.items()}
_COLUMN_PATH["ext"] = "ext"


def _clean(v):
    """Normalise DB values: Decimals without trailing zeros, dates as dates."""
    if isinstance(v, Decimal):
        return v.normalize() if v != v.to_integral_value() else Decimal(int(v))
    if isinstance(v, dt.datetime):
        return v.date()
    return v


def profile_from_rows(
    e: Enterprise,
    *,
    region_name: str | None,
    years=(),
    awards=(),
    maker_china=(),
    honors=(),
    titles=(),
    scores=(),
) -> dict:
    """The normalised profile (absent measurements left out) of an enterprise and its rows."""
    p: dict = {}
    for f in S.TOP_SECTION.fields:
        k = f.key
        if k == "region":
            if region_name:
                p["region"] = region_name
            continue
        v = _profile_value(k, getattr(e, k))
        if v is None:
            if f.nullable:
                p[k] = None
            continue
        p[k] = _clean(v)
    for sec in S.OBJECTS:
        obj = {}
        for f in sec.fields:
            v = getattr(e, f"{sec.key}_{f.key}")
            if v is not None:
                obj[f.key] = _clean(v)
        p[sec.key] = obj
    p["awards"] = [
        _drop_none({"level": a.level, "year": a.year, "rank": a.rank})
        for a in sorted(awards, key=lambda a: (a.year, a.level, a.rank or 0, a.pk or 0))
    ]
    p["maker_china"] = [
        {"year": m.year, "group": m.group}
        for m in sorted(maker_china, key=lambda m: (m.year, m.group, m.pk or 0))
    ]
    p["honors"] = [
        _drop_none({"type": h.type, "valid_until": h.valid_until})
        for h in sorted(honors, key=_honor_key)
    ]
    p["titles"] = [
        _drop_none(
            {"tier": t.tier, "level": t.level, "granted": t.granted, "valid_until": t.valid_until}
        )
        for t in sorted(titles, key=_title_key)
        if t.status != "revoked"
    ]
    if scores:
        p["development_scores"] = {
            str(s.year): _clean(s.score) for s in sorted(scores, key=lambda s: s.year)
        }
    if years:
        ys = {}
        for y in sorted(years, key=lambda y: y.year):
            fig = {}
            for k in YEAR_FIELDS:
                v = getattr(y, k)
                if v is not None:
                    fig[k] = _clean(v)
            ys[str(y.year)] = fig
        p["years"] = ys
    if e.ext:
        p["ext"] = e.ext
    return p


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


_FAR = dt.date(9999, 12, 31)


def _title_key(t):
    return (t.granted or _FAR, t.tier, t.level, t.valid_until or _FAR, t.pk or 0)


def _honor_key(h):
    return (h.type, h.valid_until or _FAR, h.pk or 0)


def array_item_key(section: str, item: dict) -> tuple:
    """Natural key of an array item (to keep DB-only details when a file repeats an item)."""
    if section == "titles":
        return (item.get("tier"), item.get("level"), item.get("granted"))
    if section == "honors":
        return (item.get("type"), item.get("valid_until"))
    if section == "awards":
        return (item.get("level"), item.get("year"), item.get("rank"))
    return (item.get("year"), item.get("group"))
