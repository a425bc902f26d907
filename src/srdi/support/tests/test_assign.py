import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from srdi.accounts.roles import Role
from srdi.registry.models import Enterprise, Title
from srdi.support import assignment
from srdi.support.models import AssignmentEvent, CommissionerProfile


@pytest.fixture
def field(regions, make_user):
    """Six titled enterprises (4 in 梅李, 2 in 海虞), one pool-less untitled; three commissioners."""
    r1, r2 = regions
    ents = []
    for i in range(6):
        e = Enterprise.objects.create(uscc=f"9132058100000{i:04d}X", name=f"企业{i}",
                                      region=r1 if i < 4 else r2,
                                      industry_code="C3451" if i % 2 else "C2614")  # fmt: skip
        Title.objects.create(enterprise=e, tier="little_giant" if i == 0 else "srdi_sme",
                             level="national", granted=dt.date(2024, 1, 1),
                             valid_until=dt.date(2029, 1, 1))  # fmt: skip
        ents.append(e)
    Enterprise.objects.create(uscc="913205810000999990", name="无称号企业", region=r1)
    expired = Enterprise.objects.create(uscc="913205810000999991", name="称号过期企业", region=r1)
    Title.objects.create(enterprise=expired, tier="srdi_sme", level="provincial",
                         granted=dt.date(2020, 1, 1), valid_until=dt.date(2023, 1, 1))  # fmt: skip
    c = {}
    for name, region, inds, cap in (
        ("c1", r1, ["C34"], 2),
        ("c2", r1, ["C26"], 2),
        ("c3", r2, [], 3),
    ):
        u = make_user(name, Role.COMMISSIONER)
        CommissionerProfile.objects.create(user=u, region=region, industries=inds, capacity=cap)
        c[name] = u
    return ents, c


def test_profile_capacity_is_a_whole_number_from_1_to_500_else_the_configured_default(field, users):
    from django.core.exceptions import ValidationError

    from srdi.support import config, services

    c1 = field[1]["c1"]
    p = services.save_profile(users["admin"], c1, {"capacity": " 12 "})
    assert p.capacity == 12
    p = services.save_profile(users["admin"], c1, {"capacity": ""})
    assert p.capacity == config.assignment()["default_capacity"]
    for bad, msg in (("十", "“服务容量”应为整数：十"), ("0", "“服务容量”应在 1 到 500 之间：0"),
                     (501, "“服务容量”应在 1 到 500 之间：501")):  # fmt: skip
        with pytest.raises(ValidationError) as e:
            services.save_profile(users["admin"], c1, {"capacity": bad})
        assert e.value.messages == [msg]
    assert CommissionerProfile.objects.get(user=c1).capacity == p.capacity


def test_proposal_prefers_region_and_industry_within_capacity(field):
    ents, c = field
    p = assignment.propose(dt.date(2026, 12, 1))
    got = {a["enterprise"]: a["commissioner"] for a in p.assignments}
    assert set(got) == {e.uscc for e in ents}  # the untitled and the expired are not proposed
    assert not p.unassigned
    # 梅李: C34 enterprises (odd) to c1, C26 (even) to c2; 海虞 to c3
    for i, e in enumerate(ents[:4]):
        assert got[e.uscc] == ("c1" if i % 2 else "c2")
    assert got[ents[4].uscc] == got[ents[5].uscc] == "c3"
    assert all(v["assigned"] <= v["capacity"] for v in p.load.values())
    assert "同一板块（梅李镇）" in p.assignments[0]["reason"]


def test_nobody_above_capacity_and_the_rest_unassigned_with_reason(field):
    ents, c = field
    CommissionerProfile.objects.filter(user=c["c3"]).update(capacity=1)
    CommissionerProfile.objects.filter(user=c["c1"]).update(capacity=1)
    p = assignment.propose(dt.date(2026, 12, 1))
    assert len(p.assignments) == 4 and len(p.unassigned) == 2
    assert all(v["assigned"] <= v["capacity"] for v in p.load.values())
    assert all(u["reason"] for u in p.unassigned)
    # the little giant (titled first) is among those served
    assert ents[0].uscc in {a["enterprise"] for a in p.assignments}


def test_cli_apply_then_second_run_proposes_nothing(field):
    ents, c = field
    out = io.StringIO()
    call_command("assign", "--apply", "--format", "json", stdout=out)
    d = json.loads(out.getvalue())
    assert set(d) == {"assignments", "unassigned", "load"}
    assert {"enterprise", "commissioner", "reason"} == set(d["assignments"][0])
    assert all(e.commissioners.exists() for e in ents)
    assert AssignmentEvent.objects.filter(action="assign").count() == 6
    out = io.StringIO()
    call_command("assign", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["assignments"] == []
    out = io.StringIO()
    call_command("assign", "--region", "海虞镇", stdout=out)
    assert "建议指派 0 家" in out.getvalue()


def test_ui_assignment_respects_capacity_and_keeps_history(field, users, login):
    ents, c = field
    admin = login(users["admin"])
    e = ents[0]
    for name in ("c1",):
        admin.post(
            f"/support/enterprises/{e.uscc}/assign/", {"commissioner": c[name].pk, "reason": "就近"}
        )
    assert e.commissioners.filter(pk=c["c1"].pk).exists()
    CommissionerProfile.objects.filter(user=c["c1"]).update(capacity=1)
    res = admin.post(
        f"/support/enterprises/{ents[1].uscc}/assign/", {"commissioner": c["c1"].pk}, follow=True
    )
    assert "已达服务容量" in res.content.decode()
    admin.post(f"/support/enterprises/{e.uscc}/assign/",
               {"commissioner": c["c1"].pk, "action": "unassign", "reason": "调岗"})  # fmt: skip
    assert not e.commissioners.exists()
    assert list(AssignmentEvent.objects.filter(enterprise=e).values_list("action", flat=True)) == [
        "unassign",
        "assign",
    ]
