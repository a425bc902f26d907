"""Consent: the enterprise grants and withdraws; a bank reads only what is granted while valid;
every read is logged for the enterprise. Crossed through the API (tokens) and the pages."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from srdi.finance.models import PartnerAccess
from srdi.registry.models import DataShare

pytestmark = pytest.mark.django_db


def _get(c, url):
    r = c.get(url)
    return r.status_code, (json.loads(r.content) if r.content and r["Content-Type"].startswith(
        "application/json") else None)  # fmt: skip


def test_done_when_grant_basic_years_then_withdraw(fin, bearer):
    b = fin["b"]
    bank = bearer(fin["bank1"])
    ent = bearer(fin["b_user"])
    url = f"/api/enterprises/{b.uscc}"
    # no consent: 404, as for an unknown enterprise
    assert _get(bank, url)[0] == 404
    assert _get(bank, "/api/enterprises/91320581000000000X")[0] == 404
    # the enterprise grants basic + years to this bank
    r = ent.post("/api/consents", json.dumps({"partner": "nsh", "sections": ["basic", "years"],
                                              "until": (timezone.localdate() + dt.timedelta(days=30)).isoformat()}),
                 content_type="application/json")  # fmt: skip
    assert r.status_code == 201, r.content
    cid = r.json()[0]["id"]
    status, doc = _get(bank, url)
    assert status == 200
    prof = doc["profile"]
    assert prof["uscc"] == b.uscc and prof["name"] == b.name
    assert "years" in prof and prof["years"]["2024"]["revenue"] == 2000
    assert prof.get("region") == "海虞镇"  # basic
    for hidden in ("titles", "ip", "honors", "awards", "quality", "compliance"):
        assert hidden not in prof, hidden
    # the other bank still sees nothing
    assert _get(bearer(fin["bank2"]), url)[0] == 404
    # withdrawal: 404 again
    assert ent.delete(f"/api/consents/{cid}").status_code == 200
    assert _get(bank, url)[0] == 404
    # each access appears in the enterprise's access log (the one read while granted)
    status, log = _get(ent, "/api/consents/log")
    assert status == 200
    assert len(log) == 1 and log[0]["organization"] == "常熟农商银行"
    assert log[0]["sections"] == ["basic", "years"] and log[0]["door"] == "api"


def test_titles_only_consent_hides_years(fin, bearer):
    from srdi.finance import services

    b = fin["b"]
    services.grant_consent(fin["b_user"], b, banks_=["常熟农商银行"], sections=["titles"])
    doc = bearer(fin["bank1"]).get(f"/api/enterprises/{b.uscc}").json()
    assert "titles" in doc["profile"] and doc["profile"]["titles"][0]["tier"] == "srdi_sme"
    assert "years" not in doc["profile"] and "region" not in doc["profile"]
    # the list API masks the columns of sections not granted
    rows = bearer(fin["bank1"]).get("/api/enterprises").json()["results"]
    assert [r["uscc"] for r in rows] == [b.uscc]
    assert rows[0]["latest_revenue"] is None and rows[0]["tier"] == "srdi_sme"


def test_expired_consent_is_no_consent(fin, bearer):
    b = fin["b"]
    c = DataShare.objects.create(enterprise=b, organization="常熟农商银行", sections=["basic"],
                                 until=timezone.localdate() - dt.timedelta(days=1))  # fmt: skip
    assert bearer(fin["bank1"]).get(f"/api/enterprises/{b.uscc}").status_code == 404
    c.until = timezone.localdate()
    c.save()
    assert bearer(fin["bank1"]).get(f"/api/enterprises/{b.uscc}").status_code == 200


def test_all_banks_consent_reaches_every_bank_but_not_universities(fin, bearer, make_user):
    from srdi.accounts.roles import PartnerKind, Role
    from srdi.finance import services

    b = fin["b"]
    services.grant_consent(fin["b_user"], b, all_banks=True, sections=["basic"])
    assert bearer(fin["bank1"]).get(f"/api/enterprises/{b.uscc}").status_code == 200
    assert bearer(fin["bank2"]).get(f"/api/enterprises/{b.uscc}").status_code == 200
    uni = make_user(
        "cslg", Role.PARTNER, organization="常熟理工学院", partner_kind=PartnerKind.UNIVERSITY
    )
    assert bearer(uni).get(f"/api/enterprises/{b.uscc}").status_code == 404


def test_officials_see_consents_but_cannot_grant_or_withdraw(fin, bearer, users):
    from srdi.finance import services

    b = fin["b"]
    (c,) = services.grant_consent(fin["b_user"], b, banks_=["常熟农商银行"], sections=["basic"])
    admin = bearer(users["admin"])
    ids = [x["id"] for x in admin.get("/api/consents").json()]
    assert c.pk in ids
    r = admin.post("/api/consents", json.dumps({"partner": "nsh", "sections": ["basic"]}),
                   content_type="application/json")  # fmt: skip
    assert r.status_code == 403
    assert admin.delete(f"/api/consents/{c.pk}").status_code == 403
    # another enterprise cannot even see it
    assert (
        users["enterprise"]
        and bearer(users["enterprise"]).delete(f"/api/consents/{c.pk}").status_code == 404
    )
    # a bank sees the consents naming it, not others
    assert [x["id"] for x in bearer(fin["bank1"]).get("/api/consents").json()] == [c.pk]
    assert bearer(fin["bank2"]).get("/api/consents").json() == []
    c.refresh_from_db()
    assert c.revoked_at is None


def test_bad_consent_input_is_400_in_chinese(fin, bearer):
    ent = bearer(fin["b_user"])
    for body, words in (
        ({"partner": "nsh", "sections": ["salary"]}, "未知的栏目"),
        ({"partner": "nsh", "sections": []}, "至少选择一项"),
        ({"partner": "nobody", "sections": ["basic"]}, "不是本平台的合作银行"),
        ({"partner": "nsh", "sections": ["basic"], "until": "2020-01-01"}, "不能早于今天"),
        ({"partner": "nsh", "sections": ["basic"], "until": "31/12/2030"}, "不是有效日期"),
    ):
        r = ent.post("/api/consents", json.dumps(body), content_type="application/json")
        assert r.status_code == 400, body
        assert words in r.json()["detail"], r.json()
    assert not DataShare.objects.filter(enterprise=fin["b"]).exists()


def test_session_door_needs_csrf(fin, client):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(fin["b_user"])
    r = c.post("/api/consents", json.dumps({"partner": "nsh", "sections": ["basic"]}),
               content_type="application/json")  # fmt: skip
    assert r.status_code == 403
    assert not DataShare.objects.filter(enterprise=fin["b"]).exists()


def test_pages_and_downloads_do_not_leak(fin, client):
    """A bank: registry pages redirect to the consent-filtered page; diagnosis, evaluation,
    profile export and the bank's own export respect the sections."""
    from srdi.finance import services

    b = fin["b"]
    bank = fin["bank1"]
    client.force_login(bank)
    # before any consent: every door is closed
    assert client.get(f"/finance/shared/{b.uscc}/").status_code == 404
    assert client.get(f"/enterprises/{b.uscc}/").status_code == 404
    assert client.get(f"/evaluation/{b.uscc}/").status_code in (403, 404)
    services.grant_consent(
        fin["b_user"], b, banks_=["常熟农商银行"], sections=["basic", "financing"]
    )
    # the registry's page sends the bank to the consent-filtered one
    r = client.get(f"/enterprises/{b.uscc}/")
    assert r.status_code == 302 and r["Location"] == f"/finance/shared/{b.uscc}/"
    page = client.get(f"/finance/shared/{b.uscc}/").content.decode()
    assert b.name in page and "海虞镇" in page
    assert "年度经营数据" not in page and "称号与荣誉" not in page
    assert "2,000" not in page  # the revenue (years) is not shown
    # diagnosis not granted: 404 on the report and the evaluation
    assert client.get(f"/diagnosis/{b.uscc}/").status_code == 404
    assert client.get(f"/evaluation/{b.uscc}/").status_code == 404
    # the full-profile export gives a partner nothing
    docs = json.loads(client.get("/io/export/?format=json").content)
    assert docs == [] or all(d.get("uscc") != b.uscc for d in docs)
    # the list page and list export send the bank to its shared list
    assert client.get("/enterprises/").status_code == 302
    assert client.get("/enterprises/export.xlsx").status_code == 302
    # the bank's own export: only granted columns
    import io

    from python_calamine import CalamineWorkbook

    x = client.get("/finance/shared/export.xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(x.content)).get_sheet_by_index(0).to_python()
    head, row = rows[0], rows[1]
    assert row[head.index("企业名称")] == b.name
    assert row[head.index("所属板块")] == "海虞镇"
    assert row[head.index("营业收入（万元）")] in ("", None)
    # every page / export read is in the enterprise's log
    doors = set(PartnerAccess.objects.filter(enterprise=b).values_list("door", flat=True))
    assert {"page", "export"} <= doors
    client.force_login(fin["b_user"])
    log = client.get("/finance/access-log/").content.decode()
    assert "常熟农商银行" in log and "基本信息" in log


def test_diagnosis_granted_opens_the_report(fin, client):
    from srdi.finance import services

    b = fin["b"]
    services.grant_consent(fin["b_user"], b, banks_=["常熟农商银行"], sections=["diagnosis"])
    client.force_login(fin["bank1"])
    assert client.get(f"/diagnosis/{b.uscc}/").status_code == 200
    assert PartnerAccess.objects.filter(enterprise=b, sections=["diagnosis"]).exists()


def test_enterprise_grants_and_withdraws_on_its_page(fin, client):
    client.force_login(fin["b_user"])
    page = client.get("/finance/consents/")
    assert page.status_code == 200 and "常熟农商银行" in page.content.decode()
    r = client.post("/finance/consents/", {"banks": ["常熟农商银行"], "sections": ["basic", "ip"],
                                           "until": "", "purpose": "贷款申请"})  # fmt: skip
    assert r.status_code == 302
    c = DataShare.objects.get(enterprise=fin["b"])
    assert c.sections == ["basic", "ip"] and c.organization == "常熟农商银行"
    r = client.post(f"/finance/consents/{c.pk}/withdraw/")
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.revoked_at is not None
    # officials: see it, no form, and cannot withdraw
    client.force_login(fin["jrj"])
    page = client.get("/finance/consents/").content.decode()
    assert "不能代为授权" in page
    assert client.post(f"/finance/consents/{c.pk}/withdraw/").status_code == 403


SUBST = {"<str:uscc>": "{uscc}", "<uscc>": "{uscc}", "<str:fmt>": "html", "<str:tier>": "srdi_sme",
         "<tier>": "srdi_sme", "<str:section>": "years", "<int:year>": "2024"}  # fmt: skip


def _uscc_routes():
    """Every page and API path that takes only an enterprise's USCC."""
    from django.urls import get_resolver
    from django.urls.resolvers import URLPattern, URLResolver

    out = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if "uscc>" not in route or "<int:pk>" in route:
                    continue
                for k, v in SUBST.items():
                    route = route.replace(k, v)
                out.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return out


def test_no_route_leaks_years_or_titles_past_a_basic_consent(fin, client, bearer):
    """Crawl every USCC route (pages and API) as a bank that was granted only "basic"."""
    from srdi.finance import services
    from srdi.registry.models import AnnualFigures

    b = fin["b"]
    AnnualFigures.objects.filter(enterprise=b).update(main_revenue=1397, rd_expense=123457)
    services.grant_consent(fin["b_user"], b, banks_=["常熟农商银行"], sections=["basic"])
    client.force_login(fin["bank1"])
    routes = _uscc_routes()
    assert any(r.startswith("/api/enterprises") for r in routes) and len(routes) > 5
    api = bearer(fin["bank1"])
    for route in routes:
        url = route.format(uscc=b.uscc)
        for c in (client, api):
            r = c.get(url)
            body = r.content.decode("utf-8", "replace") if r.status_code == 200 else ""
            for secret in ("1397", "1,397", "123457", "123,457", "专精特新中小企业"):
                assert secret not in body, (url, secret)
    # control: once "years" is granted the same crawl finds the figure (the probe can see leaks)
    services.grant_consent(fin["b_user"], b, banks_=["常熟农商银行"], sections=["years"])
    assert "1397" in api.get(f"/api/enterprises/{b.uscc}").content.decode()
