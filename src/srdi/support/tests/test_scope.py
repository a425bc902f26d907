"""Each line of the service system's scope, crossed through pages and the API."""

import datetime as dt

import pytest

from srdi.support import services
from srdi.support.models import CommissionerProfile, PlanItem


@pytest.fixture
def world(users, more, enterprises, req):
    a, b = enterprises
    va = services.record_visit(users["commissioner"], a,
                               {"visited_on": dt.date(2026, 11, 2), "topics": "研发投入"})  # fmt: skip
    vb = services.record_visit(more["comm_b"], b,
                               {"visited_on": dt.date(2026, 11, 3), "topics": "融资"})  # fmt: skip
    ia = services.save_item(users["commissioner"], services.plan_of(a),
                            {"area": "innovation", "title": "研发费用占比提升至3%"})  # fmt: skip
    ib = services.save_item(more["comm_b"], services.plan_of(b),
                            {"area": "finance", "title": "对接知识产权质押贷款"})  # fmt: skip
    pa = CommissionerProfile.objects.create(user=users["commissioner"], region=a.region)
    pb = CommissionerProfile.objects.create(user=more["comm_b"], region=b.region)
    return {"va": va, "vb": vb, "ia": ia, "ib": ib, "pa": pa, "pb": pb, "r1": req[0], "r2": req[1]}


def _codes(client, urls):
    return [client.get(u).status_code for u in urls]


def test_commissioner_sees_and_writes_only_their_enterprises(users, enterprises, world, login):
    a, b = enterprises
    c = login(users["commissioner"])
    mine = [f"/support/requests/{world['r1'].pk}/", f"/support/visits/{world['va'].pk}/",
            f"/support/plans/{a.uscc}/", f"/support/enterprises/{a.uscc}/",
            f"/support/commissioners/{world['pa'].pk}/", f"/support/plans/{a.uscc}/docx/"]  # fmt: skip
    theirs = [f"/support/requests/{world['r2'].pk}/", f"/support/visits/{world['vb'].pk}/",
              f"/support/plans/{b.uscc}/", f"/support/enterprises/{b.uscc}/",
              f"/support/commissioners/{world['pb'].pk}/", f"/support/plans/{b.uscc}/docx/"]  # fmt: skip
    assert _codes(c, mine) == [200] * len(mine)
    assert _codes(c, theirs) == [404] * len(theirs)
    # writes across the line: 404, nothing changed
    assert c.post(f"/support/items/{world['ib'].pk}/", {"status": "dropped"}).status_code == 404
    assert (
        c.post(f"/support/plans/{b.uscc}/items/", {"area": "market", "title": "x"}).status_code
        == 404
    )
    assert (
        c.post(f"/support/visits/{world['vb'].pk}/follow-up/", {"kind": "item"}).status_code == 404
    )
    assert c.post(f"/support/plans/{b.uscc}/propose/").status_code == 404
    world["ib"].refresh_from_db()
    assert world["ib"].status == PlanItem.Status.ACCEPTED
    assert (
        c.post(
            f"/support/enterprises/{a.uscc}/assign/", {"commissioner": users["commissioner"].pk}
        ).status_code
        == 403
    )
    # lists show only theirs
    page = c.get("/support/requests/").content.decode()
    assert world["r1"].title in page and world["r2"].title not in page
    page = c.get("/support/visits/").content.decode()
    assert a.name in page and b.name not in page


def test_commissioner_scope_through_the_api(users, enterprises, world, bearer):
    a, b = enterprises
    c = bearer(users["commissioner"])
    assert c.get(f"/api/support/plans/{a.uscc}").status_code == 200
    assert c.get(f"/api/support/plans/{b.uscc}").status_code == 404
    assert c.get(f"/api/support/visits/{world['vb'].pk}").status_code == 404
    assert c.get(f"/api/support/commissioners/{world['pb'].pk}").status_code == 404
    assert c.put(f"/api/support/items/{world['ib'].pk}", '{"status": "done"}',
                 content_type="application/json").status_code == 404  # fmt: skip
    assert [v["id"] for v in c.get("/api/support/visits").json()] == [world["va"].pk]


def test_department_sees_only_requests_routed_to_it(users, more, world, login):
    c = login(users["department"])  # 科技局
    assert c.get(f"/support/requests/{world['r1'].pk}/").status_code == 200
    assert c.get(f"/support/requests/{world['r2'].pk}/").status_code == 404
    c = login(more["jrj"])
    assert c.get(f"/support/requests/{world['r1'].pk}/").status_code == 404
    assert c.get(f"/support/requests/{world['r2'].pk}/").status_code == 200
    # a department reads plans but writes none
    assert c.post(f"/support/items/{world['ia'].pk}/", {"status": "dropped"}).status_code == 404


def test_enterprise_sees_its_own_plan_and_requests(users, more, enterprises, world, login, bearer):
    a, b = enterprises
    services.propose  # noqa: B018 - proposed items are hidden from the enterprise
    PlanItem.objects.create(
        plan=world["ia"].plan, area="market", title="建议：参展", origin="manual"
    )
    c = login(users["enterprise"])
    page = c.get(f"/support/plans/{a.uscc}/").content.decode()
    assert "研发费用占比提升至3%" in page and "建议：参展" not in page
    assert c.get(f"/support/plans/{b.uscc}/").status_code == 404
    assert c.get(f"/support/requests/{world['r2'].pk}/").status_code == 404
    assert c.get("/support/plan/").status_code == 302
    # read-only: the enterprise cannot edit its plan
    assert c.post(f"/support/items/{world['ia'].pk}/", {"status": "dropped"}).status_code == 403
    items = bearer(users["enterprise"]).get(f"/api/support/plans/{a.uscc}").json()["items"]
    assert [i["title"] for i in items] == ["研发费用占比提升至3%"]


def test_region_officer_sees_their_region_only(users, more, enterprises, world, login):
    a, b = enterprises
    c = login(users["region_officer"])  # 梅李镇 (enterprise A)
    assert c.get(f"/support/enterprises/{a.uscc}/").status_code == 200
    assert c.get(f"/support/enterprises/{b.uscc}/").status_code == 404
    assert c.get(f"/support/requests/{world['r2'].pk}/").status_code == 404
    # assigns within their 板块 only
    res = c.post(
        f"/support/enterprises/{a.uscc}/assign/",
        {"commissioner": more["comm_b"].pk, "reason": "就近"},
    )
    assert res.status_code == 302 and a.commissioners.filter(pk=more["comm_b"].pk).exists()
    assert (
        c.post(
            f"/support/enterprises/{b.uscc}/assign/", {"commissioner": users["commissioner"].pk}
        ).status_code
        == 404
    )


def test_partner_has_no_service_pages(users, world, login, bearer):
    c = login(users["partner"])
    assert c.get("/support/").status_code == 403
    assert c.get("/support/requests/").status_code == 403
    assert c.get(f"/support/requests/{world['r1'].pk}/").status_code == 404
    assert bearer(users["partner"]).get("/api/support/requests").json()["results"] == []


def test_every_page_answers_for_every_role(users, more, enterprises, world, login):
    a, _ = enterprises
    pages = ["/support/", "/support/requests/", "/support/requests/new/", "/support/visits/",
             "/support/visits/new/", "/support/commissioners/", "/support/measures/",
             "/support/requests/?format=xlsx", "/support/commissioners/?format=xlsx"]  # fmt: skip
    for role in ("admin", "department", "region_officer", "commissioner", "enterprise"):
        c = login(users[role])
        for p in pages:
            code = c.get(p).status_code
            assert code in (200, 302, 403), (role, p, code)
    c = login(users["admin"])
    for p in pages + [f"/support/plans/{a.uscc}/", "/support/assign/"]:
        assert c.get(p).status_code == 200, p
