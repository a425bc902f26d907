"""Registry edit forms: every write goes through the services, is audited with before/after,
and every boundary (scope, department domain, titles) is refused server-side."""

import datetime as dt

import pytest

from srdi.audit.models import AuditLog
from srdi.registry.models import AnnualFigures, Enterprise, Title

pytestmark = pytest.mark.django_db

NEW_USCC = "91320581MA1MX0YH4C"  # valid check characters (see exchange tests)


def year_form(values: dict, year=2024) -> dict:
    return {f"years__{year}__{k}": v for k, v in values.items()}


def last_audit(uscc):
    return AuditLog.objects.filter(enterprise_uscc=uscc).order_by("-id").first()


def test_admin_edits_a_figure_audited_with_source(users, enterprises, login):
    a, _b = enterprises
    c = login(users["admin"])
    url = f"/enterprises/{a.uscc}/edit/years/2024/"
    html = c.get(url).content.decode()
    assert 'value="10000' in html  # current value pre-filled
    r = c.post(
        url,
        year_form({"employees": 260, "revenue": "12500.5", "main_revenue": 9000}),
        REMOTE_ADDR="10.20.30.40",
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert AnnualFigures.objects.get(enterprise=a, year=2024).revenue == 12500.5
    log = last_audit(a.uscc)
    assert log.actor == users["admin"] and log.action == "update" and log.source == "web"
    assert log.ip == "10.20.30.40"  # from where: the address of the request
    assert log.before == {"years.2024.revenue": 10000}
    assert log.after == {"years.2024.revenue": 12500.5}
    # the figure's source is shown on the detail page
    html = c.get(f"/enterprises/{a.uscc}/").content.decode()
    assert "网页填报" in html and "gxj" in html


def test_enterprise_user_updates_its_own_data(users, enterprises, login):
    a, _b = enterprises
    c = login(users["enterprise"])
    before = AuditLog.objects.count()
    r = c.post(
        f"/enterprises/{a.uscc}/edit/basic/",
        {"name": a.name, "region": "梅李镇", "industry_code": "C3451", "main_product": "精密轴承"},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    a.refresh_from_db()
    assert a.main_product == "精密轴承"
    assert AuditLog.objects.count() == before + 1
    log = last_audit(a.uscc)
    assert log.after == {"main_product": "精密轴承"} and log.before == {"main_product": ""}
    # a new year
    r = c.get(f"/enterprises/{a.uscc}/edit/years/", {"year": "2025"})
    assert r.status_code == 302 and r["Location"].endswith("/edit/years/2025/")
    r = c.post(f"/enterprises/{a.uscc}/edit/years/2025/", year_form({"revenue": 11000}, 2025))
    assert r.status_code == 302
    assert AnnualFigures.objects.get(enterprise=a, year=2025).revenue == 11000
    assert "years.2025.revenue" in last_audit(a.uscc).after


def test_enterprise_user_cannot_edit_titles(users, enterprises, login):
    a, _b = enterprises
    c = login(users["enterprise"])
    before = AuditLog.objects.count()
    data = {
        "titles-TOTAL_FORMS": "1",
        "titles-INITIAL_FORMS": "0",
        "titles-0-tier": "little_giant",
        "titles-0-level": "national",
        "titles-0-granted": "2025-01-01",
        "titles-0-valid_until": "2028-01-01",
    }
    r = c.post(f"/enterprises/{a.uscc}/edit/recognition/", data)
    assert r.status_code == 403
    assert not Title.objects.filter(enterprise=a).exists()
    # nor compliance records
    r = c.post(f"/enterprises/{a.uscc}/edit/market/", {"compliance__abnormal_list": "on"})
    assert r.status_code == 403
    assert AuditLog.objects.count() == before


def test_department_writes_only_its_domain(users, enterprises, login):
    a, b = enterprises
    c = login(users["department"])  # 科技局: R&D figures, awards, IP … not revenue, not name
    before = AuditLog.objects.count()
    r = c.post(f"/enterprises/{b.uscc}/edit/years/2024/", year_form({"revenue": 1}))
    assert r.status_code == 403
    r = c.post(f"/enterprises/{b.uscc}/edit/basic/", {"name": "改名"})
    assert r.status_code == 403
    r = c.post(f"/enterprises/{b.uscc}/edit/market/", {"quality__iso9001": "on"})
    assert r.status_code == 403
    assert AuditLog.objects.count() == before
    assert Enterprise.objects.get(pk=b.pk).name == b.name
    r = c.post(f"/enterprises/{b.uscc}/edit/years/2024/", year_form({"rd_expense": 150}))
    assert r.status_code == 302
    assert AnnualFigures.objects.get(enterprise=b, year=2024).rd_expense == 150
    log = last_audit(b.uscc)
    assert log.actor == users["department"] and set(log.after) == {"years.2024.rd_expense"}
    assert log.before == {"years.2024.rd_expense": None}


@pytest.mark.parametrize("role", ["commissioner", "partner"])
def test_readers_cannot_write(role, users, enterprises, login):
    a, _b = enterprises
    c = login(users[role])
    before = AuditLog.objects.count()
    assert (
        c.post(f"/enterprises/{a.uscc}/edit/years/2024/", year_form({"revenue": 1})).status_code
        == 403
    )
    assert c.post(f"/enterprises/{a.uscc}/edit/basic/", {"name": "x"}).status_code == 403
    assert AuditLog.objects.count() == before


def test_validation_errors_in_chinese_and_nothing_saved(users, enterprises, login):
    a, _b = enterprises
    c = login(users["admin"])
    before = AuditLog.objects.count()
    url = f"/enterprises/{a.uscc}/edit/years/2024/"
    r = c.post(url, year_form({"employees": 260, "revenue": "-5", "main_revenue": 9000}))
    assert r.status_code == 200
    html = r.content.decode()
    assert "营业收入不能小于 0" in html
    r = c.post(url, year_form({"employees": "abc", "revenue": 100, "main_revenue": 9000}))
    assert "从业人员应为整数" in r.content.decode()
    r = c.post(url, year_form({"employees": 260, "revenue": 10000, "cnc_rate": 120}))
    assert "关键工序数控化率不能大于 100" in r.content.decode()
    # emptying a known figure is explained and asks for a confirmation, not silently ignored
    r = c.post(url, year_form({"employees": "", "revenue": 10000, "main_revenue": 9000}))
    assert "确认将以下数值改为“未知”" in r.content.decode()
    assert AuditLog.objects.count() == before
    assert AnnualFigures.objects.get(enterprise=a, year=2024).employees == 260


def test_service_problems_are_shown_on_the_form(users, enterprises, login):
    a, _b = enterprises
    c = login(users["admin"])
    r = c.post(
        f"/enterprises/{a.uscc}/edit/basic/",
        {"name": a.name, "region": "梅李镇", "industry_code": "C9999"},
    )
    assert r.status_code == 200
    assert "行业代码" in r.content.decode()
    a.refresh_from_db()
    assert a.industry_code == "C3451"


def test_region_officer_edits_titles_and_awards(users, enterprises, login):
    a, _b = enterprises
    c = login(users["region_officer"])
    data = {
        "titles-TOTAL_FORMS": "1",
        "titles-INITIAL_FORMS": "0",
        "titles-0-tier": "srdi_sme",
        "titles-0-level": "provincial",
        "titles-0-granted": "2025-01-01",
        "titles-0-valid_until": "2027-12-31",
        "awards-TOTAL_FORMS": "1",
        "awards-INITIAL_FORMS": "0",
        "awards-0-level": "provincial",
        "awards-0-year": "2024",
        "awards-0-rank": "2",
        "honors-TOTAL_FORMS": "0",
        "honors-INITIAL_FORMS": "0",
        "maker_china-TOTAL_FORMS": "0",
        "maker_china-INITIAL_FORMS": "0",
        "scores-TOTAL_FORMS": "0",
        "scores-INITIAL_FORMS": "0",
    }
    r = c.post(f"/enterprises/{a.uscc}/edit/recognition/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    t = Title.objects.get(enterprise=a)
    assert (t.tier, t.level, t.granted) == ("srdi_sme", "provincial", dt.date(2025, 1, 1))
    assert a.awards.get().rank == 2
    log = last_audit(a.uscc)
    assert log.after["titles"][0]["tier"] == "srdi_sme" and log.before["titles"] == []
    # a title with a required field missing is refused with a Chinese message
    data["titles-0-level"] = ""
    data["titles-0-tier"] = "little_giant"
    r = c.post(f"/enterprises/{a.uscc}/edit/recognition/", data)
    assert r.status_code == 200 and "请填写认定级别" in r.content.decode()


def test_create_enterprise(users, regions, login):
    c = login(users["admin"])
    r = c.post("/enterprises/new/", {"uscc": "91320581MA1MX0YH6X", "name": "新企业"})
    assert r.status_code == 200 and "统一社会信用代码" in r.content.decode()
    assert not Enterprise.objects.filter(name="新企业").exists()
    r = c.post(
        "/enterprises/new/",
        {"uscc": NEW_USCC.lower(), "name": "新企业", "region": "海虞镇", "industry_code": "3484"},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    e = Enterprise.objects.get(uscc=NEW_USCC)
    assert e.region == regions[1] and e.industry_code == "C3484"
    log = last_audit(NEW_USCC)
    assert log.action == "create" and log.before is None and log.after["name"] == "新企业"


def test_region_officer_creates_only_in_own_region(users, regions, login):
    c = login(users["region_officer"])
    r = c.post("/enterprises/new/", {"uscc": NEW_USCC, "name": "新企业", "region": "海虞镇"})
    assert r.status_code == 200  # 海虞镇 is not a choice for a 梅李镇 officer
    assert not Enterprise.objects.filter(uscc=NEW_USCC).exists()
    r = c.post("/enterprises/new/", {"uscc": NEW_USCC, "name": "新企业", "region": "梅李镇"})
    assert r.status_code == 302
    assert Enterprise.objects.get(uscc=NEW_USCC).region == regions[0]
