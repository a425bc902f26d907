"""The enterprise's own page lists its honours and certifications (the registers kept by the
departments); a partner bank sees them only with the section titles belong to."""

import datetime as dt

import pytest

from srdi.recognition import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def honours(users, depts, enterprises):
    a, b = enterprises
    quality = services.save_honour(depts["scjgj"], {
        "enterprise": a, "kind": "mayor_quality_award", "year": 2024, "level": "city",
        "issuer": "常熟市人民政府", "certificate_no": "常政发〔2024〕12号",
    })  # fmt: skip
    workshop = services.save_honour(depts["gxj"], {
        "enterprise": a, "kind": "smart_workshop", "year": 2023, "level": "provincial",
        "issuer": "江苏省工业和信息化厅", "item": "轴承精密磨削车间",
    })  # fmt: skip
    services.revoke_honour(users["admin"], workshop, dt.date(2025, 3, 1), "复核未通过")
    other = services.save_honour(depts["scjgj"], {
        "enterprise": b, "kind": "quality_excellence_award", "year": 2025, "level": "city",
        "issuer": "常熟市市场监督管理局",
    })  # fmt: skip
    return {"quality": quality, "workshop": workshop, "other": other}


def _honours_table(html: str) -> str:
    start = html.index('id="honours"')
    return html[start : html.index("</table>", start)]


def test_the_enterprise_page_lists_its_honours(users, enterprises, honours, client):
    a, b = enterprises
    for who in ("enterprise", "admin", "region_officer", "commissioner"):
        client.force_login(users[who])
        resp = client.get(f"/enterprises/{a.uscc}/")
        assert resp.status_code == 200, who
        table = _honours_table(resp.content.decode())
        # name, level, year and the issuing body, newest first; a revoked one says so
        assert "常熟市市长质量奖" in table and "市级" in table and "2024年" in table
        assert "常熟市人民政府" in table and "常政发〔2024〕12号" in table
        assert "智能车间（轴承精密磨削车间）" in table and "省级" in table
        assert "已撤销 2025-03-01" in table
        assert table.index("常熟市市长质量奖") < table.index("智能车间")
        # nothing of another enterprise
        assert "常熟市质量管理优秀奖" not in table
    client.force_login(users["enterprise"])
    assert client.get(f"/enterprises/{b.uscc}/").status_code == 404


def test_a_bank_sees_honours_only_with_the_titles_section(users, enterprises, honours, client):
    from srdi.registry.models import DataShare

    a, _b = enterprises
    client.force_login(users["partner"])  # A granted 测试银行 every section, titles included
    html = client.get(f"/finance/shared/{a.uscc}/", follow=True).content.decode()
    assert "常熟市市长质量奖" in _honours_table(html)
    DataShare.objects.create(enterprise=a, organization="另一银行", sections=["basic"],
                             granted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # fmt: skip
    client.force_login(users["partner_unshared"])  # basic facts only
    resp = client.get(f"/finance/shared/{a.uscc}/")
    html = resp.content.decode()
    assert resp.status_code == 200 and a.name in html
    assert 'id="honours"' not in html and "常熟市市长质量奖" not in html
    # the registry page sends a partner to the consent-checked page
    assert client.get(f"/enterprises/{a.uscc}/").status_code == 302
