"""Registry JSON API, write side: same services and scope checks as the forms
(test_views_write.py); every successful write is audited with before/after."""

import json

import pytest

from srdi.audit.models import AuditLog
from srdi.registry.models import AnnualFigures, Enterprise, Title

pytestmark = pytest.mark.django_db

NEW_USCC = "91320581MA1MX0YH4C"


def patch(c, uscc, data):
    body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return c.patch(f"/api/enterprises/{uscc}", body, content_type="application/json")


def post(c, data):
    body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return c.post("/api/enterprises", body, content_type="application/json")


REVENUE = {"years": {"2024": {"revenue": 12345.5}}}

# role → expected status of PATCH years.2024.revenue on A (in every scoped user's scope) and B
PATCH_STATUS = {
    "admin": (200, 200),
    "department": (403, 403),  # 科技局: revenue is not its domain
    "region_officer": (200, 404),
    "commissioner": (403, 404),
    "enterprise": (200, 404),
    "partner": (403, 404),
    "partner_unshared": (404, 404),
}


@pytest.mark.parametrize("role", sorted(PATCH_STATUS))
def test_patch_per_role(role, users, enterprises, login):
    c = login(users[role])
    for e, want in zip(enterprises, PATCH_STATUS[role], strict=True):
        n = AuditLog.objects.filter(enterprise_uscc=e.uscc).count()
        r = patch(c, e.uscc, REVENUE)
        assert r.status_code == want, (role, e.name, r.content.decode())
        fig = AnnualFigures.objects.get(enterprise=e, year=2024)
        logs = AuditLog.objects.filter(enterprise_uscc=e.uscc)
        if want == 200:
            assert r.json()["profile"]["years"]["2024"]["revenue"] == 12345.5
            assert fig.revenue == 12345.5
            assert logs.count() == n + 1
            log = logs.order_by("-id").first()
            assert log.actor == users[role] and log.source == "api"
            assert log.before["years.2024.revenue"] in (10000, 2000)
            assert log.after == {"years.2024.revenue": 12345.5}
        else:
            assert fig.revenue in (10000, 2000)
            assert logs.count() == n
            assert r.json()["detail"]  # a Chinese explanation


def test_enterprise_user_cannot_patch_titles_or_compliance(users, enterprises, login):
    a, _b = enterprises
    c = login(users["enterprise"])
    r = patch(c, a.uscc, {"titles": [{"tier": "little_giant", "level": "national"}]})
    assert r.status_code == 403 and "titles" in r.json()["detail"]
    r = patch(c, a.uscc, {"compliance": {"abnormal_list": True}})
    assert r.status_code == 403
    assert not Title.objects.filter(enterprise=a).exists()
    assert not Enterprise.objects.get(pk=a.pk).compliance_abnormal_list


def test_department_inside_and_outside_its_domain(users, enterprises, login):
    _a, b = enterprises
    c = login(users["department"])  # 科技局
    r = patch(c, b.uscc, {"quality": {"iso9001": True}})
    assert r.status_code == 403
    r = patch(c, b.uscc, {"name": "改名"})
    assert r.status_code == 403
    r = patch(c, b.uscc, {"awards": [{"level": "provincial", "year": 2024, "rank": 1}]})
    assert r.status_code == 200, r.content.decode()
    assert b.awards.get().level == "provincial"
    log = AuditLog.objects.filter(enterprise_uscc=b.uscc).order_by("-id").first()
    assert log.before == {"awards": []}
    assert log.after == {"awards": [{"level": "provincial", "year": 2024, "rank": 1}]}


def test_validation_400_with_field_paths(users, enterprises, login):
    a, _b = enterprises
    c = login(users["admin"])
    r = patch(
        c,
        a.uscc,
        {"years": {"2024": {"revenue": -1}, "20x4": {}}, "market": {"share_pct": 140}, "typo": 1},
    )
    assert r.status_code == 400
    body = r.json()
    fields = {e["field"] for e in body["errors"]}
    assert {"years.2024.revenue", "market.share_pct", "typo"} <= fields
    assert all(e["message"] for e in body["errors"])
    assert "营业收入不能为负数" in json.dumps(body, ensure_ascii=False)
    assert AnnualFigures.objects.get(enterprise=a, year=2024).revenue == 10000
    assert patch(c, a.uscc, "{not json").status_code == 400
    assert patch(c, a.uscc, "[1, 2]").status_code == 400
    r = patch(c, a.uscc, {"uscc": "91320581723456781R"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "uscc"


def test_decimals_stay_exact(users, enterprises, login):
    a, _b = enterprises
    c = login(users["admin"])
    r = patch(c, a.uscc, '{"years": {"2024": {"revenue": 1234567.1234}}}')
    assert r.status_code == 200
    assert str(AnnualFigures.objects.get(enterprise=a, year=2024).revenue) == "1234567.1234"
    assert '"revenue": 1234567.1234' in r.content.decode()


def test_unknown_enterprise_404(users, login):
    r = patch(login(users["admin"]), "91320581MA1XXXXXX0", REVENUE)
    assert r.status_code == 404


def test_create(users, regions, enterprises, login):
    doc = {
        "uscc": NEW_USCC,
        "name": "新企业",
        "region": "海虞镇",
        "years": {"2024": {"revenue": 10}},
    }
    for role in ("department", "commissioner", "enterprise", "partner"):
        assert post(login(users[role]), doc).status_code == 403, role
    # a 板块 officer only in their own 板块
    r = post(login(users["region_officer"]), doc)
    assert r.status_code == 403
    assert not Enterprise.objects.filter(uscc=NEW_USCC).exists()
    r = post(login(users["region_officer"]), {**doc, "region": "梅李镇"})
    assert r.status_code == 201, r.content.decode()
    assert r.json()["profile"]["years"]["2024"]["revenue"] == 10
    log = AuditLog.objects.get(enterprise_uscc=NEW_USCC)
    assert log.action == "create" and log.before is None and log.after["name"] == "新企业"
    # duplicate / bad check character / missing name: 400 naming the field
    c = login(users["admin"])
    r = post(c, doc)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "uscc"
    r = post(c, {"uscc": "91320581MA1MX0YH4X"})
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {"uscc", "name"}
