"""The list's Excel export: immediate below the threshold (settings SRDI_EXPORT_BACKGROUND_ROWS),
a background job above it (progress page, download at the end) with the same filters and the
user's scope applied again when the job runs."""

import io

import pytest
from openpyxl import load_workbook

from srdi.core.models import Job, Notification
from srdi.registry import list_export
from srdi.registry.models import Enterprise

pytestmark = pytest.mark.django_db


def rows_of(data: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(data), read_only=True)["企业名录"]
    return list(ws.iter_rows(values_only=True))


def download(client, job) -> list[tuple]:
    r = client.get(f"/jobs/{job.pk}/download")
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment")
    return rows_of(b"".join(r.streaming_content))


@pytest.fixture
def many(regions, enterprises):
    """Six more enterprises: four in 梅李镇 (two in C34), two in 海虞镇."""
    meili, haiyu = regions
    specs = [
        ("91320581MA1A0000X1", "梅李甲", meili, "C3451"),
        ("91320581MA1A0000X2", "梅李乙", meili, "C3452"),
        ("91320581MA1A0000X3", "梅李丙", meili, "C2614"),
        ("91320581MA1A0000X4", "梅李丁", meili, "C2615"),
        ("91320581MA1A0000X5", "海虞甲", haiyu, "C3451"),
        ("91320581MA1A0000X6", "海虞乙", haiyu, "C3453"),
    ]
    for uscc, name, region, code in specs:
        Enterprise.objects.create(uscc=uscc, name=name, region=region, industry_code=code)
    return specs


def test_threshold_comes_from_settings(settings):
    settings.SRDI_EXPORT_BACKGROUND_ROWS = 7
    assert list_export.background_rows() == 7
    del settings.SRDI_EXPORT_BACKGROUND_ROWS
    assert list_export.background_rows() == list_export.DEFAULT_BACKGROUND_ROWS


def test_small_export_stays_immediate(settings, users, many, login):
    settings.SRDI_EXPORT_BACKGROUND_ROWS = 8  # admin sees 8 enterprises: not above
    c = login(users["admin"])
    r = c.get("/enterprises/export.xlsx")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(rows_of(b"".join(r.streaming_content))) == 1 + 8
    assert not Job.objects.exists()
    assert "将在后台生成" not in c.get("/enterprises/").content.decode()


def test_large_export_runs_as_a_job_with_the_same_filters(settings, users, many, login):
    settings.SRDI_EXPORT_BACKGROUND_ROWS = 2
    c = login(users["admin"])
    # the list page says the export will be a background job
    html = c.get("/enterprises/", {"industry": "C34"}).content.decode()
    assert "将在后台生成" in html
    r = c.get("/enterprises/export.xlsx", {"industry": "C34", "sort": "-name"})
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == list_export.JOB_KIND and job.created_by == users["admin"]
    assert job.params["list"] == {"industry": "C34", "sort": "-name"}
    # the job page: done (huey runs inline in tests), message, download link
    page = c.get(r["Location"])
    html = page.content.decode()
    assert "导出已转为后台任务" in html  # the message that sent the user here
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.done == job.total == 5
    assert "共导出 5 家企业" in job.message
    assert f"/jobs/{job.pk}/download" in html
    rows = download(c, job)
    assert rows[0][0] == "统一社会信用代码"
    names = [row[1] for row in rows[1:]]
    # C34 only (A is C3451), sorted by name descending, same as the list
    want = list(
        Enterprise.objects.filter(industry_code__startswith="C34")
        .order_by("-name")
        .values_list("name", flat=True)
    )
    assert names == want and len(names) == 5
    # the user is told in the inbox
    n = Notification.objects.get(user=users["admin"], kind="export_done")
    assert n.link == f"/jobs/{job.pk}/"
    # the job's file is not for other users
    assert login(users["region_officer"]).get(f"/jobs/{job.pk}/download").status_code == 404


def test_job_exports_only_the_officers_scope(settings, users, many, regions, login):
    settings.SRDI_EXPORT_BACKGROUND_ROWS = 1
    officer = users["region_officer"]  # 梅李镇
    c = login(officer)
    r = c.get("/enterprises/export.xlsx")
    job = Job.objects.get()
    assert r.status_code == 302 and job.created_by == officer
    rows = download(c, job)
    meili = set(Enterprise.objects.filter(region=regions[0]).values_list("uscc", flat=True))
    assert {row[0] for row in rows[1:]} == meili and len(meili) == 5
    assert all(row[2] == "梅李镇" for row in rows[1:])


def test_job_reapplies_the_scope_when_it_runs(users, many, regions):
    """A job's stored parameters cannot widen what is exported: it searches as its user."""
    from srdi.core import jobs

    officer = users["region_officer"]
    job = jobs.create(
        list_export.JOB_KIND,
        "企业名录导出",
        officer,
        params={"list": {"region": str(regions[1].pk)}, "count": 3},  # another 板块
        total=3,
    )
    list_export.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert rows_of(job.result_file.read())[1:] == []
    job = jobs.create(list_export.JOB_KIND, "企业名录导出", officer, params={"list": {}})
    list_export.run_job(job.pk)
    job.refresh_from_db()
    exported = {row[0] for row in rows_of(job.result_file.read())[1:]}
    assert exported == set(
        Enterprise.objects.filter(region=regions[0]).values_list("uscc", flat=True)
    )


def test_job_of_a_deactivated_user_fails(users, many):
    from srdi.core import jobs

    user = users["admin"]
    job = jobs.create(list_export.JOB_KIND, "企业名录导出", user, params={"list": {}})
    user.is_active = False
    user.save()
    list_export.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "停用" in job.message
    assert not job.result_file


def test_bad_parameters_still_refused_before_any_job(settings, users, many, login):
    settings.SRDI_EXPORT_BACKGROUND_ROWS = 1
    c = login(users["admin"])
    r = c.get("/enterprises/export.xlsx", {"tier": "gold"})
    assert r.status_code == 302 and r["Location"].startswith("/enterprises/?")
    assert not Job.objects.exists()


def test_progress_is_reported(users, many, monkeypatch):
    from srdi.core import jobs

    monkeypatch.setattr(list_export, "PROGRESS_EVERY", 3)
    seen = []
    real = jobs.progress
    monkeypatch.setattr(
        jobs, "progress", lambda jid, done, msg="": (seen.append(done), real(jid, done, msg))
    )
    job = jobs.create(list_export.JOB_KIND, "企业名录导出", users["admin"], params={"list": {}})
    list_export.run_job(job.pk)
    assert seen == [0, 3, 6]
