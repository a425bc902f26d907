"""Issue 11 item 6: a submitted application reaches the reviewing department (inbox + e-mail),
waits under 待审核 with a count on the home page, review shows each condition's verdict now and
warns before approving an unmet one; the applicant hears the outcome; 申报材料 files."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from srdi.core.models import Notification
from srdi.policies import review, services
from srdi.policies.models import Application, ApplicationAttachment

RAW = {
    "key": "kj-rd",
    "title": "研发投入奖励",
    "category": "资金奖补",
    "department": "常熟市科学技术局、常熟市财政局",
    "status": "verified",
    "conditions": [
        {"id": "rev", "label": "上年营业收入不低于1000万元", "expr": "y1.revenue >= 1000"}
    ],
    "benefit": {"kind": "fixed", "amount": 30},
    "materials": ["营业执照", "研发费用专项审计报告"],
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def policy(users, enterprises):
    from srdi.registry.models import AnnualFigures

    y = dt.date.today().year - 1
    for e in enterprises:
        AnnualFigures.objects.update_or_create(enterprise=e, year=y, defaults={"revenue": 5000})
    p = services.save_policy(users["admin"], RAW)
    services.publish_policy(users["admin"], p)
    return p


@pytest.fixture
def submitted(policy, users, enterprises):
    u = users["enterprise"]
    u.email = "qiye@example.com"
    u.save()
    users["department"].email = "kjj@example.com"
    users["department"].save()
    app = services.start_application(u, policy, enterprises[0])
    services.update_application(
        u, app, contact_person="张三", contact_phone="0512-1", remarks="", amount_requested=None
    )
    services.submit_application(u, app)
    return app


def test_routing_is_data_first_unit_named_reviews(policy):
    assert review.reviewing_department(policy) == "kjj"
    policy.department = "常熟市财政局、常熟市工业和信息化局"
    assert review.reviewing_department(policy) == "gxj"
    policy.department = ""
    assert review.reviewing_department(policy) == review.config()["default_department"]


def test_submission_notifies_the_reviewing_department_by_inbox_and_email(submitted, users):
    n = Notification.objects.get(user=users["department"], kind="policy_review")
    assert "研发投入奖励" in n.title and f"/policies/applications/{submitted.pk}/" == n.link
    assert any("kjj@example.com" in m.to for m in mail.outbox)
    # the city's administrator (another department) is not asked to review it
    assert not Notification.objects.filter(user=users["admin"], kind="policy_review").exists()


def _panel(user, rf):
    from django.template.loader import render_to_string

    from srdi.core import workspace

    req = rf.get("/")
    req.user = user
    for p in workspace.panels_for(req):
        if p["key"] == "policy_reviews":
            return p["title"], render_to_string(p["template"], p["context"])
    return None, ""


def test_pending_count_on_home_and_ledger_tab(submitted, users, login, rf):
    title, html = _panel(users["department"], rf)
    assert title == "待审核申报" and 'id="pending-reviews">1<' in html and "研发投入奖励" in html
    # the administrator sees it too (all departments), the enterprise has no such panel
    assert 'id="pending-reviews">1<' in _panel(users["admin"], rf)[1]
    assert _panel(users["enterprise"], rf) == (None, "")
    c = login(users["department"])
    page = c.get("/policies/ledger/?tab=mine").content.decode()
    assert "待我审核（1）" in page and "研发投入奖励" in page
    assert "市科技局" in page
    r = c.get("/policies/ledger/?tab=pending&format=xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "申报编号" and rows[1][4] == "已提交" and len(rows) == 2


def test_review_shows_current_verdicts_and_warns_before_approving_unmet(
    submitted, users, enterprises, login
):
    from srdi.registry.models import AnnualFigures

    # the figure fell after the application was submitted
    AnnualFigures.objects.filter(enterprise=enterprises[0]).update(revenue=10)
    c = login(users["department"])
    html = c.get(f"/policies/applications/{submitted.pk}/").content.decode()
    assert 'id="unmet-warning"' in html and "不满足" in html
    r = c.post(
        f"/policies/applications/{submitted.pk}/",
        {"action": "review", "decision": "approve", "amount": "30", "reason": ""},
    )
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert "当前未满足" in r.content.decode() or "当前未满足" in c.get(r.url).content.decode()
    c.post(
        f"/policies/applications/{submitted.pk}/",
        {
            "action": "review",
            "decision": "approve",
            "amount": "30",
            "reason": "经核实，审计后营收达标",
            "confirm_unmet": "on",
        },
    )
    submitted.refresh_from_db()
    assert submitted.status == "approved"
    n = Notification.objects.get(user=users["enterprise"], dedupe_key__endswith=":approved")
    assert "30" in n.body and "万元" in n.body
    assert any("qiye@example.com" in m.to for m in mail.outbox)


def test_only_the_routed_department_reviews(submitted, make_user, login):
    from srdi.accounts.roles import Department, Role

    other = make_user("swj", Role.DEPARTMENT, department=Department.SWJ)
    c = login(other)
    c.post(
        f"/policies/applications/{submitted.pk}/",
        {"action": "review", "decision": "reject", "reason": "不符合"},
    )
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_payment_notifies_applicant(submitted, users):
    services.review_application(users["department"], submitted, approve=True, reason="", amount=30)
    services.pay_application(
        users["department"], submitted, amount=30, paid_on=dt.date(2026, 12, 6)
    )
    n = Notification.objects.get(user=users["enterprise"], dedupe_key__endswith=":paid")
    assert "2026年12月6日" in n.body


def test_attachments_type_size_and_scope(policy, users, enterprises, login, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    u = users["enterprise"]
    app = services.start_application(u, policy, enterprises[0])
    c = login(u)
    url = f"/policies/applications/{app.pk}/"
    c.post(
        url,
        {"action": "attach", "material": "营业执照", "file": SimpleUploadedFile("执照.pdf", PDF)},
    )
    att = ApplicationAttachment.objects.get()
    assert att.kind == "pdf" and att.size == len(PDF) and att.material == "营业执照"
    # wrong type, disguised type, too large: refused with a Chinese message, nothing kept
    r = c.post(
        url,
        {"action": "attach", "material": "营业执照", "file": SimpleUploadedFile("a.exe", b"MZ..")},
        follow=True,
    )
    assert "类型不受支持" in r.content.decode()
    r = c.post(
        url,
        {"action": "attach", "material": "营业执照", "file": SimpleUploadedFile("b.pdf", b"hello")},
        follow=True,
    )
    assert "内容与扩展名不符" in r.content.decode()
    big = b"%PDF-" + b"0" * (review.limits()["max_bytes"])
    r = c.post(
        url,
        {"action": "attach", "material": "营业执照", "file": SimpleUploadedFile("c.pdf", big)},
        follow=True,
    )
    assert "超过大小上限" in r.content.decode()
    assert ApplicationAttachment.objects.count() == 1
    # kept with the application: the reviewer downloads it, an outsider gets 404
    r = login(users["department"]).get(f"/policies/attachments/{att.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert login(users["region_officer"]).get(f"/policies/attachments/{att.pk}/").status_code == 200
    from srdi.accounts.models import User

    other = User.objects.create_user(
        "hengrun", password="x-Secret-123", role="enterprise", enterprise=enterprises[1]
    )
    assert login(other).get(f"/policies/attachments/{att.pk}/").status_code == 404
    assert login(other).post(f"/policies/attachments/{att.pk}/delete/").status_code == 404
    # after submission the files cannot change
    services.update_application(
        u, app, contact_person="张三", contact_phone="1", remarks="", amount_requested=None
    )
    services.submit_application(u, app)
    c = login(u)
    c.post(f"/policies/attachments/{att.pk}/delete/")
    assert ApplicationAttachment.objects.filter(pk=att.pk).exists()
    assert Application.objects.get(pk=app.pk).attachments.count() == 1


def test_api_door_same_flow(submitted, users, enterprises, client):
    """The token door: pending list, current verdicts, review refused then confirmed, pay."""
    from srdi.accounts.models import ApiToken
    from srdi.registry.models import AnnualFigures

    _t, raw = ApiToken.issue(users["department"], "测试")
    h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert [a["id"] for a in client.get("/api/policies/applications/pending", **h).json()] == [
        submitted.pk
    ]
    AnnualFigures.objects.filter(enterprise=enterprises[0]).update(revenue=10)
    conds = client.get(f"/api/policies/applications/{submitted.pk}/conditions", **h).json()
    assert conds[0]["met"] is False
    url = f"/api/policies/applications/{submitted.pk}/review"
    r = client.post(url, {"approve": True, "amount": 30}, content_type="application/json", **h)
    assert r.status_code == 400 and "当前未满足" in r.json()["detail"]
    r = client.post(
        url,
        {"approve": True, "amount": 30, "confirm_unmet": True, "reason": "已核实"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = client.post(
        f"/api/policies/applications/{submitted.pk}/pay",
        {"amount": 30, "paid_on": "2026-12-06"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 200 and r.json()["status"] == "paid"
    # the enterprise cannot review through the API either
    _t, other = ApiToken.issue(users["region_officer"], "测试")
    r = client.post(
        url, {"approve": False, "reason": "x"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {other}",
    )  # fmt: skip
    assert r.status_code in (400, 403)


def test_demo_step_fills_the_ledger_and_is_idempotent(users, enterprises, give_title):
    import random

    from srdi.core import demo as core_demo
    from srdi.policies.demo import applications_demo
    from srdi.registry.models import AnnualFigures

    y = dt.date.today().year - 1
    for e in enterprises:  # both grew enough for the plan's growth reward conditions to be met
        AnnualFigures.objects.update_or_create(enterprise=e, year=y - 1, defaults={"revenue": 100})
        AnnualFigures.objects.update_or_create(enterprise=e, year=y, defaults={"revenue": 5000})
    today = dt.date.today()
    for e in enterprises:  # newly recognised: the plan's 首次认定 rewards apply
        give_title(
            e,
            "srdi_sme",
            granted=today - dt.timedelta(days=30),
            valid_until=today.replace(year=today.year + 3),
        )
    ctx = core_demo.Context(seed=1, rng=random.Random("1:x"), today=today)
    applications_demo(ctx)
    n = Application.objects.count()
    applications_demo(core_demo.Context(seed=1, rng=random.Random("1:x"), today=dt.date.today()))
    assert Application.objects.count() == n and n > 0, n
    assert (
        Application.objects.filter(
            status__in=["submitted", "approved", "paid", "rejected", "draft"]
        ).count()
        == n
    )
