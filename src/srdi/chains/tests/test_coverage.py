"""Coverage (重点产业链配套全覆盖) from the records: by chain, over time, CLI = API = measure."""

import datetime as dt
import json
from fractions import Fraction
from io import StringIO

from django.core.management import call_command

from srdi.chains import selectors
from srdi.core import measures

DAY = dt.date(2025, 6, 30)


def test_node_with_a_confirmed_srdi_enterprise_is_covered_others_are_gaps(chain_setup):
    c = selectors.coverage(DAY)
    row = next(r for r in c["chains"] if r["name"] == "测试汽车链")
    assert (row["nodes"], row["covered"]) == (3, 1)
    assert row["coverage"] == Fraction(100, 3) and row["coverage_pct"] == 33.33
    # B is confirmed at 压铸 but holds no SRDI title: still a gap
    assert row["gaps"] == ["压铸与锻造毛坯", "整车制造"]


def test_coverage_depends_on_the_day_titles_and_confirmation(chain_setup):
    from srdi.chains.models import Placement
    from srdi.registry.models import Title

    # before the placement was confirmed: nothing covered
    assert selectors.coverage(dt.date(2024, 5, 31))["covered"] == 0
    # a suggestion does not count
    Placement.objects.filter(pk=chain_setup["pa"].pk).update(status="suggested")
    assert selectors.coverage(DAY)["covered"] == 0
    Placement.objects.filter(pk=chain_setup["pa"].pk).update(status="confirmed")
    # the title expired: the node is a gap again
    Title.objects.filter(enterprise=chain_setup["a"]).update(valid_until=dt.date(2025, 1, 1))
    assert selectors.coverage(DAY)["covered"] == 0
    assert selectors.coverage(dt.date(2024, 12, 31))["covered"] == 1


def test_history_is_quarterly_and_ends_today(chain_setup):
    h = selectors.coverage_history(DAY)
    assert h[0]["as_of"] == "2023-03-31" and h[-1]["as_of"] == DAY.isoformat()
    assert [p["coverage_pct"] for p in h if p["as_of"] == "2024-03-31"] == [0.0]
    assert h[-1]["coverage_pct"] == 33.33


def test_cli_json_api_and_measure_agree(chain_setup, users, bearer):
    out = StringIO()
    call_command("chains", "coverage", "--format", "json", "--as-of", DAY.isoformat(), stdout=out)
    doc = json.loads(out.getvalue())
    row = doc["chains"][0]
    assert set(row) == {"id", "name", "nodes", "covered", "coverage_pct", "gaps"}
    assert (row["id"], row["nodes"], row["covered"], row["coverage_pct"]) == (
        chain_setup["chain"].pk, 3, 1, 33.33,
    )  # fmt: skip
    m = measures.measure("chains.coverage", DAY, None)
    assert m.actual == Fraction(100, 3) and m.extra["covered"] == doc["total"]["covered"] == 1
    assert [r["name"] for r in m.items] == [r["name"] for r in doc["chains"]]
    api = bearer(users["region_officer"]).get("/api/chains/coverage").json()
    assert api["chains"][0]["gaps"] == row["gaps"]


def test_cli_table_and_bad_input(db):
    import pytest
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("chains", "coverage", stdout=out)
    assert "重点产业链配套覆盖" in out.getvalue()
    with pytest.raises(CommandError, match="只支持 json 或 table"):
        call_command("chains", "coverage", "--format", "xml")
    with pytest.raises(CommandError, match="不是有效日期"):
        call_command("chains", "coverage", "--as-of", "2025-13-01")


def test_a_regions_measure_counts_only_its_enterprises(chain_setup, regions):
    from srdi.cultivation.selectors import Scope

    # B (海虞镇) has no SRDI title; A (梅李镇) does
    meili = Scope(f"r{regions[0].pk}", region_id=regions[0].pk, label="梅李镇")
    haiyu = Scope(f"r{regions[1].pk}", region_id=regions[1].pk, label="海虞镇")
    assert measures.measure("chains.coverage", DAY, meili).extra["covered"] == 1
    assert measures.measure("chains.coverage", DAY, haiyu).extra["covered"] == 0


def test_cluster_measures_count_recognitions_by_year(chain_setup):
    from srdi.chains.models import FeaturedCluster

    FeaturedCluster.objects.create(name="国家级测试集群", national_year=2025)
    FeaturedCluster.objects.create(name="培育中集群")
    assert measures.measure("chains.clusters_provincial", DAY, None).actual == 1
    assert measures.measure("chains.clusters_provincial", dt.date(2023, 12, 31), None).actual == 0
    assert measures.measure("chains.clusters_national", DAY, None).actual == 1
    assert measures.measure("chains.clusters_national", dt.date(2024, 12, 31), None).actual == 0
    names = [c.name for c in measures.measure("chains.clusters_national", DAY, None).items]
    assert names == ["国家级测试集群"]


def test_dashboard_targets_read_the_same_figures(chain_setup):
    """If the plan file names the chain measures (kind registered), the dashboard shows them."""
    import pytest

    from srdi.cultivation import targets

    defs = [d for d in targets.plan()["targets"]
            if d["measure"].get("kind") == "registered"
            and str(d["measure"].get("name", "")).startswith("chains.")]  # fmt: skip
    if not defs:
        pytest.skip("计划目标文件尚未引用 chains.* 计量（由目标看板一方接入）")
    for d in defs:
        row = targets.row(d, DAY, with_forecast=False)
        m = measures.measure(d["measure"]["name"], DAY, None, d["measure"].get("params"))
        assert row["actual"] == targets._jsonnum(m.actual)
