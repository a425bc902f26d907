import pytest

from srdi.core import jobs

pytestmark = pytest.mark.django_db


def test_job_progress_and_download_only_for_its_owner(client, users):
    job = jobs.create("test", "测试任务", users["region_officer"], total=4)
    jobs.start(job.pk)
    jobs.progress(job.pk, 2, "处理中")
    client.force_login(users["region_officer"])
    status = client.get(f"/jobs/{job.pk}.json").json()
    assert (status["done"], status["total"], status["percent"], status["status"]) == (
        2,
        4,
        50,
        "running",
    )
    jobs.finish(job.pk, filename="r.txt", content=b"ok")
    status = client.get(f"/jobs/{job.pk}.json").json()
    assert status["percent"] == 100 and status["download"]
    assert client.get(status["download"]).getvalue() == b"ok"
    client.force_login(users["enterprise"])
    assert client.get(f"/jobs/{job.pk}.json").status_code == 404
    assert client.get(f"/jobs/{job.pk}/download").status_code == 404


def test_healthz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_purge_jobs_removes_old_result_files_only(users, settings, tmp_path):
    import datetime as dt
    import io

    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.utils import timezone

    from srdi.core.models import Job

    settings.MEDIA_ROOT = str(tmp_path)
    now = timezone.now()

    def make(days_ago, status=Job.Status.DONE):
        job = Job.objects.create(kind="export", title="导出", created_by=users["admin"])
        job.result_file.save("a.xlsx", ContentFile(b"x" * 2048), save=False)
        job.status = status
        job.finished_at = now - dt.timedelta(days=days_ago) if days_ago is not None else None
        job.save()
        return job

    old, recent, running = make(40), make(3), make(None, Job.Status.RUNNING)
    old_path = old.result_file.path
    out = io.StringIO()
    call_command("purge_jobs", "--days", "30", "--dry-run", stdout=out)
    assert "将清理 1 个任务" in out.getvalue()
    old.refresh_from_db()
    assert old.result_file  # dry run: kept
    call_command("purge_jobs", "--days", "30", stdout=out)
    old.refresh_from_db()
    recent.refresh_from_db()
    running.refresh_from_db()
    assert not old.result_file and "已超过保留期限" in old.message
    assert not __import__("os").path.exists(old_path)
    assert recent.result_file and running.result_file
