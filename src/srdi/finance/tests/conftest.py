import pytest

ALL = ["basic", "years", "ip", "titles", "diagnosis", "financing"]


@pytest.fixture
def fin(users, enterprises, make_user):
    """Two banks (no consent yet for enterprise B), a 金融监管局 user, B's enterprise user."""
    from srdi.accounts.roles import Department, PartnerKind, Role
    from srdi.registry.models import Title

    a, b = enterprises
    Title.objects.create(enterprise=b, tier="srdi_sme", level="provincial", granted="2024-06-01",
                         valid_until="2027-05-31")  # fmt: skip
    return {
        "bank1": make_user("nsh", Role.PARTNER, organization="常熟农商银行",
                           partner_kind=PartnerKind.BANK),
        "bank2": make_user("boc", Role.PARTNER, organization="中国银行常熟支行",
                           partner_kind=PartnerKind.BANK),
        "jrj": make_user("jrj", Role.DEPARTMENT, department=Department.JRJ),
        "b_user": make_user("hengrun", Role.ENTERPRISE, enterprise=b),
        "a": a,
        "b": b,
    }  # fmt: skip


@pytest.fixture
def bearer(db):
    from django.test import Client

    from srdi.accounts.models import ApiToken

    def make(user):
        _t, key = ApiToken.issue(user, "test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    return make
