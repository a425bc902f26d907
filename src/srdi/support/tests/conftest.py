import datetime as dt

import pytest


@pytest.fixture
def titled(enterprises):
    """Both enterprises hold a valid 专精特新中小企业 title."""
    from srdi.registry.models import Title

    for e in enterprises:
        Title.objects.create(enterprise=e, tier="srdi_sme", level="provincial",
                             granted=dt.date(2025, 1, 1), valid_until=dt.date(2028, 1, 1))  # fmt: skip
    return enterprises


@pytest.fixture
def more(users, enterprises, make_user):
    """A second enterprise user (enterprise B), a 金融监管局 user, a commissioner of B."""
    from srdi.accounts.roles import Department, Role

    a, b = enterprises
    c2 = make_user("zy_b", Role.COMMISSIONER)
    b.commissioners.add(c2)
    return {
        "ent_b": make_user("hengrun", Role.ENTERPRISE, enterprise=b),
        "jrj": make_user("jrj", Role.DEPARTMENT, department=Department.JRJ),
        "gxj_dept": make_user("gxjdept", Role.DEPARTMENT, department=Department.GXJ),
        "comm_b": c2,
        "region_b": make_user("haiyu", Role.REGION_OFFICER, region=b.region),
    }


@pytest.fixture
def bearer(db):
    from django.test import Client

    from srdi.accounts.models import ApiToken

    def make(user):
        _t, key = ApiToken.issue(user, "test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    return make


@pytest.fixture
def req(users, enterprises):
    """A 技术 request of enterprise A (routed to the 科技局) and a 融资 one of enterprise B."""
    from srdi.support import services

    a, b = enterprises
    r1 = services.file_request(users["enterprise"], a, "technology", "精密加工热变形，需要高校支持")
    r2 = services.file_request(users["admin"], b, "finance", "流动资金贷款 800 万元")
    return r1, r2
