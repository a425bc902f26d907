"""Background jobs with progress.

    job = jobs.create("diagnosis_batch", "梅李镇诊断报告", user, params={...})
    run_my_task(job.pk)            # a huey @db_task that calls jobs.progress(...) as it goes

The task queue is Huey (SQLite file by default, Redis when REDIS_URL is set; immediate in tests).
Pages show `/jobs/<id>/` with a progress bar that polls `/jobs/<id>.json`.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone

from .models import Job


def create(kind: str, title: str, user=None, params: dict | None = None, total: int = 0) -> Job:
    return Job.objects.create(
        kind=kind, title=title, created_by=user, params=params or {}, total=total
    )


def start(job_id: int, total: int | None = None) -> None:
    fields = {"status": Job.Status.RUNNING}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job_id).update(**fields)


def progress(job_id: int, done: int, message: str = "") -> None:
    fields = {"done": done}
    if message:
        fields["message"] = message
    Job.objects.filter(pk=job_id).update(**fields)


def add_error(job_id: int, error: str) -> None:
    job = Job.objects.get(pk=job_id)
    job.errors = [*job.errors, error]
    job.save(update_fields=["errors"])


def finish(
    job_id: int, *, filename: str | None = None, content: bytes | None = None, message: str = ""
) -> Job:
    job = Job.objects.get(pk=job_id)
    if filename and content is not None:
        job.result_file.save(filename, ContentFile(content), save=False)
    job.status = Job.Status.DONE
    job.done = job.total or job.done
    job.finished_at = timezone.now()
    if message:
        job.message = message
    job.save()
    return job


def fail(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED, message=message, finished_at=timezone.now()
    )


def retention_days(text: str) -> int:
    """``--days`` of the purge commands: a positive whole number, else a message in Chinese."""
    import argparse

    try:
        days = int(text)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(f"保留天数应为正整数，收到“{text}”")
    return days
