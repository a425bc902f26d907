"""Leaders' supplier needs: proposals with reasons, 对接 → 试样 → 批量供货 by role."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from srdi.chains import services


@pytest.fixture
def need(chain_setup, users, make_user):
    from srdi.accounts.roles import Role

    leader_user = make_user("zhengche", Role.ENTERPRISE, enterprise=chain_setup["c"])
    n = services.post_need(leader_user, chain_setup["leader"],
                           {"product": "轮毂轴承", "node": chain_setup["n1"].pk, "volume": "年 5 万套"})  # fmt: skip
    return {"need": n, "leader_user": leader_user}


def test_proposals_name_local_smes_with_reasons(need, chain_setup):
    props = list(need["need"].proposals.all())
    assert [p.enterprise for p in props][0] == chain_setup["a"]
    reasons = " ".join(props[0].reasons)
    assert "轴承与传动件" in reasons and "专精特新中小企业" in reasons
    assert all(p.enterprise != chain_setup["c"] for p in props)  # never the leader itself


def test_only_the_leader_or_gxj_posts_needs(chain_setup, users):
    with pytest.raises(PermissionDenied):
        services.post_need(users["enterprise"], chain_setup["leader"], {"product": "x"})
    with pytest.raises(ValidationError):
        services.post_need(users["admin"], chain_setup["leader"], {"product": ""})


def test_docking_to_supply_by_role_and_audited(need, chain_setup, users, bearer):
    from srdi.audit.models import AuditLog
    from srdi.chains.models import SupplyLink

    p = need["need"].proposals.get(enterprise=chain_setup["a"])
    supplier = users["enterprise"]  # enterprise A
    services.transition(supplier, p, "dock", note="愿意对接")
    with pytest.raises(PermissionDenied):  # the supplier cannot declare the sample passed
        services.transition(supplier, p, "sample")
    with pytest.raises(ValidationError, match="不能"):  # skipping a step
        services.transition(need["leader_user"], p, "supply")
    r = bearer(need["leader_user"]).post(f"/api/chains/proposals/{p.pk}/transition",
                                         {"event": "sample"}, content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and r.json()["state"] == "sampling"
    services.transition(need["leader_user"], p, "supply", note="批量供货")
    p.refresh_from_db()
    assert p.state == "supplying"
    assert SupplyLink.objects.filter(leader=chain_setup["leader"], supplier=chain_setup["a"],
                                     product="轮毂轴承").count() == 1  # fmt: skip
    assert AuditLog.objects.filter(action__startswith="chains.supply.").count() == 3
    assert list(p.events.values_list("to_state", flat=True)) == ["docking", "sampling", "supplying"]


def test_another_enterprise_cannot_touch_the_proposal(need, chain_setup, make_user, bearer):
    from srdi.accounts.roles import Role

    other = make_user("hengrun", Role.ENTERPRISE, enterprise=chain_setup["b"])
    p = need["need"].proposals.get(enterprise=chain_setup["a"])
    r = bearer(other).post(f"/api/chains/proposals/{p.pk}/transition", {"event": "dock"},
                           content_type="application/json")  # fmt: skip
    assert r.status_code == 404
