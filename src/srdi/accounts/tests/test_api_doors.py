"""Issue 10 item 1: the token door and the session door of the API, for every write.

The Django test client normally skips CSRF checks; these tests use
``Client(enforce_csrf_checks=True)`` so the checks run as they do for a real browser. The sweep
walks every POST/PUT/PATCH/DELETE operation of the OpenAPI description, so an operation added
later is covered without a change here.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from srdi.accounts.models import ApiToken
from srdi.api import api

pytestmark = pytest.mark.django_db

WRITE_METHODS = {"post", "put", "patch", "delete"}
CSRF_MESSAGE = "CSRF 校验失败"


def write_operations() -> list[tuple[str, str]]:
    """(method, concrete path) of every write operation in the OpenAPI description."""
    schema = api.get_openapi_schema()
    out = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in WRITE_METHODS:
                continue
            concrete = path
            for p in op.get("parameters", []):
                if p.get("in") == "path":
                    kind = p.get("schema", {}).get("type")
                    value = "999999" if kind == "integer" else "no-such-thing"
                    concrete = concrete.replace("{" + p["name"] + "}", value)
            concrete = re.sub(r"\{[^}]+\}", "no-such-thing", concrete)
            out.append((method, concrete))
    return sorted(out)


OPERATIONS = write_operations()


def _call(client, method, path, **extra):
    return getattr(client, method)(path, "{}", content_type="application/json", **extra)


def test_the_api_has_write_operations_to_sweep():
    methods = {m for m, _p in OPERATIONS}
    assert len(OPERATIONS) >= 9 and {"post", "patch"} <= methods


@pytest.mark.parametrize("method,path", OPERATIONS)
def test_every_write_accepts_a_token_without_csrf(method, path, users):
    _t, key = ApiToken.issue(users["admin"], "sweep")
    c = Client(enforce_csrf_checks=True)
    r = _call(c, method, path, HTTP_AUTHORIZATION=f"Bearer {key}")
    body = r.content.decode(errors="replace")
    assert "CSRF" not in body, (method, path, r.status_code, body[:200])
    assert r.status_code != 401, (method, path)
    assert r.status_code < 500, (method, path, body[:300])


@pytest.mark.parametrize("method,path", OPERATIONS)
def test_every_write_refuses_a_session_without_csrf(method, path, users):
    c = Client(enforce_csrf_checks=True)
    c.force_login(users["admin"])
    r = _call(c, method, path)
    assert r.status_code == 403, (method, path, r.status_code)
    assert CSRF_MESSAGE in r.json()["detail"]


@pytest.mark.parametrize("method,path", OPERATIONS)
def test_every_write_refuses_anonymous_and_wrong_tokens_with_401(method, path, users):
    c = Client(enforce_csrf_checks=True)
    assert _call(c, method, path).status_code == 401
    r = _call(c, method, path, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert r.status_code == 401 and "令牌" in r.json()["detail"]


def test_token_write_is_saved_and_audited_as_api(users, enterprises):
    from srdi.audit.models import AuditLog

    a, _b = enterprises
    _t, key = ApiToken.issue(users["region_officer"], "etl")
    c = Client(enforce_csrf_checks=True)
    r = c.patch(
        f"/api/enterprises/{a.uscc}",
        json.dumps({"years": {"2024": {"revenue": 12345.5}}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert r.status_code == 200, r.content
    log = AuditLog.objects.filter(enterprise_uscc=a.uscc).latest("id")
    assert log.actor == users["region_officer"] and log.source == "api"
    # a revoked token is refused at once
    ApiToken.objects.filter(user=users["region_officer"]).update(revoked=True)
    r = c.patch(
        f"/api/enterprises/{a.uscc}",
        json.dumps({"years": {"2024": {"revenue": 1}}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert r.status_code == 401


def test_session_write_with_the_csrf_token_is_saved(users, enterprises):
    a, _b = enterprises
    c = Client(enforce_csrf_checks=True)
    c.force_login(users["admin"])
    r = c.get("/enterprises/")  # a page with a form sets the CSRF cookie, as a browser gets it
    assert r.status_code == 200
    token = c.cookies["csrftoken"].value
    r = c.patch(
        f"/api/enterprises/{a.uscc}",
        json.dumps({"years": {"2024": {"revenue": 777}}}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert r.status_code == 200, r.content
    assert r.json()["profile"]["years"]["2024"]["revenue"] == 777


def test_token_reads_keep_the_same_scope_as_sessions(users, enterprises):
    _a, b = enterprises
    _t, key = ApiToken.issue(users["region_officer"], "read")
    c = Client(enforce_csrf_checks=True)
    r = c.get(f"/api/enterprises/{b.uscc}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 404  # 板块 B is out of this officer's scope, through either door
