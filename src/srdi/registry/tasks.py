"""Background tasks of the registry (huey): imports of uploaded files, large list exports."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def run_import(
    batch_id: int, job_id: int | None = None, user_id: int | None = None, ip: str | None = None
) -> None:
    from srdi.audit.middleware import using
    from srdi.registry import io_jobs

    # audit records written by the import carry the address of the request that started it
    with using(ip=ip, source="import"):
        io_jobs.run(batch_id, job_id, user_id)


@db_task()
def run_list_export(job_id: int) -> None:
    from srdi.registry import list_export

    list_export.run_job(job_id)
