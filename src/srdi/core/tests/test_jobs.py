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
    assert client.get(f"/jobs/{job.pk}.json").status_code == 403
    assert client.get(f"/jobs/{job.pk}/download").status_code == 403


def test_healthz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
