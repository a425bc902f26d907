import pytest

from srdi.accounts import scopes

pytestmark = pytest.mark.django_db


def test_each_role_sees_exactly_its_scope(users, enterprises):
    a, b = enterprises
    expected = {
        "admin": {a, b},
        "department": {a, b},
        "region_officer": {a},
        "commissioner": {a},
        "enterprise": {a},
        "partner": {a},
        "partner_unshared": set(),
    }
    for role, want in expected.items():
        got = set(scopes.visible_enterprises(users[role]))
        assert got == want, role


def test_partner_loses_access_when_share_revoked(users, enterprises):
    from django.utils import timezone

    a, _ = enterprises
    a.shares.update(revoked_at=timezone.now())
    assert not scopes.can_view(users["partner"], a)


def test_write_sections_by_role(users, enterprises):
    a, b = enterprises
    assert scopes.may_write(users["admin"], b, "years.revenue")
    assert scopes.may_write(users["region_officer"], a, "quality")
    assert not scopes.may_write(users["region_officer"], b, "quality")
    assert scopes.may_write(users["enterprise"], a, "years.revenue")
    assert not scopes.may_write(users["enterprise"], a, "titles")
    assert not scopes.may_write(users["enterprise"], b, "years.revenue")
    # 科技局 writes its domain only
    assert scopes.may_write(users["department"], b, "awards")
    assert not scopes.may_write(users["department"], b, "years.revenue")
    assert not scopes.may_write(users["commissioner"], a, "quality")
    assert not scopes.may_write(users["partner"], a, "quality")


def test_anonymous_sees_nothing(enterprises):
    from django.contrib.auth.models import AnonymousUser

    assert not scopes.visible_enterprises(AnonymousUser()).exists()
