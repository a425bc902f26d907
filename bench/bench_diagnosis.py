"""Benchmark: diagnosis reports (把脉诊断) — one PDF, and a batch of 1,000 PDFs.

    .venv/bin/python bench/bench_diagnosis.py [--enterprises 1000] [--batch 1000] [--workers N] [--keep]

Builds a fresh SQLite database in a temporary directory with the synthetic demo data
(`srdi demo --enterprises N`), then measures, in this process:

* one PDF: diagnosis (rules core + peers + trends) and rendering (matplotlib charts +
  WeasyPrint), cold (first report of the process: fonts, templates) and warm (median of 9);
  the DOCX likewise; the CJK font subset the PDFs use (srdi.diagnosis.fonts) is made first if
  this machine has none yet, and the time it took is reported on its own;
* a batch: `run_batch` over `--batch` enterprises (the CLI's and the web job's code path),
  diagnoses in this process, rendering in `--workers` forked processes (default: CPU count).
  With `--batch` below 1,000 the 1,000-PDF time is extrapolated linearly and marked so.

Goals (issue 4): one PDF ≤ 1 s; 1,000 PDFs ≤ 5 min. Prints a table and writes
bench/RESULTS-diagnosis.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_ONE_S, GOAL_BATCH_S = 1.0, 300.0


def setup(tmp: Path, enterprises: int) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srdi.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    call_command("demo", enterprises=enterprises, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(
        f"demo data: {enterprises} enterprises in {time.perf_counter() - t0:.1f} s", file=sys.stderr
    )


def font_subset() -> float | None:
    """Make the report font subset if missing (once per machine); seconds it took, or None."""
    from srdi.diagnosis import fonts

    folder = fonts.cache_dir() / fonts._key()
    if all(
        (folder / f"{fonts.SUBSET_FAMILY.replace(' ', '')}-{w}.otf").is_file()
        for w in fonts.SOURCES
    ):
        fonts.subset_fonts()
        return None
    t0 = time.perf_counter()
    fonts.subset_fonts()
    return time.perf_counter() - t0


def one_report(as_of):
    from srdi.diagnosis import charts, render
    from srdi.diagnosis.services import diagnose
    from srdi.registry.models import Enterprise

    # a well-filled enterprise: the one with most annual rows and a title
    e = (
        Enterprise.objects.filter(titles__isnull=False).order_by("pk").first()
        or Enterprise.objects.first()
    )
    rows = {}

    def measure(fmt):
        c0 = time.process_time()
        t0 = time.perf_counter()
        d = diagnose(e, as_of)
        t1 = time.perf_counter()
        data = render.render(d, fmt)
        t2 = time.perf_counter()
        return t1 - t0, t2 - t1, len(data), time.process_time() - c0

    def charts_cpu():
        d = diagnose(e, as_of)
        c0 = time.process_time()
        charts.render_png(charts.chart_data(d))
        return time.process_time() - c0

    for fmt in ("pdf", "docx"):
        cold = measure(fmt)
        warm = [measure(fmt) for _ in range(9)]
        rows[fmt] = {
            "cold": cold,
            "diag": statistics.median(w[0] for w in warm),
            "render": statistics.median(w[1] for w in warm),
            "total": statistics.median(w[0] + w[1] for w in warm),
            "size": warm[-1][2],
            "cpu": statistics.median(w[3] for w in warm),
        }
    rows["pdf"]["charts_cpu"] = statistics.median(charts_cpu() for _ in range(5))
    return e, rows


def batch(n: int, workers: int, as_of, out: Path):
    from srdi.diagnosis.batch import run_batch
    from srdi.registry.models import Enterprise

    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True)[:n])
    qs = Enterprise.objects.filter(pk__in=ids)
    out.mkdir(parents=True, exist_ok=True)

    def sink(name, content):
        (out / name).write_bytes(content)

    last = [0.0]

    def progress(done, total, label):
        now = time.perf_counter()
        if now - last[0] > 5 or done == total:
            last[0] = now
            print(f"  batch {done}/{total}", file=sys.stderr)

    import resource

    def cpu():
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    c0 = cpu()
    t0 = time.perf_counter()
    result = run_batch(qs, "pdf", as_of, sink=sink, on_progress=progress, workers=workers)
    return time.perf_counter() - t0, result, cpu() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--as-of", default="2025-06-30")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    import datetime as dt

    as_of = dt.date.fromisoformat(args.as_of)
    tmp = Path(tempfile.mkdtemp(prefix="bench-diagnosis-"))
    try:
        setup(tmp, args.enterprises)
        subset_s = font_subset()
        load_before = os.getloadavg()
        e, one = one_report(as_of)
        n = min(args.batch, args.enterprises)
        secs, result, batch_cpu = batch(n, args.workers, as_of, tmp / "out")
        load_after = os.getloadavg()
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    per = secs / max(1, n)
    thousand = per * 1000
    extrapolated = n < 1000
    pdf = one["pdf"]
    lines = [
        "| measure | value | goal | met |",
        "|---|---|---|---|",
        f"| one PDF, warm (median of 9): diagnosis + render | {pdf['total']:.2f} s "
        f"(diagnosis {pdf['diag']:.2f} s, render {pdf['render']:.2f} s) | ≤ {GOAL_ONE_S:.0f} s | "
        f"{'yes' if pdf['total'] <= GOAL_ONE_S else 'NO'} |",
        f"| one PDF, cold (first of the process) | {sum(pdf['cold'][:2]):.2f} s | – | – |",
        f"| one DOCX, warm | {one['docx']['total']:.2f} s | – | – |",
        f"| one PDF, warm: CPU time of the process | {pdf['cpu']:.2f} s (of which the 3 charts "
        f"{pdf['charts_cpu']:.2f} s) | (≤ 1 s on an idle core) | "
        f"{'yes' if pdf['cpu'] <= GOAL_ONE_S else 'NO'} |",
        f"| PDF size | {pdf['size'] / 1024:.0f} KB | – | – |",
        "| CJK font subset, made once per machine (var/cache/fonts) | "
        + (f"{subset_s:.1f} s (this run)" if subset_s is not None else "present already")
        + " | – | – |",
        f"| batch of {n} PDFs, {args.workers} render workers | {secs:.1f} s wall ({per:.2f} s/report, "
        f"{len(result.failed)} failed); CPU {batch_cpu:.0f} s ({batch_cpu / max(1, n):.2f} s/report) | – | – |",
        f"| 1,000 PDFs on an idle machine, from CPU time / {os.cpu_count()} cores"
        f"{' (extrapolated)' if extrapolated else ''} | {batch_cpu / max(1, n) * 1000 / (os.cpu_count() or 1):.0f} s "
        f"| ≤ {GOAL_BATCH_S / 60:.0f} min | "
        f"{'yes' if batch_cpu / max(1, n) * 1000 / (os.cpu_count() or 1) <= GOAL_BATCH_S else 'NO'} |",
        f"| 1,000 PDFs{' (extrapolated from ' + str(n) + ')' if extrapolated else ''} | "
        f"{thousand:.0f} s ({thousand / 60:.1f} min) | ≤ {GOAL_BATCH_S / 60:.0f} min | "
        f"{'yes' if thousand <= GOAL_BATCH_S else 'NO'} |",
    ]
    table = "\n".join(lines)
    print(table)
    machine = (
        f"{platform.node()} · {platform.platform()} · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPUs · load average {load_before[0]:.1f} before / {load_after[0]:.1f} after"
    )
    md = f"""# Diagnosis reports benchmark (bench/bench_diagnosis.py)

Measured {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())} on {machine}.
Database: fresh SQLite with `srdi demo --enterprises {args.enterprises}` (synthetic), as-of {args.as_of}.
Report: enterprise {e.uscc}; every standard in force, peer benchmarks, five-year trend, three
charts (matplotlib, Agg, Noto Sans CJK) and WeasyPrint.

{table}

Command: `.venv/bin/python bench/bench_diagnosis.py --enterprises {args.enterprises} --batch {args.batch} --workers {args.workers}`

Notes: the batch diagnoses in one process (database reads, rules core, peer book built once)
and renders in forked worker processes (one per core by default). Each process keeps one
WeasyPrint FontConfiguration and parsed stylesheet, one matplotlib figure per chart shape, and
sets the text in a GB 2312 subset of Noto Sans CJK SC (src/srdi/diagnosis/render.py, charts.py,
fonts.py). The batch's CPU time includes each worker's first (cold) report. When the machine is
shared with other runs (see the load average) wall times are inflated and CPU time is the
comparable figure.
"""
    (ROOT / "bench" / "RESULTS-diagnosis.md").write_text(md, encoding="utf-8")


if __name__ == "__main__":
    main()
