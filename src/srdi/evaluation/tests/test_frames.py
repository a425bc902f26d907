"""The columnar registry read gives exactly the frame the profile path builds.

``read_frame`` (SQL → Polars) against ``build_frame([normalise(p) ...])`` over the profiles
``iter_normalised_profiles`` builds: same values, scales, nulls, declaration defaults, list
order, revoked titles left out — on synthetic demo data with awkward edge cases added, on the
contract examples, for several scopes and column sets. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import polars as pl
import pytest

from srdi import rules
from srdi.core.testing import examples_dir
from srdi.registry.frames import read_frame
from srdi.registry.models import (
    AnnualFigures,
    Award,
    DevelopmentScore,
    Enterprise,
    Honor,
    MakerChinaResult,
    Region,
    Title,
)
from srdi.registry.selectors import iter_normalised_profiles
from srdi.rules.columnar import build_frame, columns_for
from srdi.rules.profile import LIST_FIELDS, TOP_FIELDS, YEAR_FIELDS

pytestmark = pytest.mark.django_db

EXAMPLES = examples_dir() / "profiles.json"

CASES = [
    (dt.date(2025, 6, 30), False),
    (dt.date(2026, 6, 30), False),
    (dt.date(2026, 6, 30), True),
]


def _columns(day: dt.date, review: bool) -> dict[str, str]:
    stds = [rules.load_standard(s) for s in rules.standards_in_force(day, review)]
    return columns_for(stds, rules.load_standard(rules.SIZE_STANDARD))


def _every_column() -> dict[str, str]:
    """Every field the rules can read, five years back (beyond what the standards need)."""
    cols = {k: kind for k, (kind, _d, _x) in TOP_FIELDS.items()}
    for y in range(5):
        cols.update({f"y{y}.{f}": kind for f, (kind, _d, _x) in YEAR_FIELDS.items()})
    cols.update({name: "list" for name in LIST_FIELDS})
    return cols


def _reference(qs, columns, year):
    profs = [rules.normalise(p) for _e, p in iter_normalised_profiles(qs)]
    return build_frame(profs, columns, year)


def assert_same(read, qs, columns, year):
    ref = _reference(qs, columns, year)
    got = read.frame
    assert got.year == ref.year
    assert got.scales == ref.scales
    assert got.df.schema == ref.df.schema
    for col in ref.df.columns:  # column by column for a readable failure
        assert got.df[col].to_list() == ref.df[col].to_list(), col
    assert got.df.equals(ref.df)
    assert read.ids.to_list() == sorted(qs.values_list("pk", flat=True))


def assert_documents_reproduce(read, columns, year):
    """The snapshot documents give the same frame again (they hold every input read)."""
    docs = [rules.normalise(json.loads(d)) for d in read.documents]
    again = build_frame(docs, columns, year)
    assert again.scales == read.frame.scales
    assert again.df.equals(read.frame.df)


@pytest.fixture
def demo(db):
    from srdi.registry.demo import build_demo
    from srdi.registry.refdata import load_reference

    load_reference()
    build_demo(300, seed=7)
    _edge_cases()
    return Enterprise.objects.all()


def _edge_cases():
    """Values that test the scales, the blanks, the defaults and the list order."""
    region = Region.objects.order_by("pk").first()
    a = Enterprise.objects.create(
        uscc="91320581712345672C",
        name="边界企业甲",
        region=region,
        industry_code="",
        size_sector="",
        sei_code="",
        rd_institution="",
        market_share_pct=Decimal("0.125"),
        local_featured_points=Decimal("7.25"),
        niche_since=dt.date(2019, 2, 28),
        ip_class1=3,
    )
    AnnualFigures.objects.create(
        enterprise=a,
        year=2024,
        employees=12,
        revenue=Decimal("1234.5678"),
        net_profit=Decimal("-12.0125"),
        cnc_rate=Decimal("55.125"),
        equity_financing=None,
        digital_management=True,
    )
    AnnualFigures.objects.create(
        enterprise=a, year=2025, revenue=Decimal("99999999.9999"), equity_financing=Decimal("0.5")
    )
    DevelopmentScore.objects.create(enterprise=a, year=2025, score=Decimal("66.75"))
    Award.objects.create(enterprise=a, level="provincial", year=2023, rank=None)
    Award.objects.create(enterprise=a, level="national", year=2023, rank=2)
    Award.objects.create(enterprise=a, level="national", year=2021, rank=1)
    MakerChinaResult.objects.create(enterprise=a, year=2024, group="top500")
    Honor.objects.create(
        enterprise=a, type="high_tech", granted=dt.date(2022, 1, 1), valid_until=None
    )
    Honor.objects.create(enterprise=a, type="high_tech", valid_until=dt.date(2025, 12, 31))
    Title.objects.create(enterprise=a, tier="srdi_sme", level="provincial", granted=None)
    Title.objects.create(
        enterprise=a,
        tier="little_giant",
        level="national",
        granted=dt.date(2023, 7, 1),
        valid_until=dt.date(2026, 6, 30),
        status="revoked",
    )
    Title.objects.create(
        enterprise=a,
        tier="innovative_sme",
        level="provincial",
        granted=dt.date(2023, 7, 1),
        valid_until=dt.date(2026, 6, 30),
    )
    Enterprise.objects.create(uscc="91320581723456781R", name="边界企业乙（无数据）")


@pytest.mark.parametrize("day,review", CASES)
def test_same_frame_on_demo_data(demo, day, review):
    cols = _columns(day, review)
    read = read_frame(demo, cols, day.year, documents=True)
    assert len(read) == demo.count() > 300
    assert_same(read, demo, cols, day.year)
    assert_documents_reproduce(read, cols, day.year)


def test_every_readable_column(demo):
    cols = _every_column()
    read = read_frame(demo, cols, 2026, documents=True)
    assert_same(read, demo, cols, 2026)
    assert_documents_reproduce(read, cols, 2026)
    # the edge cases did reach the frame: scales from 4 decimals, a revoked title left out
    assert read.frame.scales["y2.net_profit"] % 80 == 0  # -12.0125 = -961/80
    edge = read.frame.df.filter(pl.col("uscc") == "91320581712345672C").row(0, named=True)
    assert [t["tier"] for t in edge["titles"]] == ["innovative_sme", "srdi_sme"]
    assert edge["industry_code"] is None and edge["rd_institution"] == ""
    assert edge["y2.equity_financing"] == 0  # a declaration: absent is 0


def test_scopes(demo):
    cols = _columns(dt.date(2026, 6, 30), True)
    region = Region.objects.filter(enterprises__isnull=False).order_by("pk").first()
    for qs in (
        Enterprise.objects.filter(region=region),
        Enterprise.objects.filter(titles__tier="little_giant").distinct(),
        Enterprise.objects.order_by("-name")[5:40],
        Enterprise.objects.filter(pk__in=[]),
        Enterprise.objects.none(),
    ):
        read = read_frame(qs, cols, 2026, documents=True)
        assert_same(read, qs, cols, 2026)
        assert len(read) == len(list(qs))


def test_documents_and_digests_are_stable(demo):
    cols = _columns(dt.date(2026, 6, 30), False)
    one = read_frame(demo, cols, 2026, documents=True)
    two = read_frame(demo, cols, 2026, documents=True)
    assert one.digests() == two.digests()
    assert len(set(one.digests())) == len(one)
    doc = json.loads(one.documents[0])
    assert doc["uscc"] == one.frame.df["uscc"][0] and "years" in doc


@pytest.mark.parametrize("day,review", CASES)
def test_same_frame_on_the_contract_examples(db, day, review):
    from srdi.registry.refdata import load_reference
    from srdi.registry.services import import_profiles

    load_reference()
    batch = import_profiles(EXAMPLES)
    assert batch.created == 7
    qs = Enterprise.objects.all()
    for cols in (_columns(day, review), _every_column()):
        read = read_frame(qs, cols, day.year, documents=True)
        assert_same(read, qs, cols, day.year)
        assert_documents_reproduce(read, cols, day.year)
