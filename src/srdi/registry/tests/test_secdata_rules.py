"""Issue 10, items 5 and 6: every rule in the service layer (all doors), and no lost update."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from srdi.accounts.models import ApiToken
from srdi.registry import services
from srdi.registry.models import AnnualFigures, Enterprise

pytestmark = pytest.mark.django_db


def _bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 't')[1]}"}


# ------------------------------------------------------------------ 5. every rule, every door


def test_region_officer_cannot_move_an_enterprise_out_by_api_service_or_cli(
    users, enterprises, client
):
    a, _b = enterprises
    officer = users["region_officer"]
    r = client.patch(
        f"/api/enterprises/{a.uscc}",
        json.dumps({"region": "海虞镇"}),
        content_type="application/json",
        **_bearer(officer),
    )
    assert r.status_code == 403 and "移出本板块" in r.json()["detail"]
    a.refresh_from_db()
    assert a.region.name == "梅李镇"  # not saved (today: 404 but saved)
    with pytest.raises(PermissionDenied):
        services.update_enterprise(officer, a, {"region": "海虞镇"})
    # the officer may still edit everything else
    services.update_enterprise(officer, a, {"name": "常熟市精工轴承股份有限公司"})
    a.refresh_from_db()
    assert a.name == "常熟市精工轴承股份有限公司" and a.region.name == "梅李镇"


def test_an_enterprise_cannot_move_itself(users, enterprises, client):
    a, _b = enterprises
    r = client.patch(
        f"/api/enterprises/{a.uscc}",
        json.dumps({"region": "海虞镇"}),
        content_type="application/json",
        **_bearer(users["enterprise"]),
    )
    assert r.status_code == 403
    a.refresh_from_db()
    assert a.region.name == "梅李镇"
    # the administrator may
    services.update_enterprise(users["admin"], a, {"region": "海虞镇"})
    a.refresh_from_db()
    assert a.region.name == "海虞镇"


def test_the_api_refuses_years_the_web_form_refuses(users, enterprises, client):
    a, _b = enterprises
    late = dt.date.today().year + 2
    r = client.patch(
        f"/api/enterprises/{a.uscc}",
        json.dumps({"years": {str(late): {"revenue": 1}}}),
        content_type="application/json",
        **_bearer(users["admin"]),
    )
    assert r.status_code == 400 and f"年度不能晚于 {late - 1} 年" in r.content.decode()
    assert not AnnualFigures.objects.filter(enterprise=a, year=late).exists()
    # the web form refuses the same year
    c = client
    c.force_login(users["admin"])
    assert c.get(f"/enterprises/{a.uscc}/edit/years/{late}/").status_code == 404


def test_importers_cannot_label_data_as_another_departments(users, enterprises, tmp_path):
    a, _b = enterprises
    data = tmp_path / "a.json"
    data.write_text(json.dumps([{"uscc": a.uscc, "name": a.name, "region": "梅李镇"}]), "utf-8")
    with pytest.raises(PermissionDenied, match="其他部门"):
        services.import_profiles(data, actor=users["department"], department="市统计局")
    with pytest.raises(PermissionDenied, match="其他部门"):
        services.update_enterprise(users["region_officer"], a, {}, department="市税务局")
    # one's own department (or 板块) is fine, and the administrator may name any provider
    batch = services.import_profiles(data, actor=users["region_officer"], department="梅李镇")
    assert batch.status == "succeeded"
    batch = services.import_profiles(data, actor=users["admin"], department="市统计局")
    assert batch.department == "市统计局"


def test_import_reports_scope_and_content_problems_in_one_pass(users, enterprises, tmp_path):
    a, b = enterprises
    data = tmp_path / "mixed.json"
    # enterprise B (another 板块) with a bad value: both problems at once
    data.write_text(
        json.dumps(
            [
                {
                    "uscc": b.uscc,
                    "name": b.name,
                    "region": "海虞镇",
                    "years": {"2024": {"revenue": "很多"}},
                },
                {"uscc": a.uscc, "name": a.name, "region": "梅李镇"},
            ],
            ensure_ascii=False,
        ),
        "utf-8",
    )
    batch = services.import_profiles(data, actor=users["region_officer"])
    texts = " ".join(p["text"] for p in batch.problems)
    assert batch.status == "rejected"
    assert "不属于您所在的板块" in texts and "revenue" in json.dumps(batch.problems)


def test_bank_and_commissioner_read_evaluations_but_create_no_runs(users, enterprises, client):
    from srdi.evaluation.models import EvaluationRun
    from srdi.evaluation.services import evaluate_enterprises

    a, _b = enterprises
    for role in ("partner", "commissioner"):
        with pytest.raises(PermissionDenied):
            evaluate_enterprises(Enterprise.objects.filter(pk=a.pk), user=users[role])
        r = client.post(
            "/api/evaluations",
            json.dumps({"uscc": [a.uscc]}),
            content_type="application/json",
            **_bearer(users[role]),
        )
        assert r.status_code == 200, r.content  # results, not stored
        client.force_login(users[role])
        assert client.post(f"/evaluation/{a.uscc}/").status_code == 403
    assert EvaluationRun.objects.count() == 0
    evaluate_enterprises(Enterprise.objects.filter(pk=a.pk), user=users["region_officer"])
    assert EvaluationRun.objects.count() == 1


def _policy(user, key, department):
    from srdi.policies import services as ps

    raw = {
        "key": key,
        "title": f"{department}奖励",
        "category": "资金奖补",
        "department": department,
        "conditions": [{"id": "rev", "label": "营收", "expr": "y1.revenue >= 1000"}],
        "benefit": {"kind": "fixed", "amount": 30},
    }
    return ps.save_policy(user, raw)


def test_a_department_manages_only_its_own_policies_and_applications(users, enterprises):
    from srdi.policies import services as ps
    from srdi.policies.models import Application

    kjj = users["department"]  # 市科技局
    own = _policy(kjj, "kjj-own", "常熟市科学技术局")
    with pytest.raises(PermissionDenied, match="本部门"):
        _policy(kjj, "kjj-other", "常熟市工业和信息化局")
    other = _policy(users["admin"], "gxj-one", "常熟市工业和信息化局")
    for act in (ps.publish_policy, ps.archive_policy):
        with pytest.raises(PermissionDenied):
            act(kjj, other)
    ps.publish_policy(kjj, own)
    ps.publish_policy(users["admin"], other)
    a, _b = enterprises
    AnnualFigures.objects.update_or_create(
        enterprise=a, year=dt.date.today().year - 1, defaults={"revenue": 10000}
    )
    app = ps.start_application(users["enterprise"], other, a)
    Application.objects.filter(pk=app.pk).update(status="submitted")
    app.refresh_from_db()
    with pytest.raises(PermissionDenied):
        ps.review_application(kjj, app, approve=True, reason="", amount=Decimal(30))


def test_an_approved_amount_above_the_formula_needs_a_recorded_reason(users, enterprises):
    from srdi.audit.models import AuditLog
    from srdi.policies import services as ps
    from srdi.policies.models import Application

    a, _b = enterprises
    AnnualFigures.objects.update_or_create(
        enterprise=a, year=dt.date.today().year - 1, defaults={"revenue": 10000}
    )
    p = _policy(users["admin"], "gxj-amount", "常熟市工业和信息化局")
    ps.publish_policy(users["admin"], p)
    app = ps.start_application(users["enterprise"], p, a)
    assert app.amount_estimated == 30
    Application.objects.filter(pk=app.pk).update(status="submitted")
    app.refresh_from_db()
    with pytest.raises(ValidationError, match="超过按政策公式测算的 30万元"):
        ps.review_application(users["admin"], app, approve=True, reason="", amount=Decimal(45))
    ps.review_application(
        users["admin"], app, approve=True, reason="市政府常务会议追加", amount=Decimal(45)
    )
    app.refresh_from_db()
    assert app.amount_approved == 45
    log = AuditLog.objects.filter(action="policy.application.review").latest("pk")
    assert "市政府常务会议追加" in json.dumps(log.after, ensure_ascii=False)


# ------------------------------------------------------------------ 6. no lost update


def test_etag_and_if_match_on_the_enterprise_api(users, enterprises, client):
    a, _b = enterprises
    h = _bearer(users["admin"])
    r = client.get(f"/api/enterprises/{a.uscc}", **h)
    etag = r["ETag"]
    assert etag.startswith('"') and r.json()["meta"]["version"] == etag.strip('"')
    # someone else changes the revenue meanwhile
    services.update_enterprise(users["region_officer"], a, {"years": {"2024": {"revenue": 11111}}})
    r = client.patch(
        f"/api/enterprises/{a.uscc}",
        json.dumps({"years": {"2024": {"revenue": 9999}}}),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **h,
    )
    assert r.status_code == 412 and r["ETag"] != etag
    assert "已被他人修改" in r.json()["detail"]
    assert AnnualFigures.objects.get(enterprise=a, year=2024).revenue == 11111
    # with the current version it saves, and answers the new version
    r = client.patch(
        f"/api/enterprises/{a.uscc}",
        json.dumps({"years": {"2024": {"revenue": 9999}}}),
        content_type="application/json",
        HTTP_IF_MATCH=r["ETag"],
        **h,
    )
    assert r.status_code == 200 and r["ETag"] not in (etag, "")
    assert AnnualFigures.objects.get(enterprise=a, year=2024).revenue == 9999


def test_a_stale_web_form_is_refused_with_what_changed(users, enterprises, client):
    import re

    a, _b = enterprises
    client.force_login(users["admin"])
    page = client.get(f"/enterprises/{a.uscc}/edit/years/2024/").content.decode()
    form = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    name = "years__2024__revenue"
    assert form[name] in ("10000", "10000.0", "10,000") and form["_version"]
    # another official saves a new revenue meanwhile
    services.update_enterprise(users["region_officer"], a, {"years": {"2024": {"revenue": 12345}}})
    r = client.post(f"/enterprises/{a.uscc}/edit/years/2024/", {**form, name: "10000"})
    html = r.content.decode()
    assert r.status_code == 200 and "其他用户修改了这条记录" in html
    assert "10000 → 12345" in html  # what changed, in Chinese, with the values
    assert AnnualFigures.objects.get(enterprise=a, year=2024).revenue == 12345
    # the re-shown form carries the new version: saving again is a deliberate overwrite
    form2 = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    assert form2["_version"] != form["_version"]
    r = client.post(f"/enterprises/{a.uscc}/edit/years/2024/", {**form2, name: "10000"})
    assert r.status_code == 302
    assert AnnualFigures.objects.get(enterprise=a, year=2024).revenue == 10000
