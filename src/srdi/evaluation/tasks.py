"""Background task: 规则测算 (what-if) over every enterprise the user may see, with progress."""

from huey.contrib.djhuey import db_task


@db_task()
def whatif_task(job_id: int) -> None:
    run_whatif(job_id)


def run_whatif(job_id: int) -> None:
    import json
    from datetime import date

    from srdi.accounts import scopes
    from srdi.accounts.models import User
    from srdi.core import jobs
    from srdi.core.models import Job
    from srdi.registry.selectors import iter_profiles
    from srdi.rules.catalog import load_standard
    from srdi.rules.whatif import whatif

    from . import whatif_form as W

    job = Job.objects.get(pk=job_id)
    p = job.params
    try:
        jobs.start(job_id, total=3)
        user = User.objects.get(pk=job.created_by_id)
        std = load_standard(p["standard"])
        changes = W.changes_for(std, p["key"], p["value"])
        profiles = list(iter_profiles(scopes.visible_enterprises(user)))
        jobs.progress(job_id, 1, f"已读取 {len(profiles)} 家企业，正在按原标准和调整后的标准评估")
        report = whatif(
            profiles, p["standard"], changes, date.fromisoformat(p["as_of"]), p["review"]
        )
        jobs.progress(job_id, 2, "评估完成，正在按板块汇总")
        report["chart"] = W.by_region(report["changed"])
        report["threshold"] = next(
            (t for t in W.thresholds(std) if t["key"] == p["key"]), {"label": "", "current": ""}
        )
        report["new_value"] = p["value"]
        report["standard_title"] = std.title_zh
        jobs.finish(
            job_id,
            filename="whatif.json",
            content=json.dumps(report, ensure_ascii=False, default=str).encode("utf-8"),
            message=f"测算完成：新增符合 {report['chart']['total_gains']} 家，"
            f"不再符合 {report['chart']['total_losses']} 家",
        )
    except Exception as exc:  # noqa: BLE001 - shown on the job page
        jobs.fail(job_id, f"测算失败：{exc}")
