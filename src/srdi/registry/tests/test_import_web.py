"""Import / export through the web pages (/io/) and the API (/api/io): same rules, same scopes.

Decision (documented on the import page): a 板块 officer may import only enterprises of its own
板块; records of another 板块 (existing enterprises there, or new ones with another region) are
rejected with a clear message, and under the default mode nothing is imported.
"""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from srdi.accounts.models import ApiToken
from srdi.core.models import Job, Notification
from srdi.registry.models import Enterprise, ImportBatch, Region

MEILI_NEW = {"uscc": "913205817345678907", "name": "梅李新企业", "region": "梅李镇"}
HAIYU_NEW = {"uscc": "913205817456789086", "name": "海虞新企业", "region": "海虞镇"}


def _file(records, name="data.json"):
    return SimpleUploadedFile(
        name, json.dumps(records, ensure_ascii=False).encode("utf-8"), "application/json"
    )


def _bearer(user):
    _t, key = ApiToken.issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


# ------------------------------------------------------------------ web


def test_upload_runs_as_job_and_shows_the_report(users, login):
    c = login(users["admin"])
    r = c.get("/io/import/")
    assert r.status_code == 200 and "导入企业数据" in r.content.decode()
    r = c.post(
        "/io/import/",
        {"file": _file([MEILI_NEW]), "department": "市统计局", "mode": "all"},
    )
    batch = ImportBatch.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/io/imports/{batch.pk}/"
    assert batch.status == "succeeded" and batch.created == 1
    assert batch.uploaded_by == users["admin"] and batch.department == "市统计局"
    job = Job.objects.get(kind="registry_import")
    assert job.status == "done" and "新增 1" in job.message
    assert Notification.objects.filter(user=users["admin"], kind="import_done").exists()
    page = c.get(r["Location"]).content.decode()
    assert "导入报告" in page and "已导入" in page
    assert c.get(f"/io/imports/{batch.pk}/original").getvalue().startswith(b"[")
    status = c.get(f"/io/imports/{batch.pk}.json").json()
    assert status["done"] is True and status["status"] == "succeeded"


def test_report_lists_every_problem_and_offers_the_rejected_records(users, login):
    c = login(users["admin"])
    bad = [dict(MEILI_NEW, years={"2024": {"revenue": -1}}), HAIYU_NEW, {"uscc": "X", "name": "坏"}]
    c.post("/io/import/", {"file": _file(bad), "department": "", "mode": "partial"})
    batch = ImportBatch.objects.get()
    assert batch.status == "partial" and batch.created == 1 and batch.rejected == 2
    page = c.get(f"/io/imports/{batch.pk}/").content.decode()
    assert "2024年营业收入" in page and "years.2024.revenue" not in page and "不能为负数" in page
    assert "第3条" in page and "统一社会信用代码" in page
    assert "下载被拒记录" in page
    rejected = json.loads(c.get(f"/io/imports/{batch.pk}/rejected").getvalue())
    assert [r["name"] for r in rejected] == ["梅李新企业", "坏"]


def test_form_rejects_unknown_file_types(users, login):
    c = login(users["admin"])
    r = c.post("/io/import/", {"file": SimpleUploadedFile("a.csv", b"x"), "mode": "all"})
    assert r.status_code == 200 and "文件类型不支持" in r.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("role", ["enterprise", "partner", "commissioner"])
def test_users_without_write_rights_cannot_import(users, login, role):
    c = login(users[role])
    assert c.get("/io/import/").status_code == 403
    r = c.post("/io/import/", {"file": _file([MEILI_NEW]), "mode": "all"})
    assert r.status_code == 403
    assert not Enterprise.objects.filter(uscc=MEILI_NEW["uscc"]).exists()


def test_region_officer_cannot_import_enterprises_of_another_region(users, login, enterprises):
    c = login(users["region_officer"])  # 梅李镇
    _a, b = enterprises  # b is in 海虞镇
    records = [
        MEILI_NEW,
        HAIYU_NEW,
        {"uscc": b.uscc, "name": b.name, "main_product": "改名"},
    ]
    c.post("/io/import/", {"file": _file(records), "mode": "all"})
    batch = ImportBatch.objects.get()
    assert batch.status == "rejected"
    texts = " ".join(p["text"] for p in batch.problems)
    assert "只能导入本板块（梅李镇）的企业" in texts
    assert "该企业不属于您所在的板块（梅李镇）" in texts
    assert {p["record"] for p in batch.problems} == {2, 3}
    assert not Enterprise.objects.filter(uscc=MEILI_NEW["uscc"]).exists()
    b.refresh_from_db()
    assert b.main_product == ""
    # partial: its own 板块's record goes in
    c.post("/io/import/", {"file": _file(records), "mode": "partial"})
    assert Enterprise.objects.filter(uscc=MEILI_NEW["uscc"]).exists()
    assert not Enterprise.objects.filter(uscc=HAIYU_NEW["uscc"]).exists()


def test_department_imports_only_its_domain(users, login, enterprises):
    a, _b = enterprises
    c = login(users["department"])  # 科技局: ip, awards, rd … not revenue
    # repeating unchanged identity fields needs no right; only what changes is checked
    ok = [
        {
            "uscc": a.uscc,
            "name": a.name,
            "region": "梅李镇",
            "industry_code": "C3451",
            "ip": {"class1": 7},
        }
    ]
    c.post("/io/import/", {"file": _file(ok), "mode": "all"})
    assert ImportBatch.objects.latest("pk").status == "succeeded"
    a.refresh_from_db()
    assert a.ip_class1 == 7
    bad = [{"uscc": a.uscc, "name": a.name, "years": {"2024": {"revenue": 1}}}]
    c.post("/io/import/", {"file": _file(bad), "mode": "all"})
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == "rejected"
    assert any("years.revenue" in p["text"] for p in batch.problems)
    # and may not create enterprises
    c.post("/io/import/", {"file": _file([MEILI_NEW]), "mode": "all"})
    assert ImportBatch.objects.latest("pk").status == "rejected"


def test_batches_are_private_to_uploader_and_admins(users, login):
    c = login(users["region_officer"])
    c.post("/io/import/", {"file": _file([MEILI_NEW]), "mode": "all"})
    batch = ImportBatch.objects.get()
    other = login(users["department"])
    assert other.get(f"/io/imports/{batch.pk}/").status_code == 404
    assert other.get(f"/io/imports/{batch.pk}/original").status_code == 404
    assert login(users["admin"]).get(f"/io/imports/{batch.pk}/").status_code == 200


def test_template_and_export_downloads_are_scope_filtered(users, login, enterprises):
    from openpyxl import load_workbook

    c = login(users["region_officer"])
    r = c.get("/io/template/")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert "企业基本信息" in wb.sheetnames and "年度数据" in wb.sheetnames
    assert "导出企业数据" in c.get("/io/export/").content.decode()
    docs = json.loads(c.get("/io/export/?format=json").content)
    assert [d["uscc"] for d in docs] == [enterprises[0].uscc]
    lines = c.get("/io/export/?format=jsonl").content.decode().splitlines()
    assert len(lines) == 1
    xl = c.get("/io/export/?format=xlsx")
    assert xl["Content-Type"].startswith("application/vnd.openxmlformats")
    # the enterprise user gets only itself, an unshared partner nothing
    docs = json.loads(login(users["enterprise"]).get("/io/export/?format=json").content)
    assert [d["uscc"] for d in docs] == [enterprises[0].uscc]
    docs = json.loads(login(users["partner_unshared"]).get("/io/export/?format=json").content)
    assert docs == []
    docs = json.loads(login(users["admin"]).get("/io/export/?format=json&region=海虞镇").content)
    assert [d["uscc"] for d in docs] == [enterprises[1].uscc]


def test_anonymous_users_are_sent_to_login(client):
    for url in ("/io/import/", "/io/export/", "/io/template/"):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login" in r["Location"]


# ------------------------------------------------------------------ API


def test_api_import_returns_the_report_and_400_with_problems(users, client):
    h = _bearer(users["admin"])
    r = client.post("/api/io/import", {"file": _file([MEILI_NEW]), "department": "市统计局"}, **h)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "succeeded" and body["created"] == 1 and body["problems"] == []
    again = client.get(f"/api/io/imports/{body['id']}", **h).json()
    assert again["created"] == 1
    bad = [dict(HAIYU_NEW, uscc="913205817456789087", revenu=1)]
    r = client.post("/api/io/import", {"file": _file(bad)}, **h)
    assert r.status_code == 400
    fields = {p["field"] for p in r.json()["problems"]}
    assert fields == {"uscc", "revenu"}
    assert not Enterprise.objects.filter(name="海虞新企业").exists()


def test_api_import_scopes(users, client, enterprises):
    r = client.post("/api/io/import", {"file": _file([MEILI_NEW])}, **_bearer(users["enterprise"]))
    assert r.status_code == 403
    r = client.post(
        "/api/io/import", {"file": _file([HAIYU_NEW])}, **_bearer(users["region_officer"])
    )
    assert r.status_code == 400
    assert "只能导入本板块" in r.json()["problems"][0]["message"]
    assert not Enterprise.objects.filter(uscc=HAIYU_NEW["uscc"]).exists()
    # another user's batch report is private
    batch_id = ImportBatch.objects.latest("pk").pk
    r = client.get(f"/api/io/imports/{batch_id}", **_bearer(users["department"]))
    assert r.status_code == 404


def test_api_export_is_scope_filtered(users, client, enterprises):
    a, b = enterprises
    r = client.get("/api/io/export?format=json", **_bearer(users["region_officer"]))
    assert r.status_code == 200
    assert [d["uscc"] for d in json.loads(r.content)] == [a.uscc]
    r = client.get("/api/io/export?format=jsonl", **_bearer(users["admin"]))
    assert len(r.content.decode().splitlines()) == 2
    r = client.get("/api/io/export?format=xml", **_bearer(users["admin"]))
    assert r.status_code == 400
    r = client.get("/api/io/export?format=json", **_bearer(users["partner_unshared"]))
    assert json.loads(r.content) == []
    assert client.get("/api/io/export").status_code == 401
    assert Region.objects.count() == 2
