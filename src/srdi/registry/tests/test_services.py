"""create_enterprise / update_enterprise: validation, scope per section, sources, audit."""

import pytest
from django.core.exceptions import PermissionDenied

from srdi.audit.models import AuditLog
from srdi.exchange import ProfileErrors
from srdi.registry.models import DataSource, Enterprise
from srdi.registry.services import create_enterprise, update_enterprise

NEW = {"uscc": "913205817345678907", "name": "常熟市海宏电子材料股份有限公司", "region": "梅李镇"}


def test_admin_creates_an_enterprise_with_sources_and_audit(users):
    e = create_enterprise(
        users["admin"], dict(NEW, years={"2024": {"revenue": 5000}}), source="web"
    )
    assert e.pk and e.region.name == "梅李镇"
    src = DataSource.objects.get(pk=e.field_sources["name"])
    assert src.kind == "web" and src.user == users["admin"]
    assert e.years.get(year=2024).field_sources["revenue"] == src.pk
    log = AuditLog.objects.get(action="create", enterprise_uscc=NEW["uscc"])
    assert log.actor == users["admin"]
    assert log.after["years"]["2024"]["revenue"] == 5000


def test_create_reports_every_problem_in_chinese(users):
    with pytest.raises(ProfileErrors) as ei:
        create_enterprise(
            users["admin"],
            {"uscc": "913205817345678906", "name": "X", "region": "火星镇", "foo": 1},
        )
    fields = {p.field for p in ei.value.problems}
    assert fields == {"uscc", "region", "foo"}
    assert all(p.format_zh() for p in ei.value.problems)
    assert not Enterprise.objects.filter(name="X").exists()


def test_duplicate_uscc_is_refused(users):
    with pytest.raises(ProfileErrors, match="已存在"):
        create_enterprise(users["admin"], {"uscc": "91320581712345672C", "name": "重复"})


def test_region_officer_creates_only_in_own_region(users):
    create_enterprise(users["region_officer"], NEW)
    with pytest.raises(PermissionDenied):
        create_enterprise(
            users["region_officer"],
            {"uscc": "91320581767890125W", "name": "外板块", "region": "海虞镇"},
        )
    for role in ("enterprise", "department", "commissioner", "partner"):
        with pytest.raises(PermissionDenied):
            create_enterprise(users[role], {"uscc": "91320581767890125W", "name": "Y"})


def test_update_writes_only_changes_with_diff_audit(users, enterprises):
    a, _b = enterprises
    e = update_enterprise(
        users["enterprise"],
        a,
        {"market": {"share_pct": 9.5}, "years": {"2024": {"employees": 260, "rd_staff": 40}}},
        source="web",
    )
    assert e.changes == {
        "market.share_pct": (None, 9.5),
        "years.2024.rd_staff": (None, 40),
    }
    y = e.years.get(year=2024)
    assert y.rd_staff == 40 and "employees" not in y.field_sources
    log = AuditLog.objects.get(action="update", enterprise_uscc=a.uscc)
    assert log.before == {"market.share_pct": None, "years.2024.rd_staff": None}
    assert log.after == {"market.share_pct": 9.5, "years.2024.rd_staff": 40}
    assert log.actor == users["enterprise"]
    # nothing changes → no audit record, no data source
    n_logs, n_src = AuditLog.objects.count(), DataSource.objects.count()
    e = update_enterprise(users["enterprise"], a, {"market": {"share_pct": 9.5}})
    assert e.changes == {}
    assert (AuditLog.objects.count(), DataSource.objects.count()) == (n_logs, n_src)


def test_update_checks_scope_per_section(users, enterprises):
    a, b = enterprises
    # an enterprise user may not set its own titles or compliance records
    with pytest.raises(PermissionDenied):
        update_enterprise(
            users["enterprise"],
            a,
            {"titles": [{"tier": "srdi_sme", "level": "provincial", "granted": "2024-01-01"}]},
        )
    # nor touch another enterprise
    with pytest.raises(PermissionDenied):
        update_enterprise(users["enterprise"], b, {"main_product": "X"})
    # 科技局 writes its domain (ip, awards) but not revenue
    update_enterprise(users["department"], b, {"ip": {"class1": 2}})
    with pytest.raises(PermissionDenied):
        update_enterprise(users["department"], b, {"years": {"2024": {"revenue": 1}}})
    # a 板块 officer only inside its 板块
    update_enterprise(users["region_officer"], a, {"main_product": "轴承"})
    with pytest.raises(PermissionDenied):
        update_enterprise(users["region_officer"], b, {"main_product": "X"})
    b.refresh_from_db()
    assert b.main_product == "" and b.years.get(year=2024).revenue == 2000
    assert b.ip_class1 == 2


def test_update_validates(users, enterprises):
    a, _ = enterprises
    with pytest.raises(ProfileErrors) as ei:
        update_enterprise(
            users["admin"], a, {"years": {"2024": {"revenue": -1, "main_revenue": 5}}}
        )
    assert any("负数" in p.message for p in ei.value.problems)
    with pytest.raises(ProfileErrors):
        update_enterprise(users["admin"], a, {"uscc": "91320581723456781R"})
