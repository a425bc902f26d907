"""Benchmark: 500 policies × 100,000 enterprises matched in one columnar (Polars) job.

    .venv/bin/python bench/bench_policies.py [--enterprises 100000] [--policies 500]

Synthetic profiles (seeded) and policies: the plan's catalogue (YAML) plus variants of it and of
typical conditions (revenue / growth / R&D intensity / IP / titles / honours / region /
industry), with fixed, tiered, percent-with-cap and per-item benefits. Prints a table; the
figures go to bench/RESULTS-policies.md. Goal: ≤ 10 s for the match.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srdi.settings")

import django  # noqa: E402

django.setup()

from srdi.policies import conditions as C  # noqa: E402
from srdi.policies.catalogue import catalogue_specs, load_catalogue, parse_spec  # noqa: E402
from srdi.policies.matching import match_all  # noqa: E402

AS_OF = date(2026, 6, 30)
REGIONS = ["梅李镇", "海虞镇", "古里镇", "沙家浜镇", "支塘镇", "董浜镇", "尚湖镇", "辛庄镇"]
TIERS = ["innovative_sme", "srdi_sme", "little_giant", "single_champion"]


def profile(rng: random.Random, i: int) -> dict:
    def maybe(v, p=0.1):
        return None if rng.random() < p else v

    base = rng.uniform(300, 50000)
    years = {}
    for k, y in enumerate((2022, 2023, 2024, 2025)):
        rev = round(base * (1 + rng.uniform(-0.1, 0.35)) ** k, 2)
        years[str(y)] = {
            f: v
            for f, v in {
                "revenue": maybe(rev),
                "main_revenue": maybe(round(rev * rng.uniform(0.6, 1), 2)),
                "rd_expense": maybe(round(rev * rng.uniform(0, 0.08), 2)),
                "local_contribution": maybe(round(rev * rng.uniform(0.01, 0.05), 4)),
                "employees": maybe(rng.randint(10, 900)),
                "net_profit": maybe(round(rev * rng.uniform(-0.05, 0.15), 2)),
                "digital_management": maybe(rng.random() < 0.5, 0.3),
            }.items()
            if v is not None
        }
    titles = []
    for t in TIERS:
        if rng.random() < 0.25:
            g = date(rng.randint(2019, 2026), rng.randint(1, 12), rng.randint(1, 28))
            titles.append(
                {
                    "tier": t,
                    "level": "national",
                    "granted": g.isoformat(),
                    "valid_until": date(g.year + 3, g.month, g.day).isoformat(),
                }
            )
    return {
        "uscc": f"B{i:017d}",
        "name": f"企业{i}",
        "region": rng.choice(REGIONS),
        "industry_code": rng.choice(["C3451", "C2614", "C3984", "C3311"]),
        "years": years,
        "titles": titles,
        "honors": [{"type": "high_tech", "granted": "2024-01-01", "valid_until": "2026-12-31"}]
        if rng.random() < 0.3
        else [],
        "ip": {"class1": rng.randint(0, 6), "class2": rng.randint(0, 4)},
        "foundation_field": rng.choice([None, None, "basic_material", "components"]),
        "priority_field": rng.random() < 0.3,
        "compliance": {"serious_dishonesty": rng.random() < 0.02},
    }


TEMPLATES = [
    ("上年营业收入不低于{a}万元", "y1.revenue >= {a}"),
    ("营业收入增长率不低于{p}%", "pct_change(y1.revenue, y2.revenue) >= {p}"),
    ("研发费用占比不低于{q}%", "pct(y1.rd_expense, y1.revenue) >= {q}"),
    ("Ⅰ类知识产权不少于{n}项", "ip.class1 >= {n}"),
    ("持有有效梯度称号", 'holds("{t}")'),
    ("高新技术企业", 'has_honor("high_tech")'),
    ("属于{r}", 'region == "{r}"'),
    ("未列入严重失信名单", "not compliance.serious_dishonesty"),
    ("从业人员不超过{e}人", "y1.employees <= {e}"),
    ("净利润为正", "y1.net_profit > 0"),
]


def policies(rng: random.Random, n: int) -> list:
    _h, raws = load_catalogue()
    specs = [parse_spec(r) for r in raws]
    i = 0
    while len(specs) < n:
        i += 1
        conds = []
        for lab, ex in rng.sample(TEMPLATES, rng.randint(2, 4)):
            v = {
                "a": rng.choice([1000, 2000, 5000, 10000, 20000]),
                "p": rng.choice([5, 10, 15, 20]),
                "q": rng.choice([2, 3, 4, 5]),
                "n": rng.randint(1, 4),
                "t": rng.choice(TIERS),
                "r": rng.choice(REGIONS),
                "e": rng.choice([200, 500, 1000]),
            }
            conds.append({"label": lab.format(**v), "expr": ex.format(**v)})
        kind = rng.choice(["fixed", "percent", "per_item", "tiered"])
        benefit = {
            "fixed": {"kind": "fixed", "amount": rng.choice([5, 10, 20, None])},
            "percent": {
                "kind": "percent",
                "base": "y1.local_contribution - y2.local_contribution",
                "rate_pct": rng.choice([20, 30, 50]),
                "cap": rng.choice([50, 100, 200]),
            },
            "per_item": {"kind": "per_item", "count": "ip.class1", "per": 2, "cap": 10},
            "tiered": {
                "kind": "tiered",
                "tiers": [
                    {"label": "A", "when": "y1.revenue >= 10000", "amount": 50},
                    {"label": "B", "when": "y1.revenue >= 2000", "amount": 20},
                ],
            },
        }[kind]
        specs.append(
            parse_spec(
                {
                    "key": f"bench-{i}",
                    "title": f"测试政策{i}",
                    "category": "资金奖补",
                    "conditions": conds,
                    "benefit": benefit,
                }
            )
        )
    return specs[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--enterprises", type=int, default=100_000)
    ap.add_argument("--policies", type=int, default=500)
    ap.add_argument("--seed", type=int, default=20260630)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    raw = [profile(rng, i) for i in range(args.enterprises)]
    t1 = time.perf_counter()
    profs = [C.normalise(p) for p in raw]
    t2 = time.perf_counter()
    specs = policies(rng, args.policies)
    t3 = time.perf_counter()
    c3 = time.process_time()
    df = match_all(specs, profs, AS_OF)
    t4 = time.perf_counter()
    cpu = time.process_time() - c3
    counts = df.group_by("status").len().sort("status").rows()
    n_cond = sum(len(s.conditions) for s in specs)
    rows = [
        ("profiles generated (Python dicts)", t1 - t0),
        ("profiles normalised (exact Fractions)", t2 - t1),
        ("policies compiled (rules-language parser)", t3 - t2),
        ("match: frame + all conditions + amounts (Polars)", t4 - t3),
    ]
    print(
        f"enterprises={args.enterprises} policies={len(specs)} conditions={n_cond} "
        f"catalogue={len(catalogue_specs())} cpus={os.cpu_count()} python={platform.python_version()}"
    )
    print(f"{'step':<52}{'seconds':>10}")
    for name, sec in rows:
        print(f"{name:<52}{sec:>10.2f}")
    print(f"{'match CPU time (all threads)':<52}{cpu:>10.2f}")
    print(f"{'pairs evaluated':<52}{args.enterprises * len(specs):>10}")
    for status, n in counts:
        print(f"{'pairs ' + status:<52}{n:>10}")
    goal = "OK" if (t4 - t3) <= 10 else "OVER GOAL"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"match time {t4 - t3:.2f} s (CPU {cpu:.2f} s) vs goal 10 s: {goal}; load average {load:.1f}"
    )


if __name__ == "__main__":
    main()
