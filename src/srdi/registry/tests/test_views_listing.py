"""listing.search_enterprises: scope first, then search, filters, sorting, paging."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from srdi.registry import listing
from srdi.registry.models import AnnualFigures, Enterprise, Title

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def titled(enterprises):
    a, b = enterprises
    Title.objects.create(
        enterprise=a, tier="innovative_sme", level="provincial",
        granted=dt.date(2023, 1, 1), valid_until=dt.date(2027, 12, 31),
    )  # fmt: skip
    Title.objects.create(
        enterprise=a, tier="srdi_sme", level="provincial",
        granted=dt.date(2024, 1, 1), valid_until=dt.date(2027, 1, 1),
    )  # fmt: skip
    Title.objects.create(
        enterprise=a, tier="little_giant", level="national", status="revoked",
        granted=dt.date(2024, 1, 1), valid_until=dt.date(2027, 1, 1),
    )  # fmt: skip
    Title.objects.create(
        enterprise=b, tier="innovative_sme", level="provincial",
        granted=dt.date(2020, 1, 1), valid_until=dt.date(2023, 1, 1),
    )  # fmt: skip
    AnnualFigures.objects.create(enterprise=a, year=2023, revenue=8000)
    AnnualFigures.objects.create(enterprise=b, year=2023, revenue=2500)
    return a, b


def uscs(qs):
    return [e.uscc for e in qs]


def test_scope_comes_first(users, enterprises):
    a, b = enterprises
    assert set(uscs(listing.search_enterprises(users["admin"], {}))) == {a.uscc, b.uscc}
    assert uscs(listing.search_enterprises(users["region_officer"], {})) == [a.uscc]
    assert uscs(listing.search_enterprises(users["enterprise"], {})) == [a.uscc]
    assert uscs(listing.search_enterprises(users["commissioner"], {})) == [a.uscc]
    assert uscs(listing.search_enterprises(users["partner"], {})) == [a.uscc]
    assert uscs(listing.search_enterprises(users["partner_unshared"], {})) == []
    # a search that matches B finds nothing for a user who cannot see B
    assert uscs(listing.search_enterprises(users["region_officer"], {"q": "恒润"})) == []
    assert uscs(listing.search_enterprises(users["enterprise"], {"q": b.uscc})) == []


def test_search_by_name_and_uscc_prefix(users, enterprises):
    a, b = enterprises
    admin = users["admin"]
    assert uscs(listing.search_enterprises(admin, {"q": "恒润"})) == [b.uscc]
    assert uscs(listing.search_enterprises(admin, {"q": a.uscc[:12].lower()})) == [a.uscc]
    assert uscs(listing.search_enterprises(admin, {"q": "不存在的企业"})) == []


def test_filters(users, titled, regions):
    a, b = titled
    admin = users["admin"]

    def find(**params):
        return set(uscs(listing.search_enterprises(admin, params, today=TODAY)))

    assert find(region=str(regions[1].pk)) == {b.uscc}
    assert find(region="梅李镇") == {a.uscc}
    assert find(industry="C34") == {a.uscc}
    assert find(industry="34") == {a.uscc}
    assert find(industry="2614") == {b.uscc}
    assert find(industry="C") == {a.uscc, b.uscc}
    # highest valid title: A holds srdi_sme (little_giant is revoked); B's title has expired
    assert find(tier="srdi_sme") == {a.uscc}
    assert find(tier="innovative_sme") == set()
    assert find(tier="little_giant") == set()
    assert find(tier="none") == {b.uscc}
    assert find(title_status="revoked") == {a.uscc}
    assert find(title_status="expired") == {b.uscc}
    assert find(title_status="valid") == {a.uscc}
    assert find(title_status="under_review") == set()
    Enterprise.objects.filter(pk=b.pk).update(is_synthetic=True)
    assert find(synthetic="1") == {b.uscc}
    assert find(synthetic="0") == {a.uscc}


def test_annotations(users, titled):
    a, b = titled
    rows = {e.uscc: e for e in listing.search_enterprises(users["admin"], {}, today=TODAY)}
    assert rows[a.uscc].tier == "srdi_sme"
    assert rows[b.uscc].tier is None and rows[b.uscc].tier_rank == 0
    assert rows[a.uscc].latest_year == 2024
    assert Decimal(rows[a.uscc].latest_revenue) == 10000
    assert Decimal(rows[a.uscc].growth).quantize(Decimal("0.01")) == Decimal("25.00")
    assert Decimal(rows[b.uscc].growth).quantize(Decimal("0.01")) == Decimal("-20.00")
    assert rows[a.uscc].latest_employees == 260


def test_unknown_revenue_is_not_zero(users, enterprises):
    a, b = enterprises
    AnnualFigures.objects.filter(enterprise=b).update(revenue=None)
    rows = {e.uscc: e for e in listing.search_enterprises(users["admin"], {})}
    assert rows[b.uscc].latest_revenue is None and rows[b.uscc].growth is None
    # unknown sorts last both ways
    assert uscs(listing.search_enterprises(users["admin"], {"sort": "-revenue"}))[-1] == b.uscc
    assert uscs(listing.search_enterprises(users["admin"], {"sort": "revenue"}))[-1] == b.uscc


def test_sorting(users, titled):
    a, b = titled
    admin = users["admin"]

    def order(sort):
        return uscs(listing.search_enterprises(admin, {"sort": sort}, today=TODAY))

    assert order("revenue") == [b.uscc, a.uscc]
    assert order("-revenue") == [a.uscc, b.uscc]
    assert order("growth") == [b.uscc, a.uscc]
    assert order("-tier") == [a.uscc, b.uscc]
    assert order("region") == [a.uscc, b.uscc]
    assert order("-region") == [b.uscc, a.uscc]
    assert order("-employees") == [a.uscc, b.uscc]
    assert order("uscc") == sorted([a.uscc, b.uscc])


def test_bad_params_are_named_in_chinese(users):
    with pytest.raises(listing.ListParamError) as e:
        listing.search_enterprises(
            users["admin"],
            {"tier": "gold", "sort": "size", "page": "x", "region": "火星镇", "industry": "99"},
        )
    errors = e.value.errors
    assert set(errors) == {"tier", "sort", "page", "region", "industry"}
    assert "未知的称号梯度" in errors["tier"]
    assert "火星镇" in errors["region"]


def test_paging(users, regions):
    for i in range(30):
        Enterprise.objects.create(uscc=f"X{i:017d}", name=f"企业{i:02d}", region=regions[0])
    params = {"q": "企业", "per_page": "10", "page": "3"}
    qs = listing.search_enterprises(users["admin"], params)
    page = listing.paginate(qs, params)
    assert page.paginator.count == 30
    assert page.number == 3
    assert [e.name for e in page] == [f"企业{i:02d}" for i in range(20, 30)]
    # past the end → last page
    assert listing.paginate(qs, {"per_page": "10", "page": "99"}).number == 3
    assert listing.paginate(qs, {"per_page": "1000"}).paginator.per_page == listing.MAX_PER_PAGE


def test_no_n_plus_one(users, regions):
    for i in range(40):
        e = Enterprise.objects.create(uscc=f"Y{i:017d}", name=f"企业{i:02d}", region=regions[0])
        AnnualFigures.objects.create(enterprise=e, year=2024, revenue=i + 1, employees=i)
        AnnualFigures.objects.create(enterprise=e, year=2023, revenue=i + 2)
    qs = listing.search_enterprises(users["admin"], {"sort": "-growth", "per_page": "40"})
    with CaptureQueriesContext(connection) as ctx:
        page = listing.paginate(qs, {"per_page": "40"})
        rows = [(e.region.name, e.tier, e.growth, e.latest_revenue) for e in page]
    assert len(rows) == 40
    assert len(ctx.captured_queries) <= 2  # count + one page query
