"""A realistic synthetic Changshu data set (演示数据，合成), deterministic for a seed.

Scale (default 3,000 enterprises) and tier counts follow the order of magnitude published for
Changshu (shared/reference/context.md §6): ~7 制造业单项冠军, ~70 国家级专精特新“小巨人”,
~290 省级专精特新中小企业, ~1,200 创新型中小企业 with valid titles; counts scale with the
number of enterprises. Figures for 2021–2025 with plausible growth, R&D and debt; some figures
are missing on purpose (unknown, never 0). Every enterprise is marked ``is_synthetic``.

``generate(n, seed)`` yields raw exchange-format records plus DB-only title details
(``_title_extra``: batch, status); :func:`build_demo` validates and stores them in bulk.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from decimal import Decimal

from srdi.exchange import make_uscc

AS_OF = dt.date(2026, 11, 1)  # fixed so that a seed always gives the same data
YEARS = (2021, 2022, 2023, 2024, 2025)

# (GB/T 4754-2017 class, product words, weight) — Changshu's main manufacturing lines
INDUSTRIES = (
    ("C3670", ("汽车零部件", "汽车座椅", "汽车线束", "制动系统"), 14),
    ("C3451", ("精密轴承", "滚动轴承"), 4),
    ("C3484", ("机械零部件", "精密齿轮"), 5),
    ("C3425", ("密封件", "液压件"), 3),
    ("C3444", ("液压动力机械",), 2),
    ("C3525", ("精密模具", "冲压模具"), 4),
    ("C3599", ("专用设备", "自动化设备"), 6),
    ("C3824", ("电力电子元器件",), 3),
    ("C3831", ("电线电缆", "特种电缆"), 3),
    ("C3823", ("配电开关控制设备", "低压电器"), 3),
    ("C3985", ("电子专用材料", "电子化学品"), 3),
    ("C3976", ("光电子器件",), 2),
    ("C3990", ("智能终端",), 2),
    ("C4011", ("工业自动控制仪表",), 2),
    ("C1713", ("棉纺织品",), 4),
    ("C1751", ("化纤织物",), 3),
    ("C1811", ("服装", "羽绒服"), 6),
    ("C1951", ("纺织面料鞋",), 1),
    ("C2221", ("高档纸品", "特种纸"), 2),
    ("C2614", ("有机化学原料",), 3),
    ("C2651", ("合成树脂", "氟化工材料"), 3),
    ("C2662", ("专项化学用品",), 2),
    ("C2929", ("塑料零件", "工程塑料制品"), 3),
    ("C3120", ("特种钢材",), 2),
    ("C3130", ("钢压延产品", "耐磨钢球"), 2),
    ("C3311", ("金属结构件",), 3),
    ("C3399", ("金属制品",), 2),
    ("C2720", ("化学药品制剂",), 1),
    ("C3581", ("医疗器械",), 2),
    ("C3741", ("船舶配套设备", "海工装备"), 2),
    ("C4090", ("检测仪器",), 1),
    ("I6513", ("工业软件",), 2),
    ("M7320", ("工程技术研发服务",), 1),
)
SEI_BY_PREFIX = {"C36": "5.1", "C34": "2.1", "C35": "2.1", "C38": "6.3", "C39": "1.2",
                 "C26": "3.3", "C31": "3.1", "C27": "4.1", "C37": "2.5", "I65": "1.3"}  # fmt: skip
FOUNDATION_BY_PREFIX = {"C34": "components", "C36": "components", "C38": "electronic_components",
                        "C39": "electronic_components", "C26": "basic_material",
                        "C31": "basic_material", "C35": "basic_process", "I65": "key_software"}  # fmt: skip

BRANDS = tuple(
    "恒润精工华宏天宇鑫达博远振华瑞丰海虹亚太中泰新纶长江虞信梅盛金诚康力通达福莱宝利隆兴"
    "德润锦程龙腾星辰永固盛泰晨光东方科创鼎盛联创海宏启明泰和宏达新材苏虞琴川尚湖碧溪"
)
FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司", "科技有限公司", "实业有限公司")

# region name → weight (towns, streets and the national zones carry most enterprises)
ZONE_WEIGHTS = {"常熟经济技术开发区": 12, "常熟高新技术产业开发区": 10}

# tier → (level, [(batch label, granted)]) — national batches of 小巨人 are real batch names;
# the dates are typical publication months (synthetic data)
LITTLE_GIANT_BATCHES = (
    ("第一批", dt.date(2019, 6, 1)),
    ("第二批", dt.date(2020, 12, 1)),
    ("第三批", dt.date(2021, 7, 1)),
    ("第四批", dt.date(2022, 8, 1)),
    ("第五批", dt.date(2023, 7, 1)),
    ("第六批", dt.date(2024, 9, 1)),
    ("第七批", dt.date(2025, 10, 1)),
)
CHAMPION_BATCHES = (
    ("第六批", dt.date(2021, 11, 1)),
    ("第七批", dt.date(2022, 11, 1)),
    ("第八批", dt.date(2023, 12, 1)),
    ("第九批", dt.date(2025, 1, 1)),
)


def _years_later(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years) - dt.timedelta(days=1)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def tier_counts(n: int) -> dict[str, int]:
    """Valid titles per tier for ``n`` enterprises (published Changshu order at n = 3,000)."""
    f = n / 3000
    return {
        "single_champion": max(1, round(7 * f)) if n >= 200 else 0,
        "little_giant": max(1, round(72 * f)) if n >= 50 else 0,
        "srdi_sme": round(290 * f),
        "innovative_sme": round(1200 * f),
        "tech_sme": round(900 * f),
    }


def _money(x: float) -> Decimal:
    return Decimal(str(round(x, 2)))


def generate(n: int = 3000, seed: int = 20260101, regions=None, industries=None) -> Iterator:
    """Yield ``(record, title_extras)``: a raw exchange record and, per title, its DB-only
    details (``{"batch": ..., "status": ...}``) in the same order."""
    rng = random.Random(seed)
    regions = list(regions or ["梅李镇"])
    weights = [ZONE_WEIGHTS.get(r) or (6 if r.endswith(("镇", "街道")) else 1) for r in regions]
    inds = [i for i in INDUSTRIES if industries is None or i[0] in industries] or list(INDUSTRIES)
    ind_weights = [w for _c, _p, w in inds]

    # tiers: champions ⊂ little giants ⊂ srdi ⊂ innovative; others may be tech SMEs
    counts = tier_counts(n)
    order = list(range(n))
    rng.shuffle(order)
    strength = {}  # index → 0..4 (higher = stronger enterprise)
    pos = 0
    for level, tier in enumerate(("single_champion", "little_giant", "srdi_sme", "innovative_sme")):
        k = counts[tier] - (counts.get(_UP[tier], 0) if tier in _UP else 0)
        for i in order[pos : pos + max(0, k)]:
            strength[i] = 4 - level
        pos += max(0, k)
    tech = set(order[pos : pos + counts["tech_sme"]])
    used: set[str] = set()
    for i in range(n):
        s = strength.get(i, 0)
        while True:
            uscc = make_uscc("91320581", f"{rng.randrange(10**8):08d}")
            if uscc not in used:
                used.add(uscc)
                break
        code, products, _w = rng.choices(inds, ind_weights)[0]
        product = rng.choice(products)
        name = f"常熟市{rng.choice(BRANDS)}{rng.choice(BRANDS)}{product}{rng.choice(FORMS)}"
        est = dt.date(rng.randint(1995, 2021), rng.randint(1, 12), rng.randint(1, 28))
        # size: revenue (万元) in 2021, log-normal, stronger enterprises larger
        base = math.exp(rng.gauss(7.6 + 0.55 * s, 0.9))  # median ~2,000 万元
        growth = rng.gauss(0.06 + 0.03 * s, 0.10)
        rd_ratio = max(0.002, rng.gauss(0.025 + 0.012 * s, 0.012))
        debt = min(0.92, max(0.12, rng.gauss(0.52 - 0.03 * s, 0.14)))
        margin = rng.gauss(0.05 + 0.015 * s, 0.05)
        per_head = rng.uniform(45, 110)  # 万元 revenue per employee
        rd_staff_share = min(0.6, max(0.02, rng.gauss(0.10 + 0.04 * s, 0.05)))
        years = {}
        rev = base
        for y in YEARS:
            if y > YEARS[0]:
                rev *= max(0.55, 1 + growth + rng.gauss(0, 0.08))
            if y == 2025 and rng.random() < 0.12:
                continue  # 2025 not yet reported
            emp = max(5, int(rev / per_head))
            assets = rev * rng.uniform(0.8, 1.6)
            fig = {
                "employees": emp,
                "rd_staff": max(0, int(emp * rd_staff_share)),
                "revenue": _money(rev),
                "main_revenue": _money(rev * rng.uniform(0.86, 1.0)),
                "total_assets": _money(assets),
                "total_liabilities": _money(assets * debt),
                "net_profit": _money(rev * (margin + rng.gauss(0, 0.02))),
                "rd_expense": _money(rev * rd_ratio * rng.uniform(0.85, 1.15)),
                "local_contribution": _money(rev * rng.uniform(0.015, 0.05)),
            }
            if rng.random() < 0.3:
                fig["export_revenue"] = _money(rev * rng.uniform(0.05, 0.5))
            if s >= 2 and rng.random() < 0.15:
                fig["equity_financing"] = _money(rng.uniform(500, 5000))
            if code.startswith("C") and rng.random() < 0.6:
                fig["cnc_rate"] = _money(min(98, max(20, rng.gauss(55 + 6 * s, 12))))
                fig["digital_management"] = rng.random() < 0.5 + 0.1 * s
                fig["digital_rd_tools"] = rng.random() < 0.4 + 0.12 * s
            for k in ("net_profit", "rd_expense", "local_contribution", "rd_staff"):
                if rng.random() < 0.04:
                    fig.pop(k, None)  # unknown
            years[str(y)] = fig
        class1 = int(rng.expovariate(1 / (1 + 3 * s))) if rng.random() < 0.4 + 0.15 * s else 0
        ip = {"class2": int(rng.expovariate(1 / (3 + 5 * s)))}
        if class1:
            self_dev = rng.randint(max(0, class1 - 2), class1)
            ip.update(
                class1=class1,
                class1_self_developed=self_dev,
                class1_high_value=rng.randint(0, self_dev),
                class1_applied=rng.randint(0, class1),
            )
        rec = {
            "uscc": uscc,
            "name": name,
            "region": rng.choices(regions, weights)[0],
            "industry_code": code,
            "established": est.isoformat(),
            "main_product": product,
            "rd_institution": rng.choices(
                ["none", "below_municipal", "municipal", "provincial", "national"],
                [6 - s, 2, 2 + s, s, 0.2 * s],
            )[0],
            "ip": ip,
            "quality": {
                "iso9001": rng.random() < 0.5 + 0.1 * s,
                "own_brand": rng.random() < 0.3 + 0.15 * s,
                "standards": rng.random() < 0.05 + 0.15 * s,
                "provincial_award": s >= 3 and rng.random() < 0.3,
            },
            "mgmt_certified": rng.random() < 0.4 + 0.1 * s,
            "info_system": rng.random() < 0.5 + 0.1 * s,
            "intl_product_cert": rng.random() < 0.05 + 0.1 * s,
            "years": years,
        }
        prefix = code[:3]
        if s >= 1 or rng.random() < 0.3:
            niche = max(est, dt.date(rng.randint(2005, 2022), rng.randint(1, 12), 1))
            rec["niche_since"] = niche.isoformat()
        if prefix in SEI_BY_PREFIX and rng.random() < 0.3 + 0.15 * s:
            rec["sei_code"] = SEI_BY_PREFIX[prefix]
        if prefix in FOUNDATION_BY_PREFIX and rng.random() < 0.1 + 0.2 * s:
            rec["foundation_field"] = FOUNDATION_BY_PREFIX[prefix]
        if s >= 2:
            rec["market"] = {
                "share_pct": _money(min(60, rng.expovariate(1 / (3 + 4 * s)))),
                "domestic_rank": max(1, int(rng.expovariate(1 / (12 - 2 * s)))),
                "leading": rng.random() < 0.3 * s,
            }
            if s == 4:
                rec["market"]["global_rank"] = rng.randint(1, 3)
                rec["market"]["domestic_rank"] = 1
            rec["key_chain_position"] = rng.random() < 0.2 * s
            rec["serves_chain_leader"] = rng.random() < 0.15 * s
            rec["priority_field"] = rng.random() < 0.2 * s
            rec["local_featured_points"] = _money(rng.uniform(4, 15))
        if rng.random() < 0.08 + 0.08 * s:
            rec["digital_level"] = min(4, max(1, int(rng.gauss(1.5 + 0.4 * s, 0.7))))
        if rng.random() < 0.01:
            rec["compliance"] = {"abnormal_list": True}
        titles, extras = _titles(rng, s, i in tech)
        if titles:
            rec["titles"] = titles
        honors = []
        if rng.random() < 0.15 + 0.17 * s:
            g = dt.date(rng.choice((2023, 2024, 2025)), 11, 30)
            honors.append({"type": "high_tech", "valid_until": _years_later(g, 3).isoformat()})
        if s >= 3 and rng.random() < 0.2:
            honors.append({"type": "ip_advantage", "valid_until": "2027-12-31"})
        if honors:
            rec["honors"] = honors
        if s >= 3 and rng.random() < 0.15:
            rec["awards"] = [
                {"level": "provincial", "year": rng.randint(2020, 2025), "rank": rng.randint(1, 5)}
            ]
        if s >= 2 and rng.random() < 0.05:
            rec["maker_china"] = [{"year": rng.randint(2021, 2025), "group": "top500"}]
        if s >= 1:
            rec["development_scores"] = {
                str(y): _money(min(98, max(40, rng.gauss(55 + 7 * s, 8)))) for y in (2025, 2026)
            }
        yield rec, extras


_UP = {"little_giant": "single_champion", "srdi_sme": "little_giant", "innovative_sme": "srdi_sme"}


def _title(tier, level, granted, years, batch, status=None):
    until = _years_later(granted, years)
    if status is None:
        status = "valid" if until >= AS_OF else "expired"
    t = {
        "tier": tier,
        "level": level,
        "granted": granted.isoformat(),
        "valid_until": until.isoformat(),
    }
    return t, {"batch": batch, "status": status}


def _recent(rng, years=(2024, 2025, 2026), month=None) -> dt.date:
    y = rng.choice(years)
    m = month or rng.randint(1, 12)
    if y == AS_OF.year and m >= AS_OF.month:
        m = rng.randint(1, AS_OF.month - 1)
    return dt.date(y, m, 1)


def _titles(rng, s: int, tech: bool):
    out = []
    if s >= 4:  # single champion (national, 3 years; older ones renewed after review)
        label, g = rng.choice(CHAMPION_BATCHES)
        while _years_later(g, 3) < AS_OF:
            g = g.replace(year=g.year + 3)
            label += "（复核通过）"
        out.append(_title("single_champion", "national", g, 3, f"{label}制造业单项冠军"))
    if s >= 3:  # little giant (national): recent batches, older batches renewed by review
        label, g = rng.choices(LITTLE_GIANT_BATCHES, [1, 1, 2, 2, 3, 4, 4])[0]
        while _years_later(g, 3) < AS_OF:
            g = g.replace(year=g.year + 3)
            label += "（复核通过）"
        out.append(_title("little_giant", "national", g, 3, f"{label}专精特新“小巨人”企业"))
    if s >= 2:  # provincial 专精特新中小企业
        g = _recent(rng, (2024, 2025, 2026), 12 if rng.random() < 0.5 else 6)
        out.append(_title("srdi_sme", "provincial", g, 3, f"江苏省{g.year}年度专精特新中小企业"))
    if s >= 1:  # 创新型中小企业 (provincial assessment)
        g = _recent(rng, (2024, 2025, 2026))
        out.append(
            _title(
                "innovative_sme",
                "provincial",
                g,
                3,
                f"江苏省{g.year}年第{1 if g.month <= 6 else 2}批创新型中小企业",
            )
        )
        if rng.random() < 0.25:  # an older, expired round
            g0 = dt.date(2021, 10, 1)
            out.append(
                _title("innovative_sme", "provincial", g0, 3, "2021年创新型中小企业（已到期）")
            )
    if (tech or s >= 1) and rng.random() < 0.8:
        g = dt.date(rng.choice((2025, 2026)), 4, 1)
        out.append(_title("tech_sme", "provincial", g, 1, f"{g.year}年科技型中小企业入库"))
    return [t for t, _x in out], [x for _t, x in out]


def build_demo(n: int = 3000, seed: int = 20260101, *, chunk: int = 1000) -> dict:
    """Validate and store ``n`` synthetic enterprises (bulk); returns counts per tier."""
    from django.db import transaction

    from srdi.audit.services import record
    from srdi.exchange import ProfileErrors, validate_records

    from .models import DataSource, Title
    from .services import Applier, Refs

    refs = Refs()
    regions = sorted(refs.region_ids, key=lambda r: r)
    industries = set(refs.industry_ids) or None
    with transaction.atomic():
        ds = DataSource.objects.create(
            kind=DataSource.Kind.DEMO, label=f"演示数据（合成）seed={seed} n={n}"
        )
        app = Applier(
            actor=None, source=ds, refs=refs, audit=False, new_defaults={"is_synthetic": True}
        )
        batch_raw, batch_extra = [], []

        def flush():
            profiles, problems = validate_records(
                batch_raw, regions=refs.regions, industries=refs.industries
            )
            if problems:
                raise ProfileErrors(problems)
            for prof, extras in zip(profiles, batch_extra, strict=True):
                for item, extra in zip(prof.get("titles", ()), extras, strict=True):
                    item.update(extra)
            app.apply(profiles)
            batch_raw.clear()
            batch_extra.clear()

        for rec, extras in generate(n, seed, regions=regions, industries=industries):
            batch_raw.append(rec)
            batch_extra.append(extras)
            if len(batch_raw) >= chunk:
                flush()
        if batch_raw:
            flush()
        record(
            action="demo",
            object_type="registry.enterprise",
            object_repr=f"演示数据 {n} 家企业",
            after={"enterprises": n, "seed": seed, "created": app.created},
            note="合成演示数据",
        )
    counts = {}
    for tier in ("single_champion", "little_giant", "srdi_sme", "innovative_sme", "tech_sme"):
        counts[tier] = (
            Title.objects.filter(
                tier=tier,
                status="valid",
                enterprise__is_synthetic=True,
                valid_until__gte=AS_OF,
            )
            .values("enterprise")
            .distinct()
            .count()
        )
    counts["created"] = app.created
    counts["updated"] = app.updated
    return counts
