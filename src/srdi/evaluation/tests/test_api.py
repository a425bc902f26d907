"""POST /api/evaluations: same JSON as the CLI, scoped like the rest of the platform."""

from __future__ import annotations

import json

import pytest

from srdi.evaluation.models import EvaluationRecord

pytestmark = pytest.mark.django_db

PROFILE = {
    "uscc": "91320581712345672C",
    "name": "常熟市精工轴承有限公司",
    "industry_code": "C3451",
    "years": {"2024": {"employees": 260, "revenue": 10000}},
}


def post(client, body):
    return client.post("/api/evaluations", json.dumps(body), content_type="application/json")


def test_needs_login(client):
    assert post(client, {"profiles": [PROFILE]}).status_code == 401


def test_official_evaluates_posted_profiles(users, login):
    r = post(
        login(users["admin"]),
        {"profiles": [PROFILE], "standards": ["sme-size@2011"], "as_of": "2025-06-30"},
    )
    assert r.status_code == 200, r.content
    doc = r.json()
    assert doc["as_of"] == "2025-06-30"
    assert doc["results"][0]["size_class"] == "small"
    assert doc["results"][0]["outcome"] == "eligible"


def test_bad_profile_is_400_with_every_problem(users, login):
    r = post(login(users["admin"]), {"profiles": [{"uscc": "123"}], "as_of": "2025-06-30"})
    assert r.status_code == 400
    messages = [e["message"] for e in r.json()["errors"]]
    assert any("统一社会信用代码" in m for m in messages)
    assert any("name" in m or "名称" in m for m in messages)


def test_unknown_standard_is_400(users, login):
    r = post(login(users["admin"]), {"profiles": [PROFILE], "standards": ["nope@1"]})
    assert r.status_code == 400
    assert "nope@1" in r.json()["errors"][0]["message"]


def test_enterprise_user_only_own_profile(users, enterprises, login):
    client = login(users["enterprise"])
    own = post(
        client, {"profiles": [PROFILE], "standards": ["sme-size@2011"], "as_of": "2025-06-30"}
    )
    assert own.status_code == 200
    other = dict(PROFILE, uscc=enterprises[1].uscc, name=enterprises[1].name)
    assert post(client, {"profiles": [other], "as_of": "2025-06-30"}).status_code == 403


def test_stored_enterprises_are_saved_with_version_and_snapshot(users, enterprises, login):
    a = enterprises[0]
    r = post(
        login(users["admin"]),
        {"uscc": [a.uscc], "standards": ["sme-size@2011", "srdi-sme@2022"], "as_of": "2025-06-30"},
    )
    assert r.status_code == 200, r.content
    assert [x["standard"] for x in r.json()["results"]] == ["sme-size@2011", "srdi-sme@2022"]
    recs = EvaluationRecord.objects.filter(enterprise=a).order_by("standard")
    assert recs.count() == 2
    rec = recs.get(standard="sme-size@2011")
    assert rec.version.startswith("sme-size@2011#")
    assert rec.profile["uscc"] == a.uscc and rec.profile["years"]["2024"]["employees"] == 260
    assert rec.outcome == "eligible" and rec.result["size_class"] == "small"


def test_enterprise_user_cannot_evaluate_another_stored_enterprise(users, enterprises, login):
    r = post(login(users["enterprise"]), {"uscc": [enterprises[1].uscc]})
    assert r.status_code == 404
    assert not EvaluationRecord.objects.exists()
