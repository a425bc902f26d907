"""The Excel export of the enterprise list (/enterprises/ → “导出 Excel”).

Small exports are written inside the request. Above ``SRDI_EXPORT_BACKGROUND_ROWS`` rows
(settings; :data:`DEFAULT_BACKGROUND_ROWS` when unset) the export runs as a background job
(:mod:`srdi.core.jobs`, Huey): the page /jobs/<id>/ shows the progress and, at the end, the
download link. The job stores only the list parameters and the user; when it runs it searches
again **as that user** (``listing.search_enterprises`` applies the user's scope first), so it
never exports more than the user may see at that moment.

Exports are not recorded in the audit log (the log records writes to the data); the job
record keeps who asked for which export and when.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import listing

#: rows above which the list export becomes a background job (settings may override)
DEFAULT_BACKGROUND_ROWS = 5000
JOB_KIND = "registry_list_export"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_EVERY = 1000

EXPORT_HEADERS = (
    "统一社会信用代码",
    "企业名称",
    "所属板块",
    "国民经济行业代码",
    "国民经济行业",
    "最高有效称号",
    "最新数据年度",
    "营业收入（万元）",
    "营业收入增长率（%）",
    "从业人员（人）",
    "演示数据（合成）",
)


def background_rows() -> int:
    """Exports with more rows than this run as a background job."""
    return int(getattr(settings, "SRDI_EXPORT_BACKGROUND_ROWS", DEFAULT_BACKGROUND_ROWS))


def export_rows(qs):
    """The rows of the Excel export (values, no models), streamed from the database."""
    fields = (
        "uscc",
        "name",
        "region__name",
        "industry_code",
        "industry__name",
        "tier",
        "latest_year",
        "latest_revenue",
        "growth",
        "latest_employees",
        "is_synthetic",
    )
    for r in qs.values_list(*fields).iterator(chunk_size=2000):
        (uscc, name, region, code, industry, tier, year, revenue, growth, emp, synthetic) = r
        yield (
            uscc,
            name,
            region or "",
            code or "",
            industry or "",
            listing.tier_label(tier),
            year,
            float(revenue) if revenue is not None else None,
            round(float(growth), 2) if growth is not None else None,
            emp,
            "是" if synthetic else "否",
        )


def write_export(qs, out, progress: Callable[[int], None] | None = None) -> int:
    """Write the filtered list to `out` (.xlsx, write-only/streaming); returns the row count.
    ``progress(rows written)`` is called every :data:`PROGRESS_EVERY` rows."""
    from srdi.core import xlsx

    wb = xlsx.new()
    widths = (22, 36, 14, 10, 28, 22, 10, 16, 14, 12, 10)
    ws = wb.create_sheet("企业名录", widths=widths, freeze="C2")
    ws.append(EXPORT_HEADERS, bold=True)
    n = 0
    for row in export_rows(qs):
        ws.append(row)
        n += 1
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
    ws2 = wb.create_sheet("说明")
    ws2.append(["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    ws2.append(["记录数", n])
    ws2.append(["说明", "空白的数值表示未知（未报送），不是 0。"])
    wb.save(out)
    return n


def filename() -> str:
    return f"企业名录_{timezone.localdate():%Y%m%d}.xlsx"


def job_params(params: listing.ListParams) -> dict:
    """The list parameters a job keeps (filters and sort; no paging)."""
    return {
        k: v for k, v in params.raw.items() if k not in ("page", "per_page") and v not in ("", None)
    }


def start_job(user, params: listing.ListParams, count: int):
    """Create the export job and queue it; returns the Job (its page is /jobs/<id>/)."""
    from srdi.core import jobs

    from .tasks import run_list_export

    job = jobs.create(
        JOB_KIND,
        _("企业名录导出（%(n)s 家企业）") % {"n": f"{count:,}"},
        user,
        params={"list": job_params(params), "count": count},
        total=count,
    )
    run_list_export(job.pk)
    return job


def run_job(job_id: int) -> None:
    """Run an export job (called by the Huey task): search again as the job's user (scope
    first), write the workbook with progress, keep it as the job's result file."""
    from srdi.core import jobs
    from srdi.core.models import Job
    from srdi.core.notifications import notify

    job = Job.objects.select_related("created_by").get(pk=job_id)
    user = job.created_by
    if user is None or not user.is_active:
        jobs.fail(job_id, _("导出失败：发起导出的用户已不存在或已停用。"))
        return
    try:
        params = listing.parse_params(job.params.get("list") or {})
        qs = listing.search_enterprises(user, params)
        with listing.no_jit_session():
            total = qs.count()
            jobs.start(job_id, total=total)
            jobs.progress(job_id, 0, _("正在生成 Excel 文件……"))
            with tempfile.TemporaryFile() as tmp:
                n = write_export(
                    qs,
                    tmp,
                    progress=lambda done: jobs.progress(
                        job_id, done, _("已写入 %(n)s 家企业……") % {"n": f"{done:,}"}
                    ),
                )
                tmp.seek(0)
                content = tmp.read()
    except Exception as exc:  # noqa: BLE001 - the job page must say what happened
        jobs.fail(job_id, _("导出失败：%(error)s") % {"error": exc})
        raise
    message = _("共导出 %(n)s 家企业。") % {"n": f"{n:,}"}
    jobs.finish(job_id, filename=filename(), content=content, message=message)
    notify(
        [user],
        kind="export_done",
        title=_("企业名录导出完成"),
        body=message,
        link=f"/jobs/{job_id}/",
        dedupe_key=f"export:{job_id}",
        category=_("数据导出"),
    )
