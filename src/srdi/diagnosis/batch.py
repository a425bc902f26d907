"""Reports for many enterprises: one peer book, diagnoses in this process, rendering in a pool.

    result = run_batch(qs, "pdf", as_of, sink=write_file, on_progress=bar)

Diagnosing reads the database (this process); rendering (matplotlib + WeasyPrint / python-docx)
needs no database and runs in ``workers`` forked processes (default: one per CPU core, see
settings.yaml). A record that fails — its profile, its evaluation or its rendering — is reported
in ``result.failed`` and the batch goes on.

The parent loads the rendering libraries, the chart font and the PDF font subset before it forks,
so that every worker starts warm; each worker keeps one WeasyPrint font configuration and parsed
stylesheet for all its reports (render.py) and freezes what it inherited out of the garbage
collector's reach.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import multiprocessing
import os
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field

from . import render
from .figures import settings
from .peers import book_for_many
from .services import diagnose


@dataclass
class BatchResult:
    total: int = 0
    done: list[str] = field(default_factory=list)  # file names written
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (uscc, name, message)

    def summary_zh(self) -> str:
        s = f"共 {self.total} 家企业，成功生成 {len(self.done)} 份报告"
        return s + (f"，{len(self.failed)} 家失败。" if self.failed else "。")

    def errors_zh(self) -> list[str]:
        return [f"{uscc} {name}：{msg}" for uscc, name, msg in self.failed]


_INHERITED: list = []


def _child_init() -> None:
    """In a forked render worker: never touch the parent's database connections.

    Closing them would end the parent's sessions (and its transaction); so the inherited
    connection objects are kept alive, unused, and Django's handles are detached. Workers
    exit with os._exit, so nothing is ever sent on the inherited sockets.
    """
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if conn.connection is not None:
            _INHERITED.append(conn.connection)
            conn.connection = None
    # Everything inherited lives as long as the worker: keep it out of the collector's passes
    # (and its pages shared with the parent, copy-on-write).
    gc.freeze()


def worker_count(workers: int | None = None) -> int:
    """Render processes: ``workers`` if given, else settings.yaml ``batch_workers`` (0 = one per
    CPU core this process may use)."""
    if workers is None:
        workers = int(settings().get("batch_workers") or 0)
    if workers <= 0:
        try:
            workers = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not Linux
            workers = os.cpu_count() or 1
    return max(1, workers)


def _warm_up(fmt: str) -> None:
    """Load what every render needs once, before forking (the workers inherit it)."""
    from . import charts, fonts

    charts._mpl()
    if fmt == "pdf":
        import weasyprint  # noqa: F401 - imports Pango, fontTools, pydyf

        fonts.subset_fonts()


def _render_job(d: dict, fmt: str) -> tuple[str, bytes]:
    return render.filename(d, fmt), render.render(d, fmt)


def _message(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    return f"生成失败（{exc.__class__.__name__}）：{text}"


def run_batch(
    qs,
    fmt: str,
    as_of: dt.date,
    *,
    sink: Callable[[str, bytes], None],
    on_progress: Callable[[int, int, str], None] | None = None,
    workers: int | None = None,
    review: bool = False,
) -> BatchResult:
    """Diagnose and render every enterprise of ``qs``; ``sink(filename, content)`` each."""
    if fmt not in render.FORMATS:
        raise ValueError(f"不支持的格式“{fmt}”，可选：pdf、docx、html")
    enterprises = list(
        qs.select_related("region", "industry").order_by("region__sort_order", "name")
    )
    result = BatchResult(total=len(enterprises))
    if not enterprises:
        return result
    book = book_for_many(enterprises, as_of)
    workers = worker_count(workers)
    count = 0

    def tick(label: str) -> None:
        nonlocal count
        count += 1
        if on_progress:
            on_progress(count, result.total, label)

    with render.fewer_gc_passes():
        if workers <= 1:
            _run_here(enterprises, fmt, as_of, review, book, sink, result, tick)
        else:
            _warm_up(fmt)
            _run_forked(enterprises, fmt, as_of, review, book, sink, result, tick, workers)
    return result


def _run_here(enterprises, fmt, as_of, review, book, sink, result, tick) -> None:
    for e in enterprises:
        try:
            d = diagnose(e, as_of, review=review, book=book)
            name, content = _render_job(d, fmt)
            sink(name, content)
            result.done.append(name)
        except Exception as exc:  # noqa: BLE001 - one broken record must not stop the batch
            result.failed.append((e.uscc, e.name, _message(exc)))
        tick(e.name)


def _run_forked(enterprises, fmt, as_of, review, book, sink, result, tick, workers) -> None:
    ctx = multiprocessing.get_context("fork")
    pending: list[tuple[object, Future]] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_child_init) as pool:

        def drain(limit: int) -> None:
            while len(pending) > limit:
                e, fut = pending.pop(0)
                try:
                    name, content = fut.result()
                    sink(name, content)
                    result.done.append(name)
                except Exception as exc:  # noqa: BLE001
                    result.failed.append((e.uscc, e.name, _message(exc)))
                tick(e.name)

        for e in enterprises:
            try:
                d = diagnose(e, as_of, review=review, book=book)
            except Exception as exc:  # noqa: BLE001
                result.failed.append((e.uscc, e.name, _message(exc)))
                tick(e.name)
                continue
            pending.append((e, pool.submit(_render_job, d, fmt)))
            drain(workers * 4)  # bounded queue: memory stays flat on big batches
        drain(0)


class ZipSink:
    """Collects files into one zip (the web job's download), with 错误清单.txt on failures."""

    def __init__(self) -> None:
        self.buf = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buf, "w", zipfile.ZIP_DEFLATED)

    def __call__(self, name: str, content: bytes) -> None:
        self.zip.writestr(name, content)

    def close(self, result: BatchResult) -> bytes:
        if result.failed:
            self.zip.writestr("错误清单.txt", "\n".join(result.errors_zh()) + "\n")
        self.zip.close()
        return self.buf.getvalue()
