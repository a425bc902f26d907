"""Web page, downloads, batch job and API — and every attempt to cross a scope line."""

from __future__ import annotations

import io
import zipfile

import pytest

A = "91320581712345672C"  # 梅李镇 (conftest enterprise A)
B = "91320581723456781R"  # 海虞镇 (conftest enterprise B)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_page_for_own_enterprise(users, login):
    c = login(users["enterprise"])
    r = c.get(f"/diagnosis/{A}/?as_of=2025-06-30")
    assert r.status_code == 200
    html = r.content.decode()
    assert "常熟市精工轴承有限公司" in html
    assert "vendor/echarts/echarts.min.js" in html and "chart-radar" in html and "dx-charts" in html
    assert "二、认定标准评估结论" in html and "七、数据质量提示" in html


@pytest.mark.parametrize(
    "role,uscc,status",
    [
        ("enterprise", B, 404),
        ("region_officer", B, 404),
        ("commissioner", B, 404),
        ("partner", B, 404),
        ("partner_unshared", A, 404),
        ("region_officer", A, 200),
        ("commissioner", A, 200),
        ("partner", A, 200),
        ("department", B, 200),
        ("admin", B, 200),
    ],
)
def test_page_scope(users, login, role, uscc, status):
    assert login(users[role]).get(f"/diagnosis/{uscc}/?as_of=2025-06-30").status_code == status


def test_download_scope(users, login):
    c = login(users["enterprise"])
    r = c.get(f"/diagnosis/{A}/report.docx?as_of=2025-06-30")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"]
    assert c.get(f"/diagnosis/{B}/report.pdf?as_of=2025-06-30").status_code == 404
    assert c.get(f"/diagnosis/{B}/report.docx").status_code == 404


def test_download_pdf(users, login):
    r = login(users["region_officer"]).get(f"/diagnosis/{A}/report.pdf?as_of=2025-06-30")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content[:5] == b"%PDF-"


def test_bad_input_is_explained(users, login):
    c = login(users["admin"])
    r = c.get(f"/diagnosis/{A}/?as_of=2025/06/30")
    assert r.status_code == 400 and "YYYY-MM-DD" in r.content.decode()
    r = c.get(f"/diagnosis/{A}/report.xls")
    assert r.status_code == 400 and "不支持的格式" in r.content.decode()
    assert c.get("/diagnosis/91320581712345673X/").status_code == 404


def test_anonymous_redirected(client, enterprises):
    r = client.get(f"/diagnosis/{A}/")
    assert r.status_code == 302 and "/accounts/login" in r["Location"]


def test_index_lists_only_visible(users, login):
    html = login(users["region_officer"]).get("/diagnosis/").content.decode()
    assert "常熟市精工轴承有限公司" in html and "常熟市恒润新材料有限公司" not in html
    r = login(users["enterprise"]).get("/diagnosis/")
    assert r.status_code == 302 and r["Location"].endswith(f"/diagnosis/{A}/")


def test_batch_job_from_web_ui(users, login, regions):
    from srdi.core.models import Job

    c = login(users["region_officer"])
    assert c.get("/diagnosis/batch/").status_code == 200
    r = c.post(
        "/diagnosis/batch/", {"region": regions[0].pk, "format": "html", "as_of": "2025-06-30"}
    )
    assert r.status_code == 302
    job = Job.objects.get(kind="diagnosis_batch")
    assert r["Location"] == f"/jobs/{job.pk}/"
    assert job.status == Job.Status.DONE and job.done == job.total == 1 and job.percent == 100
    status = c.get(f"/jobs/{job.pk}.json").json()
    assert status["percent"] == 100 and status["download"]
    z = zipfile.ZipFile(io.BytesIO(b"".join(c.get(status["download"]).streaming_content)))
    assert [n for n in z.namelist() if A in n]
    assert not [n for n in z.namelist() if B in n]
    # the job page shows the progress bar
    assert 'class="progress"' in c.get(f"/jobs/{job.pk}/").content.decode()


def test_batch_cannot_cross_region(users, login, regions):
    from srdi.core.models import Job

    c = login(users["region_officer"])
    r = c.post(
        "/diagnosis/batch/", {"region": regions[1].pk, "format": "pdf", "as_of": "2025-06-30"}
    )
    assert r.status_code == 200 and "不在您的权限范围内" in r.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize("role", ["enterprise", "partner"])
def test_batch_not_for_enterprises_or_partners(users, login, role):
    assert login(users[role]).get("/diagnosis/batch/").status_code == 403


def test_batch_job_reports_a_broken_record(users, login, regions, monkeypatch):
    from srdi.core.models import Job
    from srdi.diagnosis import engine
    from srdi.registry.models import Enterprise

    Enterprise.objects.create(
        uscc="9132058172345679XH", name="常熟市坏数据有限公司", region=regions[0]
    )
    real = engine.build_profile

    def flaky(e):
        if e.name == "常熟市坏数据有限公司":
            raise ValueError("记录损坏")
        return real(e)

    monkeypatch.setattr(engine, "build_profile", flaky)
    c = login(users["admin"])
    c.post("/diagnosis/batch/", {"region": regions[0].pk, "format": "html", "as_of": "2025-06-30"})
    job = Job.objects.get(kind="diagnosis_batch")
    assert job.status == Job.Status.DONE and job.total == 2
    assert any("记录损坏" in e for e in job.errors)
    z = zipfile.ZipFile(job.result_file.open("rb"))
    assert "错误清单.txt" in z.namelist() and [n for n in z.namelist() if A in n]


# --- API -------------------------------------------------------------------------------------


def test_api_diagnosis_and_scope(users, login):
    c = login(users["enterprise"])
    r = c.get(f"/api/diagnosis/{A}?as_of=2025-06-30")
    assert r.status_code == 200
    body = r.json()
    assert body["enterprise"]["uscc"] == A and body["standards"]
    import srdi.rules as rules

    assert [s["id"] for s in body["standards"]] == rules.standards_in_force(
        rules.as_date("2025-06-30")
    )
    assert c.get(f"/api/diagnosis/{B}").status_code == 404
    assert c.get(f"/api/diagnosis/{A}?as_of=bad").status_code == 400


def test_api_report_download(users, login):
    c = login(users["commissioner"])
    r = c.get(f"/api/diagnosis/{A}/report?format=docx&as_of=2025-06-30")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    assert c.get(f"/api/diagnosis/{B}/report?format=docx").status_code == 404


def test_api_batch(users, login):
    from srdi.core.models import Job

    c = login(users["region_officer"])
    r = c.post("/api/diagnosis/batch", {"region": "梅李镇", "format": "html", "as_of": "2025-06-30"},
               content_type="application/json")  # fmt: skip
    assert r.status_code == 200, r.content
    job = Job.objects.get(pk=r.json()["job_id"])
    assert job.status == Job.Status.DONE and job.total == 1
    r = c.post(
        "/api/diagnosis/batch",
        {"region": "海虞镇", "format": "html"},
        content_type="application/json",
    )
    assert r.status_code == 403
    r = login(users["enterprise"]).post(
        "/api/diagnosis/batch", {"region": "梅李镇"}, content_type="application/json"
    )
    assert r.status_code == 403
