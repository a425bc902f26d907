"""Benchmark: importing 100,000 enterprise profiles (JSON and xlsx) into a fresh database.

    .venv/bin/python bench/bench_import.py [--n 100000] [--seed 1] [--skip-postgres] [--keep]

Generates N synthetic records (the demo generator: 5 years of figures, titles, honours …),
writes them as a JSON array and as the xlsx template, then runs ``srdi import`` on each in a
subprocess against a fresh SQLite database (and PostgreSQL when 127.0.0.1:5432 answers),
measuring wall time and the peak memory (max RSS) of that subprocess. Prints a table and writes
bench/RESULTS-import.md. Goal: ≤ 60 s and ≤ 1.5 GB per import.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource  # noqa: F401 - used in the measuring wrapper
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRDI = ROOT / ".venv" / "bin" / "srdi"
PY = ROOT / ".venv" / "bin" / "python"
GOAL_S, GOAL_MB = 60, 1536

REGIONS = None  # filled from the reference YAML


def generate(n: int, seed: int, out_json: Path, out_xlsx: Path) -> None:
    """Write the records in a child process (keeps this process small)."""
    code = f"""
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srdi.settings")
sys.path.insert(0, {str(ROOT / "src")!r})
from srdi import reference
from srdi.registry.demo import generate
from srdi.exchange import write_json, write_xlsx
regions = [r["name"] for r in reference.load("regions")["items"]]
recs = (r for r, _x in generate({n}, {seed}, regions=regions))
write_json(recs, {str(out_json)!r}, fill_declarations=False)
recs = (r for r, _x in generate({n}, {seed}, regions=regions))
write_xlsx(recs, {str(out_xlsx)!r}, fill_declarations=False)
"""
    subprocess.run([str(PY), "-c", code], check=True, cwd=ROOT)


def run_measured(cmd: list[str], env: dict) -> tuple[float, float, float, int, str]:
    """(seconds, CPU seconds, peak RSS in MB, exit status, last output line) of a child."""
    t0 = time.perf_counter()
    # a fresh wrapper process per run so that RUSAGE_CHILDREN's max is this run's
    wrapper = [
        str(PY),
        "-c",
        "import resource,subprocess,sys;"
        "r=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
        "sys.stdout.write(r.stdout[-2000:]);sys.stderr.write(r.stderr[-2000:]);"
        "u=resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print('MAXRSS', u.ru_maxrss, u.ru_utime + u.ru_stime);"
        "sys.exit(r.returncode)",
        *cmd,
    ]
    p = subprocess.run(wrapper, env=env, cwd=ROOT, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    rss_kb, cpu = 0, 0.0
    for line in p.stdout.splitlines():
        if line.startswith("MAXRSS"):
            rss_kb, cpu = int(line.split()[1]), float(line.split()[2])
    lines = [ln for ln in (p.stdout + p.stderr).splitlines() if ln and not ln.startswith("MAXRSS")]
    return secs, cpu, rss_kb / 1024, p.returncode, (lines[-1] if lines else "")


def pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-postgres", action="store_true")
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--formats", default="JSON,xlsx", help="comma separated: JSON,xlsx")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--no-results", action="store_true", help="do not write RESULTS-import.md")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench_import_"))
    src_json, src_xlsx = work / "profiles.json", work / "profiles.xlsx"
    t0 = time.perf_counter()
    generate(args.n, args.seed, src_json, src_xlsx)
    gen_s = time.perf_counter() - t0
    print(
        f"generated {args.n} records in {gen_s:.1f} s: JSON {src_json.stat().st_size / 1e6:.0f} MB, "
        f"xlsx {src_xlsx.stat().st_size / 1e6:.0f} MB"
    )

    targets = [] if args.skip_sqlite else [("SQLite", None)]
    if not args.skip_postgres and pg_reachable():
        targets.append(("PostgreSQL", "postgres://postgres@127.0.0.1:5432/bench_import"))
    rows = []
    for db_name, url in targets:
        for fmt, src in (("JSON", src_json), ("xlsx", src_xlsx)):
            if fmt not in args.formats.split(","):
                continue
            env = dict(os.environ)
            env.pop("SRDI_TESTING", None)
            env["SRDI_VAR"] = str(work / "var")  # uploaded originals go to var/media
            if url is None:
                db = work / f"bench-{fmt}.sqlite3"
                if db.exists():
                    db.unlink()
                env["DATABASE_URL"] = f"sqlite:///{db}"
            else:
                env["DATABASE_URL"] = url
                subprocess.run(
                    ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "bench_import"],
                    check=False,
                )
                subprocess.run(
                    ["createdb", "-h", "127.0.0.1", "-U", "postgres", "bench_import"], check=True
                )
            subprocess.run([str(SRDI), "migrate", "-v0"], env=env, cwd=ROOT, check=True)
            subprocess.run([str(SRDI), "loadref"], env=env, cwd=ROOT, check=True,
                           capture_output=True)  # fmt: skip
            secs, cpu, mb, code, last = run_measured([str(SRDI), "import", str(src)], env)
            ok = code == 0 and secs <= GOAL_S and mb <= GOAL_MB
            rows.append((db_name, fmt, args.n, secs, cpu, mb, code, ok, last))
            print(f"{db_name:10} {fmt:5} {args.n:>7} records  {secs:6.1f} s (CPU {cpu:5.1f} s)  {mb:7.0f} MB  "
                  f"exit {code}  {'OK' if ok else 'OVER GOAL'}  | {last}")  # fmt: skip
            if url is not None:
                subprocess.run(
                    ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "bench_import"],
                    check=False,
                )
    if not args.no_results:
        write_results(rows, args, gen_s, src_json, src_xlsx)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(r[6] == 0 for r in rows) else 1


def machine() -> str:
    model = "?"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
            mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}){mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def write_results(rows, args, gen_s, src_json, src_xlsx) -> None:
    lines = [
        "# Import benchmark (bench/bench_import.py)",
        "",
        f"Machine: {machine()}.",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average at the end "
        f"{'/'.join(f'{x:.1f}' for x in os.getloadavg())} (other processes share the 2 cores: "
        "wall times include waiting for the CPU; CPU time is given too).",
        "",
        f"{args.n:,} synthetic profiles (demo generator, seed {args.seed}: 5 years of figures, "
        f"titles, honours, IP …), JSON {src_json.stat().st_size / 1e6:.0f} MB, "
        f"xlsx {src_xlsx.stat().st_size / 1e6:.0f} MB (generated in {gen_s:.0f} s). "
        "Each import runs `srdi import FILE` in a subprocess on a freshly migrated database "
        "with the reference data loaded; time is wall-clock, memory the subprocess's max RSS. "
        f"Goal: ≤ {GOAL_S} s and ≤ 1.5 GB.",
        "",
        "| database | format | records | wall time (s) | CPU time (s) | peak RSS (MB) | exit | goal met |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for db_name, fmt, n, secs, cpu, mb, code, ok, _last in rows:
        lines.append(
            f"| {db_name} | {fmt} | {n:,} | {secs:.1f} | {cpu:.1f} | {mb:.0f} | {code} | "
            f"{'yes' if ok else 'no'} |"
        )
    lines += ["", "Output of each run:", ""]
    lines += [f"- {r[0]} {r[1]}: {r[8]}" for r in rows]
    (ROOT / "bench" / "RESULTS-import.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
