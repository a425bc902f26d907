import datetime as dt
import io
import re

import pytest

from srdi.cultivation import targets

D = dt.date


@pytest.fixture
def titled(enterprises, make_title):
    a, b = enterprises
    make_title(a, "little_giant", level="national", granted=D(2025, 1, 1))
    make_title(b, "little_giant", level="national", granted=D(2025, 1, 1))
    make_title(b, "srdi_sme", granted=D(2025, 1, 1))
    return a, b


def kpi(html, name):
    m = re.search(rf'data-kpi="tier-{name}">(\d+)<', html)
    return int(m.group(1))


def test_each_role_home_shows_its_own_work(users, titled, login):
    """Issue 11 item 4: 市工信局 sees the city's targets; the 板块 its own share of them; the
    commissioner its enterprises and never the city's targets."""
    html = login(users["admin"]).get("/").content.decode()
    assert "计划目标进度" in html and "梯度变动" in html and 'href="/cultivation/"' in html
    html = login(users["region_officer"]).get("/").content.decode()
    assert "本板块目标份额与进度" in html and "计划目标进度" not in html
    html = login(users["commissioner"]).get("/").content.decode()
    assert "我服务的企业" in html and "常熟市精工轴承有限公司" in html
    assert "计划目标进度" not in html and "本板块目标份额" not in html
    html = login(users["enterprise"]).get("/").content.decode()
    assert "本企业的梯度培育状态" in html and "可申报的政策" in html
    html = login(users["partner"]).get("/").content.decode()
    assert "企业授权共享给本机构的数据" in html and "常熟市精工轴承有限公司" in html


def test_dashboard_city_figures_and_drilldown_agree(users, titled, login):
    c = login(users["admin"])
    r = c.get("/cultivation/?as_of=2026-10-31")
    assert r.status_code == 200
    html = r.content.decode()
    assert kpi(html, "little_giant") == 2 and kpi(html, "srdi_sme") == 1
    assert "vendor/echarts/echarts.min.js" in html
    # every script, style and link from this site (a random CSRF token may well contain "cdn")
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and not any(u.startswith(("http:", "https:", "//")) or "cdn" in u.lower()
                              for u in assets)  # fmt: skip
    rows = targets.evaluate(D(2026, 10, 31))
    cg = next(x for x in rows if x["id"] == "champions_giants")
    assert f'kind=target&id=champions_giants&as_of=2026-10-31">{cg["actual"]}</a>' in html
    lst = c.get("/cultivation/list/?kind=target&id=champions_giants&as_of=2026-10-31")
    assert re.search(r'id="total">(\d+)<', lst.content.decode()).group(1) == str(cg["actual"])
    for row in rows:  # every target is on the page
        assert f'data-target="{row["id"]}"' in html


def test_region_officer_sees_only_its_region(users, titled, login):
    c = login(users["region_officer"])
    html = c.get("/cultivation/?as_of=2026-10-31").content.decode()
    assert kpi(html, "little_giant") == 1 and kpi(html, "srdi_sme") == 0
    lst = c.get("/cultivation/list/?kind=tier&tier=little_giant&as_of=2026-10-31").content.decode()
    assert titled[0].name in lst and titled[1].name not in lst
    # cannot ask for another 板块
    other = titled[1].region_id
    assert c.get(f"/cultivation/?region={other}").status_code == 403
    assert c.get(f"/cultivation/list/?kind=all&region={other}").status_code == 403
    assert c.get(f"/api/cultivation/targets?region={other}").status_code == 403


def test_commissioner_sees_assigned_enterprises_only(users, titled, login):
    c = login(users["commissioner"])
    r = c.get("/cultivation/?as_of=2026-10-31")
    html = r.content.decode()
    assert r.status_code == 200 and kpi(html, "little_giant") == 1
    # their own enterprises' tiers, funnel and alerts — never the city's targets or 板块 table
    # (as on their home page, srdi.cultivation.workspace)
    assert 'id="own-scope"' in html and 'id="funnel"' in html and 'id="alerts"' in html
    assert (
        'id="targets"' not in html and "data-target=" not in html and 'id="by-region"' not in html
    )
    for row in targets.evaluate(D(2026, 10, 31)):
        assert f"id={row['id']}" not in html
    assert "cultivation/bulletin/" not in html and "cultivation/plans/" not in html
    lst = c.get("/cultivation/list/?kind=tier&tier=little_giant&as_of=2026-10-31").content.decode()
    assert titled[0].name in lst and titled[1].name not in lst
    # every page or API answer with the plan's targets is refused
    for url in (
        "/cultivation/targets/champions_giants/",
        "/cultivation/list/?kind=target&id=champions_giants",
        "/cultivation/bulletin/",
        "/cultivation/plans/",
        "/api/cultivation/targets",
        "/api/cultivation/targets/champions_giants/series",
    ):
        assert c.get(url).status_code == 403, url
    # the 板块 officer still follows its share of them
    c = login(users["region_officer"])
    assert c.get("/cultivation/targets/champions_giants/").status_code == 200
    assert 'id="targets"' in c.get("/cultivation/").content.decode()


@pytest.mark.parametrize("role", ["enterprise", "partner", "partner_unshared"])
def test_non_officials_are_refused(users, titled, login, role):
    c = login(users[role])
    for url in (
        "/cultivation/",
        "/cultivation/pool/",
        "/cultivation/list/?kind=all",
        "/cultivation/alerts/",
        "/cultivation/bulletin/",
        "/cultivation/targets/srdi_sme/",
    ):
        assert c.get(url).status_code == 403, url
    assert c.get("/api/cultivation/targets").status_code == 403


def test_anonymous_redirected_to_login(client):
    assert client.get("/cultivation/").status_code == 302
    assert client.get("/api/cultivation/targets").status_code == 401


def test_admin_can_narrow_to_a_region(users, titled, login):
    c = login(users["admin"])
    html = c.get(f"/cultivation/?as_of=2026-10-31&region={titled[1].region_id}").content.decode()
    assert kpi(html, "srdi_sme") == 1 and kpi(html, "little_giant") == 1


def test_drilldown_export_xlsx(users, titled, login):
    import openpyxl

    c = login(users["admin"])
    r = c.get("/cultivation/list/?kind=tier&tier=little_giant&as_of=2026-10-31&export=xlsx")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[2][0] == "统一社会信用代码"
    usccs = {row[0] for row in rows[3:]}
    assert usccs == {titled[0].uscc, titled[1].uscc}
    assert any("小巨人" in (row[4] or "") for row in rows[3:])


def test_drilldown_bad_params_are_explained(users, login):
    c = login(users["admin"])
    r = c.get("/cultivation/list/?kind=tier&tier=nope")
    assert r.status_code == 400 and "梯度“nope”无效" in r.content.decode()
    r = c.get("/cultivation/?as_of=2026-13-01")
    assert r.status_code == 400
    assert "“统计日期”不是有效日期（应如 2026-06-30）：2026-13-01" in r.content.decode()
    r = c.get("/api/cultivation/targets?as_of=2026/10/31")
    assert r.status_code == 400
    assert r.json()["detail"] == "“统计日期（as_of）”不是有效日期（应如 2026-06-30）：2026/10/31"


def test_target_page_manual_entry(users, regions, login):
    import yaml

    from srdi.cultivation import services
    from srdi.cultivation.tests.test_targets import NEXT_PLAN

    c = login(users["admin"])
    html = c.get("/cultivation/targets/iur_projects/?as_of=2025-12-31").content.decode()
    assert "全市新增产学研合作项目800项" in html and "计数口径" in html
    assert "手工填报" not in html  # measured from the innovation records
    services.load_plan(
        users["admin"], yaml.safe_dump(NEXT_PLAN, allow_unicode=True).encode(), "n.yaml"
    )
    r = c.post(
        "/cultivation/targets/fairs/",
        {"value": "321", "as_of": "2026-10-31", "source": "市商务局", "region": ""},
    )
    assert r.status_code == 302
    html = c.get("/cultivation/targets/fairs/?as_of=2026-11-30").content.decode()
    assert "321" in html and "手工填报" in html
    assert c.get("/cultivation/targets/nope/").status_code == 404


def test_api_targets_match_cli(users, titled, login):
    c = login(users["admin"])
    r = c.get("/api/cultivation/targets?as_of=2026-10-31")
    assert r.status_code == 200
    doc = r.json()
    assert [t["id"] for t in doc["targets"]] == [d["id"] for d in targets.definitions()]
    funnel = c.get("/api/cultivation/funnel?tier=little_giant&as_of=2026-10-31").json()
    assert funnel["stages"][-1]["count"] == 2
    tiers = c.get("/api/cultivation/tiers?as_of=2026-10-31").json()
    assert tiers["total"]["little_giant"] == 2


def test_api_pool_record_scope(users, enterprises, login):
    c = login(users["region_officer"])
    ok = c.post(
        f"/api/cultivation/pool/{enterprises[0].uscc}/srdi_sme",
        {"willing": True},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["willing"] is True
    bad = c.post(
        f"/api/cultivation/pool/{enterprises[1].uscc}/srdi_sme",
        {"willing": True},
        content_type="application/json",
    )
    assert bad.status_code == 404


def test_title_page_actions(users, titled, login):
    from srdi.registry.models import Title

    t = Title.objects.filter(enterprise=titled[0]).first()
    c = login(users["admin"])
    assert "有效" in c.get(f"/cultivation/titles/{t.pk}/").content.decode()
    r = c.post(
        f"/cultivation/titles/{t.pk}/",
        {"action": "revoke", "reason": "data_fraud", "on": "2026-01-05", "note": ""},
    )
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.status == "revoked"
    other = Title.objects.filter(enterprise=titled[1]).first()
    assert login(users["region_officer"]).get(f"/cultivation/titles/{other.pk}/").status_code == 404
