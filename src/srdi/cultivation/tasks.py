"""Background task: the work bulletin as PDF (with its charts), with progress."""

from huey.contrib.djhuey import db_task


@db_task()
def bulletin_pdf_task(job_id: int) -> None:
    run_bulletin_pdf(job_id)


def run_bulletin_pdf(job_id: int) -> None:
    from srdi.accounts.models import User
    from srdi.core import jobs
    from srdi.core.models import Job

    from . import bulletin, selectors

    job = Job.objects.get(pk=job_id)
    try:
        jobs.start(job_id, total=3)
        user = User.objects.get(pk=job.created_by_id)
        scope = selectors.scope_for(user, job.params.get("region"))
        d = bulletin.data(job.params["month"], scope)
        jobs.progress(job_id, 1, "已汇总通报数据，正在绘制图表")
        html = bulletin.to_html(d)
        jobs.progress(job_id, 2, "正在排版 PDF")
        from weasyprint import HTML

        pdf = HTML(string=html).write_pdf()
        jobs.finish(
            job_id,
            filename=f"工作通报-{job.params['month']}.pdf",
            content=pdf,
            message="通报已生成，请下载。",
        )
    except Exception as exc:  # noqa: BLE001 - shown on the job page
        jobs.fail(job_id, f"通报生成失败：{exc}")
