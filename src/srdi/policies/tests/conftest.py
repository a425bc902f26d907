import datetime as dt

import pytest

USCC_A = "91320581712345672C"


def growth_profile(
    uscc=USCC_A,
    *,
    tier="little_giant",
    granted="2023-07-01",
    valid_until="2026-06-30",
    rev=(1000, 1200),
    lc=(100, 180),
    year=2025,
):
    """A profile for the growth reward of ``year``: figures of year-1 and year."""
    p = {"uscc": uscc, "name": "测试企业", "years": {}}
    if tier:
        p["titles"] = [
            {"tier": tier, "level": "national", "granted": granted, "valid_until": valid_until}
        ]
    for i, y in enumerate((year - 1, year)):
        fig = {}
        if rev[i] is not None:
            fig["revenue"] = rev[i]
        if lc[i] is not None:
            fig["local_contribution"] = lc[i]
        p["years"][str(y)] = fig
    return p


@pytest.fixture
def give_title():
    from srdi.registry.models import Title

    def make(
        ent, tier="little_giant", granted=dt.date(2023, 7, 1), valid_until=dt.date(2026, 6, 30)
    ):
        return Title.objects.create(
            enterprise=ent, tier=tier, level="national", granted=granted, valid_until=valid_until
        )

    return make
