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
