"""Background batch of diagnosis reports (huey + srdi.core.jobs): progress and a zip download."""

from __future__ import annotations

import datetime as dt

from huey.contrib.djhuey import db_task


def start_batch(user, qs, region_name: str, fmt: str, as_of: dt.date):
    """Create the job and queue it; the job page /jobs/<id>/ shows the progress."""
    from srdi.core import jobs

    ids = list(qs.values_list("pk", flat=True))
    job = jobs.create(
        "diagnosis_batch",
        f"{region_name} 诊断报告（{fmt.upper()}，{as_of.isoformat()}）",
        user,
        params={"ids": ids, "format": fmt, "as_of": as_of.isoformat(), "region": region_name},
        total=len(ids),
    )
    run_batch_job(job.pk)
    return job


@db_task()
def run_batch_job(job_id: int) -> None:
    from django.conf import settings as dj_settings

    from srdi.core import jobs
    from srdi.core.models import Job
    from srdi.registry.models import Enterprise

    from .batch import ZipSink, run_batch

    job = Job.objects.get(pk=job_id)
    p = job.params
    jobs.start(job_id, total=len(p["ids"]))
    jobs.progress(job_id, 0, "正在准备同行对标数据……")
    sink = ZipSink()
    try:
        result = run_batch(
            Enterprise.objects.filter(pk__in=p["ids"]),
            p["format"],
            dt.date.fromisoformat(p["as_of"]),
            sink=sink,
            on_progress=lambda done, total, label: jobs.progress(job_id, done, label),
            # under pytest huey runs inline: no forking there
            workers=1 if getattr(dj_settings, "TESTING", False) else None,
        )
    except Exception as exc:  # noqa: BLE001 - the job page must say what happened
        jobs.fail(job_id, f"批量生成失败：{exc}")
        raise
    for err in result.errors_zh():
        jobs.add_error(job_id, err)
    jobs.finish(
        job_id,
        filename=f"诊断报告_{p['region']}_{p['as_of']}.zip",
        content=sink.close(result),
        message=result.summary_zh(),
    )
