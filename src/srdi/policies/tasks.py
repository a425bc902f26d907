"""Background task: the full columnar re-match (all enterprises × all published policies)."""

from huey.contrib.djhuey import db_task


@db_task()
def rematch_all_task(job_id: int) -> None:
    from srdi.core import jobs

    from .services import rematch_all

    try:
        rematch_all(job_id=job_id)
    except Exception as exc:  # noqa: BLE001 - shown on the job page
        jobs.fail(job_id, f"重新匹配失败：{exc}")
        raise


@db_task()
def preview_task(job_id: int) -> None:
    run_preview(job_id)


def run_preview(job_id: int) -> None:
    """发布前预览 in the background: the enterprises (in the user's scope) the spec would match."""
    import json

    from srdi.accounts.models import User
    from srdi.core import jobs
    from srdi.core.models import Job

    from .models import Policy
    from .services import preview

    job = Job.objects.get(pk=job_id)
    try:
        jobs.start(job_id, total=2)
        policy = Policy.objects.get(pk=job.params["policy"])
        user = User.objects.get(pk=job.created_by_id)
        jobs.progress(job_id, 1, "正在按全部企业的数据匹配")
        res = preview(user, policy.spec)
        out = {
            "title": res["spec"].title,
            "monetary": res["spec"].benefit.kind != "none",
            "total": res["total"],
            "eligible": [
                {"uscc": e.uscc, "name": e.name, "region": e.region.name if e.region_id else "",
                 "amount": None if a is None else str(a)}
                for e, a in res["eligible"]
            ],
            "unknown": len(res["unknown"]),
            "near": len(res["near"]),
        }  # fmt: skip
        jobs.finish(
            job_id,
            filename="preview.json",
            content=json.dumps(out, ensure_ascii=False).encode("utf-8"),
            message=f"将匹配 {len(out['eligible'])} 家企业",
        )
    except Exception as exc:  # noqa: BLE001 - shown on the job page
        jobs.fail(job_id, f"预览失败：{exc}")
