"""Listing reserve pool: scoring rule file, confirmation, stages, problems, CLI, targets."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from srdi.core import measures
from srdi.finance import selectors, services
from srdi.finance.models import ListingCandidate, ListingProblem

pytestmark = pytest.mark.django_db


def _cli(*args) -> str:
    out = io.StringIO()
    call_command("listing", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def pool(fin):
    """Score and propose A and B; B's figures: 2023 and 2024 with growth."""
    from srdi.registry.models import AnnualFigures

    b = fin["b"]
    AnnualFigures.objects.create(
        enterprise=b, year=2023, revenue=1500, main_revenue=1400, net_profit=100
    )
    AnnualFigures.objects.filter(enterprise=b, year=2024).update(net_profit=200)
    return fin


def test_scoring_follows_the_rule_file(pool):
    from srdi.registry.models import Enterprise

    rows = {
        r["uscc"]: r
        for r in selectors.score_enterprises(Enterprise.objects.all(), dt.date(2025, 6, 1))
    }
    b = rows[pool["b"].uscc]
    d = b["detail"]
    # B: main revenue 1400/2000 = 70 % → 2 of 3 focus points; growth 33 % → 3 of 4 + profit → 4/4
    assert d["focus"]["score"] == str((25 * 2 / 3).__round__(2))
    assert d["growth"]["score"] == "20.00"
    assert "持有专精特新及以上称号" in d["competitiveness"]["met"]
    assert d["scale"]["score"] == "0.00"  # revenue 2000 万元 < 1 亿
    total = sum(float(v["score"]) for v in d.values())
    assert float(b["score"]) == pytest.approx(total, abs=0.011)


def test_pool_workflow_cli_and_targets_agree(pool, users):
    jrj = pool["jrj"]
    rows = [
        {"enterprise_id": e.pk, "score": s, "detail": {}}
        for e, s in ((pool["a"], 80), (pool["b"], 70))
    ]
    # only 金融监管局 (or an admin) may put enterprises into the pool
    with pytest.raises(PermissionDenied):
        services.propose_candidates(users["department"], rows)
    assert services.propose_candidates(jrj, rows) == (2, 0)
    a = ListingCandidate.objects.get(enterprise=pool["a"])
    b = ListingCandidate.objects.get(enterprise=pool["b"])
    # proposed ones are not in the pool yet
    assert json.loads(_cli("--format", "json")) == {"results": []}
    services.advance(jrj, a, "confirm")
    services.advance(jrj, b, "confirm")
    for ev in ("tutor", "file", "accept"):
        services.advance(jrj, b, ev)
    with pytest.raises(ValidationError):  # 上市 needs board, code and date
        services.advance(jrj, b, "list_", data={"board": "科创板"})
    with pytest.raises(ValidationError):  # cannot skip stages
        services.advance(jrj, a, "list_", data={"board": "科创板", "stock_code": "688001",
                                                "listed_on": "2025-03-01"})  # fmt: skip
    doc = json.loads(_cli("--format", "json"))
    assert doc == {"results": [
        {"uscc": pool["a"].uscc, "name": pool["a"].name, "stage": "培育", "score": 80.0},
        {"uscc": pool["b"].uscc, "name": pool["b"].name, "stage": "审核/注册", "score": 70.0},
    ]}  # fmt: skip
    today = dt.date.today()
    assert measures.measure("finance.listing_reserve", today, None).actual == 2
    services.advance(jrj, b, "list_", data={"board": "科创板", "stock_code": "688001",
                                            "listed_on": today.isoformat()})  # fmt: skip
    doc = json.loads(_cli("--format", "json"))
    assert [r["uscc"] for r in doc["results"]] == [pool["a"].uscc]
    reserve = measures.measure("finance.listing_reserve", today, None)
    listed = measures.measure("finance.listed_new", today, None, {"since": "2023-01-01"})
    assert reserve.actual == len(doc["results"]) == 1
    assert listed.actual == 1 and [c.enterprise for c in listed.items] == [pool["b"]]
    assert measures.measure("finance.listed_new", today, None, {"year": today.year - 1}).actual == 0
    assert measures.measure("finance.listed_new", today, None, {"until": "2022-12-31"}).actual == 0
    # the dashboard's targets show the same counts; the plan ended on 2025-12-31 and its figures
    # are taken on that day, so date the pool's records inside the plan period
    ListingCandidate.objects.filter(pk__in=[a.pk, b.pk]).update(confirmed_on=dt.date(2025, 1, 10))
    ListingCandidate.objects.filter(pk=b.pk).update(listed_on=dt.date(2025, 6, 1))
    from django.core.cache import cache

    from srdi.cultivation import targets

    cache.clear()

    rows = {r["id"]: r for r in targets.evaluate(today, with_forecast=False)}
    assert rows["listing_reserve"]["actual"] == 1 and rows["new_listings"]["actual"] == 1
    assert rows["listing_reserve"]["measured_by_label"] == "平台业务记录"
    # … and on the dashboard page
    from django.test import Client

    c = Client()
    c.force_login(users["admin"])
    page = c.get("/cultivation/").content.decode()
    assert rows["listing_reserve"]["name"] in page and rows["new_listings"]["name"] in page


def test_problems_are_routed_to_departments(pool, make_user):
    from srdi.accounts.roles import Department, Role
    from srdi.support import services as support

    jrj = pool["jrj"]
    services.propose_candidates(jrj, [{"enterprise_id": pool["b"].pk, "score": 70, "detail": {}}])
    c = ListingCandidate.objects.get()
    p = services.add_problem(jrj, c, {"kind": "tax", "description": "历史年度税费补缴确认"})
    # data/listing.yaml problem_requests → support/data/routing.yaml funding/tax → 市税务局
    assert p.department == Department.SWJ == p.request.department
    swj = make_user("swj", Role.DEPARTMENT, department=Department.SWJ)
    kjj = make_user("kjj2", Role.DEPARTMENT, department=Department.KJJ)
    with pytest.raises(PermissionDenied):
        support.transition(kjj, p.request, "accept")
    support.transition(swj, p.request, "accept")
    support.transition(swj, p.request, "close", "已完成补缴确认")
    assert ListingProblem.objects.get().status == "solved"
    m = services.add_intermediary(jrj, c, {"kind": "broker", "name": "东吴证券"})
    assert m.candidate == c


def test_cli_select_uses_the_rule_file_and_permissions(pool):
    out = _cli("--select", "--user", "jrj")
    assert "新增待确认" in out
    assert (
        ListingCandidate.objects.filter(stage="proposed").count()
        == ListingCandidate.objects.count()
    )
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="仅市金融监管局"):
        _cli("--select", "--user", "kjj")
    explained = json.loads(_cli("--score", pool["b"].uscc))
    assert explained["uscc"] == pool["b"].uscc and "growth" in explained["detail"]


def test_listing_pages_scope(pool, client, users):
    services.propose_candidates(pool["jrj"], [{"enterprise_id": pool["a"].pk, "score": 80, "detail": {}},
                                              {"enterprise_id": pool["b"].pk, "score": 70, "detail": {}}])  # fmt: skip
    ca = ListingCandidate.objects.get(enterprise=pool["a"])
    cb = ListingCandidate.objects.get(enterprise=pool["b"])
    client.force_login(users["enterprise"])  # enterprise A: its own entry only
    assert client.get(f"/finance/listing/{ca.pk}/").status_code == 200
    assert client.get(f"/finance/listing/{cb.pk}/").status_code == 404
    # read-only for the enterprise: 403, unchanged
    assert (
        client.post(f"/finance/listing/{ca.pk}/", {"what": "stage", "event": "confirm"}).status_code
        == 403
    )
    assert ListingCandidate.objects.get(pk=ca.pk).stage == "proposed"
    client.force_login(pool["bank1"])
    assert client.get("/finance/listing/").status_code == 404
    client.force_login(pool["jrj"])
    page = client.get("/finance/listing/").content.decode()
    assert pool["a"].name in page and pool["b"].name in page and "待核实" in page
    client.post(f"/finance/listing/{ca.pk}/", {"what": "stage", "event": "confirm"})
    assert ListingCandidate.objects.get(pk=ca.pk).stage == "cultivating"
    x = client.get("/finance/listing/?format=xlsx")
    assert x.status_code == 200
