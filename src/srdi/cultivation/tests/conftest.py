import datetime as dt
import io

import pytest

D = dt.date


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_title(db):
    from srdi.registry.models import Title

    def make(
        enterprise,
        tier="srdi_sme",
        level="provincial",
        granted=D(2024, 1, 1),
        valid_until=None,
        **kw,
    ):
        from srdi.cultivation import lifecycle

        return Title.objects.create(
            enterprise=enterprise,
            tier=tier,
            level=level,
            granted=granted,
            valid_until=valid_until or lifecycle.valid_until(tier, granted),
            **kw,
        )

    return make


@pytest.fixture
def xlsx():
    """Build an xlsx file from rows."""

    def build(rows):
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        for r in rows:
            ws.append(list(r))
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    return build
