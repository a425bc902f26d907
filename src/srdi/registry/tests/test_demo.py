"""srdi demo: deterministic, valid, synthetic, tier counts of the published order."""

import io
import json

import pytest
from django.core.management import call_command

from srdi.exchange import check_uscc, validate_records
from srdi.registry.demo import generate, tier_counts
from srdi.registry.models import Enterprise, Region, Title
from srdi.registry.selectors import iter_profiles


def test_generate_is_deterministic_for_a_seed():
    a = [r for r, _x in generate(200, seed=7, regions=["梅李镇", "海虞镇"])]
    b = [r for r, _x in generate(200, seed=7, regions=["梅李镇", "海虞镇"])]
    c = [r for r, _x in generate(200, seed=8, regions=["梅李镇", "海虞镇"])]
    dump = lambda rs: json.dumps(rs, default=str, sort_keys=True)  # noqa: E731
    assert dump(a) == dump(b)
    assert dump(a) != dump(c)


def test_generated_records_are_valid_exchange_records():
    recs = [r for r, _x in generate(500, seed=1, regions=["梅李镇", "海虞镇"])]
    profiles, problems = validate_records(recs, regions=["梅李镇", "海虞镇"])
    assert problems == []
    assert len({p["uscc"] for p in profiles}) == 500
    assert all(check_uscc(p["uscc"]) is None and p["uscc"][2:8] == "320581" for p in profiles)
    years = {y for p in profiles for y in p["years"]}
    assert years == {"2021", "2022", "2023", "2024", "2025"}
    # some figures unknown on purpose, never written as 0
    assert any("2025" not in p["years"] for p in profiles)
    assert any("net_profit" not in f for p in profiles for f in p["years"].values())
    manufacturing = sum(1 for p in profiles if p["industry_code"].startswith("C"))
    assert manufacturing / len(profiles) > 0.9


def test_tier_counts_are_of_the_published_order():
    c = tier_counts(3000)
    assert c["single_champion"] == 7
    assert 60 <= c["little_giant"] <= 80
    assert 250 <= c["srdi_sme"] <= 320
    assert c["innovative_sme"] == 1200


@pytest.mark.django_db
def test_demo_command_builds_a_synthetic_data_set_and_if_empty_skips():
    out = io.StringIO()
    call_command("demo", "--enterprises", "600", "--seed", "3", stdout=out)
    assert Enterprise.objects.count() == 600
    assert not Enterprise.objects.filter(is_synthetic=False).exists()
    # every 板块 of the reference data loaded and used
    assert Region.objects.count() >= 22
    used = set(Enterprise.objects.values_list("region__name", flat=True))
    assert {"梅李镇", "虞山街道", "常熟经济技术开发区", "常熟高新技术产业开发区"} <= used
    valid = Title.objects.filter(status="valid")
    expected = tier_counts(600)
    for tier in ("single_champion", "little_giant", "srdi_sme", "innovative_sme"):
        n = valid.filter(tier=tier).values("enterprise").distinct().count()
        assert n == expected[tier], tier
    assert Title.objects.exclude(batch="").count() == Title.objects.count()
    assert Title.objects.filter(status="expired").exists()
    lg = Title.objects.filter(tier="little_giant").first()
    assert lg.level == "national" and "小巨人" in lg.batch
    # the stored profiles are valid exchange documents
    docs = list(iter_profiles(Enterprise.objects.all()[:50]))
    _p, problems = validate_records(docs, regions=Region.objects.values_list("name", flat=True))
    assert problems == []
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert Enterprise.objects.count() == 600
    assert "已有数据" in out.getvalue()
