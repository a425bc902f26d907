import json

import pytest

from srdi.audit.models import AuditLog
from srdi.core.models import Notification
from srdi.support import services
from srdi.support.models import ServiceRequest


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_enterprise_files_through_api_department_sees_it_other_enterprise_404(users, more, bearer):
    ent = bearer(users["enterprise"])
    res = _post(ent, "/api/support/requests",
                {"category": "technology", "description": "需要高校团队解决热变形问题"})  # fmt: skip
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["department"] == "kjj" and body["state"] == "pending"
    pk = body["id"]
    # the routed department sees it (list and detail) and was told
    kjj = bearer(users["department"])
    assert pk in [r["id"] for r in kjj.get("/api/support/requests").json()["results"]]
    assert kjj.get(f"/api/support/requests/{pk}").status_code == 200
    assert Notification.objects.filter(user=users["department"], kind="support_request").exists()
    # another enterprise, another department: 404 (existence not revealed)
    assert bearer(more["ent_b"]).get(f"/api/support/requests/{pk}").status_code == 404
    assert bearer(more["jrj"]).get(f"/api/support/requests/{pk}").status_code == 404
    assert pk not in [
        r["id"] for r in bearer(more["jrj"]).get("/api/support/requests").json()["results"]
    ]
    res = _post(
        bearer(more["ent_b"]),
        f"/api/support/requests/{pk}/transition",
        {"event": "rate", "rating": 1},
    )
    assert res.status_code == 404


def test_filing_for_another_enterprise_is_refused(users, enterprises, more, bearer):
    a, b = enterprises
    res = _post(bearer(users["enterprise"]), "/api/support/requests",
                {"category": "technology", "description": "x", "uscc": b.uscc})  # fmt: skip
    assert res.status_code == 404
    # a commissioner files on behalf of their own enterprise only
    res = _post(bearer(users["commissioner"]), "/api/support/requests",
                {"category": "finance", "description": "贷款", "uscc": a.uscc})  # fmt: skip
    assert res.status_code == 200 and res.json()["department"] == "jrj"
    res = _post(bearer(users["commissioner"]), "/api/support/requests",
                {"category": "finance", "description": "贷款", "uscc": b.uscc})  # fmt: skip
    assert res.status_code == 404


def test_bad_input_gets_a_chinese_400(users, bearer):
    c = bearer(users["enterprise"])
    res = _post(c, "/api/support/requests", {"category": "nonsense", "description": "x"})
    assert res.status_code == 400 and "未知的诉求类别" in res.json()["detail"]
    res = _post(c, "/api/support/requests", {"category": "technology", "description": "  "})
    assert res.status_code == 400 and "诉求内容" in res.json()["detail"]
    res = _post(c, "/api/support/requests",
                {"category": "technology", "subkind": "tax", "description": "x"})  # fmt: skip
    assert res.status_code == 400


def test_workflow_each_transition_by_its_role_with_note_audited(users, more, req, bearer):
    r1, _r2 = req
    url = f"/api/support/requests/{r1.pk}/transition"
    ent, kjj = bearer(users["enterprise"]), bearer(users["department"])
    # the enterprise cannot accept its own request
    assert _post(ent, url, {"event": "accept"}).status_code == 403
    # nor can it rate before closing (state refuses: 400)
    res = _post(ent, url, {"event": "rate", "rating": 5})
    assert res.status_code == 400 and "当前状态" in res.json()["detail"]
    assert _post(kjj, url, {"event": "accept", "note": "已受理"}).json()["state"] == "in_progress"
    res = _post(kjj, url, {"event": "close"})
    assert res.status_code == 400 and "须填写说明" in res.json()["detail"]
    assert (
        _post(kjj, url, {"event": "close", "note": "已对接常熟理工学院"}).json()["state"]
        == "closed"
    )
    assert _post(ent, url, {"event": "rate", "rating": 9}).status_code == 400
    body = _post(ent, url, {"event": "rate", "rating": 5, "note": "满意"}).json()
    assert body["state"] == "rated" and body["rating"] == 5
    actions = list(AuditLog.objects.filter(object_id=str(r1.pk), action__startswith="support.req")
                   .values_list("action", flat=True))  # fmt: skip
    assert {
        "support.req.file",
        "support.req.accept",
        "support.req.close",
        "support.req.rate",
    } <= set(actions)
    events = [e["action"] for e in kjj.get(f"/api/support/requests/{r1.pk}").json()["events"]]
    assert events == ["file", "accept", "close", "rate"]


def test_transfer_moves_it_to_the_other_department(users, more, req, bearer):
    r1, _ = req
    kjj, jrj = bearer(users["department"]), bearer(more["jrj"])
    url = f"/api/support/requests/{r1.pk}/transition"
    assert _post(kjj, url, {"event": "transfer", "department": "jrj"}).status_code == 400  # no note
    res = _post(kjj, url, {"event": "transfer", "department": "jrj", "note": "属融资问题"})
    assert res.json()["department"] == "jrj" and res.json()["state"] == "pending"
    assert kjj.get(f"/api/support/requests/{r1.pk}").status_code == 404
    assert jrj.get(f"/api/support/requests/{r1.pk}").status_code == 200
    assert Notification.objects.filter(user=more["jrj"], title__contains="转办").exists()


def test_send_back_and_resubmit(users, req):
    r1, _ = req
    services.transition(users["department"], r1, "send_back", "请补充材料")
    r1.refresh_from_db()
    assert r1.state == ServiceRequest.State.RETURNED
    services.transition(users["commissioner"], r1, "resubmit", "已补充")
    r1.refresh_from_db()
    assert r1.state == ServiceRequest.State.PENDING


def test_session_door_checks_csrf(users, client):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(users["enterprise"])
    res = c.post("/api/support/requests", json.dumps({"category": "other", "description": "x"}),
                 content_type="application/json")  # fmt: skip
    assert res.status_code == 403


def test_file_request_is_the_public_entry_for_other_domains(users, enterprises):
    a, _ = enterprises
    r = services.file_request(users["commissioner"], a, "approval", "上市前产权确认",
                              subkind="property_rights", source="finance.listing")  # fmt: skip
    assert r.department == "fgw" and r.source == "finance.listing"
    r = services.file_request(users["commissioner"], a, "technology", "专利导航",
                              subkind="patent_navigation", source="innovation.patent")  # fmt: skip
    assert r.department == "scjgj"
    with pytest.raises(Exception):  # noqa: B017 - a partner may not file
        services.file_request(users["partner"], a, "other", "x")


def test_reminders_and_escalation(users, more, req):
    import datetime as dt

    from srdi.support import workdays

    r1, _ = req
    # a day before the 受理 deadline: the department is reminded, once
    before = r1.accept_due - dt.timedelta(days=1)
    while not workdays.is_workday(before):
        before -= dt.timedelta(days=1)
    assert services.sweep(before)["reminded"] >= 1
    services.sweep(before)
    assert (
        Notification.objects.filter(user=users["department"], kind="support_reminder").count() == 1
    )
    # past it: the 板块 (梅李镇 officer) and 市工信局 are told; level 1, then level 2 past 办结
    late = workdays.add(r1.accept_due, 1)
    assert services.sweep(late)["escalated"] >= 1
    r1.refresh_from_db()
    assert r1.escalation == 1
    assert Notification.objects.filter(
        user=users["region_officer"], kind="support_escalation"
    ).exists()
    assert Notification.objects.filter(user=more["gxj_dept"], kind="support_escalation").exists()
    assert not Notification.objects.filter(user=more["region_b"], kind="support_escalation",
                                            enterprise_uscc=r1.enterprise.uscc).exists()  # fmt: skip
    services.sweep(workdays.add(r1.close_due, 1))
    r1.refresh_from_db()
    assert r1.escalation == 2
    assert services.overdue_days(r1, workdays.add(r1.close_due, 3)) == 3
