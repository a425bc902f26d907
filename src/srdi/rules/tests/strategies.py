"""Hypothesis strategies: exchange-format profiles that hit band edges and miss data."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

# values chosen so that ratios land exactly on band edges often (300/10000 = 3 %, …)
POOL = [
    0,
    1,
    5,
    10,
    19,
    20,
    50,
    99.99,
    100,
    150,
    200,
    260,
    299.99,
    300,
    315,
    400,
    499.99,
    500,
    600,
    660,
    700,
    800,
    999.99,
    1000,
    1200,
    1500,
    2000,
    2400,
    3000,
    5000,
    6000,
    6600,
    7000,
    7200,
    7500,
    8000,
    8400,
    9000,
    9922.5,
    10000,
    10500,
    11000,
    11025,
    11500,
    12000,
    20000,
    39999.99,
    40000,
    50000,
]
EDGE_PCT = [
    Decimal(x)
    for x in (
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "8",
        "10",
        "15",
        "20",
        "50",
        "55",
        "60",
        "70",
        "75",
        "80",
        "90",
        "100",
        "105",
    )
]


def money(allow_none: bool = True):
    base = st.one_of(
        st.sampled_from(POOL),
        st.decimals(min_value=0, max_value=60000, places=2, allow_nan=False, allow_infinity=False),
    )
    return st.one_of(st.none(), base) if allow_none else base


@st.composite
def year_figures(draw, revenue_hint=None):
    rev = draw(money())
    fig = {}
    if rev is not None:
        fig["revenue"] = rev

    def part_of(key):
        mode = draw(st.sampled_from(["edge", "pool", "none"]))
        if mode == "none":
            return
        if mode == "edge" and rev is not None:
            fig[key] = Decimal(str(rev)) * draw(st.sampled_from(EDGE_PCT)) / 100
        else:
            v = draw(money(False))
            fig[key] = v

    for key in ("main_revenue", "rd_expense", "net_profit", "total_liabilities"):
        part_of(key)
    if draw(st.booleans()):
        fig["total_assets"] = draw(st.sampled_from([0, 2000, 3000, 10000, 12000, 20000]))
    emp = draw(
        st.one_of(
            st.none(), st.sampled_from([0, 9, 10, 19, 20, 100, 260, 299, 300, 999, 1000, 2000])
        )
    )
    if emp is not None:
        fig["employees"] = emp
        if draw(st.booleans()):
            fig["rd_staff"] = draw(st.integers(0, emp))
    if draw(st.integers(0, 3)) == 0:
        fig["equity_financing"] = draw(
            st.sampled_from([0, 100, 499.99, 500, 1000, 2000, 3000, 6000, 8000])
        )
    return fig


@st.composite
def profiles(draw):
    p = {"uscc": f"P{draw(st.integers(0, 10**9)):010d}", "name": "测试企业"}
    if draw(st.integers(0, 9)):
        p["industry_code"] = draw(
            st.sampled_from(["C3451", "3484", "F5211", "I6510", "K7010", "E4710", "A0111", "M7320"])
        )
    if draw(st.booleans()):
        p["niche_since"] = draw(
            st.sampled_from(
                [
                    "2013-01-01",
                    "2015-01-02",
                    "2016-03-01",
                    "2020-01-01",
                    "2022-01-01",
                    "2023-01-01",
                    "2023-01-02",
                    "2024-06-15",
                ]
            )
        )
    p["sei_code"] = draw(st.sampled_from([None, "2.1"]))
    p["foundation_field"] = draw(st.sampled_from([None, "components"]))
    for flag in (
        "chain_breakthrough",
        "key_chain_position",
        "info_system",
        "mgmt_certified",
        "intl_product_cert",
        "priority_field",
        "modern_industry_field",
        "time_honored_brand",
    ):
        if draw(st.booleans()):
            p[flag] = draw(st.booleans())
    market = {}
    for k, pool in (
        ("share_pct", [8, 9.99, 10, 12]),
        ("domestic_rank", [1, 3, 4]),
        ("global_rank", [2, 3, 4]),
    ):
        if draw(st.booleans()):
            market[k] = draw(st.sampled_from(pool))
    if draw(st.booleans()):
        market["leading"] = draw(st.booleans())
    p["market"] = market
    if draw(st.booleans()):
        p["digital_level"] = draw(st.integers(1, 4))
    p["quality"] = {
        k: draw(st.booleans()) for k in ("provincial_award", "iso9001", "own_brand", "standards")
    }
    p["rd_institution"] = draw(
        st.sampled_from(["national", "provincial", "municipal", "below_municipal", "none"])
    )
    p["ip"] = {
        k: draw(st.integers(0, 5))
        for k in (
            "class1",
            "class1_self_developed",
            "class1_high_value",
            "class1_applied",
            "class2",
        )
    }
    if draw(st.booleans()):
        p["local_featured_points"] = draw(st.sampled_from([0, 3, 6.5, 7, 9, 15]))
    if draw(st.integers(0, 3)) == 0:
        p["awards"] = [
            {
                "level": draw(st.sampled_from(["national", "provincial"])),
                "year": draw(st.integers(2020, 2026)),
                "rank": draw(st.integers(1, 6)),
            }
        ]
    if draw(st.integers(0, 5)) == 0:
        p["maker_china"] = [
            {
                "year": draw(st.integers(2020, 2026)),
                "group": draw(st.sampled_from(["top50", "top500"])),
            }
        ]
    if draw(st.integers(0, 3)) == 0:
        p["honors"] = [
            {
                "type": "high_tech",
                "valid_until": draw(
                    st.sampled_from(["2025-06-29", "2025-06-30", "2026-06-30", "2027-01-01"])
                ),
            }
        ]
    if draw(st.booleans()):
        p["titles"] = [
            {
                "tier": draw(st.sampled_from(["tech_sme", "innovative_sme", "srdi_sme"])),
                "level": "provincial",
                "granted": "2023-12-01",
                "valid_until": draw(st.sampled_from(["2026-06-29", "2026-06-30", "2026-11-30"])),
            }
        ]
    if draw(st.booleans()):
        p["development_scores"] = {
            str(y): draw(st.sampled_from([45, 49.9, 50, 58, 60, 61]))
            for y in (2025, 2026)
            if draw(st.booleans())
        }
    if draw(st.integers(0, 9)) == 0:
        p["compliance"] = {"abnormal_list": True}
    p["years"] = {
        str(y): draw(year_figures()) for y in range(2021, 2026) if draw(st.integers(0, 5))
    }
    return p
