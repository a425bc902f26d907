"""The Spark backend at scale: generated profiles × all standards, Spark local[2] vs Polars.

For each size the same generated frame (bench_rules.generate_frame + with_lists: money with two
decimals, 10 % of rows with awards, titles …) is written once as a Parquet evaluation frame
(1,000,000 rows per part, as ``srdi frame`` writes it). Then, each in a fresh process:

* Polars: read the frame, evaluate all standards, write the result Parquet;
* Spark (``--master``, default local[2]): start the session, read, evaluate, write the result
  Parquet (the time without the JVM start is reported too).

Afterwards every result column of the two runs (outcome, size class, route, score, dimensions)
is compared row by row: the figures only count if the verdicts are identical.

    .venv/bin/python bench/bench_spark.py [--sizes 1000000,2000000,5000000,10000000] [--write]

Figures go to bench/RESULTS-spark.md (--write) and the README's performance section.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

AS_OF = date(2025, 6, 30)
WORK = ROOT / "var" / "bench-spark"


def _peak_self_mb() -> float:
    """Peak resident memory of this process (VmHWM: unlike ru_maxrss it starts afresh at exec,
    so the parent's memory at fork is not counted)."""
    return _vm_hwm_mb(os.getpid()) or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _vm_hwm_mb(pid: int) -> float:
    """Peak resident memory of another process (its VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) used so far by another process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def run_polars(frame_dir: Path, out: Path) -> dict:
    from srdi.rules import list_standards
    from srdi.rules.frameio import evaluate_polars, read_frame_polars

    stds = list_standards()
    t0 = time.perf_counter()
    frame, _meta = read_frame_polars(frame_dir)
    t1 = time.perf_counter()
    res = evaluate_polars(frame, stds, AS_OF, False)
    t2 = time.perf_counter()
    res.write_parquet(out)
    t3 = time.perf_counter()
    return {
        "read": t1 - t0,
        "evaluate": t2 - t1,
        "write": t3 - t2,
        "total": t3 - t0,
        "cpu": _cpu_self(),
        "peak_mb": _peak_self_mb(),
        "rows": res.height,
    }


def run_spark(frame_dir: Path, out: Path, master: str, memory: str) -> dict:
    from srdi.rules import list_standards, spark

    stds = list_standards()
    t0 = time.perf_counter()
    session = spark.session(master, memory=memory)
    t1 = time.perf_counter()
    jvm = int(session._jvm.java.lang.ProcessHandle.current().pid())
    cpu1 = _cpu_of(jvm)
    res = spark.evaluate_parquet(session, frame_dir, stds, AS_OF, False)
    res.write.mode("overwrite").parquet(str(out))
    t2 = time.perf_counter()
    info = {
        "start": t1 - t0,
        "evaluate_write": t2 - t1,
        "total": t2 - t0,
        "jvm_peak_mb": _vm_hwm_mb(jvm),
        "jvm_cpu": _cpu_of(jvm) - cpu1,  # CPU seconds of the evaluation, JVM start excluded
        "python_peak_mb": _peak_self_mb(),
        "spark": session.version,
        "partitions": res.rdd.getNumPartitions(),
    }
    session.stop()
    return info


def compare(polars_out: Path, spark_out: Path) -> tuple[int, int]:
    """(rows compared, rows that differ) over every result column."""
    import polars as pl

    a = pl.read_parquet(polars_out)
    b = pl.scan_parquet(str(spark_out / "*.parquet")).sort("_row").collect()
    cols = [c for c in a.columns if ":" in c]
    diff = 0
    for c in cols:
        x = a[c].cast(pl.Utf8) if a[c].dtype != pl.Float64 else a[c]
        y = b[c].cast(pl.Utf8) if b[c].dtype != pl.Float64 else b[c]
        ne = (x != y) | (x.is_null() != y.is_null())
        diff = max(diff, int(ne.fill_null(False).sum()))
    return a.height, diff


def generate(n: int, d: Path) -> None:
    """Write the generated frame of n profiles to d (in a child process: the parent stays small,
    so the engines' runs do not compete with a parent holding millions of rows)."""
    from bench_rules import generate_frame, with_lists

    from srdi.rules import list_standards, load_standard
    from srdi.rules.columnar import columns_for
    from srdi.rules.frameio import write_frame

    columns = columns_for(list_standards(), load_standard("sme-size@2011"))
    write_frame(with_lists(generate_frame(n)), d, columns)


def child(args) -> None:
    if args.engine == "generate":
        t = time.perf_counter()
        generate(int(args.out), Path(args.frame))
        print("RESULT " + json.dumps({"generate_s": time.perf_counter() - t}))
        return
    if args.engine == "polars":
        info = run_polars(Path(args.frame), Path(args.out))
    else:
        info = run_spark(Path(args.frame), Path(args.out), args.master, args.memory)
    print("RESULT " + json.dumps(info))


def _run_child(engine: str, frame: Path, out: Path, a) -> dict:
    cmd = [sys.executable, __file__, "--child", "--engine", engine, "--frame", str(frame)]
    cmd += ["--out", str(out), "--master", a.master, "--memory", a.memory]
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    line = [x for x in p.stdout.splitlines() if x.startswith("RESULT ")]
    if p.returncode or not line:
        sys.stderr.write(p.stderr[-4000:])
        raise SystemExit(f"{engine} run failed ({p.returncode})")
    info = json.loads(line[-1][7:])
    info["wall"] = wall
    return info


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    java = java.splitlines()[0] if java else "?"
    return (
        f"{os.cpu_count()} vCPU ({cpu}), {mem:.0f} GB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, {java}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000000,2000000,5000000,10000000")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--memory", default="6g", help="Spark driver heap (local mode)")
    ap.add_argument("--write", action="store_true", help="write bench/RESULTS-spark.md")
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--render", type=Path, help="render the RESULT lines of an earlier run's log")
    ap.add_argument("--engine")
    ap.add_argument("--frame")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.child:
        child(a)
        return
    if a.render:
        rows = [json.loads(x) for x in a.render.read_text().splitlines() if x.startswith("{")]
        report = render(rows, a.master)
        print(report)
        if a.write:
            (ROOT / "bench" / "RESULTS-spark.md").write_text(report, encoding="utf-8")
        return
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in [int(x) for x in a.sizes.split(",")]:
        load_before = os.getloadavg()[0]
        d = WORK / f"frame-{n}"
        gen = _run_child("generate", d, Path(str(n)), a)["generate_s"]
        size_mb = sum(f.stat().st_size for f in d.glob("*.parquet")) / 2**20
        po = _run_child("polars", d, WORK / f"polars-{n}.parquet", a)
        sp = _run_child("spark", d, WORK / f"spark-{n}", a)
        compared, differ = compare(WORK / f"polars-{n}.parquet", WORK / f"spark-{n}")
        row = {
            "n": n,
            "frame_mb": size_mb,
            "generate_s": gen,
            "polars": po,
            "spark": sp,
            "compared": compared,
            "differ": differ,
            "load": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
        shutil.rmtree(d, ignore_errors=True)
        shutil.rmtree(WORK / f"spark-{n}", ignore_errors=True)
        (WORK / f"polars-{n}.parquet").unlink(missing_ok=True)
    report = render(rows, a.master)
    print(report)
    if a.write:
        (ROOT / "bench" / "RESULTS-spark.md").write_text(report, encoding="utf-8")


def render(rows: list[dict], master: str) -> str:
    from srdi.rules import list_standards

    k = len(list_standards())
    lines = [
        "# Spark backend benchmark",
        "",
        f"Machine: {machine()}. Spark {rows[0]['spark']['spark'] if rows else '?'} "
        f"`{master}`; as-of {AS_OF}; all {k} standards; the frame as Parquet (zstd, 1,000,000 "
        "rows per part). Times are wall-clock seconds of a fresh process each; Polars: read + "
        "evaluate + write the result Parquet; Spark: the same, and with the JVM start.",
        "",
        "| profiles | frame | Polars total (evaluate) | Polars peak | Spark total (w/o JVM start)"
        " | Spark peak (JVM + Python) | Spark ÷ Polars | verdicts compared / differing | load avg |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        po, sp = r["polars"], r["spark"]
        lines.append(
            f"| {r['n']:,} | {r['frame_mb']:,.0f} MB | {po['total']:.1f} s ({po['evaluate']:.1f} s)"
            f" | {po['peak_mb']:,.0f} MB | {sp['total']:.1f} s ({sp['evaluate_write']:.1f} s)"
            f" | {sp['jvm_peak_mb']:,.0f} + {sp['python_peak_mb']:,.0f} MB"
            f" | {sp['total'] / po['total']:.1f}× | {r['compared']:,} / {r['differ']:,}"
            f" | {'–'.join(str(x) for x in r.get('load', [])) or '?'} |"
        )
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        f = b["n"] / a["n"]
        g_s = b["spark"]["evaluate_write"] / a["spark"]["evaluate_write"]
        g_p = b["polars"]["total"] / a["polars"]["total"]
        lines += [
            "",
            f"Growth {a['n']:,} → {b['n']:,} (×{f:.0f} rows): Spark ×{g_s:.1f} (without the JVM "
            f"start), Polars ×{g_p:.1f}.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
