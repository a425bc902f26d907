"""Benchmark: `srdi backup`, `srdi backup --check` and `srdi restore` of a demo platform.

    .venv/bin/python bench/bench_backup.py [--enterprises 10000] [--seed 1]

Fills a fresh SQLite database with `srdi demo` (N enterprises × 5 years, titles, honours …),
publishes the policy catalogue (matches), then times each step in a subprocess and measures its
peak memory (max RSS), restoring into a second fresh database; checks that the restored tables
equal the backup's. Writes bench/RESULTS-backup.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRDI = ROOT / ".venv" / "bin" / "srdi"
PY = ROOT / ".venv" / "bin" / "python"

MEASURE = """
import resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:])
w = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"MEASURE {w:.2f} {rss:.0f} {r.returncode}", file=sys.stderr)
"""


def env_for(var: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRDI_")}
    env.update(
        {
            "SRDI_VAR": str(var),
            "DATABASE_URL": f"sqlite:///{var / 'srdi.sqlite3'}",
            "SRDI_SECRET_KEY": "bench",
            "SRDI_POLICY_AUTOMATCH": "0",
        }
    )
    return env


def srdi(env, *args, measure=False):
    if not measure:
        subprocess.run([str(SRDI), *args], env=env, check=True, stdout=subprocess.DEVNULL)
        return None
    r = subprocess.run(
        [str(PY), "-c", MEASURE, str(SRDI), *args], env=env, capture_output=True, text=True
    )
    line = [x for x in r.stderr.splitlines() if x.startswith("MEASURE")][-1]
    _m, wall, rss, rc = line.split()
    if rc != "0":
        raise SystemExit(r.stderr)
    return float(wall), float(rss)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--enterprises", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "src", Path(tmp) / "dst"
        src.mkdir()
        dst.mkdir()
        a, b = env_for(src), env_for(dst)
        srdi(a, "migrate", "--noinput", "-v0")
        srdi(a, "loadref")
        srdi(a, "demo", "--enterprises", str(args.enterprises), "--seed", str(args.seed))
        srdi(a, "policycatalogue", "--publish")
        archive = Path(tmp) / "backup.zip"
        rows = []
        rows.append(("backup", *srdi(a, "backup", "-o", str(archive), measure=True)))
        rows.append(("backup --check", *srdi(a, "backup", "--check", str(archive), measure=True)))
        srdi(b, "migrate", "--noinput", "-v0")
        rows.append(
            ("restore (into a fresh database)", *srdi(b, "restore", str(archive), measure=True))
        )
        again = Path(tmp) / "again.zip"
        srdi(b, "backup", "-o", str(again))
        m1, m2 = (json.loads(zipfile.ZipFile(f).read("manifest.json")) for f in (archive, again))
        assert m1["tables"] == m2["tables"], "restored tables differ"
        total_rows = sum(t["rows"] for t in m1["tables"].values())
        size_mb = archive.stat().st_size / 2**20
    lines = [
        "# Backup and restore",
        "",
        f"`bench/bench_backup.py --enterprises {args.enterprises}` on {platform.node()} "
        f"({os.cpu_count()} cores), Python {platform.python_version()}, SQLite, "
        f"{time.strftime('%Y-%m-%d')}.",
        "",
        f"Demo platform: {args.enterprises:,} enterprises, {len(m1['tables'])} tables, "
        f"{total_rows:,} rows; archive {size_mb:.1f} MB. Restored tables equal the backup's "
        "(row counts and digests).",
        "",
        "| step | wall | peak RSS |",
        "|---|---|---|",
        *[f"| {name} | {wall:.1f} s | {rss:,.0f} MB |" for name, wall, rss in rows],
        "",
    ]
    text = "\n".join(lines)
    print(text)
    (ROOT / "bench" / "RESULTS-backup.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
