"""Benchmark of the chains domain on the demo data set (SQLite in a temporary directory).

    .venv/bin/python bench/bench_chains.py [--n 3000]

Builds ``--n`` demo enterprises (the registry's generator), then times: the placement
suggestions for every enterprise against every node (GB/T 4754 prefixes + jieba product text),
the chains demo step, the coverage of all key chains, one chain's map (networkx graph + layout)
and the quarterly coverage history. Writes bench/RESULTS-chains.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def timed(label, fn, rows):
    t0 = time.perf_counter()
    out = fn()
    rows.append((label, time.perf_counter() - t0))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="产业链领域基准测试")
    ap.add_argument("--n", type=int, default=3000, help="企业数")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="chains-bench-")
    os.environ.update(SRDI_VAR=tmp, DJANGO_SETTINGS_MODULE="srdi.settings", SRDI_LOG_LEVEL="ERROR")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("loadref", verbosity=0)
    from srdi.chains import reference, selectors, services
    from srdi.chains.demo import chains_demo
    from srdi.chains.models import Chain, Node, Placement
    from srdi.core import demo
    from srdi.registry.demo import build_demo
    from srdi.registry.models import Enterprise

    build_demo(args.n, 20260101)
    reference.load()
    rows: list[tuple[str, float]] = []
    n = timed("位置建议（全部企业 × 全部环节）", lambda: services.suggest_placements(), rows)
    ctx = demo.Context(seed=1, rng=random.Random("1:chains"), today=timezone.localdate())
    timed("产业链演示数据步骤", lambda: chains_demo(ctx), rows)
    c = timed("全部重点产业链配套覆盖", lambda: selectors.coverage(), rows)
    chain = Chain.objects.order_by("pk").first()
    timed(f"单链图谱（{chain.name}）", lambda: selectors.chain_map(chain), rows)
    timed("覆盖率季度序列", lambda: selectors.coverage_history(), rows)
    lines = [
        "# 产业链领域基准（bench/bench_chains.py）",
        "",
        f"机器：{platform.machine()}，{os.cpu_count()} 核，Python {platform.python_version()}，SQLite。",
        f"企业 {Enterprise.objects.count()} 家，环节 {Node.objects.count()} 个，"
        f"建议 {n['created']} 条，确认位置 {Placement.objects.filter(status='confirmed').count()} 条，"
        f"配套覆盖率 {c['coverage_pct']}%。",
        "",
        "| 操作 | 用时（秒） |",
        "|---|---|",
        *[f"| {label} | {sec:.2f} |" for label, sec in rows],
    ]
    text = "\n".join(lines) + "\n"
    (ROOT / "bench" / "RESULTS-chains.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
