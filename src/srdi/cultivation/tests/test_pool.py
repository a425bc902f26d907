import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from srdi.audit.models import AuditLog
from srdi.core.models import Notification
from srdi.cultivation import rules_adapter, selectors, services
from srdi.cultivation.models import Alert, PoolEntry
from srdi.registry.models import Enterprise, Honor

D = dt.date
DAY = D(2026, 10, 15)


@pytest.fixture
def population(regions, enterprises, make_title):
    """Six enterprises in 梅李镇 at each stage of the srdi_sme funnel, one in 海虞镇."""
    a, b = enterprises
    r1 = regions[0]
    ents = [a]
    for i in range(5):
        ents.append(Enterprise.objects.create(uscc=f"X{i:017d}", name=f"企业{i}", region=r1))
    # a: recognised (holds srdi_sme)
    make_title(a, "srdi_sme", granted=D(2025, 1, 1))
    # e0: potential only (holds innovative_sme)
    make_title(ents[1], "innovative_sme", granted=D(2025, 1, 1))
    # e1: meets
    PoolEntry.objects.create(enterprise=ents[2], tier="srdi_sme", meets=True)
    # e2: willing (does not meet)
    PoolEntry.objects.create(enterprise=ents[3], tier="srdi_sme", meets=False, willing=True)
    # e3: applied
    PoolEntry.objects.create(
        enterprise=ents[4], tier="srdi_sme", willing=True, applied_on=D(2026, 5, 1)
    )
    # e4: nothing (not potential)
    # b in the other 板块: potential via a title
    make_title(b, "innovative_sme", granted=D(2025, 1, 1))
    return ents


def counts(scope=selectors.CITY, tier="srdi_sme"):
    return {f["stage"]: (f["count"], f["own"]) for f in selectors.funnel(tier, DAY, scope)}


def test_funnel_counts_are_cumulative(population):
    c = counts()
    assert c["all"][0] == 7
    assert c["recognised"] == (1, 1)
    assert c["applied"] == (2, 1)
    assert c["willing"] == (3, 2)
    assert c["meets"] == (4, 1)
    # potential: b, e0 (titles), e1..e3 (in the pool) and a (further along)
    assert c["potential"][0] == 6


def test_funnel_scoped_to_region(population, regions):
    sc = selectors.Scope(f"r{regions[1].pk}", region_id=regions[1].pk)
    c = counts(sc)
    assert c["all"][0] == 1 and c["potential"][0] == 1 and c["recognised"][0] == 0


def test_drilldown_list_matches_funnel_count(population):
    from srdi.cultivation import drilldown

    for stage, (n, _) in counts().items():
        d = drilldown.drill(
            {"kind": "funnel", "tier": "srdi_sme", "stage": stage}, selectors.CITY, DAY
        )
        assert d.enterprises.count() == n, stage


def test_honour_makes_potential_for_innovative(enterprises):
    a, _ = enterprises
    Honor.objects.create(
        enterprise=a, type="high_tech", granted=D(2024, 1, 1), valid_until=D(2026, 12, 31)
    )
    assert counts(tier="innovative_sme")["potential"][0] == 1
    Honor.objects.filter(enterprise=a).update(valid_until=D(2026, 1, 1))
    from django.core.cache import cache

    cache.clear()
    assert counts(tier="innovative_sme")["potential"][0] == 0


def test_willingness_and_application_are_audited(users, enterprises):
    a, _ = enterprises
    e = services.record_willingness(users["region_officer"], a, "srdi_sme", True, "走访确认")
    assert e.willing and e.willing_on
    e = services.record_application(users["region_officer"], a, "srdi_sme", D(2026, 5, 20))
    assert e.applied_year == 2026
    actions = list(AuditLog.objects.filter(enterprise_uscc=a.uscc).values_list("action", flat=True))
    assert "pool.willing" in actions and "pool.applied" in actions
    log = AuditLog.objects.get(action="pool.applied")
    assert log.after["applied_on"] == "2026-05-20" and log.actor == users["region_officer"]


def test_pool_write_permissions(users, enterprises):
    a, b = enterprises
    services.record_willingness(users["commissioner"], a, "srdi_sme", True)  # assigned
    with pytest.raises(PermissionDenied):
        services.record_willingness(users["commissioner"], b, "srdi_sme", True)  # not assigned
    with pytest.raises(PermissionDenied):
        services.record_willingness(users["region_officer"], b, "srdi_sme", True)  # other 板块
    for role in ("enterprise", "partner", "department"):
        with pytest.raises(PermissionDenied):
            services.record_application(users[role], a, "srdi_sme", D(2026, 1, 1))


def test_refresh_pool_new_meets_alerts_officer_and_commissioner_once(
    users, enterprises, make_title, monkeypatch
):
    a, b = enterprises
    make_title(a, "innovative_sme", granted=D(2025, 1, 1))
    make_title(b, "innovative_sme", granted=D(2025, 1, 1))

    def fake(qs, tier, day, chunk=2000):
        for e in qs:
            yield e.pk, "srdi-sme@2026", e.pk == a.pk

    monkeypatch.setattr(rules_adapter, "meets_for", fake)
    c = services.refresh_pool("srdi_sme", DAY)
    assert c["evaluated"] == 2 and c["meets"] == 1 and c["newly"] == 1
    assert PoolEntry.objects.get(enterprise=a, tier="srdi_sme").meets_since == DAY
    assert PoolEntry.objects.get(enterprise=b, tier="srdi_sme").meets is False
    alert = Alert.objects.get(kind="new_tier")
    assert alert.enterprise == a
    got = set(
        Notification.objects.filter(kind="cultivation_alert").values_list(
            "user__username", flat=True
        )
    )
    assert got == {"meili", "zhuanyuan"}
    services.refresh_pool("srdi_sme", DAY + dt.timedelta(days=1))
    assert Alert.objects.filter(kind="new_tier").count() == 1
    assert Notification.objects.filter(kind="cultivation_alert").count() == 2


def test_refresh_pool_with_the_rules_core(users, enterprises, make_title):
    """The adapter runs the real rules core on registry profiles (outcome True/False/None)."""
    a, _ = enterprises
    make_title(a, "innovative_sme", granted=D(2025, 1, 1))
    c = services.refresh_pool("srdi_sme", DAY)
    assert c["evaluated"] == 1
    entry = PoolEntry.objects.get(enterprise=a, tier="srdi_sme")
    assert entry.meets_standard == "srdi-sme@2026"
    assert entry.meets in (True, False, None)
    assert entry.meets is not True  # the fixture has no R&D figures: cannot be eligible


def test_pool_page_and_record(users, population, login):
    c = login(users["region_officer"])
    r = c.get("/cultivation/pool/?tier=srdi_sme&stage=potential")
    assert r.status_code == 200
    text = r.content.decode()
    assert "企业0" in text and "常熟市恒润新材料" not in text  # other 板块 hidden
    r = c.post(
        f"/cultivation/pool/{population[5].uscc}/srdi_sme/", {"action": "willing", "note": "x"}
    )
    assert r.status_code == 302
    assert PoolEntry.objects.get(enterprise=population[5], tier="srdi_sme").willing
    assert login(users["enterprise"]).get("/cultivation/pool/").status_code == 403


def test_keylink_pool(users, enterprises, login):
    c = login(users["region_officer"])
    r = c.post(
        "/cultivation/keylinks/",
        {
            "uscc": enterprises[0].uscc,
            "product": "高精度轴承",
            "chain": "汽车零部件",
            "link": "轴承",
        },
    )
    assert r.status_code == 302
    r = c.post(
        "/cultivation/keylinks/", {"uscc": enterprises[1].uscc, "product": "x", "chain": "y"}
    )
    assert r.status_code == 200 and "不在您的范围内" in r.content.decode()
    assert "高精度轴承" in c.get("/cultivation/keylinks/").content.decode()


def test_cached_funnel_follows_writes_at_once(users, enterprises):
    a, _ = enterprises
    assert counts()["willing"][0] == 0
    services.record_willingness(users["admin"], a, "srdi_sme", True)
    assert counts()["willing"][0] == 1  # the service bumped the cache version
