import datetime as dt
import io
import json
from fractions import Fraction
from io import StringIO

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from srdi.audit.models import AuditLog
from srdi.core import measures
from srdi.cultivation import selectors, targets
from srdi.recognition import services
from srdi.recognition.models import Honour, Platform
from srdi.registry.models import AnnualFigures

D = dt.date


def honour(actor, ent, kind, year, **kw):
    return services.save_honour(
        actor, {"enterprise": ent, "kind": kind, "year": year, "issuer": "发证单位", **kw}
    )


def test_each_register_is_kept_by_its_department(users, depts, enterprises):
    a, _ = enterprises
    h = honour(depts["scjgj"], a, "mayor_quality_award", 2024, level="city")
    assert (
        h.level == "city" and AuditLog.objects.filter(action="recognition.honour.create").exists()
    )
    with pytest.raises(PermissionDenied):  # digital registers belong to 工信局
        honour(depts["scjgj"], a, "smart_factory", 2024, level="provincial")
    with pytest.raises(PermissionDenied):
        honour(users["region_officer"], a, "mayor_quality_award", 2025)
    honour(depts["gxj"], a, "smart_factory", 2024, level="provincial")
    honour(users["admin"], a, "cloud_star", 2024, stars=3)
    with pytest.raises(ValidationError, match="星级"):
        honour(users["admin"], a, "cloud_star", 2025)
    with pytest.raises(ValidationError, match="产品/车间名称"):
        honour(users["admin"], a, "jiangsu_premium", 2025)
    with pytest.raises(ValidationError, match="级别"):
        honour(users["admin"], a, "mayor_quality_award", 2025, level="national")
    with pytest.raises(ValidationError, match="已登记"):
        honour(depts["scjgj"], a, "mayor_quality_award", 2024, level="city")


def test_targets_are_measured_from_the_registers(users, depts, enterprises, make_title):
    a, b = enterprises
    make_title(a, "srdi_sme", granted=D(2023, 6, 1))
    make_title(b, "little_giant", level="national", granted=D(2023, 6, 1))
    honour(depts["scjgj"], a, "mayor_quality_award", 2023, granted_on=D(2023, 9, 1))
    honour(depts["scjgj"], a, "mayor_quality_award", 2025)  # same enterprise: 1家
    honour(depts["scjgj"], b, "mayor_quality_award", 2022)  # before the plan: not counted
    honour(depts["scjgj"], a, "jiangsu_premium", 2024, item="轴承A")
    honour(depts["scjgj"], a, "suzhou_made_product", 2024, level="suzhou", item="轴承A")
    honour(depts["scjgj"], b, "suzhou_made_product", 2025, level="suzhou", item="膜材B")
    honour(depts["gxj"], a, "zgsz_diagnosis", 2024, granted_on=D(2024, 3, 1))
    honour(depts["gxj"], a, "smart_workshop", 2024, level="provincial", item="车间1")
    w2 = honour(depts["gxj"], a, "smart_workshop", 2025, level="suzhou", item="车间2")
    services.revoke_honour(depts["gxj"], w2, D(2025, 12, 1))

    def val(tid, day=D(2025, 12, 31)):
        return next(r for r in targets.evaluate(day, plan_key="2023-2025") if r["id"] == tid)

    assert val("mayor_quality_award")["actual"] == 1
    assert val("certified_products")["actual"] == 2  # 轴承A (two certifications) + 膜材B
    assert val("smart_workshops")["actual"] == 1  # the revoked one no longer counts
    assert val("smart_workshops", D(2025, 11, 30))["actual"] == 1  # undated 2025: from year end
    cov = val("free_diagnosis")
    assert cov["actual"] == 50 and cov["status"] == "missed" and cov["target_label"] == "全覆盖"
    assert val("free_diagnosis", D(2024, 2, 1))["actual"] == 0  # before the diagnosis
    # what is counted is one click away
    sc = selectors.CITY
    items, note = targets.measured_items(
        targets.definition("certified_products", "2023-2025"), D(2025, 12, 31), sc
    )
    assert items.count() == 3 and "2023年起" in note


def test_size_share_uses_the_above_size_register(users, depts, enterprises, make_title):
    a, b = enterprises  # a: C3451 (工业), b: C2614
    make_title(a, "srdi_sme", granted=D(2023, 6, 1))
    AnnualFigures.objects.filter(enterprise=a, year=2024).update(main_revenue=9000)
    AnnualFigures.objects.filter(enterprise=b, year=2024).update(main_revenue=3000)
    got = measures.measure("recognition.size_share", D(2025, 6, 30), selectors.CITY,
                           {"field": "main_revenue", "tiers": ["srdi_sme"]})  # fmt: skip
    assert got.actual is None  # no 规上名录 yet: no figure
    honour(depts["tjj"], a, "above_size", 2024, level="medium")
    honour(depts["tjj"], b, "above_size", 2024, level="small")
    got = measures.measure("recognition.size_share", D(2025, 6, 30), selectors.CITY,
                           {"field": "main_revenue", "tiers": ["srdi_sme"]})  # fmt: skip
    assert got.actual == Fraction(75) and got.year == 2024
    Honour.objects.filter(enterprise=b).update(level="large")  # 大型: not 中小
    got = measures.measure("recognition.size_share", D(2025, 6, 30), selectors.CITY,
                           {"field": "main_revenue", "tiers": ["srdi_sme"]})  # fmt: skip
    assert got.actual == Fraction(100)


def _xlsx(honours=(), platforms=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = services.HONOUR_SHEET
    ws.append([c for c, _ in services.HONOUR_COLUMNS])
    for r in honours:
        ws.append(r)
    ws2 = wb.create_sheet(services.PLATFORM_SHEET)
    ws2.append([c for c, _ in services.PLATFORM_COLUMNS])
    for r in platforms:
        ws2.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_is_all_or_nothing_with_row_messages(users, depts, enterprises, regions):
    a, b = enterprises
    good = [
        a.uscc,
        a.name,
        "常熟市市长质量奖",
        "常熟市级",
        2024,
        "2024-05-01",
        "常熟市人民政府",
        "",
        "",
        "X1",
        "",
    ]
    bad = [b.uscc, b.name, "星级上云企业", "省级", 2024, "", "江苏省工信厅", "", "七", "", ""]
    unknown = [
        "91320581000000000X",
        "无",
        "智能车间",
        "省级",
        2024,
        "",
        "省工信厅",
        "车间",
        "",
        "",
        "",
    ]
    plat = [
        "虞山公共服务平台",
        "中小企业公共服务示范平台",
        "省级",
        2024,
        "江苏省工信厅",
        "",
        "运营方",
        regions[0].name,
        "",
    ]
    with pytest.raises(ValidationError) as exc:
        services.import_xlsx(users["admin"], _xlsx([good, bad, unknown], [plat]))
    text = "\n".join(exc.value.messages)
    assert (
        "“荣誉认证”第3行" in text and "星级" in text and "第4行" in text and "企业库中没有" in text
    )
    assert not Honour.objects.exists() and not Platform.objects.exists()  # nothing half-saved
    # 市场监管局 may not import 工信局's platforms
    with pytest.raises(ValidationError, match="没有维护权限"):
        services.import_xlsx(depts["scjgj"], _xlsx([good], [plat]))
    res = services.import_xlsx(users["admin"], _xlsx([good], [plat]))
    assert res["honours_created"] == 1 and res["platforms_created"] == 1
    again = services.import_xlsx(users["admin"], _xlsx([good], [plat]))
    assert again["honours_updated"] == 1 and Honour.objects.count() == 1
    p = Platform.objects.get()
    assert p.region == regions[0] and p.level == "provincial"
    # the template itself imports (its example rows are skipped)
    assert services.import_xlsx(users["admin"], services.template_xlsx())["honours_created"] == 0


def test_pages_api_and_scope(users, depts, enterprises, login, client):
    a, b = enterprises
    ha = honour(users["admin"], a, "cloud_star", 2024, stars=2)
    hb = honour(users["admin"], b, "cloud_star", 2024, stars=4)
    c = login(users["region_officer"])  # 板块 A
    html = c.get("/recognition/").content.decode()
    table = html[html.index('id="honours"') :]
    assert a.name in table and b.name not in table
    assert "星级上云企业" in table and "cloud_star" not in table
    assert c.get(f"/recognition/honours/{hb.pk}/").status_code == 404  # out of scope
    assert c.get(f"/recognition/honours/{ha.pk}/").status_code == 200
    r = c.post(f"/recognition/honours/{ha.pk}/", {"year": 2023, "issuer": "x", "stars": 1})
    assert r.status_code == 403  # read-only
    assert c.get("/api/recognition/honours").json()["count"] == 1
    assert c.get(f"/api/recognition/honours/{hb.pk}").status_code == 404
    c = login(users["partner"])
    assert c.get(f"/recognition/honours/{ha.pk}/").status_code == 404
    c = login(depts["gxj"])
    r = c.post("/recognition/", {"uscc": b.uscc, "kind": "smart_factory", "level": "provincial",
                                 "year": 2025, "issuer": "省工信厅"})  # fmt: skip
    assert r.status_code == 302 and Honour.objects.filter(kind="smart_factory").count() == 1
    r = c.post("/api/recognition/platforms", {"name": "平台甲", "kind": "startup_base", "level": "provincial",
               "year": 2024, "issuer": "省工信厅"}, content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and r.json()["kind_label"] == "小微企业创业创新示范基地"
    r = c.post("/api/recognition/honours", {"uscc": a.uscc, "kind": "cloud_star", "year": 2025, "issuer": "省"},
               content_type="application/json")  # fmt: skip
    assert r.status_code == 400 and "星级" in r.json()["detail"]
    export = c.get("/recognition/?format=xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
    )
    assert rows[0][0] == "统一社会信用代码" and len(rows) == 4
    assert c.get("/recognition/import/?template=1").status_code == 200
    c = login(users["enterprise"])
    assert c.get("/recognition/import/").status_code == 403


def test_cli_template_import_and_list(users, enterprises, tmp_path):
    a, _ = enterprises
    f = tmp_path / "x.xlsx"
    f.write_bytes(
        _xlsx([[a.uscc, a.name, "智能制造示范工厂", "省级", 2025, "", "省工信厅", "", "", "", ""]])
    )
    out = StringIO()
    call_command("recognition", "import", str(f), "--user", users["admin"].username, stdout=out)
    assert json.loads(out.getvalue())["honours_created"] == 1
    out = StringIO()
    call_command("recognition", "list", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["honours"][0]["kind"] == "智能制造示范工厂"
    call_command("recognition", "template", "-o", str(tmp_path / "t.xlsx"), stdout=StringIO())
    assert (tmp_path / "t.xlsx").stat().st_size > 1000


def test_revoking_an_honour_takes_a_date_or_says_what_is_wrong(depts, enterprises, login):
    a, _ = enterprises
    h = honour(depts["scjgj"], a, "mayor_quality_award", 2024, level="city")
    c = login(depts["scjgj"])
    url = f"/recognition/honours/{h.pk}/revoke/"
    r = c.post(url, {"on": "2025/13/01", "note": "复核未通过"}, follow=True)
    assert "“撤销日期”不是有效日期（应如 2026-06-30）：2025/13/01" in r.content.decode()
    h.refresh_from_db()
    assert h.revoked_on is None  # nothing changed
    r = c.post(url, {"on": "2025-03-01", "note": "复核未通过"})
    h.refresh_from_db()
    assert r.status_code == 302 and h.revoked_on == D(2025, 3, 1) and h.note == "复核未通过"
    h2 = honour(depts["scjgj"], a, "mayor_quality_award", 2025, level="city")
    c.post(f"/recognition/honours/{h2.pk}/revoke/", {"on": "  "})  # a blank date: today
    h2.refresh_from_db()
    assert h2.revoked_on == dt.date.today()
