"""Benchmark: every stored enterprise evaluated from the database and saved (issue 3, item 9).

    .venv/bin/python bench/bench_evaluate_db.py [--n 100000] [--as-of 2026-06-30] [--no-review]
        [--skip-sqlite] [--skip-postgres] [--pg-db helper_evaldb] [--sqlite PATH]
        [--compare-read] [--write]

For SQLite (a throw-away file) and PostgreSQL (127.0.0.1:5432, database ``--pg-db``), each in
its own process: migrate, generate ``--n`` synthetic enterprises (``srdi demo``) when the
database holds fewer, delete stored evaluations, then time
``evaluate_enterprises(Enterprise.objects.all(), summary=True, save=True)`` end to end, each run
in a fresh process (so its peak RSS is its own):

1. *first*: every input snapshot is new (written);
2. *again*: nothing changed (snapshots reused, only runs and records written);
3. *again, no result list*: as 2 with ``results=False`` (what a whole-population job needs:
   the records are saved; the 700,000 result dicts are not built).

``--compare-read`` also times the profile path the summary mode read through before (ORM
objects → profile dicts → ``rules.normalise`` → ``build_frame``) on every enterprise and checks
that it gives the same frame as the column-wise read.

Reported: wall and CPU time of the process, CPU time of the PostgreSQL backend serving it
(read from /proc: the server runs on the same 2 cores), the split read / evaluate / save
(snapshots, records) / result list, peak RSS, the load average. Goal: ≤ 15 s on PostgreSQL.
Writes bench/RESULTS-evaluate-db.md with ``--write``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = ROOT / ".venv" / "bin" / "python"
GOAL_S = 15.0

CHILD = r"""
import json, os, resource, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srdi.settings")
django.setup()
from django.db import connection

def server_cpu():
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

mode, as_of, review, n = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4])
out = {"mode": mode}
if mode == "prepare":
    from django.core.management import call_command
    from srdi.registry.models import Enterprise
    call_command("migrate", verbosity=0)
    have = Enterprise.objects.count()
    if have < n:
        t = time.perf_counter()
        call_command("demo", enterprises=n - have, seed=1 + have, verbosity=0)
        out["demo_s"] = time.perf_counter() - t
    out["enterprises"] = Enterprise.objects.count()
    from srdi.evaluation.models import EvaluationRecord, EvaluationRun, InputSnapshot
    tables = [connection.ops.quote_name(m._meta.db_table) for m in (EvaluationRecord, InputSnapshot, EvaluationRun)]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("TRUNCATE " + ", ".join(tables))
            cur.execute("VACUUM ANALYZE")
        else:
            for t in tables:
                cur.execute(f"DELETE FROM {t}")
            cur.execute("VACUUM")
    print(json.dumps(out))
    sys.exit(0)

if mode == "compare":
    # the profile path the summary mode used before (ORM rows → dicts → normalise →
    # build_frame) against the column-wise read, on every enterprise; the frames must be equal
    from srdi import rules
    from srdi.registry.frames import read_frame
    from srdi.registry.models import Enterprise
    from srdi.registry.selectors import iter_normalised_profiles
    from srdi.rules.columnar import build_frame, columns_for
    day = rules.as_date(as_of)
    stds = [rules.load_standard(s) for s in rules.standards_in_force(day, review)]
    cols = columns_for(stds, rules.load_standard(rules.SIZE_STANDARD))
    qs = Enterprise.objects.all()
    t = time.perf_counter()
    new = read_frame(qs, cols, day.year)
    out["new_read"] = time.perf_counter() - t
    t = time.perf_counter()
    old = build_frame([rules.normalise(p) for _e, p in iter_normalised_profiles(qs)], cols, day.year)
    out["old_read"] = time.perf_counter() - t
    out["equal"] = old.df.equals(new.frame.df) and old.scales == new.frame.scales
    out["enterprises"] = len(new)
    print(json.dumps(out))
    sys.exit(0)

from srdi.evaluation.services import evaluate_enterprises
from srdi.registry.models import Enterprise
qs = Enterprise.objects.all()
s0 = server_cpu()
load0 = os.getloadavg()
t0, c0 = time.perf_counter(), time.process_time()
timings = {}
doc = evaluate_enterprises(
    qs, None, as_of, review, summary=True, save=True, results=(mode != "noresults"), timings=timings
)
out["wall"] = time.perf_counter() - t0
out["cpu"] = time.process_time() - c0
s1 = server_cpu()
out["server_cpu"] = None if s0 is None else s1 - s0
out["timings"] = timings
out["load"] = [load0, os.getloadavg()]
out["standards"] = doc["standards"]
out["results"] = len(doc["results"]) or sum(sum(c.values()) for c in doc["counts"].values())
from srdi.evaluation.models import EvaluationRun
run = EvaluationRun.objects.get(pk=doc["run"])
out["enterprises"] = run.enterprises
out["records"] = run.results
out["new_snapshots"] = run.new_snapshots
out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out["vendor"] = connection.vendor
from srdi.evaluation.models import EvaluationRecord, InputSnapshot
if connection.vendor == "postgresql":
    with connection.cursor() as cur:
        for m in (EvaluationRecord, InputSnapshot):
            cur.execute("SELECT pg_total_relation_size(%s)", [m._meta.db_table])
            out[f"bytes_{m.__name__}"] = cur.fetchone()[0]
out["rows_EvaluationRecord"] = EvaluationRecord.objects.count()
out["rows_InputSnapshot"] = InputSnapshot.objects.count()
print(json.dumps(out))
"""


def child(mode: str, url: str, a) -> dict:
    env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=str(ROOT / "src"))
    r = subprocess.run(
        [str(PY), "-c", CHILD, mode, a.as_of, "1" if a.review else "0", str(a.n)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        raise SystemExit(f"{mode} failed on {url}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def pg_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        return True
    except OSError:
        return False


def bench(label: str, url: str, a) -> list[dict]:
    prep = child("prepare", url, a)
    if "demo_s" in prep:
        print(f"{label}: demo data generated in {prep['demo_s']:.0f} s", file=sys.stderr)
    rows = []
    if a.compare_read:
        r = child("compare", url, a)
        r["db"] = label
        COMPARE.append(r)
        print(
            f"{label:10} read of {r['enterprises']:,}: column-wise {r['new_read']:.2f} s, "
            f"profile path {r['old_read']:.2f} s, equal frames: {r['equal']}",
            file=sys.stderr,
        )
    for mode in ("first", "again", "noresults"):
        r = child(mode, url, a)
        r["db"] = label
        rows.append(r)
        t = r["timings"]
        print(
            f"{label:10} {mode:9} {r['wall']:6.2f} s (CPU {r['cpu']:.2f}"
            + (f", server {r['server_cpu']:.2f}" if r["server_cpu"] is not None else "")
            + f") read {t['read']:.2f} eval {t['evaluate']:.2f} save {t.get('save', 0):.2f} "
            f"(snapshots {t.get('save_snapshots', 0):.2f}, records {t.get('save_records', 0):.2f})"
            f" results {t['results']:.2f}; {r['records']:,} records, "
            f"{r['new_snapshots']:,} new snapshots; peak {r['rss_mb']:.0f} MB; "
            f"load {r['load'][0][0]:.1f}→{r['load'][1][0]:.1f}",
            file=sys.stderr,
        )
    return rows


COMPARE: list[dict] = []

MODES = {
    "first": "first run (all snapshots new)",
    "again": "again, unchanged (snapshots reused)",
    "noresults": "again, `results=False`",
}


def write(rows: list[dict], a) -> None:
    info = f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}"
    lines = [
        "# Stored enterprises evaluated from the database and saved (bench/bench_evaluate_db.py)",
        "",
        f"Machine: {info}. Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        f"{rows[0]['enterprises']:,} synthetic enterprises (`srdi demo`), as of {a.as_of}"
        + (" for review (复核)" if a.review else "")
        + f": {len(rows[0]['standards'])} standards in force ({', '.join(rows[0]['standards'])}),"
        f" {rows[0]['records']:,} results. `evaluate_enterprises(Enterprise.objects.all(),"
        " summary=True, save=True)` in a fresh process per run; PostgreSQL 15 on the same 2 cores"
        " (its backend's CPU time read from /proc). Goal: ≤ 15 s on PostgreSQL.",
        "",
        "| database | run | wall (s) | CPU (s) | PG backend CPU (s) | read | evaluate | save"
        " (of which snapshots + records) | result list | peak RSS (MB) | new snapshots | load"
        " avg before → after | goal |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        t = r["timings"]
        goal = "yes" if r["wall"] <= GOAL_S else "no"
        lines.append(
            f"| {r['db']} | {MODES[r['mode']]} | {r['wall']:.2f} | {r['cpu']:.2f} | "
            + ("—" if r["server_cpu"] is None else f"{r['server_cpu']:.2f}")
            + f" | {t['read']:.2f} | {t['evaluate']:.2f} | {t.get('save', 0):.2f}"
            f" ({t.get('save_snapshots', 0):.2f} + {t.get('save_records', 0):.2f})"
            f" | {t['results']:.2f} | {r['rss_mb']:.0f} | {r['new_snapshots']:,}"
            f" | {r['load'][0][0]:.1f} → {r['load'][1][0]:.1f}"
            f" | {goal if r['db'] == 'PostgreSQL' else '—'} |"
        )
    lines += [
        "",
        "*read*: the column-wise registry read (`srdi.registry.frames.read_frame`: one query per"
        " table, COPY into Polars on PostgreSQL) with the snapshot documents and their SHA-256;"
        " *save*: wall time of the transaction (run, snapshot lookup and new snapshots, records"
        " by COPY / executemany, audit record, commit) — it includes the result list, which is"
        " built while PostgreSQL ingests the records (a thread; sequentially on SQLite);"
        " *result list*: the 700,000 result dicts returned (`srdi.rules.columnar.rows_from_frame`"
        " plus name and version).",
    ]
    sizes = [r for r in rows if "bytes_EvaluationRecord" in r]
    if sizes:
        r = sizes[-1]
        lines += [
            "",
            f"Storage on PostgreSQL after these runs: {r['rows_EvaluationRecord']:,} records in"
            f" {r['bytes_EvaluationRecord'] / 2**20:.0f} MB with indexes"
            f" ({r['bytes_EvaluationRecord'] / r['rows_EvaluationRecord']:.0f} bytes each),"
            f" {r['rows_InputSnapshot']:,} snapshots in {r['bytes_InputSnapshot'] / 2**20:.0f} MB"
            f" ({r['bytes_InputSnapshot'] / max(r['rows_InputSnapshot'], 1):.0f} bytes each).",
        ]
    if COMPARE:
        lines += [
            "",
            "Reading the registry for the evaluator, every enterprise (`--compare-read`):",
            "",
            "| database | enterprises | column-wise read (s) | profile path before (s) | frames equal |",
            "|---|---:|---:|---:|---|",
        ]
        lines += [
            f"| {r['db']} | {r['enterprises']:,} | {r['new_read']:.2f} | {r['old_read']:.2f}"
            f" | {'yes' if r['equal'] else 'NO'} |"
            for r in COMPARE
        ]
    (ROOT / "bench" / "RESULTS-evaluate-db.md").write_text("\n".join(lines) + "\n", "utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--as-of", default="2026-06-30")
    ap.add_argument("--no-review", dest="review", action="store_false")
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--skip-postgres", action="store_true")
    ap.add_argument("--pg-db", default="helper_evaldb")
    ap.add_argument("--sqlite", default=None, help="SQLite file (default: a new temporary one)")
    ap.add_argument(
        "--compare-read",
        action="store_true",
        help="also time the profile path the summary mode read through before (slow)",
    )
    ap.add_argument("--write", action="store_true", help="write bench/RESULTS-evaluate-db.md")
    a = ap.parse_args()
    rows = []
    if not a.skip_sqlite:
        path = a.sqlite or str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
        rows += bench("SQLite", f"sqlite:///{path}", a)
    if not a.skip_postgres and pg_up():
        rows += bench("PostgreSQL", f"postgres://postgres@127.0.0.1:5432/{a.pg_db}", a)
    if a.write and rows:
        write(rows, a)


if __name__ == "__main__":
    main()
