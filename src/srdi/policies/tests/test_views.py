"""Pages and API: permissions across roles, editor validation, one-click application, ledger."""

import datetime as dt
import io

import pytest

from srdi.policies import services
from srdi.policies.models import Application, Policy

RAW = {
    "key": "big-revenue",
    "title": "营收过亿企业奖励",
    "category": "资金奖补",
    "status": "verified",
    "conditions": [
        {"id": "rev", "label": "上年营业收入不低于1000万元", "expr": "y1.revenue >= 1000"}
    ],
    "benefit": {"kind": "fixed", "amount": 30},
    "materials": ["营业执照"],
}


@pytest.fixture
def published(users, enterprises):
    from srdi.registry.models import AnnualFigures

    y = dt.date.today().year - 1
    for e, rev in zip(enterprises, (10000, 2000), strict=True):
        AnnualFigures.objects.update_or_create(enterprise=e, year=y, defaults={"revenue": rev})
    p = services.save_policy(users["admin"], RAW)
    services.publish_policy(users["admin"], p)
    return p


@pytest.fixture
def draft(users):
    return services.save_policy(users["admin"], {**RAW, "key": "draft-one", "title": "草稿政策"})


def test_list_published_for_everyone_drafts_for_officials(published, draft, users, login, client):
    c = login(users["enterprise"])
    html = c.get("/policies/").content.decode()
    assert "营收过亿企业奖励" in html and "草稿政策" not in html
    assert c.get(f"/policies/{draft.pk}/").status_code == 404
    c = login(users["admin"])
    assert "草稿政策" in c.get("/policies/").content.decode()


def test_enterprise_sees_only_its_own_matches(published, users, enterprises, login):
    a, b = enterprises
    c = login(users["enterprise"])
    r = c.get(f"/policies/enterprise/{a.uscc}/")
    assert r.status_code == 200 and "营收过亿企业奖励" in r.content.decode()
    assert c.get(f"/policies/enterprise/{b.uscc}/").status_code == 404
    assert c.get(f"/api/policies/enterprise/{b.uscc}").status_code == 404
    data = c.get(f"/api/policies/enterprise/{a.uscc}").json()
    assert data["matches"][0]["status"] == "eligible"
    assert data["matches"][0]["conditions"][0]["met"] is True
    # the policy page does not list other enterprises to an enterprise user
    html = c.get(f"/policies/{published.pk}/").content.decode()
    assert b.name not in html
    assert c.get(f"/api/policies/{published.pk}/matches").status_code == 403
    assert c.get("/policies/mine/").url == f"/policies/enterprise/{a.uscc}/"


def test_region_officer_sees_only_its_region(published, users, enterprises, login):
    a, b = enterprises
    c = login(users["region_officer"])
    html = c.get(f"/policies/{published.pk}/").content.decode()
    assert a.name in html and b.name not in html
    got = {m["uscc"] for m in c.get(f"/api/policies/{published.pk}/matches").json()}
    assert got == {a.uscc}
    c = login(users["admin"])
    got = {m["uscc"] for m in c.get(f"/api/policies/{published.pk}/matches").json()}
    assert got == {a.uscc, b.uscc}


def test_only_editors_write_policies(published, users, login):
    for role in ("enterprise", "region_officer", "commissioner", "partner"):
        c = login(users[role])
        assert c.get("/policies/new/").status_code == 403, role
        assert c.post(f"/policies/{published.pk}/publish/").status_code == 403, role
        assert c.post(f"/api/policies/{published.pk}/publish").status_code in (401, 403), role
    c = login(users["department"])
    assert c.get("/policies/new/").status_code == 200


def test_editor_validation_messages(users, login):
    c = login(users["admin"])
    r = c.post(
        "/policies/new/",
        {
            "key": "bad",
            "title": "坏政策",
            "category": "资金奖补",
            "status": "unverified",
            "reference": "today",
            "conditions": "营收 | y1.revenu >= 1\n没有竖线",
            "benefit_kind": "percent",
            "base": "y1.revenue",
            "rate_pct": "50",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "第2行" in html and "revenu" in html
    assert not Policy.objects.filter(key="bad").exists()


def test_edit_keeps_versions(published, users, login):
    c = login(users["admin"])
    form = {
        "title": "营收过亿企业奖励（修订）",
        "category": "资金奖补",
        "status": "verified",
        "reference": "today",
        "conditions": "上年营业收入不低于1000万元 | y1.revenue >= 1000",
        "benefit_kind": "fixed",
        "amount": "40",
    }
    r = c.post(f"/policies/{published.pk}/edit/", form)
    assert r.status_code == 302
    p = Policy.objects.get(pk=published.pk)
    assert p.version == 2 and p.published_version == 1
    assert p.versions.count() == 2
    assert p.published_spec["benefit"]["amount"] == 30  # still the published one until publishing
    c.post(f"/policies/{p.pk}/publish/")
    p.refresh_from_db()
    assert p.published_version == 2 and p.published_spec["title"] == "营收过亿企业奖励（修订）"


def test_one_click_application_flow_and_ledger(published, users, enterprises, login):
    a, b = enterprises
    c = login(users["enterprise"])
    r = c.post(f"/policies/{published.pk}/apply/{a.uscc}/")
    app = Application.objects.get()
    assert r.url == f"/policies/applications/{app.pk}/"
    assert app.data["enterprise"]["uscc"] == a.uscc
    assert app.data["figures"]["revenue"] == 10000
    assert app.amount_estimated == 30
    assert c.post(f"/policies/{published.pk}/apply/{b.uscc}/").status_code == 404
    # downloads
    r = c.get(f"/policies/applications/{app.pk}/download.docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    from docx import Document

    text = "\n".join(
        cell.text
        for t in Document(io.BytesIO(r.content)).tables
        for row in t.rows
        for cell in row.cells
    )
    assert a.uscc in text and "10000" in text
    r = c.get(f"/policies/applications/{app.pk}/download.xlsx")
    assert r.status_code == 200
    # submit needs contact
    c.post(
        f"/policies/applications/{app.pk}/",
        {"action": "submit", "contact_person": "", "contact_phone": ""},
    )
    app.refresh_from_db()
    assert app.status == "draft"
    c.post(
        f"/policies/applications/{app.pk}/",
        {
            "action": "submit",
            "contact_person": "张三",
            "contact_phone": "0512-1234",
            "amount_requested": "30",
        },
    )
    app.refresh_from_db()
    assert app.status == "submitted"
    # another enterprise's user cannot see it; the enterprise cannot review it
    from srdi.accounts.models import User

    other = User.objects.create_user(
        "hengrun", password="x-Secret-123", role="enterprise", enterprise=b
    )
    assert login(other).get(f"/policies/applications/{app.pk}/").status_code == 404
    c = login(users["enterprise"])
    c.post(
        f"/policies/applications/{app.pk}/",
        {"action": "review", "decision": "approve", "amount": "30"},
    )
    app.refresh_from_db()
    assert app.status == "submitted"
    # 应享未享: B is eligible and has not applied; A applied
    c = login(users["admin"])
    html = c.get(f"/policies/{published.pk}/").content.decode()
    assert "应享未享（1）" in html
    r = c.get(f"/policies/{published.pk}/unclaimed.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    assert [row[0] for row in ws.iter_rows(min_row=2, values_only=True)] == [b.uscc]
    # review: rejecting needs a reason
    r = c.post(
        f"/policies/applications/{app.pk}/",
        {"action": "review", "decision": "reject", "reason": ""},
    )
    app.refresh_from_db()
    assert app.status == "submitted" and "驳回时必须填写理由" in r.content.decode()
    c.post(
        f"/policies/applications/{app.pk}/",
        {"action": "review", "decision": "approve", "amount": "30", "reason": "同意"},
    )
    app.refresh_from_db()
    assert app.status == "approved" and app.amount_approved == 30
    c.post(
        f"/policies/applications/{app.pk}/",
        {"action": "pay", "amount": "30", "paid_on": "2026-05-01"},
    )
    app.refresh_from_db()
    assert app.status == "paid" and app.paid_on == dt.date(2026, 5, 1)
    html = c.get("/policies/ledger/").content.decode()
    assert "营收过亿企业奖励" in html and "30" in html
    # the enterprise was told of the decision
    from srdi.core.models import Notification

    assert Notification.objects.filter(user=users["enterprise"], kind="policy_application").exists()
    # partners see no ledger
    assert login(users["partner"]).get("/policies/ledger/").status_code == 403


def test_rejection_with_reason(published, users, enterprises, login):
    a, _b = enterprises
    app = services.start_application(users["enterprise"], published, a)
    services.update_application(
        users["enterprise"],
        app,
        contact_person="张三",
        contact_phone="1",
        remarks="",
        amount_requested=None,
    )
    services.submit_application(users["enterprise"], app)
    services.review_application(users["admin"], app, approve=False, reason="材料不全")
    app.refresh_from_db()
    assert app.status == "rejected" and app.review_reason == "材料不全"
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.pay_application(users["admin"], app, amount=1, paid_on=dt.date.today())


def test_rematch_job_page(published, users, login):
    c = login(users["admin"])
    r = c.post("/policies/rematch/")
    assert r.status_code == 302 and "/jobs/" in r.url
    from srdi.core.models import Job

    job = Job.objects.get(kind="policy_rematch")
    assert job.status == "done" and "2 家企业" in job.message


def test_catalogue_command_loads_and_publishes(db, capsys):
    from django.core.management import call_command

    call_command("policycatalogue", "--publish")
    assert Policy.objects.filter(status="published").count() >= 12
    g = Policy.objects.get(key="plan-growth-reward")
    assert g.verified and g.published_spec["benefit"]["cap"] == 200
    call_command("policycatalogue")
    assert "共载入 0 项" in capsys.readouterr().out


def test_catalogue_pages_render_with_pending_amounts(users, enterprises, give_title, login):
    from django.core.management import call_command

    a, _b = enterprises
    give_title(a, tier="srdi_sme", granted=dt.date.today().replace(month=1, day=2))
    call_command("policycatalogue", "--publish")
    c = login(users["admin"])
    for p in Policy.objects.all():
        html = c.get(f"/policies/{p.pk}/").content.decode()
        assert p.title in html
    first = Policy.objects.get(key="plan-first-srdi-sme")
    html = c.get(f"/policies/{first.pk}/?uscc={a.uscc}").content.decode()
    assert "待核定" in html  # the amount is not presented as a number
    html = login(users["enterprise"]).get(f"/policies/enterprise/{a.uscc}/").content.decode()
    assert "首次认定专精特新中小企业一次性奖励" in html
    growth = Policy.objects.get(key="plan-growth-reward")
    html = c.get(f"/policies/{growth.pk}/").content.decode()
    assert "最高 200万元" in html and "50%" in html


def test_api_applications_scoped(published, users, enterprises, login):
    a, b = enterprises
    c = login(users["enterprise"])
    r = c.post(f"/api/policies/{published.pk}/applications/{a.uscc}")
    assert r.status_code == 200 and r.json()["data"]["figures"]["revenue"] == 10000
    assert c.post(f"/api/policies/{published.pk}/applications/{b.uscc}").status_code == 404
    assert [x["uscc"] for x in c.get("/api/policies/applications").json()] == [a.uscc]
    assert login(users["partner"]).get("/api/policies/applications").status_code == 403
    assert len(login(users["admin"]).get("/api/policies/applications").json()) == 1


def test_editor_round_trips_a_catalogue_policy(users, login):
    from django.core.management import call_command

    from srdi.policies.forms import PolicyForm

    call_command("policycatalogue")
    p = Policy.objects.get(key="plan-growth-reward")
    initial = PolicyForm.initial_from(p.spec)
    post = {k: ("" if v is None else v) for k, v in initial.items() if k != "key"}
    post["cap"] = "150"  # an official changes the cap
    c = login(users["admin"])
    r = c.post(f"/policies/{p.pk}/edit/", post)
    assert r.status_code == 302, r.content.decode()[:3000]
    p.refresh_from_db()
    assert p.version == 2
    assert [x["expr"] for x in p.spec["conditions"]] == [
        'holds("little_giant", "srdi_sme")',
        "pct_change(y1.revenue, y2.revenue) >= 20",
    ]
    assert p.spec["benefit"]["base"] == "y1.local_contribution - y2.local_contribution"
    assert p.spec["benefit"]["cap"] == "150" and p.spec["benefit"]["rate_pct"] == "50"
    assert "三(二)" in p.spec["source"] and p.spec["reference"] == "year_end"
    # published, the rewards use the new cap
    c.post(f"/policies/{p.pk}/publish/")
    from srdi.policies import conditions as C
    from srdi.policies.rewards import growth_reward

    from .conftest import growth_profile

    r = growth_reward(C.normalise(growth_profile(rev=(1000, 2000), lc=(100, 600))), 2025)
    assert r["amount"] == 150
