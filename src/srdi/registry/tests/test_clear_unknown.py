"""Setting a known measurement back to “unknown” (NULL): ``update_enterprise(clear=…)``, the
edit forms (with an explicit confirmation) and the API (explicit null in a PATCH)."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from srdi.audit.models import AuditLog
from srdi.exchange import ProfileErrors
from srdi.registry import services
from srdi.registry.models import AnnualFigures, DataSource, DevelopmentScore, Enterprise

pytestmark = pytest.mark.django_db


def last_audit(uscc):
    return AuditLog.objects.filter(enterprise_uscc=uscc).order_by("-id").first()


@pytest.fixture
def known(enterprises):
    """Enterprise A with known market share, digital level, niche date and a score."""
    a, _b = enterprises
    services.update_enterprise(
        None,
        a,
        {
            "market": {"share_pct": 12.5, "domestic_rank": 3, "leading": True},
            "digital_level": 3,
            "niche_since": "2015-03-01",
            "development_scores": {"2024": 82},
            "years": {"2024": {"rd_expense": 450, "rd_staff": 30}},
        },
    )
    a.refresh_from_db()
    assert a.market_share_pct == Decimal("12.5") and a.digital_level == 3
    return a


# ------------------------------------------------------------------------------ service


def test_clear_sets_null_records_source_and_audit(users, known):
    a = known
    n = AuditLog.objects.count()
    e = services.update_enterprise(
        users["admin"],
        a,
        {},
        clear=[
            "market.share_pct",
            "digital_level",
            "niche_since",
            "years.2024.revenue",
            "development_scores.2024",
        ],
    )
    a.refresh_from_db()
    assert a.market_share_pct is None and a.digital_level is None and a.niche_since is None
    assert a.market_domestic_rank == 3  # not named: unchanged
    y = AnnualFigures.objects.get(enterprise=a, year=2024)
    assert y.revenue is None and y.employees == 260
    assert not DevelopmentScore.objects.filter(enterprise=a, year=2024).exists()
    # changes lists the cleared paths, before → None
    assert e.changes["market.share_pct"] == (Decimal("12.5"), None)
    assert e.changes["years.2024.revenue"][1] is None
    assert set(e.changes) == {
        "market.share_pct",
        "digital_level",
        "niche_since",
        "years.2024.revenue",
        "development_scores.2024",
    }
    # one audit record: who, before → after (null), from where, and a note naming the fields
    assert AuditLog.objects.count() == n + 1
    log = last_audit(a.uscc)
    assert log.actor == users["admin"] and log.action == "update" and log.source == "web"
    assert log.before["market.share_pct"] == 12.5 and log.after["market.share_pct"] is None
    assert log.before["years.2024.revenue"] == 10000 and log.after["years.2024.revenue"] is None
    assert log.before["development_scores.2024"] == 82
    assert log.after["development_scores.2024"] is None
    assert "设为“未知”" in log.note and "细分市场占有率" in log.note
    # the field's data source is the new (web) one
    ds = DataSource.objects.get(pk=a.field_sources["market.share_pct"])
    assert ds.kind == "web" and ds.user == users["admin"] and "未知" in ds.label
    assert y.field_sources["revenue"] == ds.pk
    assert a.field_sources["development_scores.2024"] == ds.pk


def test_clearing_what_is_unknown_changes_nothing(users, enterprises):
    a, _b = enterprises
    n, nds = AuditLog.objects.count(), DataSource.objects.count()
    e = services.update_enterprise(
        users["admin"], a, {}, clear=["market.share_pct", "years.2019.revenue"]
    )
    assert e.changes == {}
    assert AuditLog.objects.count() == n and DataSource.objects.count() == nds
    # no empty year row is created for a year the enterprise does not have
    assert not AnnualFigures.objects.filter(enterprise=a, year=2019).exists()


def test_clear_with_other_changes_in_one_record(users, known):
    a = known
    e = services.update_enterprise(
        users["admin"],
        a,
        {"years": {"2024": {"employees": 270}}},
        clear=["years.2024.main_revenue"],
    )
    y = AnnualFigures.objects.get(enterprise=a, year=2024)
    assert y.employees == 270 and y.main_revenue is None
    assert set(e.changes) == {"years.2024.employees", "years.2024.main_revenue"}
    log = last_audit(a.uscc)
    assert log.after == {"years.2024.employees": 270, "years.2024.main_revenue": None}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("market.leading", "不是测量值"),  # a declaration: "none" is false, not unknown
        ("ip.class1", "不是测量值"),
        ("name", "不是测量值"),  # an attribute
        ("years.2024.equity_financing", "不是测量值"),
        ("market.nothing", "未知字段"),
        ("years.*.revenue", "年度"),
        ("years.24.revenue", "年度"),
        ("development_scores", "年度"),
    ],
)
def test_only_measurements_can_be_cleared(users, known, path, message):
    n = AuditLog.objects.count()
    with pytest.raises(ProfileErrors) as exc:
        services.update_enterprise(users["admin"], known, {}, clear=[path])
    assert any(p.field == path and message in p.message for p in exc.value.problems)
    assert AuditLog.objects.count() == n


def test_value_and_clear_of_the_same_field_is_refused(users, known):
    with pytest.raises(ProfileErrors) as exc:
        services.update_enterprise(
            users["admin"], known, {"market": {"share_pct": 10}}, clear=["market.share_pct"]
        )
    assert "不能同时" in exc.value.problems[0].message
    known.refresh_from_db()
    assert known.market_share_pct == Decimal("12.5")


def test_clear_is_scope_checked_per_section(users, known, make_user, regions):
    from srdi.accounts.roles import Department, Role

    a = known
    n = AuditLog.objects.count()
    # 科技局 (department) writes R&D figures, not revenue
    kjj = users["department"]
    with pytest.raises(PermissionDenied):
        services.update_enterprise(kjj, a, {}, clear=["years.2024.revenue"])
    with pytest.raises(PermissionDenied):
        services.update_enterprise(kjj, a, {}, clear=["market.share_pct"])
    assert AuditLog.objects.count() == n
    services.update_enterprise(kjj, a, {}, clear=["years.2024.rd_expense"])
    assert AnnualFigures.objects.get(enterprise=a, year=2024).rd_expense is None
    assert AnnualFigures.objects.get(enterprise=a, year=2024).revenue == 10000
    # a 板块 officer of another 板块 may not write A at all
    other = make_user("haiyu", Role.REGION_OFFICER, region=regions[1])
    with pytest.raises(PermissionDenied):
        services.update_enterprise(other, a, {}, clear=["market.share_pct"])
    # the statistics bureau may clear revenue
    tjj = make_user("tjj", Role.DEPARTMENT, department=Department.TJJ)
    services.update_enterprise(tjj, a, {}, clear=["years.2024.revenue"])
    assert AnnualFigures.objects.get(enterprise=a, year=2024).revenue is None
    assert last_audit(a.uscc).actor == tjj


def test_explicit_null_measurements():
    data = {
        "digital_level": None,
        "sei_code": None,  # a nullable declaration: null is its value, not "unknown"
        "name": None,
        "market": {"share_pct": None, "leading": None, "domestic_rank": 2},
        "years": {"2024": {"revenue": None, "equity_financing": None, "employees": 3}},
        "development_scores": {"2023": None, "2024": 80},
        "ip": {"class1": None},
    }
    assert sorted(services.explicit_null_measurements(data)) == [
        "development_scores.2023",
        "digital_level",
        "market.share_pct",
        "years.2024.revenue",
    ]
    assert services.explicit_null_measurements([]) == []


def test_imports_never_clear(known, tmp_path):
    """An import keeps “absent / null = unchanged”: a null in a file does not clear."""
    a = known
    f = tmp_path / "x.json"
    f.write_text(
        json.dumps([{"uscc": a.uscc, "name": a.name, "market": {"share_pct": None}}]),
        encoding="utf-8",
    )
    services.import_profiles(str(f), actor=None)
    assert Enterprise.objects.get(pk=a.pk).market_share_pct == Decimal("12.5")
