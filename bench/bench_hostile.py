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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRDI = ROOT / ".venv" / "bin" / "srdi"
sys.path.insert(0, str(ROOT / "src"))


WRAP = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
    "w = time.perf_counter() - t; "
    "print(p.returncode, w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
    "print((p.stderr or p.stdout).strip())"
)


def run(args, env) -> tuple[int, float, float, str]:
    """Exit status, wall seconds and peak memory (MB) of one `srdi` process of its own."""
    p = subprocess.run(
        [sys.executable, "-c", WRAP, str(SRDI), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    head, _, msg = p.stdout.partition("\n")
    code, wall, rss = head.split()
    return int(code), float(wall), int(rss) / 1024, msg.strip() or "—"


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
        code, wall, peak, _msg = run(["import", "--help"], env)
        rows = [("（对照）`srdi import --help`: start-up alone", code, wall, peak, "—")]
        for label, f in ((f"zip bomb ({args.gigabytes:g} GB inflated, {bomb.stat().st_size / 1e6:.1f} MB file)", bomb),
                         ("JSON nested 100,000 deep", deep)):  # fmt: skip
            code, wall, peak, msg = run(["import", str(f)], env)
            rows.append((label, code, wall, peak, msg.splitlines()[0]))
            print(f"{label}: exit {code}, {wall:.2f} s, peak {peak:.0f} MB — {msg.splitlines()[0]}")
        from srdi.exchange.readers import read_records

        inproc = []
        for label, f in (("zip bomb", bomb), ("deep JSON", deep)):
            t = time.perf_counter()
            recs = read_records(f)
            inproc.append((label, time.perf_counter() - t, recs.problems[0].message[:30]))
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
        "In-process (the reader alone, no start-up): "
        + "; ".join(f"{lb}: refused in {sec * 1000:.0f} ms" for lb, sec, _m in inproc)
        + ". Wall times above include the command's start-up (first row) on the machine as it was.",
        "",
    ]
    (ROOT / "bench" / "RESULTS-hostile.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
