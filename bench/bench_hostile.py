"""Benchmark (issue 10, item 7): what a hostile file costs the platform.

    .venv/bin/python bench/bench_hostile.py [--gigabytes 4]

Makes a 4 GB xlsx zip bomb (the platform's own template, base sheet inflated) and a
100,000-deep JSON file, runs `srdi import` on each in a fresh SQLite database, and records the
exit status, wall time and peak memory (max RSS of the child). Writes bench/RESULTS-hostile.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRDI = ROOT / ".venv" / "bin" / "srdi"
sys.path.insert(0, str(ROOT / "src"))


def run(args, env) -> tuple[int, float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    p = subprocess.run([str(SRDI), *args], env=env, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return p.returncode, wall, max(peak, before) / 1024, (p.stderr or p.stdout).strip()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gigabytes", type=float, default=4.0)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srdi.settings")
    import django

    django.setup()
    from srdi.exchange import hostile

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "SRDI_VAR": str(tmp),
        }
        subprocess.run([str(SRDI), "migrate", "-v0"], env=env, check=True)
        subprocess.run([str(SRDI), "loadref"], env=env, check=True, capture_output=True)
        t = time.perf_counter()
        bomb = hostile.zip_bomb(tmp / "bomb.xlsx", args.gigabytes)
        made = time.perf_counter() - t
        deep = hostile.deep_json(tmp / "deep.json")
        rows = []
        for label, f in ((f"zip bomb ({args.gigabytes:g} GB inflated, {bomb.stat().st_size / 1e6:.1f} MB file)", bomb),
                         ("JSON nested 100,000 deep", deep)):  # fmt: skip
            code, wall, peak, msg = run(["import", str(f)], env)
            rows.append((label, code, wall, peak, msg.splitlines()[0]))
            print(f"{label}: exit {code}, {wall:.2f} s, peak {peak:.0f} MB — {msg.splitlines()[0]}")
    lines = [
        "# Hostile files (issue 10, item 7)",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}; `srdi import FILE` on SQLite; bomb made in {made:.1f} s.",
        "",
        "| file | exit | wall | peak memory (max RSS) | message |",
        "|---|---|---|---|---|",
        *[f"| {r[0]} | {r[1]} | {r[2]:.2f} s | {r[3]:.0f} MB | {r[4]} |" for r in rows],
        "",
    ]
    (ROOT / "bench" / "RESULTS-hostile.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
