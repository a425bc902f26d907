"""Registry JSON API, read side: the same boundaries as the pages (test_views.py).

Out of scope = 404 (same as unknown), in scope but not writable = 403, not logged in = 401.
"""

import json

import pytest

from srdi.accounts.models import ApiToken
from srdi.registry.models import DataShare

pytestmark = pytest.mark.django_db

VISIBLE = {
    "admin": {"A", "B"},
    "department": {"A", "B"},
    "region_officer": {"A"},
    "commissioner": {"A"},
    "enterprise": {"A"},
    "partner": {"A"},
    "partner_unshared": set(),
}


def keys(enterprises, usccs) -> set[str]:
    by = {e.uscc: k for k, e in zip("AB", enterprises, strict=True)}
    return {by[u] for u in usccs}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_list_per_role(role, users, enterprises, login):
    r = login(users[role]).get("/api/enterprises")
    assert r.status_code == 200
    body = r.json()
    assert keys(enterprises, [row["uscc"] for row in body["results"]]) == VISIBLE[role]
    assert body["count"] == len(VISIBLE[role])


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_detail_per_role(role, users, enterprises, login):
    c = login(users[role])
    for key, e in zip("AB", enterprises, strict=True):
        r = c.get(f"/api/enterprises/{e.uscc}")
        if key in VISIBLE[role]:
            assert r.status_code == 200, (role, key)
            assert r.json()["profile"]["uscc"] == e.uscc
        else:
            assert r.status_code == 404, (role, key)
            assert r.json()["detail"] == "未找到该企业，或您无权查看。"
            assert e.name not in r.content.decode()


def test_list_params_same_as_ui(users, enterprises, regions, login):
    a, b = enterprises
    c = login(users["admin"])
    body = c.get("/api/enterprises", {"region": "海虞镇"}).json()
    assert [r["uscc"] for r in body["results"]] == [b.uscc]
    body = c.get("/api/enterprises", {"industry": "34"}).json()
    assert [r["uscc"] for r in body["results"]] == [a.uscc]
    body = c.get("/api/enterprises", {"sort": "-revenue"}).json()
    assert [r["uscc"] for r in body["results"]] == [a.uscc, b.uscc]
    assert body["results"][0]["latest_revenue"] == 10000
    body = c.get("/api/enterprises", {"per_page": "1", "page": "2", "sort": "-revenue"}).json()
    assert body["count"] == 2 and body["pages"] == 2 and body["results"][0]["uscc"] == b.uscc


def test_list_bad_params_400_in_chinese(users, enterprises, login):
    r = login(users["admin"]).get("/api/enterprises", {"tier": "gold", "page": "zero"})
    assert r.status_code == 400
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert set(errors) == {"tier", "page"}
    assert "称号梯度" in errors["tier"] and "页码" in errors["page"]


def test_detail_is_exchange_format_with_meta(users, enterprises, login):
    a, _b = enterprises
    body = login(users["enterprise"]).get(f"/api/enterprises/{a.uscc.lower()}").json()
    p = body["profile"]
    assert p["years"]["2024"]["revenue"] == 10000
    assert "rd_expense" not in p["years"]["2024"]  # unknown stays absent, never 0
    assert p["region"] == "梅李镇"
    meta = body["meta"]
    assert meta["url"] == f"/enterprises/{a.uscc}/"
    assert "-titles" in meta["writable_sections"]


def test_anonymous_gets_401(client, enterprises):
    a, _b = enterprises
    assert client.get("/api/enterprises").status_code == 401
    assert client.get(f"/api/enterprises/{a.uscc}").status_code == 401
    r = client.patch(
        f"/api/enterprises/{a.uscc}", json.dumps({"name": "x"}), content_type="application/json"
    )
    assert r.status_code == 401
    assert client.post("/api/enterprises", "{}", content_type="application/json").status_code == 401


def test_bearer_token_has_the_same_scope(client, users, enterprises):
    a, b = enterprises
    _t, key = ApiToken.issue(users["region_officer"], "test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = client.get("/api/enterprises", **auth).json()
    assert [r["uscc"] for r in body["results"]] == [a.uscc]
    assert client.get(f"/api/enterprises/{b.uscc}", **auth).status_code == 404
    bad = {"HTTP_AUTHORIZATION": "Bearer nonsense"}
    assert client.get("/api/enterprises", **bad).status_code == 401


def test_partner_before_and_after_sharing(users, enterprises, login):
    a, _b = enterprises
    c = login(users["partner_unshared"])
    assert c.get(f"/api/enterprises/{a.uscc}").status_code == 404
    DataShare.objects.create(enterprise=a, organization="另一银行")
    assert c.get(f"/api/enterprises/{a.uscc}").status_code == 200
    assert [r["uscc"] for r in c.get("/api/enterprises").json()["results"]] == [a.uscc]


def test_openapi_documents_the_endpoints(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/enterprises" in paths and "/api/enterprises/{uscc}" in paths
    assert {"get", "post"} <= set(paths["/api/enterprises"])
    assert {"get", "patch"} <= set(paths["/api/enterprises/{uscc}"])
    assert client.get("/api/docs").status_code == 200
