"""Scope: every line is tried through the pages and the API (404 out of scope, 403 read-only)."""

import pytest

from srdi.innovation.models import Match


def _codes(client, urls):
    return [client.get(u).status_code for u in urls]


def test_confidential_need_is_never_matched_or_shown_to_an_institution_not_named(inno):
    named = inno["named"]
    assert not Match.objects.filter(need=named, capability__team__institution="苏州大学").exists()
    assert Match.objects.filter(need=named, capability=inno["c1"]).exists()


@pytest.mark.parametrize("door", ["page", "api"])
def test_university_sees_public_partner_and_named_to_it_only(inno, as_user, bearer, door):
    u1, u2, named = inno["u1"], inno["u2"], inno["named"]
    page = "/innovation/needs/{}/" if door == "page" else "/api/innovation/needs/{}"
    c1 = as_user(u1) if door == "page" else bearer(u1)
    assert c1.get(page.format(named.pk)).status_code == 200
    c2 = bearer(u2) if door == "api" else None
    if c2 is None:
        from django.test import Client

        c2 = Client()
        c2.force_login(u2)
    assert c2.get(page.format(named.pk)).status_code == 404
    assert c2.get(page.format(inno["public"].pk)).status_code == 200
    assert c2.get(page.format(inno["partners"].pk)).status_code == 200
    # another university's capability: out of scope
    cap = "/innovation/capabilities/{}/" if door == "page" else "/api/innovation/capabilities/{}"
    assert c2.get(cap.format(inno["c1"].pk)).status_code == 404
    assert c2.get(cap.format(inno["c2"].pk)).status_code == 200


def test_lists_leave_out_what_is_out_of_scope(inno, bearer, as_user):
    titles = {n["title"] for n in bearer(inno["u2"]).get("/api/innovation/needs").json()}
    assert "机密：压铸缩松" not in titles and "压铸件气孔多" in titles
    r = bearer(inno["u2"]).get("/api/innovation/matches").json()
    assert {m["capability"] for m in r} <= {inno["c2"].pk}
    r = as_user(inno["u2"]).get("/innovation/needs/?q=机密")
    assert "机密" not in r.content.decode().split("<tbody>")[1]


def test_enterprise_sees_own_needs_not_another_enterprises(inno, users, as_user, bearer):
    c = as_user(users["enterprise"])
    assert c.get(f"/innovation/needs/{inno['public'].pk}/").status_code == 200
    assert c.get(f"/innovation/needs/{inno['other'].pk}/").status_code == 404
    assert (
        bearer(users["enterprise"]).get(f"/api/innovation/needs/{inno['other'].pk}").status_code
        == 404
    )
    m = Match.objects.filter(need=inno["other"]).first()
    assert c.get(f"/innovation/matches/{m.pk}/").status_code == 404
    # the capability catalogue is readable, not writable
    assert c.get(f"/innovation/capabilities/{inno['c1'].pk}/edit/").status_code == 403
    r = bearer(users["enterprise"]).post(
        f"/api/innovation/teams/{inno['t1'].pk}/capabilities",
        {"title": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["detail"].startswith("您可以查看该科研团队")


def test_bank_and_unrelated_roles_see_nothing(inno, users, as_user, bearer):
    bank = users["partner"]
    for path in (f"/innovation/needs/{inno['public'].pk}/", f"/innovation/capabilities/{inno['c1'].pk}/",
                 f"/innovation/teams/{inno['t1'].pk}/"):  # fmt: skip
        assert as_user(bank).get(path).status_code == 404
    assert (
        bearer(bank)
        .get(f"/api/innovation/needs/{inno['public'].pk}")
        .json()["detail"]
        .startswith("未找到")
    )
    assert bearer(bank).get("/api/innovation/needs").json() == []


def test_kjj_sees_all_and_region_officer_sees_own_region(inno, users, bearer, as_user):
    assert (
        bearer(users["department"]).get(f"/api/innovation/needs/{inno['named'].pk}").status_code
        == 200
    )
    assert len(bearer(users["department"]).get("/api/innovation/needs").json()) == 4
    officer = users["region_officer"]  # 板块 A: enterprise A only
    assert as_user(officer).get(f"/innovation/needs/{inno['other'].pk}/").status_code == 404
    assert as_user(officer).get(f"/innovation/needs/{inno['public'].pk}/").status_code == 200


def test_writes_out_of_scope_are_404_and_read_only_403(inno, users, as_user, bearer):
    u2 = inno["u2"]
    c = as_user(u2)
    assert c.post(f"/innovation/needs/{inno['public'].pk}/edit/", {"title": "x"}).status_code == 403
    assert c.post(f"/innovation/needs/{inno['named'].pk}/edit/", {"title": "x"}).status_code == 404
    assert c.post(f"/innovation/teams/{inno['t1'].pk}/edit/", {"name": "x"}).status_code == 404
    m1 = Match.objects.get(need=inno["public"], capability=inno["c1"])
    assert c.post(f"/innovation/matches/{m1.pk}/verdict/", {"verdict": "accept"}).status_code == 404
    r = bearer(u2).post(
        f"/api/innovation/matches/{m1.pk}/verdict",
        {"accepted": True},
        content_type="application/json",
    )
    assert r.status_code == 404
    # the commissioner of enterprise A may post for it; of B not
    com = users["commissioner"]
    assert (
        as_user(com)
        .post(f"/innovation/needs/new/?uscc={inno['other'].enterprise.uscc}", {})
        .status_code
        == 404
    )
    r = as_user(com).post(f"/innovation/needs/new/?uscc={inno['public'].enterprise.uscc}",
                          {"title": "专员代发", "description": "设备故障多"})  # fmt: skip
    assert r.status_code == 302
    assert as_user(users["partner"]).post("/innovation/projects/new/", {}).status_code == 403
    assert as_user(inno["u1"]).post("/innovation/challenges/new/", {}).status_code == 403


def test_api_match_endpoint_and_its_errors(inno, bearer):
    c = bearer(inno["u1"])
    body = {"needs": [{"id": 1, "title": "气孔", "description": "压铸件气孔"}],
            "capabilities": [{"id": "a", "institution": "x", "title": "真空压铸", "description": "降低气孔"}]}  # fmt: skip
    r = c.post("/api/innovation/match", body, content_type="application/json")
    assert r.status_code == 200 and r.json()["results"][0]["matches"][0]["capability"] == "a"
    body["needs"][0].pop("title")
    r = c.post("/api/innovation/match", body, content_type="application/json")
    assert r.status_code == 400 and "缺少“title”" in r.json()["detail"]
