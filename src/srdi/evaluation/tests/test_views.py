"""The evaluation pages: per-enterprise verdicts with trace, and what-if (officials only)."""

from __future__ import annotations

import pytest

from srdi.evaluation.models import EvaluationRecord

pytestmark = pytest.mark.django_db


def test_enterprise_page_shows_verdicts_and_trace(users, enterprises, login):
    a = enterprises[0]
    r = login(users["admin"]).get(f"/evaluation/{a.uscc}/?as_of=2025-06-30")
    assert r.status_code == 200
    html = r.content.decode()
    assert "中小企业划型标准规定" in html and "推理过程与依据" in html
    assert "待核实" in html  # the 2022 小巨人 链/品 items are unverified


def test_enterprise_page_is_scoped(users, enterprises, login):
    assert login(users["enterprise"]).get(f"/evaluation/{enterprises[1].uscc}/").status_code == 404


def test_saving_from_the_page(users, enterprises, login):
    a = enterprises[0]
    r = login(users["admin"]).post(f"/evaluation/{a.uscc}/?as_of=2025-06-30")
    assert r.status_code == 302
    assert EvaluationRecord.objects.filter(enterprise=a, run__as_of="2025-06-30").exists()


def test_whatif_page_for_officials(users, enterprises, login):
    client = login(users["admin"])
    r = client.post(
        "/evaluation/whatif/",
        {
            "standard": "sme-size@2011",
            "changes": "sectors.industry.sme = X < 100",
            "as_of": "2025-06-30",
        },
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "测算结果" in html and "结论变化 1 家" in html  # enterprise A (260 people) becomes large


def test_whatif_page_refused_to_enterprises(users, login):
    assert login(users["enterprise"]).get("/evaluation/whatif/").status_code == 403
