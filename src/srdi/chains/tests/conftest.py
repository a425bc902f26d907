import datetime as dt

import pytest


@pytest.fixture
def chain_setup(users, enterprises, db):
    """A chain of three nodes: A (梅李镇, 专精特新) confirmed at 轴承, B (海虞镇, no title) confirmed at
    压铸, nothing at 整车; a leader C (梅李镇) buying 轴承 from A and 压铸 from outside."""
    from django.utils import timezone

    from srdi.chains.models import Chain, FeaturedCluster, Leader, Node, Placement, SupplyLink
    from srdi.registry.models import Enterprise, Title

    a, b = enterprises
    a.main_product = "精密轴承"
    a.save()
    b.main_product = "铝合金压铸件"
    b.save()
    chain = Chain.objects.create(code="t-auto", name="测试汽车链", key=True)
    n1 = Node.objects.create(chain=chain, code="bearing", name="轴承与传动件", segment="mid",
                             industry_codes=["C345"], keywords=["轴承", "齿轮"], sort_order=1)  # fmt: skip
    n2 = Node.objects.create(chain=chain, code="casting", name="压铸与锻造毛坯", segment="up",
                             industry_codes=["C339"], keywords=["压铸", "锻件"], sort_order=0)  # fmt: skip
    n3 = Node.objects.create(chain=chain, code="vehicle", name="整车制造", segment="down",
                             industry_codes=["C361"], keywords=["整车"], sort_order=2)  # fmt: skip
    Title.objects.create(enterprise=a, tier="srdi_sme", level="provincial",
                         granted=dt.date(2024, 1, 1), valid_until=dt.date(2027, 1, 1))  # fmt: skip
    when = timezone.make_aware(dt.datetime(2024, 6, 1, 10))
    pa = Placement.objects.create(enterprise=a, node=n1, status="confirmed", decided_at=when,
                                  products="轮毂轴承")  # fmt: skip
    pb = Placement.objects.create(enterprise=b, node=n2, status="confirmed", decided_at=when)
    c = Enterprise.objects.create(uscc="91320581734567890B", name="常熟市整车制造有限公司",
                                  region=a.region, industry_code="C3610")  # fmt: skip
    leader = Leader.objects.create(enterprise=c, chain=chain)
    SupplyLink.objects.create(leader=leader, supplier=a, node=n1, product="轮毂轴承")
    SupplyLink.objects.create(leader=leader, outside_supplier="外地压铸厂", node=n2, product="壳体")
    cl = FeaturedCluster.objects.create(name="测试特色产业集群", chain=chain, provincial_year=2024)
    cl.members.set([a, b])
    return {"chain": chain, "n1": n1, "n2": n2, "n3": n3, "a": a, "b": b, "c": c, "pa": pa,
            "pb": pb, "leader": leader, "cluster": cl}  # fmt: skip


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def bearer(db):
    from django.test import Client

    from srdi.accounts.models import ApiToken

    def make(user):
        _t, key = ApiToken.issue(user, "test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    return make
