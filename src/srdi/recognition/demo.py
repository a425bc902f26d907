"""Demo data of the registers (synthetic, seeded, idempotent): every honour kind, the 规上名录
of each year from the demo's annual figures, and the three kinds of platforms — so that every
target of the plan measured from these registers has a non-trivial value (some met, some not).
"""

from __future__ import annotations

import datetime as dt

from srdi.core import demo

NOTE = "演示数据"
PLAN_YEARS = (2023, 2024, 2025)
# kind: (how many, level, issuer, share of the SRDI population or absolute count)
ISSUERS = {
    "city": "常熟市人民政府",
    "suzhou": "苏州市工业和信息化局",
    "provincial": "江苏省工业和信息化厅",
    "national": "工业和信息化部",
}
TOWNS = ("梅李", "海虞", "古里", "沙家浜", "支塘", "董浜", "辛庄", "尚湖", "碧溪", "虞山")


def _date(rng, year: int) -> dt.date:
    return dt.date(year, rng.randint(3, 11), rng.randint(1, 28))


@demo.step("recognition", order=55)
def recognition_demo(ctx: demo.Context) -> str | None:
    from srdi.cultivation.selectors import holders
    from srdi.registry.models import AnnualFigures, Region

    from .models import Honour, Platform

    if Honour.objects.filter(note=NOTE).exists():
        return None
    rng = ctx.rng
    srdi = list(
        holders(dt.date(2025, 12, 31), ["srdi_sme", "little_giant", "single_champion"])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    everyone = list(ctx.enterprises().values_list("pk", flat=True))
    if not srdi or not everyone:
        return None
    rows: list[Honour] = []

    def add(eid, kind, level, year, issuer=None, item="", stars=None):
        rows.append(
            Honour(
                enterprise_id=eid, kind=kind, level=level, year=year,
                granted_on=_date(rng, year), issuer=issuer or ISSUERS[level], item=item,
                stars=stars, note=NOTE,
            )
        )  # fmt: skip

    # 二(六)/一(三): coverage of the SRDI population (short of 全覆盖, as a real city would be)
    for eid in srdi:
        if rng.random() < 0.93:
            add(eid, "zgsz_diagnosis", "city", rng.choice(PLAN_YEARS), "常熟市工业和信息化局")
        if rng.random() < 0.62:
            add(eid, "zgsz_project", "city", rng.choice(PLAN_YEARS), "常熟市工业和信息化局")
        if rng.random() < 0.78:
            add(eid, "integration_standard", rng.choice(["provincial", "national"]),
                rng.choice((2021, 2022, *PLAN_YEARS)))  # fmt: skip
    # 星级上云: about 220 enterprises, 1–5 stars
    for eid in rng.sample(everyone, min(len(everyone), 220)):
        add(eid, "cloud_star", "provincial", rng.choice((2021, 2022, *PLAN_YEARS)),
            stars=rng.choices([1, 2, 3, 4, 5], weights=[30, 30, 20, 12, 8])[0])  # fmt: skip
    # counted targets of 二(四) and 二(六): some met, some short
    picks = rng.sample(srdi, min(len(srdi), 80))
    for i, eid in enumerate(picks[:34]):
        add(eid, "smart_workshop", rng.choice(["provincial", "suzhou"]), PLAN_YEARS[i % 3],
            item=f"{rng.choice(['精密加工', '装配', '涂装', '注塑', '热处理'])}智能车间")  # fmt: skip
    for i, eid in enumerate(picks[34:40]):
        add(eid, "smart_factory", "provincial", PLAN_YEARS[i % 3])
    for i, eid in enumerate(picks[40:47]):
        add(eid, "mayor_quality_award", "city", PLAN_YEARS[i % 3])
    for i, eid in enumerate(picks[47:61]):
        add(eid, "quality_excellence_award", "city", PLAN_YEARS[i % 3], "常熟市市场监督管理局")
    for i, eid in enumerate(picks[61:74]):
        kind = "jiangsu_premium" if i % 2 else "suzhou_made_product"
        add(eid, kind, "provincial" if i % 2 else "suzhou", PLAN_YEARS[i % 3],
            "江苏省市场监督管理局" if i % 2 else "苏州市市场监督管理局", item=f"高端产品{i + 1:02d}")  # fmt: skip
    for i, eid in enumerate(picks[70:79]):
        add(eid, "suzhou_made_system", "suzhou", PLAN_YEARS[i % 3], "苏州市市场监督管理局")
    # 规上名录 (市统计局): industrial enterprises with 主营业务收入 ≥ 2000万元 in the year
    for f in AnnualFigures.objects.filter(year__in=(2022, 2023, 2024, 2025),
                                           main_revenue__gte=2000).select_related("enterprise"):  # fmt: skip
        if f.enterprise.industry_code[:1] not in ("B", "C", "D"):
            continue
        emp, rev = f.employees or 0, f.main_revenue
        level = "large" if emp >= 1000 and rev >= 40000 else ("medium" if emp >= 300 else "small")
        rows.append(Honour(enterprise_id=f.enterprise_id, kind="above_size", level=level,
                           year=f.year, issuer="常熟市统计局", note=NOTE))  # fmt: skip
    Honour.objects.bulk_create(rows, ignore_conflicts=True)

    regions = list(Region.objects.filter(active=True).order_by("sort_order", "pk"))
    plats = []
    specs = [("public_service_demo", "provincial", 9, (2016, 2025), "中小企业公共服务平台"),
             ("startup_base", "provincial", 2, (2018, 2024), "小微企业创业创新基地"),
             ("industry_innovation", "city", 58, (2021, 2025), "产业创新中心")]  # fmt: skip
    for kind, level, n, (y0, y1), suffix in specs:
        for i in range(n):
            town = TOWNS[i % len(TOWNS)]
            plats.append(
                Platform(
                    name=f"常熟市{town}{suffix}{i + 1:02d}（演示）", kind=kind, level=level,
                    year=rng.randint(y0, y1), issuer=ISSUERS[level],
                    operator_name=f"常熟{town}科技服务有限公司（演示）",
                    region=regions[i % len(regions)] if regions else None, note=NOTE,
                )
            )  # fmt: skip
    Platform.objects.bulk_create(plats, ignore_conflicts=True)
    return f"荣誉认证登记 {len(rows)} 条，服务与创新平台 {len(plats)} 个"


@demo.step("targets_snapshots", order=95)
def snapshots_demo(ctx: demo.Context) -> str | None:
    """Year-end snapshots of the 2023–2025 plan's targets (city), after every domain's demo
    data: the final assessment's trend then reads stored values, as it would in production."""
    from srdi.cultivation import plans, targets
    from srdi.cultivation.models import TargetSnapshot

    if "2023-2025" not in plans.all_plans():
        return None
    if TargetSnapshot.objects.filter(plan="2023-2025").exists():
        return None
    n = 0
    for year in (2023, 2024, 2025):
        n += targets.snapshot(dt.date(year, 12, 31), "2023-2025", with_regions=False)
    return f"计划目标年末快照 {n} 条"
