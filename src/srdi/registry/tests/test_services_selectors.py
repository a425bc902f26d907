import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from srdi.registry.models import (
    AnnualFigures,
    Award,
    DevelopmentScore,
    Enterprise,
    Honor,
    Title,
)
from srdi.registry.selectors import build_profile, iter_profiles


@pytest.fixture
def rich(enterprises):
    a, _b = enterprises
    a.market_share_pct = Decimal("12.500")
    a.quality_iso9001 = True
    a.ip_class1 = 4
    a.sei_code = "2.1"
    a.save()
    AnnualFigures.objects.create(enterprise=a, year=2023, revenue=Decimal("8000.5"))
    Title.objects.create(
        enterprise=a,
        tier="srdi_sme",
        level="provincial",
        granted=dt.date(2023, 12, 1),
        valid_until=dt.date(2026, 11, 30),
        batch="2023年第二批",
    )
    Title.objects.create(
        enterprise=a,
        tier="innovative_sme",
        level="provincial",
        granted=dt.date(2022, 1, 1),
        valid_until=dt.date(2025, 1, 1),
        status="revoked",
    )
    Honor.objects.create(enterprise=a, type="high_tech", valid_until=dt.date(2026, 6, 30))
    Award.objects.create(enterprise=a, level="provincial", year=2024, rank=2)
    DevelopmentScore.objects.create(enterprise=a, year=2025, score=Decimal("61.50"))
    return a


def test_build_profile_is_the_exchange_document(rich):
    p = build_profile(rich)
    assert p["uscc"] == "91320581712345672C"
    assert p["region"] == "梅李镇"
    assert p["industry_code"] == "C3451"
    assert p["sei_code"] == "2.1"
    # declarations written out, measurements absent when unknown
    assert p["foundation_field"] is None
    assert p["priority_field"] is False
    assert p["rd_institution"] == "none"
    assert p["market"] == {"share_pct": 12.5, "leading": False}
    assert p["quality"]["iso9001"] is True and p["quality"]["own_brand"] is False
    assert p["ip"]["class1"] == 4 and p["ip"]["class2"] == 0
    assert "digital_level" not in p and "niche_since" not in p
    assert p["years"]["2023"] == {"revenue": 8000.5, "equity_financing": 0}
    assert p["years"]["2024"]["employees"] == 260
    assert "net_profit" not in p["years"]["2024"]  # unknown, never 0
    # revoked titles are not held
    assert p["titles"] == [
        {
            "tier": "srdi_sme",
            "level": "provincial",
            "granted": "2023-12-01",
            "valid_until": "2026-11-30",
        }
    ]
    assert p["honors"] == [{"type": "high_tech", "valid_until": "2026-06-30"}]
    assert p["awards"] == [{"level": "provincial", "year": 2024, "rank": 2}]
    assert p["maker_china"] == []
    assert p["development_scores"] == {"2025": 61.5}


def test_iter_profiles_matches_build_profile_without_n_plus_1(rich, regions):
    for i in range(30):
        e = Enterprise.objects.create(
            uscc=f"X{i:017d}", name=f"企业{i}", region=regions[i % 2], industry_code="C3451"
        )
        AnnualFigures.objects.create(enterprise=e, year=2024, employees=i)
        Title.objects.create(
            enterprise=e,
            tier="tech_sme",
            level="provincial",
            granted=dt.date(2024, 1, 1),
            valid_until=dt.date(2025, 1, 1),
        )
    qs = Enterprise.objects.all()
    with CaptureQueriesContext(connection) as ctx:
        docs = list(iter_profiles(qs, chunk=10))
    assert len(docs) == 32
    # 1 region query + per chunk (4 chunks incl. the empty last check): 1 + 6 children
    assert len(ctx.captured_queries) <= 1 + 4 * 7
    by = {d["uscc"]: d for d in docs}
    assert by[rich.uscc] == build_profile(rich)
    assert by["X00000000000000007"]["years"]["2024"]["employees"] == 7
    assert by["X00000000000000007"]["region"] == "海虞镇"


def test_iter_profiles_respects_the_queryset(rich, regions):
    docs = list(iter_profiles(Enterprise.objects.filter(region=regions[1])))
    assert [d["uscc"] for d in docs] == ["91320581723456781R"]
