"""Scope: every line tried through the pages and the API (404 out of scope, 403 read-only)."""

import pytest


def test_everyone_sees_the_map_but_enterprise_lists_follow_scope(chain_setup, users, as_user):
    n1, n2 = chain_setup["n1"], chain_setup["n2"]
    a, b = chain_setup["a"], chain_setup["b"]
    for role in ("region_officer", "enterprise", "partner", "partner_unshared", "commissioner"):
        c = as_user(users[role])
        assert c.get(f"/chains/{chain_setup['chain'].pk}/").status_code == 200
    # 梅李镇 officer: A (own 板块) listed at its node, B (海虞镇) not
    c = as_user(users["region_officer"])
    assert a.name in c.get(f"/chains/nodes/{n1.pk}/").content.decode()
    assert b.name not in c.get(f"/chains/nodes/{n2.pk}/").content.decode()
    # the department sees both
    c = as_user(users["department"])
    assert b.name in c.get(f"/chains/nodes/{n2.pk}/").content.decode()


@pytest.mark.parametrize("door", ["session", "token"])
def test_api_node_lists_follow_scope(chain_setup, users, bearer, client, door):
    def get(user, url):
        if door == "token":
            return bearer(user).get(url)
        client.force_login(user)
        return client.get(url)

    url = f"/api/chains/nodes/{chain_setup['n1'].pk}"
    names = lambda r: [e["name"] for e in r.json()["enterprises"]]  # noqa: E731
    assert names(get(users["partner"], url)) == [chain_setup["a"].name]  # A granted consent
    assert names(get(users["partner_unshared"], url)) == []  # no consent: nothing
    assert get(users["partner"], url).json()["candidates"] == []  # candidates: officials only
    url2 = f"/api/chains/nodes/{chain_setup['n2'].pk}"
    assert names(get(users["enterprise"], url2)) == []  # B is another enterprise
    assert names(get(users["admin"], url2)) == [chain_setup["b"].name]


def test_placements_out_of_scope_are_404_and_read_only_403(chain_setup, users, bearer):
    pa, pb = chain_setup["pa"], chain_setup["pb"]
    ent = bearer(users["enterprise"])  # enterprise A
    body = {"confirm": True}
    # its own placement: visible, not writable → 403; another's → 404
    r = ent.post(f"/api/chains/placements/{pa.pk}/decide", body, content_type="application/json")
    assert r.status_code == 403 and r.json()["detail"].startswith("您可以查看")
    r = ent.post(f"/api/chains/placements/{pb.pk}/decide", body, content_type="application/json")
    assert r.status_code == 404 and r.json()["detail"].startswith("未找到")
    assert [p["id"] for p in ent.get("/api/chains/placements").json()] == [pa.pk]
    bank2 = bearer(users["partner_unshared"])
    assert bank2.get("/api/chains/placements").json() == []
    # the 梅李镇 officer may decide A's, not B's (B is not even visible)
    off = bearer(users["region_officer"])
    r = off.post(f"/api/chains/placements/{pb.pk}/decide", body, content_type="application/json")
    assert r.status_code == 404
    r = off.post(f"/api/chains/placements/{pa.pk}/decide", body, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"


def test_page_decide_is_404_out_of_scope(chain_setup, users, as_user):
    c = as_user(users["region_officer"])
    r = c.post(f"/chains/placements/{chain_setup['pb'].pk}/decide/", {"confirm": "1"})
    assert r.status_code == 404
    c = as_user(users["enterprise"])
    r = c.post(f"/chains/placements/{chain_setup['pa'].pk}/decide/", {"confirm": "1"})
    assert r.status_code == 403


def test_enterprise_proposes_a_correction_for_itself_only(chain_setup, users, bearer, make_user):
    from srdi.chains.models import Placement
    from srdi.core.notifications import Notification

    n3 = chain_setup["n3"]
    a, b = chain_setup["a"], chain_setup["b"]
    ent = bearer(users["enterprise"])
    r = ent.post(f"/api/chains/nodes/{n3.pk}/propose?uscc={a.uscc}",
                 {"products": "整车用轴承", "note": "也给整车厂直供"}, content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "proposed"
    assert Placement.objects.get(enterprise=a, node=n3).status == "proposed"
    # the 板块 officer is told
    assert Notification.objects.filter(
        user=users["region_officer"], title__contains=a.name
    ).exists()
    r = ent.post(f"/api/chains/nodes/{n3.pk}/propose?uscc={b.uscc}", {"products": "x"},
                 content_type="application/json")  # fmt: skip
    assert r.status_code == 404
    r = ent.post(f"/api/chains/nodes/{n3.pk}/propose?uscc={a.uscc}", {"products": ""},
                 content_type="application/json")  # fmt: skip
    assert r.status_code == 400 and "该环节主要产品" in r.json()["detail"]


def test_session_writes_need_csrf_token_writes_do_not(chain_setup, users):
    from django.test import Client

    url = f"/api/chains/nodes/{chain_setup['n3'].pk}/leads"
    body = {"kind": "investment", "title": "整车招商"}
    c = Client(enforce_csrf_checks=True)
    c.force_login(users["admin"])
    assert c.post(url, body, content_type="application/json").status_code == 403


def test_editing_chains_is_for_the_gxj_only(chain_setup, users, bearer, as_user):
    chain = chain_setup["chain"]
    data = {"name": "新环节", "segment": "up"}
    for role in ("region_officer", "enterprise", "department", "partner"):  # department = 科技局
        r = bearer(users[role]).post(f"/api/chains/chains/{chain.pk}/nodes", data,
                                     content_type="application/json")  # fmt: skip
        assert r.status_code == 403, role
        assert as_user(users[role]).get(f"/chains/{chain.pk}/nodes/new/").status_code == 403
    r = bearer(users["admin"]).post(f"/api/chains/chains/{chain.pk}/nodes", data,
                                    content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and r.json()["segment_label"] == "上游"


def test_leads_and_needs_are_hidden_from_partners(chain_setup, users, bearer, as_user):
    from srdi.chains import services

    need = services.post_need(users["admin"], chain_setup["leader"], {"product": "轮毂轴承"})
    lead = services.start_lead(users["admin"], chain_setup["n3"], "investment", "整车招商")
    bank = bearer(users["partner"])
    assert bank.get(f"/api/chains/needs/{need.pk}").status_code == 404
    assert as_user(users["partner"]).get("/chains/leads/").status_code == 403
    assert lead.title == "整车招商"
    # enterprise A was proposed for the need: it sees it, and only its own proposal
    ent = bearer(users["enterprise"]).get(f"/api/chains/needs/{need.pk}")
    assert ent.status_code == 200
    assert {p["enterprise"]["uscc"] for p in ent.json()["proposals"]} == {chain_setup["a"].uscc}


def test_partner_sees_cluster_members_only_with_consent(chain_setup, users, bearer):
    cl = chain_setup["cluster"]
    r = bearer(users["partner"]).get(f"/api/chains/clusters/{cl.pk}").json()
    assert r["members"] == 2 and [m["name"] for m in r["visible_members"]] == [
        chain_setup["a"].name
    ]
    r = bearer(users["partner_unshared"]).get(f"/api/chains/clusters/{cl.pk}").json()
    assert r["visible_members"] == []


def test_decide_does_not_redirect_off_site(chain_setup, users, as_user):
    c = as_user(users["admin"])
    r = c.post(f"/chains/placements/{chain_setup['pb'].pk}/decide/",
               {"confirm": "1", "next": "https://evil.example/"})  # fmt: skip
    assert r.status_code == 302 and r["Location"] == "/chains/placements/"
    r = c.post(f"/chains/placements/{chain_setup['pb'].pk}/decide/",
               {"confirm": "1", "next": f"/chains/nodes/{chain_setup['n2'].pk}/"})  # fmt: skip
    assert r["Location"] == f"/chains/nodes/{chain_setup['n2'].pk}/"
