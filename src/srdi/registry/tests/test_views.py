"""Registry web pages, read side: every role against every boundary.

Fixtures (conftest.py): enterprise A (梅李镇) and B (海虞镇); users of every role scoped to A /
梅李镇; the partner "测试银行" has A's consent, "另一银行" has none.
Out of scope = 404 (same as unknown; existence not revealed); in scope but not writable = 403.
"""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from srdi.registry.models import DataShare, DataSource, Enterprise, Title

pytestmark = pytest.mark.django_db

A_NAME = "常熟市精工轴承有限公司"
B_NAME = "常熟市恒润新材料有限公司"

VISIBLE = {
    "admin": {"A", "B"},
    "department": {"A", "B"},
    "region_officer": {"A"},
    "commissioner": {"A"},
    "enterprise": {"A"},
    "partner": {"A"},
    "partner_unshared": set(),
}


def names_on(html: str) -> set[str]:
    return {k for k, n in (("A", A_NAME), ("B", B_NAME)) if n in html}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_list_shows_exactly_the_scope(role, users, login):
    r = login(users[role]).get("/enterprises/", follow=role.startswith("partner"))
    if role.startswith("partner"):  # partners read through consent: the finance pages
        assert r.redirect_chain == [("/finance/shared/", 302)]
    assert r.status_code == 200
    assert names_on(r.content.decode()) == VISIBLE[role]


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_detail_in_and_out_of_scope(role, users, enterprises, login):
    c = login(users[role])
    for key, e in zip("AB", enterprises, strict=True):
        r = c.get(f"/enterprises/{e.uscc}/", follow=True)
        if key in VISIBLE[role]:
            assert r.status_code == 200, (role, key)
            assert e.name in r.content.decode()
        else:
            assert r.status_code == 404, (role, key)
            assert e.name not in r.content.decode()


def test_unknown_and_out_of_scope_answer_the_same(users, enterprises, login):
    c = login(users["region_officer"])
    out_of_scope = c.get(f"/enterprises/{enterprises[1].uscc}/")
    unknown = c.get("/enterprises/91320581MA1XXXXXX0/")
    assert out_of_scope.status_code == unknown.status_code == 404


def test_search_cannot_reach_outside_scope(users, enterprises, login):
    c = login(users["enterprise"])
    html = c.get("/enterprises/", {"q": enterprises[1].uscc[:10]}).content.decode()
    assert B_NAME not in html
    html = c.get("/enterprises/", {"q": "恒润"}).content.decode()
    assert B_NAME not in html and "没有符合条件的企业" in html


def test_partner_before_and_after_sharing(users, enterprises, login):
    a, _b = enterprises
    c = login(users["partner_unshared"])
    assert c.get(f"/enterprises/{a.uscc}/").status_code == 404
    share = DataShare.objects.create(enterprise=a, organization="另一银行", sections=["basic"])
    assert c.get(f"/enterprises/{a.uscc}/", follow=True).status_code == 200  # consent-filtered page
    assert A_NAME in c.get("/enterprises/", follow=True).content.decode()
    share.revoked_at = timezone.now() - dt.timedelta(minutes=1)
    share.save()
    assert c.get(f"/enterprises/{a.uscc}/").status_code == 404
    assert A_NAME not in c.get("/enterprises/", follow=True).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/enterprises/",
        "/enterprises/export.xlsx",
        "/enterprises/new/",
        "/enterprises/{a}/",
        "/enterprises/{a}/edit/basic/",
        "/enterprises/{a}/edit/years/2024/",
        "/enterprises/{a}/edit/recognition/",
    ],
)
def test_anonymous_is_sent_to_login(url, client, enterprises):
    r = client.get(url.format(a=enterprises[0].uscc))
    assert r.status_code == 302
    assert "/accounts/login/" in r["Location"]


def test_list_filters_sort_and_counts(users, enterprises, regions, login):
    c = login(users["admin"])
    html = c.get("/enterprises/", {"region": regions[1].pk}).content.decode()
    assert names_on(html) == {"B"}
    assert "共 1 家企业符合条件" in html and "您可查看的企业共 2 家" in html
    html = c.get("/enterprises/", {"industry": "C34"}).content.decode()
    assert names_on(html) == {"A"}
    html = c.get("/enterprises/", {"sort": "-revenue"}).content.decode()
    assert html.index(A_NAME) < html.index(B_NAME)
    html = c.get("/enterprises/", {"sort": "revenue"}).content.decode()
    assert html.index(B_NAME) < html.index(A_NAME)
    # the active column header links to the reverse order
    assert 'aria-sort="ascending"' in html and "sort=-revenue" in html


def test_list_bad_params_are_explained(users, enterprises, login):
    html = login(users["admin"]).get("/enterprises/", {"tier": "gold"}).content.decode()
    assert "未知的称号梯度“gold”" in html
    assert names_on(html) == {"A", "B"}  # the rest of the query still works


def test_paging_links_keep_the_filters(users, regions, login):
    for i in range(30):
        Enterprise.objects.create(uscc=f"X{i:017d}", name=f"测试企业{i:02d}", region=regions[0])
    html = login(users["admin"]).get("/enterprises/", {"q": "测试企业"}).content.decode()
    assert "共 30 家企业符合条件" in html
    assert "第 1 / 2 页" in html
    assert "page=2" in html and "q=%E6%B5%8B%E8%AF%95%E4%BC%81%E4%B8%9A" in html


def read_export(response) -> list[tuple]:
    data = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(data), read_only=True)["企业名录"]
    return list(ws.iter_rows(values_only=True))


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_export_contains_exactly_the_scope(role, users, enterprises, login):
    if role.startswith("partner"):  # partners export only what was granted (finance)
        r = login(users[role]).get("/enterprises/export.xlsx")
        assert r.status_code == 302 and r["Location"] == "/finance/shared/"
        return
    r = login(users[role]).get("/enterprises/export.xlsx")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_export(r)
    assert rows[0][:2] == ("统一社会信用代码", "企业名称")
    want = {e.uscc for k, e in zip("AB", enterprises, strict=True) if k in VISIBLE[role]}
    assert {row[0] for row in rows[1:]} == want


def test_export_contains_exactly_the_filtered_rows(users, enterprises, regions, login):
    a, b = enterprises
    c = login(users["admin"])
    rows = read_export(c.get("/enterprises/export.xlsx", {"industry": "C26"}))
    assert [r[0] for r in rows[1:]] == [b.uscc]
    assert rows[1][1] == B_NAME and rows[1][2] == "海虞镇" and rows[1][7] == 2000
    rows = read_export(c.get("/enterprises/export.xlsx", {"sort": "-revenue"}))
    assert [r[0] for r in rows[1:]] == [a.uscc, b.uscc]
    # a 板块 officer filtering on another 板块 gets nothing, not that 板块's rows
    c = login(users["region_officer"])
    rows = read_export(c.get("/enterprises/export.xlsx", {"region": regions[1].pk}))
    assert rows[1:] == []


def test_detail_shows_titles_years_sources_and_unknowns(users, enterprises, login):
    a, _b = enterprises
    Title.objects.create(
        enterprise=a, tier="srdi_sme", level="provincial", batch="2024年第一批",
        granted=dt.date(2024, 3, 1), valid_until=dt.date(2027, 2, 28),
    )  # fmt: skip
    src = DataSource.objects.create(
        kind="import", department="市统计局", label="统计年报", user=users["admin"]
    )
    y = a.years.get(year=2024)
    y.field_sources = {"employees": src.pk}
    y.save()
    html = login(users["enterprise"]).get(f"/enterprises/{a.uscc}/").content.decode()
    assert "专精特新中小企业" in html and "2024年第一批" in html and "2027-02-28" in html
    assert "有效" in html
    assert "市统计局" in html and "统计年报" in html and 'href="#src-1"' in html
    # rd_expense of 2024 is not known: shown as 未知, never 0
    assert "未知" in html
    assert f"/evaluation/{a.uscc}/" in html and f"/diagnosis/{a.uscc}/" in html


def test_synthetic_banner_and_unverified_badge(users, enterprises, regions, login):
    a, _b = enterprises
    Enterprise.objects.filter(pk=a.pk).update(is_synthetic=True)
    regions[0].status = "unverified"
    regions[0].save()
    html = login(users["admin"]).get(f"/enterprises/{a.uscc}/").content.decode()
    assert "synthetic-banner" in html and "演示数据（合成）" in html
    assert "badge unverified" in html and "待核实" in html


def test_edit_links_follow_write_scope(users, enterprises, login):
    a, _b = enterprises
    html = login(users["commissioner"]).get(f"/enterprises/{a.uscc}/").content.decode()
    assert "/edit/" not in html
    html = login(users["partner"]).get(f"/enterprises/{a.uscc}/").content.decode()
    assert "/edit/" not in html
    html = login(users["enterprise"]).get(f"/enterprises/{a.uscc}/").content.decode()
    assert f"/enterprises/{a.uscc}/edit/basic/" in html
    assert f"/enterprises/{a.uscc}/edit/years/2024/" in html
    # 科技局 (department): its domain (awards, IP, R&D figures …) but not the basic identity
    html = login(users["department"]).get(f"/enterprises/{a.uscc}/").content.decode()
    assert f"/enterprises/{a.uscc}/edit/ip/" in html
    assert f"/enterprises/{a.uscc}/edit/recognition/" in html


def test_edit_forms_show_only_writable_fields(users, enterprises, login):
    a, _b = enterprises
    c = login(users["department"])  # 科技局
    html = c.get(f"/enterprises/{a.uscc}/edit/basic/").content.decode()
    assert 'name="rd_institution"' in html
    assert 'name="name"' not in html and 'name="region"' not in html
    html = c.get(f"/enterprises/{a.uscc}/edit/years/2024/").content.decode()
    assert 'name="years__2024__rd_expense"' in html
    assert 'name="years__2024__revenue"' not in html
    assert "营业收入" in html  # named as not editable
    html = c.get(f"/enterprises/{a.uscc}/edit/recognition/").content.decode()
    assert 'name="awards-TOTAL_FORMS"' in html and 'name="titles-TOTAL_FORMS"' not in html
    c = login(users["enterprise"])
    html = c.get(f"/enterprises/{a.uscc}/edit/recognition/").content.decode()
    assert 'name="titles-TOTAL_FORMS"' not in html and 'name="awards-TOTAL_FORMS"' in html
    html = c.get(f"/enterprises/{a.uscc}/edit/market/").content.decode()
    assert 'name="market__share_pct"' in html and 'name="compliance__abnormal_list"' not in html


@pytest.mark.parametrize(
    "role,status",
    [
        ("commissioner", 403),
        ("partner", 403),
        ("region_officer", 200),
        ("enterprise", 200),
        ("admin", 200),
    ],
)
def test_edit_page_of_readable_enterprise(role, status, users, enterprises, login):
    a, _b = enterprises
    r = login(users[role]).get(f"/enterprises/{a.uscc}/edit/basic/")
    assert r.status_code == status


@pytest.mark.parametrize("role", ["region_officer", "enterprise", "commissioner", "partner"])
def test_edit_page_of_out_of_scope_enterprise_is_404(role, users, enterprises, login):
    _a, b = enterprises
    c = login(users[role])
    for url in ("edit/basic/", "edit/years/2024/", "edit/recognition/", "edit/market/"):
        assert c.get(f"/enterprises/{b.uscc}/{url}").status_code == 404, url
        assert c.post(f"/enterprises/{b.uscc}/{url}", {"name": "x"}).status_code == 404, url


def test_create_page_only_for_admin_and_region_officer(users, login):
    for role in ("admin", "region_officer"):
        assert login(users[role]).get("/enterprises/new/").status_code == 200
    for role in ("department", "commissioner", "enterprise", "partner"):
        c = login(users[role])
        assert c.get("/enterprises/new/").status_code == 403
        assert c.post("/enterprises/new/", {"uscc": "x", "name": "y"}).status_code == 403
    html = login(users["region_officer"]).get("/enterprises/new/").content.decode()
    assert "海虞镇" not in html  # an officer can only create in their own 板块
