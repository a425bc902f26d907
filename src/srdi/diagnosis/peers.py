"""Peer benchmarks (同行对标) with Polars, from the stored annual figures.

Two peer groups per enterprise: the enterprises of its industry division (GB/T 4754 大类, the
letter and two digits of the code, e.g. C34) and those of its 板块. For each metric of
settings.yaml (`peer_metrics`) the enterprise's percentile is the share of the *other*
enterprises of the group with a known figure that it does better than (ties count half), with
"better" meaning higher or lower as the metric says. Fewer than `min_peers` others: no
percentile.

A :class:`PeerBook` is built once and reused for a whole batch.
"""

from __future__ import annotations

import datetime as dt
from statistics import median

import polars as pl

from . import engine
from .figures import settings

FIELDS = (
    "employees", "rd_staff", "revenue", "main_revenue", "total_assets", "total_liabilities",
    "net_profit", "rd_expense",
)  # fmt: skip

GROUPS = (("division", "同行业大类"), ("region", "同板块"))


def division_of(industry_code: str | None) -> str | None:
    if not industry_code:
        return None
    code = industry_code.strip().upper()
    if code[:1].isalpha():
        return code[:3] if len(code) >= 3 else None
    return code[:2] or None


def _pct(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den.is_not_null() & (den != 0)).then(num * 100.0 / den).otherwise(None)


class PeerBook:
    """Metrics of every enterprise of ``qs`` for the assessment year of ``as_of``."""

    def __init__(self, as_of: dt.date, qs=None):
        from srdi.registry.models import AnnualFigures, Enterprise

        self.as_of = as_of
        self.year = as_of.year
        self.qs = Enterprise.objects.all() if qs is None else qs
        y1, y2, y3 = self.year - 1, self.year - 2, self.year - 3
        ents = list(
            self.qs.values("id", "uscc", "name", "region_id", "region__name", "industry_code")
        )
        base = pl.DataFrame(
            {
                "id": [e["id"] for e in ents],
                "region": [e["region_id"] for e in ents],
                "region_name": [e["region__name"] for e in ents],
                "division": [division_of(e["industry_code"]) for e in ents],
            },
            schema={
                "id": pl.Int64,
                "region": pl.Int64,
                "region_name": pl.Utf8,
                "division": pl.Utf8,
            },
        )
        rows = list(
            AnnualFigures.objects.filter(enterprise__in=self.qs, year__in=(y1, y2, y3)).values(
                "enterprise_id", "year", *FIELDS
            )
        )
        figs = pl.DataFrame(
            {
                "id": [r["enterprise_id"] for r in rows],
                "year": [r["year"] for r in rows],
                **{f: [None if r[f] is None else float(r[f]) for r in rows] for f in FIELDS},
            },
            schema={"id": pl.Int64, "year": pl.Int64, **{f: pl.Float64 for f in FIELDS}},
        )

        def year(y: int, cols: tuple[str, ...], suffix: str) -> pl.DataFrame:
            return figs.filter(pl.col("year") == y).select(
                "id", *[pl.col(c).alias(f"{c}{suffix}") for c in cols]
            )

        df = (
            base.join(year(y1, FIELDS, ""), on="id", how="left")
            .join(year(y2, ("main_revenue",), "_2"), on="id", how="left")
            .join(year(y3, ("main_revenue",), "_3"), on="id", how="left")
        )
        growth1 = _pct(pl.col("main_revenue") - pl.col("main_revenue_2"), pl.col("main_revenue_2"))
        growth2 = _pct(
            pl.col("main_revenue_2") - pl.col("main_revenue_3"), pl.col("main_revenue_3")
        )
        df = df.with_columns(
            main_share=_pct(pl.col("main_revenue"), pl.col("revenue")),
            rd_intensity=_pct(pl.col("rd_expense"), pl.col("revenue")),
            net_margin=_pct(pl.col("net_profit"), pl.col("revenue")),
            debt_ratio=_pct(pl.col("total_liabilities"), pl.col("total_assets")),
            rd_staff_share=_pct(pl.col("rd_staff"), pl.col("employees")),
            main_growth=growth1,
            avg_growth_2y=(growth1 + growth2) / 2,
        )
        self.metrics = settings()["peer_metrics"]
        exprs = []
        for m in self.metrics:
            col = m["id"]
            desc = m["better"] == "lower"
            for g, _label in GROUPS:
                n = pl.col(col).count().over(g)
                rank = pl.col(col).rank("average", descending=desc).over(g)
                # rank ascending in "badness": rank 1 = worst; beats = rank - 1 of n - 1 others
                exprs += [
                    (n - 1).alias(f"{col}__{g}__n"),
                    pl.when((n - 1) > 0)
                    .then((rank - 1) * 100.0 / (n - 1))
                    .otherwise(None)
                    .alias(f"{col}__{g}__pct"),
                    pl.col(col).median().over(g).alias(f"{col}__{g}__median"),
                ]
        self.df = df.with_columns(exprs)
        self._index = {row_id: i for i, row_id in enumerate(self.df["id"].to_list())}
        self._dims: dict[str, dict[int, dict]] = {}

    def has(self, enterprise_id: int) -> bool:
        return enterprise_id in self._index

    def benchmarks(self, enterprise) -> dict:
        """{"groups": [...], "metrics": [{id, label, unit, better, value, division: {...}, region: {...}}]}"""
        min_peers = settings()["min_peers"]
        i = self._index.get(enterprise.pk)
        row = self.df.row(i, named=True) if i is not None else {}
        groups = [
            {"key": "division", "label": f"同行业大类（{row.get('division') or '未填行业'}）"},
            {"key": "region", "label": f"同板块（{row.get('region_name') or '未填板块'}）"},
        ]
        out = []
        for m in self.metrics:
            col = m["id"]
            item = {k: m[k] for k in ("id", "label", "unit", "better")}
            item["value"] = row.get(col)
            for g, _label in GROUPS:
                n = row.get(f"{col}__{g}__n")
                pct = row.get(f"{col}__{g}__pct")
                known = item["value"] is not None and row.get(g) is not None
                ok = known and n is not None and n >= min_peers
                item[g] = {
                    "peers": int(n) if n is not None and known else 0,
                    "percentile": round(pct, 1) if ok and pct is not None else None,
                    "median": row.get(f"{col}__{g}__median") if row.get(g) is not None else None,
                }
            out.append(item)
        return {"groups": groups, "metrics": out}

    # --- dimension scores of peers (for the radar's peer median) ---------------------------

    def dimension_medians(self, standard_id: str, enterprise) -> dict[str, dict[str, float | None]]:
        """Median points per dimension of the other enterprises of each group, as the rules
        core scores them (one evaluate_many over the book, cached)."""
        if standard_id not in self._dims:
            profiles = list(engine.iter_profiles(self.qs))
            ids = dict(self.qs.values_list("uscc", "id"))
            results = engine.evaluate_many(profiles, [standard_id], self.as_of)
            self._dims[standard_id] = {
                ids[r["uscc"]]: r.get("dimensions") or {} for r in results if r.get("uscc") in ids
            }
        dims = self._dims[standard_id]
        i = self._index.get(enterprise.pk)
        row = self.df.row(i, named=True) if i is not None else {}
        out: dict[str, dict[str, float | None]] = {}
        min_peers = settings()["min_peers"]
        for g, _label in GROUPS:
            key = row.get(g)
            members = (
                self.df.filter((pl.col(g) == key) & (pl.col("id") != enterprise.pk))["id"].to_list()
                if key is not None
                else []
            )
            by_dim: dict[str, list[float]] = {}
            for mid in members:
                for name, pts in (dims.get(mid) or {}).items():
                    if pts is not None:
                        by_dim.setdefault(name, []).append(float(pts))
            out[g] = {
                name: (median(v) if len(v) >= min_peers else None) for name, v in by_dim.items()
            }
        return out


def book_for(enterprise, as_of: dt.date) -> PeerBook:
    """A book over the enterprise's two peer groups only (for a single report)."""
    return book_for_many([enterprise], as_of)


def book_for_many(enterprises, as_of: dt.date) -> PeerBook:
    """A book over the peer groups (divisions and 板块) of these enterprises (for a batch)."""
    from django.db.models import Q

    from srdi.registry.models import Enterprise

    ids, divisions, regions = set(), set(), set()
    for e in enterprises:
        ids.add(e.pk)
        if division_of(e.industry_code):
            divisions.add(division_of(e.industry_code))
        if e.region_id:
            regions.add(e.region_id)
    q = Q(pk__in=ids) | Q(region_id__in=regions)
    for div in sorted(divisions):
        q |= Q(industry_code__istartswith=div)
    return PeerBook(as_of, Enterprise.objects.filter(q))
