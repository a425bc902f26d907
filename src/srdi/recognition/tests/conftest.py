import pytest


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def depts(make_user):
    from srdi.accounts.roles import Department, Role

    return {
        "scjgj": make_user("scjgj", Role.DEPARTMENT, department=Department.SCJGJ),
        "gxj": make_user("gxjdept", Role.DEPARTMENT, department=Department.GXJ),
        "tjj": make_user("tjj", Role.DEPARTMENT, department=Department.TJJ),
    }


from srdi.cultivation.tests.conftest import make_title  # noqa: E402, F401  (shared fixture)
