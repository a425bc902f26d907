"""Suggestions from the industry code and the product text, with reasons; officers decide."""

import pytest

from srdi.chains import services, suggest


def test_code_and_product_words_give_a_suggestion_with_reasons(chain_setup):
    from srdi.chains.models import Placement
    from srdi.registry.models import Enterprise

    e = Enterprise.objects.create(uscc="91320581745678901X", name="常熟市滚珠有限公司",
                                  industry_code="C3451", main_product="滚动轴承、精密齿轮")  # fmt: skip
    n = services.suggest_placements(Enterprise.objects.filter(pk=e.pk))
    assert n["created"] == 1
    p = Placement.objects.get(enterprise=e)
    assert p.node == chain_setup["n1"] and p.status == "suggested"
    assert any("C3451" in r and "C345" in r for r in p.reasons)
    assert any("轴承" in r for r in p.reasons)


def test_synonyms_map_product_words_to_the_node_keyword():
    assert suggest.normalise("滚动轴承") == "轴承"
    assert "轴承" in suggest.terms("生产滚动轴承")


def test_unrelated_enterprise_gets_nothing(chain_setup):
    from srdi.registry.models import Enterprise

    e = Enterprise.objects.create(uscc="91320581756789012Y", name="常熟市茶叶有限公司",
                                  industry_code="C1530", main_product="绿茶")  # fmt: skip
    assert suggest.suggest(e, [chain_setup["n1"], chain_setup["n2"], chain_setup["n3"]]) == []


def test_rerun_keeps_officers_decisions(chain_setup, users):
    from srdi.chains.models import Placement
    from srdi.registry.models import Enterprise

    services.suggest_placements()
    p = Placement.objects.get(enterprise=chain_setup["a"], node=chain_setup["n1"])
    assert p.status == "confirmed"
    s = Placement.objects.filter(status="suggested").first()
    if s:
        services.decide(users["admin"], s, False, note="不在该环节")
    services.suggest_placements(Enterprise.objects.all())
    if s:
        assert Placement.objects.get(pk=s.pk).status == "rejected"


def test_correction_moves_the_enterprise_and_is_audited(chain_setup, users):
    from srdi.audit.models import AuditLog
    from srdi.chains.models import Placement

    pb = chain_setup["pb"]
    officer = users["admin"]
    services.decide(officer, pb, True, node=chain_setup["n1"], products="轴承座")
    assert Placement.objects.get(pk=pb.pk).status == "rejected"
    moved = Placement.objects.get(enterprise=chain_setup["b"], node=chain_setup["n1"])
    assert moved.status == "confirmed" and moved.products == "轴承座"
    assert AuditLog.objects.filter(action="chains.place.confirm", object_id=str(moved.pk)).exists()


def test_region_officer_decides_only_for_its_region(chain_setup, users):
    from django.core.exceptions import PermissionDenied

    # B is in 海虞镇; the officer is of 梅李镇
    with pytest.raises(PermissionDenied):
        services.decide(users["region_officer"], chain_setup["pb"], False)
    services.decide(users["region_officer"], chain_setup["pa"], True, products="轮毂单元")
