"""Shared fixtures: reference regions, enterprises in two 板块, and a user of every role."""

import datetime as dt

import pytest


@pytest.fixture
def regions(db):
    from srdi.registry.models import Region

    a = Region.objects.create(name="梅李镇", kind="town", status="verified", sort_order=1)
    b = Region.objects.create(name="海虞镇", kind="town", status="verified", sort_order=2)
    return a, b


@pytest.fixture
def enterprises(regions):
    """Two enterprises: one in each 板块 (USCCs with valid check characters)."""
    from srdi.registry.models import AnnualFigures, Enterprise

    a = Enterprise.objects.create(
        uscc="91320581712345672C",
        name="常熟市精工轴承有限公司",
        region=regions[0],
        industry_code="C3451",
    )
    b = Enterprise.objects.create(
        uscc="91320581723456781R",
        name="常熟市恒润新材料有限公司",
        region=regions[1],
        industry_code="C2614",
    )
    AnnualFigures.objects.create(
        enterprise=a, year=2024, employees=260, revenue=10000, main_revenue=9000
    )
    AnnualFigures.objects.create(
        enterprise=b, year=2024, employees=45, revenue=2000, main_revenue=1400
    )
    return a, b


@pytest.fixture
def make_user(db):
    from srdi.accounts.models import User

    def make(username, role, password="pw-Secret-123", **extra):
        user = User.objects.create_user(username=username, password=password, role=role, **extra)
        return user

    return make


@pytest.fixture
def users(make_user, regions, enterprises):
    """One user of each role; the scoped ones are scoped to enterprise A / 板块 A."""
    from srdi.accounts.roles import Department, Role
    from srdi.registry.models import DataShare

    a, b = enterprises
    u = {
        "admin": make_user("gxj", Role.ADMIN),
        "department": make_user("kjj", Role.DEPARTMENT, department=Department.KJJ),
        "region_officer": make_user("meili", Role.REGION_OFFICER, region=regions[0]),
        "commissioner": make_user("zhuanyuan", Role.COMMISSIONER),
        "enterprise": make_user("jinggong", Role.ENTERPRISE, enterprise=a),
        "partner": make_user("bank", Role.PARTNER, organization="测试银行"),
        "partner_unshared": make_user("bank2", Role.PARTNER, organization="另一银行"),
    }
    a.commissioners.add(u["commissioner"])
    DataShare.objects.create(
        enterprise=a,
        organization="测试银行",
        granted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        sections=["basic", "years", "ip", "titles", "diagnosis", "financing"],
    )
    return u


@pytest.fixture
def login(client):
    """Log a client in as a user (bypasses the throttled form)."""

    def do(user):
        client.force_login(user)
        return client

    return do
