"""Financing needs, bank answers (state machine), products matched with reasons, outcomes."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from srdi.audit.models import AuditLog
from srdi.core.notifications import Notification
from srdi.finance import services
from srdi.finance.models import Loan, Need, Product

pytestmark = pytest.mark.django_db

NEED = {
    "amount": "500",
    "purpose": "购置数控设备",
    "term_months": 24,
    "kinds": ["credit", "ip_pledge"],
}


@pytest.fixture
def shared(fin):
    """B granted bank1 basic + years + titles + financing; bank2 nothing."""
    services.grant_consent(fin["b_user"], fin["b"], banks_=["常熟农商银行"],
                           sections=["basic", "years", "titles", "financing"])  # fmt: skip
    return fin


def test_need_reaches_only_consented_banks_and_follows_the_workflow(shared, bearer):
    f = shared
    ent, bank1, bank2 = bearer(f["b_user"]), bearer(f["bank1"]), bearer(f["bank2"])
    r = ent.post("/api/finance/needs", json.dumps(NEED), content_type="application/json")
    assert r.status_code == 201, r.content
    nid = r.json()["id"]
    assert r.json()["state"] == "open"
    # bank1 is told, bank2 is not and cannot see it
    assert Notification.objects.filter(user=f["bank1"], kind="finance.need").exists()
    assert not Notification.objects.filter(user=f["bank2"]).exists()
    assert [n["id"] for n in bank1.get("/api/finance/needs").json()] == [nid]
    assert bank2.get("/api/finance/needs").json() == []
    assert bank2.get(f"/api/finance/needs/{nid}").status_code == 404
    assert bank2.post(f"/api/finance/needs/{nid}/responses", json.dumps({"kind": "contact"}),
                      content_type="application/json").status_code == 404  # fmt: skip
    # a loan before a credit is refused with a Chinese message
    r = bank1.post(f"/api/finance/needs/{nid}/responses",
                   json.dumps({"kind": "loan", "amount": "500", "rate": "3.5", "term_months": 24}),
                   content_type="application/json")  # fmt: skip
    assert r.status_code == 400 and "不能执行此操作" in r.json()["detail"]
    # contact → credit → loan
    for body in ({"kind": "contact"}, {"kind": "credit", "amount": "400", "rate": "3.6"},
                 {"kind": "loan", "amount": "400", "rate": "3.55", "term_months": 24}):  # fmt: skip
        r = bank1.post(f"/api/finance/needs/{nid}/responses", json.dumps(body),
                       content_type="application/json")  # fmt: skip
        assert r.status_code == 201, r.content
    n = Need.objects.get(pk=nid)
    assert n.state == Need.State.LOANED
    loan = Loan.objects.get(need=n)
    assert (
        loan.amount == Decimal("400")
        and loan.rate == Decimal("3.55")
        and loan.bank == "常熟农商银行"
    )
    assert (
        loan.matures_on.year - loan.loaned_on.year
    ) * 12 + loan.matures_on.month - loan.loaned_on.month == 24
    assert AuditLog.objects.filter(action="finance.need.loan", enterprise_uscc=f["b"].uscc).exists()
    assert Notification.objects.filter(user=f["b_user"], kind="finance.response").count() == 3
    # a closed need cannot be withdrawn
    r = ent.post(f"/api/finance/needs/{nid}/close", json.dumps({"action": "withdraw"}),
                 content_type="application/json")  # fmt: skip
    assert r.status_code == 400


def test_only_the_enterprise_posts_and_withdraws(shared, bearer, users):
    f = shared
    # an official cannot post on the enterprise's behalf; another enterprise gets 404
    r = bearer(f["jrj"]).post("/api/finance/needs", json.dumps(NEED | {"uscc": f["b"].uscc}),
                              content_type="application/json")  # fmt: skip
    assert r.status_code == 403
    r = bearer(users["enterprise"]).post("/api/finance/needs", json.dumps(NEED | {"uscc": f["b"].uscc}),
                                         content_type="application/json")  # fmt: skip
    assert r.status_code == 404
    n = services.post_need(f["b_user"], f["b"], NEED)
    with pytest.raises(PermissionDenied):
        services.close_need(f["bank1"], n, "withdraw")
    with pytest.raises(PermissionDenied):
        services.respond(f["b_user"], n, {"kind": "contact"})
    services.close_need(f["b_user"], n, "withdraw")
    assert Need.objects.get(pk=n.pk).state == Need.State.WITHDRAWN


def test_commissioner_posts_only_with_the_enterprises_financing_consent(fin, users):
    a = fin["a"]  # A has a consent with all sections (shared fixture) and this commissioner
    n = services.post_need(users["commissioner"], a, NEED)
    assert n.created_by == users["commissioner"]
    with pytest.raises(Exception):  # noqa: B017 - B is not the commissioner's: 404
        services.post_need(users["commissioner"], fin["b"], NEED)


def test_bad_need_input(shared):
    for data, words in (
        ({**NEED, "amount": "abc"}, "“金额（万元）”应为数字：abc"),
        ({**NEED, "amount": "0"}, "“金额（万元）”应在 0.01 到 10000000 之间：0"),
        ({**NEED, "kinds": []}, "至少选择一种"),
        ({**NEED, "term_months": 0}, "“期限（月）”应在 1 到 600 之间：0"),
        ({**NEED, "term_months": "三年"}, "“期限（月）”应为整数：三年"),
        ({**NEED, "purpose": ""}, "请填写“用途”。"),
        ({**NEED, "purpose": "长" * 301}, "“用途”不能超过 300 字。"),
    ):
        with pytest.raises(ValidationError) as e:
            services.post_need(shared["b_user"], shared["b"], data)
        assert words in "；".join(e.value.messages)
    assert not Need.objects.exists()


def test_rejection_needs_a_reason(shared):
    n = services.post_need(shared["b_user"], shared["b"], NEED)
    with pytest.raises(ValidationError):
        services.respond(shared["bank1"], n, {"kind": "reject"})
    services.respond(shared["bank1"], n, {"kind": "reject", "reason": "近两年亏损"})
    assert Need.objects.get(pk=n.pk).state == Need.State.OPEN  # other banks may still answer


def test_products_conditions_in_the_rules_language_with_reasons(shared, bearer):
    f = shared
    bank1 = bearer(f["bank1"])
    body = {"name": "专精特新贷", "kind": "credit", "amount_max": "1000", "term_months": 36,
            "conditions": [{"label": "持有专精特新称号", "expr": 'holds("srdi_sme", "little_giant")'},
                           {"label": "营业收入不低于1500万元", "expr": "y1.revenue >= 1500"},
                           {"label": "Ⅰ类知识产权不少于5项", "expr": "ip.class1 >= 5"}]}  # fmt: skip
    r = bank1.post("/api/finance/products", json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["bank"] == "常熟农商银行"  # a bank cannot file products for another bank
    bad = body | {"name": "坏产品", "conditions": [{"label": "x", "expr": "y1.revenue >>= 3"}]}
    r = bank1.post("/api/finance/products", json.dumps(bad), content_type="application/json")
    assert r.status_code == 400 and "准入条件第1条" in r.json()["detail"]
    # bank2 may not edit bank1's product
    pid = Product.objects.get(name="专精特新贷").pk
    r = bearer(f["bank2"]).put(
        f"/api/finance/products/{pid}", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 403
    # matching for bank1 uses only what B granted: ip not granted → unknown, not met
    res = bank1.get(f"/api/finance/match/{f['b'].uscc}").json()
    (m,) = [x for x in res if x["product"]["id"] == pid]
    states = {x["label"]: x["state"] for x in m["reasons"]}
    assert states["持有专精特新称号"] == "met"
    assert states["营业收入不低于1500万元"] == "met"
    assert states["Ⅰ类知识产权不少于5项"] == "unknown"
    assert m["verdict"] == "unknown"
    # bank2 has no consent: 404
    assert bearer(f["bank2"]).get(f"/api/finance/match/{f['b'].uscc}").status_code == 404


def test_outcomes_by_bank_kind_region_tier(shared, bearer):
    import datetime as dt

    f = shared
    n = services.post_need(f["b_user"], f["b"], NEED)
    services.respond(f["bank1"], n, {"kind": "credit", "amount": "300", "rate": "3.5"})
    services.respond(
        f["bank1"], n, {"kind": "loan", "amount": "300", "rate": "3.5", "term_months": 12}
    )
    services.add_loan(f["jrj"], f["a"], {"bank": "中国银行常熟支行", "kind": "ip_pledge", "amount": "100",
                                         "rate": "4.1", "term_months": 36,
                                         "loaned_on": (dt.date.today() - dt.timedelta(days=40)).isoformat()})  # fmt: skip
    d = bearer(f["jrj"]).get("/api/finance/outcomes").json()
    assert d["count"] == 2 and d["amount"] == 400
    assert {r["key"]: r["amount"] for r in d["by_bank"]} == {
        "常熟农商银行": 300,
        "中国银行常熟支行": 100,
    }
    assert {r["key"] for r in d["by_kind"]} == {"信用贷款", "知识产权质押贷款"}
    assert {r["key"] for r in d["by_region"]} == {"梅李镇", "海虞镇"}
    assert {r["key"]: r["n"] for r in d["by_tier"]}["专精特新中小企业"] == 1
    # weighted average rate: (300×3.5 + 100×4.1) / 400 = 3.65
    assert d["avg_rate"] == 3.65
    assert d["balance"][-1]["amount"] == 400
    # a bank sees only its own loans
    d1 = bearer(f["bank1"]).get("/api/finance/outcomes").json()
    assert d1["count"] == 1 and d1["amount"] == 300
    # an enterprise user cannot open the bureau's outcome page
    from django.test import Client

    c = Client()
    c.force_login(f["b_user"])
    assert c.get("/finance/outcomes/").status_code == 403
    c.force_login(f["jrj"])
    page = c.get("/finance/outcomes/")
    assert page.status_code == 200 and "fin-charts" in page.content.decode()
    x = c.get("/finance/outcomes/?format=xlsx")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")
    # a bad period: the API refuses it naming the parameter; the page counts the default period
    r = bearer(f["jrj"]).get("/api/finance/outcomes?start=2026-01-01&end=2026/06/30")
    assert r.status_code == 400
    assert r.json()["detail"] == "“统计截止日期（end）”不是有效日期（应如 2026-06-30）：2026/06/30"
    page = c.get("/finance/outcomes/?start=一月")
    assert page.status_code == 200 and "fin-charts" in page.content.decode()
    assert "“统计起始日期”不是有效日期（应如 2026-06-30）：一月 已按默认区间统计。" in (
        page.content.decode()
    )


def test_bank_home_panel_lists_waiting_needs(shared, rf):
    from django.template.loader import render_to_string

    from srdi.core import workspace

    n = services.post_need(shared["b_user"], shared["b"], NEED)

    def panel(user, key):
        req = rf.get("/")
        req.user = user
        return next((p for p in workspace.panels_for(req) if p["key"] == key), None)

    p = panel(shared["bank1"], "finance_bank")
    assert p["context"]["shared"] == 1 and p["context"]["waiting_count"] == 1
    html = render_to_string(p["template"], p["context"])
    assert n.purpose in html and "等待本行答复的融资需求 1 条" in html
    services.respond(shared["bank1"], n, {"kind": "reject", "reason": "不符合"})
    assert panel(shared["bank1"], "finance_bank")["context"]["waiting_count"] == 0
    assert panel(shared["bank2"], "finance_bank")["context"]["shared"] == 0
    # 金融监管局 and the enterprise have their panels; a KJJ department user does not see 金融's
    assert panel(shared["jrj"], "finance_jrj")["context"]["open"] == 1
    assert panel(shared["b_user"], "finance_enterprise")["context"]["consents"] == 1
    from srdi.accounts.models import User

    assert panel(User.objects.get(username="kjj"), "finance_jrj") is None


def test_bulletin_carries_the_finance_section(shared):
    import datetime as dt

    from srdi.cultivation import bulletin

    n = services.post_need(shared["b_user"], shared["b"], NEED)
    services.respond(shared["bank1"], n, {"kind": "credit", "amount": "300", "rate": "3.5"})
    services.respond(
        shared["bank1"], n, {"kind": "loan", "amount": "300", "rate": "3.5", "term_months": 12}
    )
    today = dt.date.today()
    d = bulletin.data(f"{today.year}-{today.month:02d}")
    (sec,) = [x for x in d["extra"] if x["title"].startswith("特色金融")]
    assert "放款 1 笔" in sec["paragraphs"][0] and "300" in sec["paragraphs"][0]
    assert sec["rows"][0][0] == "常熟农商银行"
    docx = bulletin.to_docx(d)
    import io

    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "特色金融：融资对接与上市后备" in text
