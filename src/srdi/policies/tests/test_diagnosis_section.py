"""The diagnosis report shows the policies the enterprise can claim, with money and reasons."""

import datetime as dt

import pytest

from srdi.diagnosis import services as diagnosis
from srdi.policies import services

from .test_views import RAW

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_policies(users, enterprises):
    from srdi.registry.models import AnnualFigures

    y = dt.date.today().year - 1
    for e, rev in zip(enterprises, (10000, 2000), strict=True):
        AnnualFigures.objects.update_or_create(enterprise=e, year=y, defaults={"revenue": rev})
    for raw in (
        RAW,
        {
            **RAW,
            "key": "huge-revenue",
            "title": "营收十亿企业奖励",
            "conditions": [
                {"id": "rev", "label": "上年营业收入不低于10亿元", "expr": "y1.revenue >= 100000"}
            ],
            "benefit": {"kind": "fixed", "amount": 100},
        },
    ):
        services.publish_policy(users["admin"], services.save_policy(users["admin"], raw))


def test_report_lists_claimable_policies_with_amount_and_what_is_missing(two_policies, enterprises):
    a, b = enterprises
    d = diagnosis.diagnose(a, dt.date.today())
    (sec,) = [s for s in d["sections"] if s["key"] == "policies"]
    rows = {r[0]: r for r in sec["rows"]}
    assert rows["营收过亿企业奖励"][1:3] == ["符合", "30"]
    assert "上年营业收入不低于1000万元" in rows["营收过亿企业奖励"][3]
    assert rows["营收十亿企业奖励"][1] == "差一项"
    assert "还差：上年营业收入不低于10亿元" in rows["营收十亿企业奖励"][3]
    assert "符合 1 项" in sec["paragraphs"][0] and "合计约 30 万元" in sec["paragraphs"][0]
    assert sec["link"] == f"/policies/enterprise/{a.uscc}/"
    # b (revenue 2,000万元) meets the first; the report is b's own
    d = diagnosis.diagnose(b, dt.date.today())
    (sec,) = [s for s in d["sections"] if s["key"] == "policies"]
    assert {r[0]: r[1] for r in sec["rows"]}["营收过亿企业奖励"] == "符合"


def test_no_published_policy_no_section(enterprises):
    d = diagnosis.diagnose(enterprises[0], dt.date.today())
    assert [s for s in d["sections"] if s["key"] == "policies"] == []


def test_unpriced_policies_are_not_summed_as_zero(users, enterprises):
    from srdi.registry.models import AnnualFigures

    y = dt.date.today().year - 1
    AnnualFigures.objects.update_or_create(
        enterprise=enterprises[0], year=y, defaults={"revenue": 10000}
    )
    raw = {**RAW, "key": "service-only", "title": "上门诊断服务", "category": "服务",
           "benefit": {"kind": "none", "note": "免费诊断服务"}}  # fmt: skip
    services.publish_policy(users["admin"], services.save_policy(users["admin"], raw))
    d = diagnosis.diagnose(enterprises[0], dt.date.today())
    (sec,) = [s for s in d["sections"] if s["key"] == "policies"]
    assert "金额待核定或为非资金类支持" in sec["paragraphs"][0]
    assert "0 万元" not in sec["paragraphs"][0]
    assert sec["rows"][0][2] == "免费诊断服务"
