"""Docking 推荐 → 对接中 → 签约 → 在研 → 结题: roles per transition, audit, project, feedback."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from srdi.audit.models import AuditLog
from srdi.innovation import services
from srdi.innovation.models import Match, Project


def _m(inno):
    return Match.objects.get(need=inno["public"], capability=inno["c1"])


def test_the_solving_team_is_recommended_first_with_reasons(inno):
    best = inno["public"].matches.order_by("-score").first()
    assert best.capability == inno["c1"] and best.reasons


def test_full_docking_through_the_api_with_tokens(inno, users, bearer):
    m = _m(inno)
    ent, uni = bearer(users["enterprise"]), bearer(inno["u1"])
    r = ent.post(
        f"/api/innovation/matches/{m.pk}/verdict",
        {"accepted": True},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "recommended"
    r = uni.post(
        f"/api/innovation/matches/{m.pk}/verdict",
        {"accepted": True},
        content_type="application/json",
    )
    assert r.json()["state"] == "docking"
    # the university may not sign
    r = uni.post(
        f"/api/innovation/matches/{m.pk}/transition",
        {"event": "sign"},
        content_type="application/json",
    )
    assert r.status_code == 403 and "无权" in r.json()["detail"]
    r = ent.post(f"/api/innovation/matches/{m.pk}/transition",
                 {"event": "sign", "project": {"contract_amount": "85.5", "signed_on": "2026-03-01"}},
                 content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and r.json()["state"] == "signed"
    p = Project.objects.get(match=m)
    assert p.contract_amount == Decimal("85.50") and p.institution == "常熟理工学院"
    assert p.signed_on == dt.date(2026, 3, 1)
    r = ent.post(
        f"/api/innovation/matches/{m.pk}/transition",
        {"event": "conclude"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "不能" in r.json()["detail"]
    assert uni.post(f"/api/innovation/matches/{m.pk}/transition", {"event": "start_research"},
                    content_type="application/json").json()["state"] == "researching"  # fmt: skip
    assert ent.post(f"/api/innovation/matches/{m.pk}/transition", {"event": "conclude"},
                    content_type="application/json").json()["state"] == "concluded"  # fmt: skip
    actions = set(
        AuditLog.objects.filter(object_id=str(m.pk), action__startswith="innovation.").values_list(
            "action", flat=True
        )
    )
    assert {"innovation.match.verdict", "innovation.dock.start_docking", "innovation.dock.sign",
            "innovation.dock.start_research", "innovation.dock.conclude"} <= actions  # fmt: skip
    assert list(m.events.values_list("to_state", flat=True))[-1] == "concluded"


def test_session_writes_need_csrf(inno, users):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(users["enterprise"])
    m = _m(inno)
    r = c.post(
        f"/api/innovation/matches/{m.pk}/verdict",
        {"accepted": True},
        content_type="application/json",
    )
    assert r.status_code in (401, 403)
    m.refresh_from_db()
    assert m.enterprise_verdict == ""


def test_rejection_closes_and_pushes_the_team_down_next_time(inno, users):
    m = _m(inno)
    services.give_verdict(users["enterprise"], m, False, "方向不符")
    m.refresh_from_db()
    assert m.state == Match.State.CLOSED
    with pytest.raises(ValidationError):
        services.transition(users["department"], m, "start_docking")
    need = services.save_need(users["enterprise"], inno["public"].enterprise,
                              {"title": "压铸件气孔多（二期）", "description": "铝合金转向节X光探伤气孔多，报废率高"})  # fmt: skip
    fresh = Match.objects.get(need=need, capability=inno["c1"])
    assert any("拒绝" in r for r in fresh.reasons)


def test_pages_move_the_docking(inno, users, as_user):
    m = _m(inno)
    c = as_user(inno["u1"])
    assert c.post(f"/innovation/matches/{m.pk}/verdict/", {"verdict": "accept"}).status_code == 302
    page = c.get(f"/innovation/matches/{m.pk}/").content.decode()
    assert "高校意见" in page and "接受" in page
    with pytest.raises(PermissionDenied):
        services.give_verdict(users["department"], m, True)


def test_university_proposes_from_its_capability(inno, as_user):
    cap, need = inno["c2"], inno["partners"]
    page = as_user(inno["u2"]).get(f"/innovation/capabilities/{cap.pk}/").content.decode()
    assert "焊点虚焊" in page and "机密" not in page
    r = as_user(inno["u2"]).post(f"/innovation/capabilities/{cap.pk}/propose/{inno['named'].pk}/")
    assert r.status_code == 404
    r = as_user(inno["u2"]).post(f"/innovation/capabilities/{cap.pk}/propose/{need.pk}/")
    assert r.status_code == 302
    assert Match.objects.get(need=need, capability=cap).university_verdict == "accepted"


def test_bad_need_input_is_refused_in_chinese(inno, users):
    ent = inno["public"].enterprise
    for data, words in [
        ({"title": "", "description": "x"}, "需求名称"),
        ({"title": "x", "description": "y", "budget": "很多"}, "“预算（万元）”应为数字：很多"),
        (
            {"title": "x", "description": "y", "budget": "-5"},
            "“预算（万元）”应在 0 到 99999999 之间",
        ),
        ({"title": "x", "description": "y", "budget": "NaN"}, "“预算（万元）”应为数字：NaN"),
        ({"title": "x", "description": "y", "deadline": "明天"}, "截止日期"),
        ({"title": "x", "description": "y", "confidentiality": "named"}, "指定一个机构"),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.save_need(users["enterprise"], ent, data)
        assert words in str(exc.value)
    n = services.save_need(users["enterprise"], ent, {"title": "x", "description": "y",
                                                       "budget": "1,200.555"})  # fmt: skip
    assert n.budget == Decimal("1200.56")  # thousands separator read; kept to the fen
