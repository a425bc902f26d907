import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from srdi.cultivation import selectors, services, targets
from srdi.registry.models import AnnualFigures, Enterprise

D = dt.date
DAY = D(2025, 12, 31)


def actual(tid, day=DAY, scope=selectors.CITY):
    return next(r for r in targets.evaluate(day, scope) if r["id"] == tid)["actual"]


def test_every_plan_target_is_declared_with_unit_deadline_source_and_measure():
    defs = targets.definitions()
    ids = {d["id"] for d in defs}
    assert {
        "champions_giants",
        "srdi_sme",
        "innovative_sme",
        "rd_intensity",
        "cnc_rate",
        "digital_management",
        "digital_rd_tools",
        "revenue_share",
        "clusters_provincial",
        "iur_projects",
        "tech_vice_presidents",
        "quality_awards",
        "certified_products",
        "smart_workshops",
        "smart_factories",
        "cloud_enterprises",
        "listing_reserve",
        "new_listings",
        "service_platforms",
        "commissioners",
    } <= ids
    for d in defs:
        assert d["unit"] and d["deadline"] and d["op"] in (">=", ">")
        assert d["source"] in targets.plan()["sources"], d["id"]
        assert d["measure"]["kind"] in targets.KIND_LABELS, d["id"]
        if d["target"] is None:  # an unknown figure must be flagged, never invented
            assert d["figure_status"] == "unverified", d["id"]
    fig = {d["id"]: d["target"] for d in defs}
    assert (fig["champions_giants"], fig["srdi_sme"], fig["innovative_sme"]) == (50, 250, 1200)
    assert (fig["rd_intensity"], fig["cnc_rate"], fig["digital_management"]) == (7, 65, 80)
    assert (fig["digital_rd_tools"], fig["revenue_share"], fig["iur_projects"]) == (90, 50, 800)
    assert (
        fig["tech_vice_presidents"],
        fig["listing_reserve"],
        fig["new_listings"],
        fig["commissioners"],
    ) == (50, 30, 3, 50)


def test_title_counts_from_records(enterprises, make_title):
    a, b = enterprises
    make_title(a, "little_giant", level="national", granted=D(2024, 7, 1))
    make_title(a, "srdi_sme", granted=D(2022, 1, 1))  # expired 2024-12-31
    make_title(b, "single_champion", level="national", granted=D(2023, 1, 1))
    t = make_title(b, "srdi_sme", granted=D(2025, 1, 1), status="revoked", revoked_at=D(2025, 6, 1))
    assert actual("champions_giants") == 2
    assert actual("srdi_sme") == 0
    assert actual("srdi_sme", D(2025, 5, 31)) == 1  # before the revocation
    assert t.pk


def test_ratio_of_sums_exact_and_population(enterprises, make_title):
    a, b = enterprises
    make_title(a, "srdi_sme", granted=D(2024, 1, 1))
    AnnualFigures.objects.create(
        enterprise=a,
        year=2025,
        revenue=3000,
        rd_expense=210,
        cnc_rate=70,
        digital_management=True,
        digital_rd_tools=False,
    )
    # b is not in the population (no title): its figures must not count
    AnnualFigures.objects.create(enterprise=b, year=2025, revenue=1000, rd_expense=0, cnc_rate=10)
    row = next(r for r in targets.evaluate(D(2026, 3, 1)) if r["id"] == "rd_intensity")
    assert row["actual"] == 7 and row["year"] == 2025
    assert row["achieved"] is False  # target is "> 7": exactly 7 is not above it
    assert actual("cnc_rate", D(2026, 3, 1)) == 70
    assert actual("digital_management", D(2026, 3, 1)) == 100
    assert actual("digital_rd_tools", D(2026, 3, 1)) == 0
    assert actual("revenue_share", D(2026, 3, 1)) == 75  # 3000 / (3000 + 1000)


def test_year_falls_back_when_population_has_no_figures(enterprises, make_title):
    a, _ = enterprises
    make_title(a, "srdi_sme", granted=D(2024, 1, 1))
    AnnualFigures.objects.filter(enterprise=a, year=2024).update(rd_expense=800)
    row = next(r for r in targets.evaluate(D(2026, 3, 1)) if r["id"] == "rd_intensity")
    assert row["year"] == 2024 and row["actual"] == 8


def test_manual_figures_city_and_regions(users, regions):
    r1, r2 = regions
    services.record_manual_figure(
        users["admin"],
        target_id="iur_projects",
        value="120",
        as_of=D(2025, 6, 30),
        source="科技局",
        region=r1,
    )
    services.record_manual_figure(
        users["region_officer"],
        target_id="iur_projects",
        value=30,
        as_of=D(2025, 9, 30),
        source="镇统计",
        region=r1,
    )
    services.record_manual_figure(
        users["admin"],
        target_id="iur_projects",
        value="50",
        as_of=D(2025, 9, 30),
        source="科技局",
        region=r2,
    )
    assert actual("iur_projects") == 80  # latest per 板块: 30 + 50
    sc = selectors.Scope(f"r{r1.pk}", region_id=r1.pk)
    assert actual("iur_projects", scope=sc) == 30
    services.record_manual_figure(
        users["admin"],
        target_id="iur_projects",
        value="700",
        as_of=D(2025, 12, 31),
        source="科技局年报",
    )
    assert actual("iur_projects") == 700  # a newer city-level figure wins
    from srdi.audit.models import AuditLog

    assert AuditLog.objects.filter(action="target.manual").count() == 4


def test_manual_figure_rules(users, regions):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):  # officer: own 板块 only
        services.record_manual_figure(
            users["region_officer"],
            target_id="iur_projects",
            value=1,
            as_of=D(2025, 1, 1),
            source="x",
            region=regions[1],
        )
    with pytest.raises(ValidationError, match="自动计算"):
        services.record_manual_figure(
            users["admin"], target_id="srdi_sme", value=1, as_of=D(2025, 1, 1), source="x"
        )
    with pytest.raises(ValidationError, match="不是数字"):
        services.record_manual_figure(
            users["admin"], target_id="iur_projects", value="abc", as_of=D(2025, 1, 1), source="x"
        )
    with pytest.raises(PermissionDenied):
        services.record_manual_figure(
            users["enterprise"], target_id="iur_projects", value=1, as_of=D(2025, 1, 1), source="x"
        )


def test_commissioners_and_flags(users, enterprises):
    a, _ = enterprises
    a.quality_provincial_award = True
    a.save()
    assert actual("commissioners") == 1
    assert actual("quality_awards") == 1


def test_series_and_forecast(enterprises, make_title, regions):
    a, b = enterprises
    for i in range(6):
        e = Enterprise.objects.create(uscc=f"Y{i:017d}", name=f"g{i}", region=regions[0])
        make_title(e, "innovative_sme", granted=D(2023, 3, 1) + dt.timedelta(days=120 * i))
    defn = targets.definition("innovative_sme")
    s = targets.series(defn, D(2025, 6, 30), selectors.CITY)
    assert s[0]["as_of"] == "2023-03-31" and s[0]["actual"] == 1
    assert s[-1]["as_of"] == "2025-06-30" and s[-1]["actual"] == 6
    f = targets.forecast(defn, D(2025, 6, 30), selectors.CITY, 6)
    assert f["method"] == "trend_and_pool" and f["trend"] > 6
    after = targets.forecast(defn, D(2026, 10, 31), selectors.CITY, 6)
    assert after["method"] == "deadline_passed" and after["trend"] == 6 and after["likely"] is False


def test_cli_targets_json_lists_every_target(enterprises, make_title):
    make_title(enterprises[0], "little_giant", level="national", granted=D(2025, 1, 1))
    out = StringIO()
    call_command("targets", "--format", "json", "--as-of", "2025-12-31", stdout=out)
    doc = json.loads(out.getvalue())
    assert len(doc["targets"]) == len(targets.definitions())
    row = next(r for r in doc["targets"] if r["id"] == "champions_giants")
    assert {"id", "name", "unit", "target", "actual", "deadline"} <= set(row)
    assert row["actual"] == 1 and row["target"] == 50 and row["deadline"] == "2025-12-31"
    out = StringIO()
    call_command("targets", "--format", "table", "--as-of", "2025-12-31", stdout=out)
    assert "待核实" in out.getvalue() and "制造业单项冠军" in out.getvalue()


def test_snapshot_records_trend_points(users, regions):
    n = targets.snapshot(D(2025, 6, 30))
    assert n == 2 * (1 + len(regions))  # quality_awards + commissioners, city + each 板块
    from srdi.cultivation.models import TargetSnapshot

    assert TargetSnapshot.objects.get(target_id="commissioners", region=None).actual == Decimal(1)
