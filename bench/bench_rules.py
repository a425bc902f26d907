"""Benchmarks of the rules core (run by `make bench`; figures go to bench/RESULTS-rules.md).

1. all standards over 100,000 and 1,000,000 generated profiles held in memory (columnar);
2. each scored standard as one hand-written DuckDB SQL query over the same data (yardstick);
3. the per-profile Python loop (scalar evaluator);
4. one enterprise with explanation and gaps.

Stored enterprises evaluated from the database and saved: bench/bench_evaluate_db.py.

    .venv/bin/python bench/bench_rules.py [--sizes 100000,1000000] [--write]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from srdi.rules import evaluate, list_standards, load_standard, next_tier  # noqa: E402
from srdi.rules.columnar import Frame, columns_for, evaluate_frame  # noqa: E402

AS_OF = date(2025, 6, 30)
Y = AS_OF.year


# --------------------------------------------------------------------------------------------
# data


def generate_frame(n: int, seed: int = 7) -> Frame:
    """A frame of n plausible profiles (money in 万元 with 2 decimals, i.e. scale 100)."""
    rng = np.random.default_rng(seed)
    stds = list_standards()
    cols = columns_for(stds, load_standard("sme-size@2011"))
    data: dict[str, object] = {"uscc": pl.int_range(0, n, eager=True).cast(pl.Utf8)}
    scales: dict[str, int] = {}

    def money(lo: float, hi: float, miss: float = 0.05) -> np.ndarray:
        v = np.exp(rng.uniform(np.log(lo), np.log(hi), n))
        cents = np.round(v * 100).astype(np.int64)
        return cents, rng.random(n) < miss

    revenue = {}
    for k in range(0, 4):
        cents, miss = money(200, 60000)
        revenue[k] = (cents, miss)
    for col, kind in cols.items():
        head, _, field = col.partition(".")
        k = int(head[1:]) if head[:1] == "y" and head[1:].isdigit() else None
        if kind == "num":
            if k is not None:
                rev, rmiss = revenue.get(k, revenue[1])
                if field == "revenue":
                    arr, miss = rev, rmiss
                elif field == "main_revenue":
                    arr, miss = (
                        (rev * rng.uniform(0.4, 1.0, n)).astype(np.int64),
                        rng.random(n) < 0.05,
                    )
                elif field == "rd_expense":
                    arr, miss = (
                        (rev * rng.uniform(0, 0.12, n)).astype(np.int64),
                        rng.random(n) < 0.05,
                    )
                elif field == "net_profit":
                    arr, miss = (
                        (rev * rng.uniform(-0.05, 0.2, n)).astype(np.int64),
                        rng.random(n) < 0.05,
                    )
                elif field == "total_assets":
                    arr, miss = (
                        (rev * rng.uniform(0.5, 2, n)).astype(np.int64),
                        rng.random(n) < 0.05,
                    )
                elif field == "total_liabilities":
                    arr, miss = (
                        (rev * rng.uniform(0.2, 1.2, n)).astype(np.int64),
                        rng.random(n) < 0.05,
                    )
                elif field == "equity_financing":
                    arr = np.where(rng.random(n) < 0.1, rng.integers(0, 800000, n), 0)
                    miss = np.zeros(n, bool)
                elif field == "employees":
                    arr, miss = rng.integers(5, 1500, n) * 100, rng.random(n) < 0.03
                elif field == "rd_staff":
                    arr, miss = rng.integers(0, 200, n) * 100, rng.random(n) < 0.05
                elif field == "development_score":
                    arr, miss = rng.integers(3000, 8000, n), rng.random(n) < 0.2
                else:
                    arr, miss = rng.integers(0, 100000, n), rng.random(n) < 0.1
                scales[col] = 100
            elif col.startswith("ip."):
                arr, miss = rng.integers(0, 6, n), np.zeros(n, bool)
                scales[col] = 1
            elif col == "digital_level":
                arr, miss = rng.integers(1, 5, n), rng.random(n) < 0.2
                scales[col] = 1
            elif col == "local_featured_points":
                arr, miss = rng.integers(0, 31, n) * 5, rng.random(n) < 0.2
                scales[col] = 10
            elif col == "market.share_pct":
                arr, miss = rng.integers(0, 3000, n), rng.random(n) < 0.3
                scales[col] = 100
            else:  # ranks
                arr, miss = rng.integers(1, 20, n), rng.random(n) < 0.3
                scales[col] = 1
            s = pl.Series(col, arr, dtype=pl.Int64)
            data[col] = s.set(pl.Series(miss), None) if miss.any() else s
        elif kind == "bool":
            p = 0.01 if col.startswith("compliance.") else 0.4
            data[col] = pl.Series(col, rng.random(n) < p)
        elif kind == "str":
            if col == "rd_institution":
                choices = ["national", "provincial", "municipal", "below_municipal", "none"]
            elif col == "foundation_field":
                choices = ["components", None, None]
            elif col == "sei_code":
                choices = ["2.1", None]
            elif col == "size_sector":
                choices = ["industry"] * 8 + ["software_it", "wholesale"]
            else:
                choices = ["C3451"]
            idx = rng.integers(0, len(choices), n)
            data[col] = (
                pl.Series(col, [choices[i] for i in idx], dtype=pl.Utf8)
                if len(set(choices)) > 1
                else pl.repeat(choices[0], n, eager=True).alias(col)
            )
        elif kind == "date":
            days = rng.integers(0, 365 * 15, n)
            data[col] = pl.Series(
                col, np.datetime64("2010-01-01") + days.astype("timedelta64[D]")
            ).cast(pl.Date)
        elif kind == "list":
            data[col] = pl.Series(col, [None] * n, dtype=_list_dtype(col))
    return Frame(pl.DataFrame(data), scales, Y)


def _list_dtype(col: str):
    from srdi.rules.columnar import LIST_DTYPES

    return LIST_DTYPES[col]


def with_lists(frame: Frame, share: float = 0.1, seed: int = 3) -> Frame:
    """Give a share of the rows an award, a maker-china entry, an honour and a title."""
    rng = np.random.default_rng(seed)
    n = frame.df.height
    rows = np.flatnonzero(rng.random(n) < share).astype(np.uint32)
    m = len(rows)
    el = {
        "awards": pl.DataFrame(
            {
                "_row": rows,
                "level": np.where(rng.random(m) < 0.5, "national", "provincial"),
                "year": rng.integers(2019, 2026, m),
                "rank": rng.integers(1, 8, m),
            }
        ),
        "maker_china": pl.DataFrame(
            {
                "_row": rows,
                "year": rng.integers(2019, 2026, m),
                "group": np.where(rng.random(m) < 0.3, "top50", "top500"),
            }
        ),
        "honors": pl.DataFrame(
            {
                "_row": rows,
                "type": ["high_tech"] * m,
                "granted": [None] * m,
                "valid_until": np.datetime64("2024-01-01")
                + rng.integers(0, 1500, m).astype("timedelta64[D]"),
            }
        ),
        "titles": pl.DataFrame(
            {
                "_row": rows,
                "tier": np.where(rng.random(m) < 0.5, "innovative_sme", "srdi_sme"),
                "level": ["provincial"] * m,
                "granted": [date(2023, 1, 1)] * m,
                "valid_until": np.datetime64("2024-06-01")
                + rng.integers(0, 1000, m).astype("timedelta64[D]"),
            }
        ),
    }
    df = frame.df.drop([c for c in el if c in frame.df.columns]).with_row_index("_row")
    for name, e in el.items():
        fields = [c for c in e.columns if c != "_row"]
        e = e.with_columns(pl.col(f).cast(_list_dtype(name).inner.to_schema()[f]) for f in fields)
        agg = e.group_by("_row").agg(pl.struct(fields).alias(name))
        df = df.join(agg, on="_row", how="left")
    return Frame(df.drop("_row"), frame.scales, frame.year)


# --------------------------------------------------------------------------------------------
# helpers


class PeakRSS:
    """Peak resident memory during a block (sampled), in MB."""

    def __enter__(self):
        self.base = rss_mb()
        self.peak = self.base
        self._stop = False
        self._t = threading.Thread(target=self._watch, daemon=True)
        self._t.start()
        return self

    def _watch(self):
        while not self._stop:
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.005)

    def __exit__(self, *exc):
        self._stop = True
        self._t.join()
        self.peak = max(self.peak, rss_mb())


def rss_mb() -> float:
    try:
        with open(f"/proc/{os.getpid()}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


# --------------------------------------------------------------------------------------------
# DuckDB yardsticks: each scored standard's scoring as one hand-written query


def duckdb_queries() -> dict[str, str]:
    m = 'CAST("{c}" AS HUGEINT)'

    def c(name: str) -> str:
        return m.format(c=name)

    rev, main, rd = c("y1.revenue"), c("y1.main_revenue"), c("y1.rd_expense")
    main2, main3 = c("y2.main_revenue"), c("y3.main_revenue")
    liab, assets = c("y1.total_liabilities"), c("y1.total_assets")
    np_, staff, emp = c("y1.net_profit"), c("y1.rd_staff"), c("y1.employees")
    sme = f'("size_sector" IS NOT NULL AND ({emp} < 100000 OR {rev} < 4000000))'
    innovative = f"""
    SELECT count(*) FILTER (WHERE elig) AS eligible, sum(score) AS total FROM (
      SELECT (s_ip + s_rd) >= 20 AND (s_g + s_d) >= 15 AND (s_f + s_m) >= 15
             AND (s_ip + s_rd + s_g + s_d + s_f + s_m) >= 60 AND {sme} AS elig,
             s_ip + s_rd + s_g + s_d + s_f + s_m AS score FROM (
        SELECT *,
          CASE WHEN "ip.class1_high_value" >= 1 THEN 20 WHEN "ip.class1_self_developed" >= 1 THEN 15
               WHEN "ip.class1" >= 1 THEN 10 WHEN "ip.class2" >= 1 THEN 5 ELSE 0 END AS s_ip,
          CASE WHEN {rev} IS NULL OR {rev} = 0 OR {rd} IS NULL THEN 0
               WHEN {rd} * 100 >= 5 * {rev} THEN 20 WHEN {rd} * 100 >= 3 * {rev} THEN 15
               WHEN {rd} * 100 >= 2 * {rev} THEN 10 WHEN {rd} * 100 >= 1 * {rev} THEN 5 ELSE 0 END AS s_rd,
          CASE WHEN {main2} IS NULL OR {main2} = 0 OR {main} IS NULL THEN 0
               WHEN {main} * 100 >= 115 * {main2} THEN 20 WHEN {main} * 100 >= 110 * {main2} THEN 15
               WHEN {main} * 100 >= 105 * {main2} THEN 10 WHEN {main} >= {main2} THEN 5 ELSE 0 END AS s_g,
          CASE WHEN {assets} IS NULL OR {assets} = 0 OR {liab} IS NULL THEN 0
               WHEN {liab} * 100 <= 55 * {assets} THEN 10 WHEN {liab} * 100 <= 75 * {assets} THEN 5 ELSE 0 END AS s_d,
          CASE WHEN "sei_code" IS NOT NULL THEN 10 ELSE 5 END AS s_f,
          CASE WHEN {rev} IS NULL OR {rev} = 0 OR {main} IS NULL THEN 0
               WHEN {main} * 100 >= 70 * {rev} THEN 20 WHEN {main} * 100 >= 60 * {rev} THEN 15
               WHEN {main} * 100 >= 55 * {rev} THEN 10 WHEN {main} * 100 >= 50 * {rev} THEN 5 ELSE 0 END AS s_m
        FROM frame))"""
    srdi = f"""
    SELECT count(*) FILTER (WHERE score >= 60) AS passing, sum(score) AS total FROM (
      SELECT s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11 + s12 + sf AS score FROM (
        SELECT
          CASE WHEN {rev} IS NULL OR {rev} = 0 OR {main} IS NULL THEN 0
               WHEN {main} * 100 >= 80 * {rev} THEN 5 WHEN {main} * 100 >= 70 * {rev} THEN 3
               WHEN {main} * 100 >= 60 * {rev} THEN 1 ELSE 0 END AS s1,
          CASE WHEN {main3} IS NULL OR {main3} = 0 OR {main2} IS NULL OR {main2} = 0 OR {main} IS NULL THEN 0
               WHEN ({main} * {main3} + {main2} * {main2}) * 100 >= 220 * {main2} * {main3} THEN 10
               WHEN ({main} * {main3} + {main2} * {main2}) * 100 >= 216 * {main2} * {main3} THEN 8
               WHEN ({main} * {main3} + {main2} * {main2}) * 100 >= 212 * {main2} * {main3} THEN 6
               WHEN ({main} * {main3} + {main2} * {main2}) * 100 >= 208 * {main2} * {main3} THEN 4
               WHEN ({main} * {main3} + {main2} * {main2}) * 100 >= 200 * {main2} * {main3} THEN 2
               ELSE 0 END AS s2,
          LEAST(5, GREATEST(0, (2025 - year("niche_since") - CASE WHEN month("niche_since") = 1 AND day("niche_since") = 1 THEN 0 ELSE 1 END) // 2)) AS s3,
          CASE WHEN "chain_breakthrough" THEN 5 WHEN "foundation_field" IS NOT NULL OR "time_honored_brand" OR "serves_chain_leader" THEN 3 ELSE 0 END AS s4,
          CASE WHEN "digital_level" >= 3 THEN 5 WHEN "digital_level" >= 2 THEN 3 ELSE 0 END AS s5,
          LEAST(5, 3 * ("quality.provincial_award"::INT + "quality.iso9001"::INT + "quality.own_brand"::INT + "quality.standards"::INT)) AS s6,
          CASE WHEN {rev} IS NULL OR {rev} = 0 OR {np_} IS NULL THEN 0
               WHEN {np_} * 100 >= 10 * {rev} THEN 10 WHEN {np_} * 100 >= 8 * {rev} THEN 8
               WHEN {np_} * 100 >= 6 * {rev} THEN 6 WHEN {np_} * 100 >= 4 * {rev} THEN 4
               WHEN {np_} * 100 >= 2 * {rev} THEN 2 ELSE 0 END AS s7,
          CASE WHEN {assets} IS NULL OR {assets} = 0 OR {liab} IS NULL THEN 0
               WHEN {liab} * 100 <= 50 * {assets} THEN 5 WHEN {liab} * 100 <= 60 * {assets} THEN 3
               WHEN {liab} * 100 <= 70 * {assets} THEN 1 ELSE 0 END AS s8,
          CASE WHEN "ip.class1_high_value" >= 1 THEN 10 WHEN "ip.class1_self_developed" >= 1 THEN 8
               WHEN "ip.class1" >= 1 THEN 6 WHEN "ip.class2" >= 1 THEN 2 ELSE 0 END AS s9,
          CASE WHEN {rd} >= 50000 OR {rd} * 100 >= 10 * {rev} THEN 10 WHEN {rd} >= 40000 OR {rd} * 100 >= 8 * {rev} THEN 8
               WHEN {rd} >= 30000 OR {rd} * 100 >= 6 * {rev} THEN 6 WHEN {rd} >= 20000 OR {rd} * 100 >= 4 * {rev} THEN 4
               WHEN {rd} >= 10000 OR {rd} * 100 >= 3 * {rev} THEN 2 ELSE 0 END AS s10,
          CASE WHEN {emp} IS NULL OR {emp} = 0 OR {staff} IS NULL THEN 0
               WHEN {staff} * 100 >= 20 * {emp} THEN 5 WHEN {staff} * 100 >= 10 * {emp} THEN 3
               WHEN {staff} * 100 >= 5 * {emp} THEN 1 ELSE 0 END AS s11,
          CASE "rd_institution" WHEN 'national' THEN 10 WHEN 'provincial' THEN 8 WHEN 'municipal' THEN 4
               WHEN 'below_municipal' THEN 2 ELSE 0 END AS s12,
          COALESCE(LEAST(150, "local_featured_points"), 0) / 10 AS sf
        FROM frame))"""
    return {"innovative-sme@2022": innovative, "srdi-sme@2022": srdi}


# --------------------------------------------------------------------------------------------


def bench_columnar(sizes: list[int], rows: list[tuple]) -> dict:
    stds = list_standards()
    size_std = load_standard("sme-size@2011")
    out = {}
    for n in sizes:
        frame = with_lists(generate_frame(n))
        evaluate_frame(frame, stds, AS_OF, False, size_std)  # warm-up (compile caches)
        with PeakRSS() as mem:
            t = best_of(lambda frame=frame: evaluate_frame(frame, stds, AS_OF, False, size_std), 3)
        out[n] = (t, mem.peak)
        rows.append(
            (
                f"columnar: all {len(stds)} standards × {n:,} profiles",
                f"{t:.2f} s",
                f"peak RSS {mem.peak:,.0f} MB",
                "goal ≤ 2 s, ≤ 4 GB" if n == 1_000_000 else "",
            )
        )
        # the same on a frame never evaluated before: its column statistics (bounds, 划型
        # sector per row) are computed inside the timing
        t_new = best_of(
            lambda frame=frame: evaluate_frame(
                Frame(frame.df, frame.scales, frame.year), stds, AS_OF, False, size_std
            ),
            3,
        )
        rows.append(
            (
                f"columnar: all {len(stds)} standards × {n:,}, first evaluation of a new frame",
                f"{t_new:.2f} s",
                "column statistics computed in the timing",
                "",
            )
        )
        # per standard vs DuckDB
        if n == max(sizes):
            import tempfile

            import duckdb

            con = duckdb.connect()
            pq = Path(tempfile.mkdtemp()) / "frame.parquet"
            frame.df.write_parquet(pq)
            con.execute(f"CREATE TABLE frame AS SELECT * FROM read_parquet('{pq}')")
            for sid, sql in duckdb_queries().items():
                std = load_standard(sid)
                con.execute(sql).fetchall()
                t_db = best_of(lambda sql=sql, con=con: con.execute(sql).fetchall(), 3)
                t_pl = best_of(
                    lambda std=std, frame=frame: evaluate_frame(
                        frame, [std], AS_OF, False, size_std
                    ),
                    3,
                )
                t_new = best_of(
                    lambda std=std, frame=frame: evaluate_frame(
                        Frame(frame.df, frame.scales, frame.year), [std], AS_OF, False, size_std
                    ),
                    3,
                )
                rows.append(
                    (
                        f"{sid} × {n:,}: columnar vs DuckDB SQL",
                        f"{t_pl:.2f} s vs {t_db:.2f} s",
                        f"ratio {t_pl / t_db:.1f}×; on a new frame {t_new:.2f} s"
                        f" ({t_new / t_db:.1f}×)",
                        "goal ≤ 2×",
                    )
                )
            for std in stds:
                if std.id in duckdb_queries():
                    continue
                t_pl = best_of(
                    lambda std=std, frame=frame: evaluate_frame(
                        frame, [std], AS_OF, False, size_std
                    ),
                    3,
                )
                rows.append((f"{std.id} × {n:,}: columnar alone", f"{t_pl:.2f} s", "", ""))
        del frame
        gc.collect()
    return out


def example_profiles() -> list[dict]:
    import json

    path = ROOT / "docs" / "contracts" / "examples" / "profiles.json"
    return json.loads(path.read_text(encoding="utf-8"))


def bench_scalar(rows: list[tuple]) -> None:
    ps = example_profiles()
    stds = [s.id for s in list_standards()]
    n = 2000
    profiles = (ps * (n // len(ps) + 1))[:n]
    t = time.perf_counter()
    for p in profiles:
        for sid in stds:
            evaluate(p, sid, AS_OF, explain=False)
    dt = time.perf_counter() - t
    rows.append(
        (
            f"scalar Python loop: {len(stds)} standards × {n:,} profiles",
            f"{dt:.2f} s",
            f"{dt / n * 1e3:.2f} ms per profile",
            f"→ {dt / n * 1e6 / 3600:.1f} h per 1,000,000",
        )
    )
    one = ps[0]
    times = []
    for _ in range(200):
        t = time.perf_counter()
        for sid in stds:
            evaluate(one, sid, AS_OF, explain=True)
        next_tier(one, AS_OF)
        times.append(time.perf_counter() - t)
    rows.append(
        (
            "one enterprise, all standards + next tier, with explanation and gaps",
            f"{statistics.median(times) * 1e3:.1f} ms",
            f"p95 {sorted(times)[190] * 1e3:.1f} ms",
            "goal ≤ 20 ms",
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--write", action="store_true", help="write bench/RESULTS-rules.md")
    a = ap.parse_args()
    rows: list[tuple] = []
    bench_columnar([int(x) for x in a.sizes.split(",")], rows)
    bench_scalar(rows)
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    lines = ["| benchmark | time | detail | goal |", "|---|---|---|---|"]
    lines += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |" for r in rows]
    for r in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=True)))
    if a.write:
        info = f"{os.cpu_count()} CPU, Python {sys.version.split()[0]}, Polars {pl.__version__}"
        (ROOT / "bench" / "RESULTS-rules.md").write_text(
            "# Rules core benchmarks\n\n"
            + f"Machine: {info}; as-of {AS_OF}.\n\n"
            + "\n".join(lines)
            + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
