import pytest


@pytest.fixture
def inno(users, enterprises, make_user):
    """Two universities, a capability each, and needs of enterprise A at every level."""
    from srdi.accounts.roles import PartnerKind, Role
    from srdi.innovation import services
    from srdi.innovation.models import Capability, Need, Team

    a, b = enterprises
    u1 = make_user(
        "cslg", Role.PARTNER, organization="常熟理工学院", partner_kind=PartnerKind.UNIVERSITY
    )
    u2 = make_user(
        "suda", Role.PARTNER, organization="苏州大学", partner_kind=PartnerKind.UNIVERSITY
    )
    t1 = Team.objects.create(institution="常熟理工学院", name="材料成形团队")
    t2 = Team.objects.create(institution="苏州大学", name="智能焊接团队")
    c1 = Capability.objects.create(team=t1, title="真空压铸与局部挤压工艺",
                                   description="降低铝合金压铸件气孔缩松", keywords=["真空压铸"])  # fmt: skip
    c2 = Capability.objects.create(team=t2, title="电阻点焊质量在线监测",
                                   description="动态电阻判定熔核", keywords=["点焊"])  # fmt: skip
    ent_user = users["enterprise"]
    public = services.save_need(
        ent_user, a, {"title": "压铸件气孔多", "description": "铝合金转向节X光探伤气孔多，报废率高"}
    )
    partners = services.save_need(ent_user, a, {"title": "焊点虚焊", "description": "白车身焊点虚焊靠人工抽检",
                                                "confidentiality": Need.Confidentiality.PARTNERS})  # fmt: skip
    named = services.save_need(ent_user, a, {"title": "机密：压铸缩松", "description": "压铸件缩松气孔，需保密",
                                             "confidentiality": Need.Confidentiality.NAMED,
                                             "allowed_institutions": "常熟理工学院"})  # fmt: skip
    b_user = make_user("hengrun", Role.ENTERPRISE, enterprise=b)
    other = services.save_need(b_user, b, {"title": "B企业的压铸需求", "description": "压铸件气孔"})
    return {"u1": u1, "u2": u2, "t1": t1, "t2": t2, "c1": c1, "c2": c2, "public": public,
            "partners": partners, "named": named, "other": other, "b_user": b_user}  # fmt: skip


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
