import datetime as dt
import io

import pytest

from srdi.diagnosis.sections import SectionContext
from srdi.support import sections, services
from srdi.support.models import PlanItem


@pytest.fixture
def policy_match(enterprises):
    from srdi.policies.models import Policy, PolicyMatch

    p = Policy.objects.create(title="智能化改造数字化转型奖补", **_policy_fields(Policy))
    PolicyMatch.objects.create(policy=p, enterprise=enterprises[0], version=1, status="eligible")
    return p


def _policy_fields(Policy):
    fields = {}
    for f in Policy._meta.fields:
        if f.name in ("id", "title") or f.has_default() or f.null or f.blank:
            continue
        fields[f.name] = "x" if f.get_internal_type() in ("CharField", "TextField") else 1
    return fields


def test_propose_from_policies_then_accept_or_drop(users, enterprises, policy_match, monkeypatch):
    a, _ = enterprises
    from srdi.diagnosis import services as dx

    monkeypatch.setattr(dx, "diagnose", lambda e, as_of: {"next_tier": {"next_label": "专精特新中小企业", "plan": [
        {"what": "研发费用占比", "from": "2.1%", "to": "≥3%", "text": "需增加约 108 万元", "item": ""}]}})  # fmt: skip
    made = services.propose(users["commissioner"], a)
    titles = [i.title for i in made]
    assert "研发费用占比 2.1% → ≥3%（需增加约 108 万元）" in titles
    assert "申报政策《智能化改造数字化转型奖补》" in titles
    assert all(i.status == PlanItem.Status.PROPOSED for i in made)
    assert services.propose(users["commissioner"], a) == []  # proposed once
    diag = next(i for i in made if i.origin == "diagnosis")
    pol = next(i for i in made if i.origin == "policy")
    services.decide_item(users["commissioner"], diag, "accept")
    services.decide_item(users["commissioner"], pol, "drop")
    diag.refresh_from_db(), pol.refresh_from_db()
    assert (
        diag.status == "accepted" and pol.status == "dropped" and pol.policy_id == policy_match.pk
    )
    with pytest.raises(Exception):  # noqa: B017 - done needs evidence
        services.save_item(users["commissioner"], diag.plan, {"status": "done"}, diag)


def test_section_and_docx(users, enterprises):
    a, b = enterprises
    plan = services.plan_of(a)
    services.save_item(users["commissioner"], plan, {"area": "finance", "title": "对接知识产权质押贷款",
                                                     "due": "2027-03-31"})  # fmt: skip
    PlanItem.objects.create(plan=plan, area="market", title="未采纳的建议", origin="manual")
    ctx = SectionContext(a, {}, dt.date(2026, 12, 1), {}, None)
    s = sections.OnePlan().build(ctx)
    assert s.title == "一企一策服务计划"
    assert [r[1] for r in s.rows] == ["对接知识产权质押贷款"]
    assert s.rows[0][3] == "2027-03-31"
    assert sections.OnePlan().build(SectionContext(b, {}, dt.date(2026, 12, 1), {}, None)) is None
    from docx import Document

    from srdi.support.docx import plan_docx

    doc = Document(io.BytesIO(plan_docx(plan)))
    text = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "对接知识产权质押贷款" in text and "未采纳的建议" not in text


def test_visit_follow_ups_become_items_and_requests(users, enterprises, login):
    a, _ = enterprises
    c = login(users["commissioner"])
    res = c.post("/support/visits/new/", {"uscc": a.uscc, "visited_on": "2026-11-20", "topics": "用工",
                                          "findings": "缺数控技工"})  # fmt: skip
    assert res.status_code == 302
    from srdi.support.models import ServiceRequest, Visit

    v = Visit.objects.get(enterprise=a)
    c.post(
        f"/support/visits/{v.pk}/follow-up/",
        {"kind": "item", "area": "talent", "title": "对接职业院校"},
    )
    assert v.plan_items.get().status == "accepted"
    res = c.post(f"/support/visits/{v.pk}/follow-up/", {"kind": "request", "category": "labour",
                                                         "description": "招聘数控技工"})  # fmt: skip
    r = ServiceRequest.objects.get(source="visit")
    assert res.status_code == 302 and r.department == "gxj"
    res = c.post(
        "/support/visits/new/",
        {"uscc": a.uscc, "visited_on": "2099-01-01", "topics": "x"},
        follow=True,
    )
    assert "不能晚于今天" in res.content.decode()
    assert Visit.objects.filter(enterprise=a).count() == 1
