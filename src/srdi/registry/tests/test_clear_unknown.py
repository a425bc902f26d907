"""Setting a known measurement back to “unknown” (NULL): ``update_enterprise(clear=…)``, the
edit forms (with an explicit confirmation) and the API (explicit null in a PATCH)."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from srdi.audit.models import AuditLog
from srdi.exchange import ProfileErrors
from srdi.registry import services
from srdi.registry.models import AnnualFigures, DataSource, DevelopmentScore, Enterprise

pytestmark = pytest.mark.django_db


def last_audit(uscc):
    return AuditLog.objects.filter(enterprise_uscc=uscc).order_by("-id").first()


@pytest.fixture
def known(enterprises):
    """Enterprise A with known market share, digital level, niche date and a score."""
    a, _b = enterprises
    services.update_enterprise(
        None,
        a,
        {
            "market": {"share_pct": 12.5, "domestic_rank": 3, "leading": True},
            "digital_level": 3,
            "niche_since": "2015-03-01",
            "development_scores": {"2024": 82},
            "years": {"2024": {"rd_expense": 450, "rd_staff": 30}},
        },
    )
    a.refresh_from_db()
    assert a.market_share_pct == Decimal("12.5") and a.digital_level == 3
    return a


# ------------------------------------------------------------------------------ service


def test_clear_sets_null_records_source_and_audit(users, known):
    a = known
    n = AuditLog.objects.count()
    e = services.update_enterprise(
        users["admin"],
        a,
        {},
        clear=[
            "market.share_pct",
            "digital_level",
            "niche_since",
            "years.2024.revenue",
            "development_scores.2024",
        ],
    )
    a.refresh_from_db()
    assert a.market_share_pct is None and a.digital_level is None and a.niche_since is None
    assert a.market_domestic_rank == 3  # not named: unchanged
    y = AnnualFigures.objects.get(enterprise=a, year=2024)
    assert y.revenue is None and y.employees == 260
    assert not DevelopmentScore.objects.filter(enterprise=a, year=2024).exists()
    # changes lists the cleared paths, before → None
    assert e.changes["market.share_pct"] == (Decimal("12.5"), None)
    assert e.changes["years.2024.revenue"][1] is None
    assert set(e.changes) == {
        "market.share_pct",
        "digital_level",
        "niche_since",
        "years.2024.revenue",
        "development_scores.2024",
    }
    # one audit record: who, before → after (null), from where, and a note naming the fields
    assert AuditLog.objects.count() == n + 1
    log = last_audit(a.uscc)
    assert log.actor == users["admin"] and log.action == "update" and log.source == "web"
    assert log.before["market.share_pct"] == 12.5 and log.after["market.share_pct"] is None
    assert log.before["years.2024.revenue"] == 10000 and log.after["years.2024.revenue"] is None
    assert log.before["development_scores.2024"] == 82
    assert log.after["development_scores.2024"] is None
    assert "设为“未知”" in log.note and "细分市场占有率" in log.note
    # the field's data source is the new (web) one
    ds = DataSource.objects.get(pk=a.field_sources["market.share_pct"])
    assert ds.kind == "web" and ds.user == users["admin"] and "未知" in ds.label
    assert y.field_sources["revenue"] == ds.pk
    assert a.field_sources["development_scores.2024"] == ds.pk


def test_clearing_what_is_unknown_changes_nothing(users, enterprises):
    a, _b = enterprises
    n, nds = AuditLog.objects.count(), DataSource.objects.count()
    e = services.update_enterprise(
        users["admin"], a, {}, clear=["market.share_pct", "years.2019.revenue"]
    )
    assert e.changes == {}
    assert AuditLog.objects.count() == n and DataSource.objects.count() == nds
    # no empty year row is created for a year the enterprise does not have
    assert not AnnualFigures.objects.filter(enterprise=a, year=2019).exists()


def test_clear_with_other_changes_in_one_record(users, known):
    a = known
    e = services.update_enterprise(
        users["admin"],
        a,
        {"years": {"2024": {"employees": 270}}},
        clear=["years.2024.main_revenue"],
    )
    y = AnnualFigures.objects.get(enterprise=a, year=2024)
    assert y.employees == 270 and y.main_revenue is None
    assert set(e.changes) == {"years.2024.employees", "years.2024.main_revenue"}
    log = last_audit(a.uscc)
    assert log.after == {"years.2024.employees": 270, "years.2024.main_revenue": None}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("market.leading", "不是测量值"),  # a declaration: "none" is false, not unknown
        ("ip.class1", "不是测量值"),
        ("name", "不是测量值"),  # an attribute
        ("years.2024.equity_financing", "不是测量值"),
        ("market.nothing", "未知字段"),
        ("years.*.revenue", "年度"),
        ("years.24.revenue", "年度"),
        ("development_scores", "年度"),
    ],
)
def test_only_measurements_can_be_cleared(users, known, path, message):
    n = AuditLog.objects.count()
    with pytest.raises(ProfileErrors) as exc:
        services.update_enterprise(users["admin"], known, {}, clear=[path])
    assert any(p.field == path and message in p.message for p in exc.value.problems)
    assert AuditLog.objects.count() == n


def test_value_and_clear_of_the_same_field_is_refused(users, known):
    with pytest.raises(ProfileErrors) as exc:
        services.update_enterprise(
            users["admin"], known, {"market": {"share_pct": 10}}, clear=["market.share_pct"]
        )
    assert "不能同时" in exc.value.problems[0].message
    known.refresh_from_db()
    assert known.market_share_pct == Decimal("12.5")


def test_clear_is_scope_checked_per_section(users, known, make_user, regions):
    from srdi.accounts.roles import Department, Role

    a = known
    n = AuditLog.objects.count()
    # 科技局 (department) writes R&D figures, not revenue
    kjj = users["department"]
    with pytest.raises(PermissionDenied):
        services.update_enterprise(kjj, a, {}, clear=["years.2024.revenue"])
    with pytest.raises(PermissionDenied):
        services.update_enterprise(kjj, a, {}, clear=["market.share_pct"])
    assert AuditLog.objects.count() == n
    services.update_enterprise(kjj, a, {}, clear=["years.2024.rd_expense"])
    assert AnnualFigures.objects.get(enterprise=a, year=2024).rd_expense is None
    assert AnnualFigures.objects.get(enterprise=a, year=2024).revenue == 10000
    # a 板块 officer of another 板块 may not write A at all
    other = make_user("haiyu", Role.REGION_OFFICER, region=regions[1])
    with pytest.raises(PermissionDenied):
        services.update_enterprise(other, a, {}, clear=["market.share_pct"])
    # the statistics bureau may clear revenue
    tjj = make_user("tjj", Role.DEPARTMENT, department=Department.TJJ)
    services.update_enterprise(tjj, a, {}, clear=["years.2024.revenue"])
    assert AnnualFigures.objects.get(enterprise=a, year=2024).revenue is None
    assert last_audit(a.uscc).actor == tjj


def test_explicit_null_measurements():
    data = {
        "digital_level": None,
        "sei_code": None,  # a nullable declaration: null is its value, not "unknown"
        "name": None,
        "market": {"share_pct": None, "leading": None, "domestic_rank": 2},
        "years": {"2024": {"revenue": None, "equity_financing": None, "employees": 3}},
        "development_scores": {"2023": None, "2024": 80},
        "ip": {"class1": None},
    }
    assert sorted(services.explicit_null_measurements(data)) == [
        "development_scores.2023",
        "digital_level",
        "market.share_pct",
        "years.2024.revenue",
    ]
    assert services.explicit_null_measurements([]) == []


def test_imports_never_clear(known, tmp_path):
    """An import keeps “absent / null = unchanged”: a null in a file does not clear."""
    a = known
    f = tmp_path / "x.json"
    f.write_text(
        json.dumps([{"uscc": a.uscc, "name": a.name, "market": {"share_pct": None}}]),
        encoding="utf-8",
    )
    services.import_profiles(str(f), actor=None)
    assert Enterprise.objects.get(pk=a.pk).market_share_pct == Decimal("12.5")


# ------------------------------------------------------------------------------ edit forms


def form_data(client, url) -> dict:
    """What the browser would post back unchanged: the form's current values."""
    r = client.get(url)
    assert r.status_code == 200
    form = r.context["form"]
    out = {}
    for name in form.fields:
        v = form[name].value()
        if v is True:
            out[name] = "on"
        elif v in (None, False, ""):
            continue
        elif hasattr(v, "isoformat"):
            out[name] = v.isoformat()
        else:
            out[name] = str(v)
    return out


def test_year_form_clears_after_confirmation(users, known, client, login):
    a = known
    c = login(users["admin"])
    url = f"/enterprises/{a.uscc}/edit/years/2024/"
    data = form_data(c, url)
    assert data["years__2024__revenue"] == "10000"
    data["years__2024__revenue"] = ""
    n = AuditLog.objects.count()
    # 1. without the confirmation: nothing is saved, the page says why and asks
    r = c.post(url, data)
    assert r.status_code == 200
    html = r.content.decode()
    assert "您清空了已有的数值" in html and "未保存任何内容" in html
    assert "确认将以下数值改为“未知”：2024年营业收入" in html
    assert 'name="confirm_clear"' in html and 'value="years.2024.revenue"' in html
    assert AnnualFigures.objects.get(enterprise=a, year=2024).revenue == 10000
    assert AuditLog.objects.count() == n
    # 2. confirmed: cleared, audited, said so
    r = c.post(url, {**data, "confirm_clear": "1", "clear_paths": "years.2024.revenue"})
    assert r.status_code == 302, r.content.decode()[:2000]
    y = AnnualFigures.objects.get(enterprise=a, year=2024)
    assert y.revenue is None and y.employees == 260 and y.main_revenue == 9000
    log = last_audit(a.uscc)
    assert log.actor == users["admin"] and log.source == "web"
    assert log.before == {"years.2024.revenue": 10000}
    assert log.after == {"years.2024.revenue": None}
    html = c.get(r["Location"]).content.decode()
    assert "以下数值已改为“未知”：2024年营业收入" in html


def test_confirmation_covers_only_the_listed_fields(users, known, login):
    a = known
    c = login(users["admin"])
    url = f"/enterprises/{a.uscc}/edit/years/2024/"
    data = form_data(c, url)
    data["years__2024__revenue"] = ""
    data["years__2024__employees"] = ""
    # confirmed for revenue only, but employees was emptied too: asked again
    r = c.post(url, {**data, "confirm_clear": "1", "clear_paths": "years.2024.revenue"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "请重新确认" in html and "2024年从业人员" in html
    y = AnnualFigures.objects.get(enterprise=a, year=2024)
    assert y.revenue == 10000 and y.employees == 260
    r = c.post(
        url,
        {
            **data,
            "confirm_clear": "1",
            "clear_paths": "years.2024.employees,years.2024.revenue",
        },
    )
    assert r.status_code == 302
    y.refresh_from_db()
    assert y.revenue is None and y.employees is None


def test_market_and_basic_sections(users, known, login):
    a = known
    c = login(users["admin"])
    url = f"/enterprises/{a.uscc}/edit/market/"
    data = form_data(c, url)
    assert data["market__share_pct"] == "12.5" and data["market__leading"] == "on"
    data["market__share_pct"] = ""
    del data["market__leading"]  # a declaration: unticked means “no”, no confirmation
    r = c.post(url, data)
    assert r.status_code == 200
    assert "确认将以下数值改为“未知”：细分市场占有率<" in r.content.decode()
    a.refresh_from_db()
    assert a.market_share_pct == Decimal("12.5") and a.market_leading is True
    r = c.post(url, {**data, "confirm_clear": "1", "clear_paths": "market.share_pct"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.market_share_pct is None and a.market_leading is False
    assert a.market_domestic_rank == 3
    assert last_audit(a.uscc).after == {"market.share_pct": None, "market.leading": False}

    # basic: a measurement (digital level) after confirmation; an attribute is not emptied
    url = f"/enterprises/{a.uscc}/edit/basic/"
    data = form_data(c, url)
    data["digital_level"] = ""
    data["niche_since"] = ""
    r = c.post(url, data)
    assert "改为“未知”：数字化水平等级、从事特定细分市场起始日期<" in r.content.decode()
    r = c.post(url, {**data, "confirm_clear": "1", "clear_paths": "digital_level,niche_since"})
    assert r.status_code == 302, r.content.decode()[:3000]
    a.refresh_from_db()
    assert a.digital_level is None and a.niche_since is None
    services.update_enterprise(None, a, {"established": "2001-05-01"})
    data = form_data(c, url)
    data["established"] = ""
    r = c.post(url, {**data, "confirm_clear": "1", "clear_paths": ""})
    assert r.status_code == 200 and "成立日期已有内容，不能清空" in r.content.decode()
    a.refresh_from_db()
    assert a.established is not None


def test_emptied_declaration_means_none_without_confirmation(users, known, login):
    a = known
    services.update_enterprise(None, a, {"ip": {"class1": 5, "class2": 2}})
    c = login(users["admin"])
    url = f"/enterprises/{a.uscc}/edit/ip/"
    data = form_data(c, url)
    assert data["ip__class1"] == "5"
    data["ip__class1"] = ""
    r = c.post(url, data)
    assert r.status_code == 302, r.content.decode()[:3000]
    a.refresh_from_db()
    assert a.ip_class1 == 0 and a.ip_class2 == 2


def test_forms_refuse_clearing_across_scope(users, known, make_user, regions, login):
    from srdi.accounts.roles import Role

    a = known
    n = AuditLog.objects.count()
    year_url = f"/enterprises/{a.uscc}/edit/years/2024/"
    post = {"years__2024__revenue": "", "confirm_clear": "1", "clear_paths": "years.2024.revenue"}
    # a 板块 officer of another 板块: A does not exist for them
    c = login(make_user("haiyu", Role.REGION_OFFICER, region=regions[1]))
    assert c.get(year_url).status_code == 404
    assert c.post(year_url, post).status_code == 404
    assert c.post(f"/enterprises/{a.uscc}/edit/market/", {}).status_code == 404
    # 科技局 may edit R&D figures of 2024 but not revenue: the field is refused (403)
    c = login(users["department"])
    assert c.post(year_url, post).status_code == 403
    # the enterprise user may not write its compliance records
    c = login(users["enterprise"])
    r = c.post(
        f"/enterprises/{a.uscc}/edit/market/",
        {"market__share_pct": "", "compliance__abnormal_list": "", "confirm_clear": "1"},
    )
    assert r.status_code == 403
    assert AuditLog.objects.count() == n
    assert AnnualFigures.objects.get(enterprise=a, year=2024).revenue == 10000
    a.refresh_from_db()
    assert a.market_share_pct == Decimal("12.5")
    # …but its own figures, after confirmation
    data = form_data(c, year_url)
    data["years__2024__revenue"] = ""
    r = c.post(year_url, {**data, "confirm_clear": "1", "clear_paths": "years.2024.revenue"})
    assert r.status_code == 302
    assert AnnualFigures.objects.get(enterprise=a, year=2024).revenue is None
    assert last_audit(a.uscc).actor == users["enterprise"]


def _recognition_post(scores: list[tuple[str, str, bool]]) -> dict:
    data = {}
    for k in ("awards", "maker_china", "honors", "titles"):
        data[f"{k}-TOTAL_FORMS"] = "0"
        data[f"{k}-INITIAL_FORMS"] = "0"
    data["scores-TOTAL_FORMS"] = str(len(scores))
    data["scores-INITIAL_FORMS"] = str(len(scores))
    for i, (year, score, delete) in enumerate(scores):
        data[f"scores-{i}-year"] = year
        data[f"scores-{i}-score"] = score
        if delete:
            data[f"scores-{i}-DELETE"] = "on"
    return data


def test_recognition_page_keeps_unchanged_items(users, known, login):
    """Saving the page with existing items left as they are keeps them (and their scores)."""
    a = known
    services.update_enterprise(
        None,
        a,
        {
            "awards": [{"level": "provincial", "year": 2023, "rank": 2}],
            "honors": [{"type": "high_tech"}],
        },
    )
    c = login(users["admin"])
    url = f"/enterprises/{a.uscc}/edit/recognition/"
    data = _recognition_post([("2024", "82", False)])
    data.update(
        {
            "awards-TOTAL_FORMS": "2",
            "awards-INITIAL_FORMS": "1",
            "awards-0-level": "provincial",
            "awards-0-year": "2023",
            "awards-0-rank": "2",
            "awards-1-level": "national",  # a new one in the blank row
            "awards-1-year": "2024",
            "honors-TOTAL_FORMS": "2",
            "honors-INITIAL_FORMS": "1",
            "honors-0-type": "high_tech",
        }
    )
    r = c.post(url, data)
    assert r.status_code == 302, r.content.decode()[-3000:]
    assert sorted(a.awards.values_list("level", "year")) == [
        ("national", 2024),
        ("provincial", 2023),
    ]
    assert list(a.honors.values_list("type", flat=True)) == ["high_tech"]
    assert a.development_scores.get().score == 82
    log = last_audit(a.uscc)
    assert set(log.after) == {"awards"}


def test_recognition_page_keeps_and_clears_scores(users, known, login):
    a = known
    services.update_enterprise(None, a, {"development_scores": {"2023": 75}})
    c = login(users["admin"])
    url = f"/enterprises/{a.uscc}/edit/recognition/"
    # unchanged scores do not block saving the page (an award is added)
    data = _recognition_post([("2023", "75", False), ("2024", "82", False)])
    data.update(
        {"awards-TOTAL_FORMS": "1", "awards-0-level": "provincial", "awards-0-year": "2024"}
    )
    r = c.post(url, data)
    assert r.status_code == 302, r.content.decode()[-3000:]
    assert a.awards.count() == 1
    assert set(a.development_scores.values_list("year", flat=True)) == {2023, 2024}
    # deleting the 2024 score asks first
    data = _recognition_post([("2023", "75", False), ("2024", "82", True)])
    data.update({"awards-TOTAL_FORMS": "1", "awards-INITIAL_FORMS": "1"})
    data.update({"awards-0-level": "provincial", "awards-0-year": "2024"})
    n = AuditLog.objects.count()
    r = c.post(url, data)
    assert r.status_code == 200
    html = r.content.decode()
    assert "未保存任何内容" in html and "改为“未知”：2024年专精特新发展评价得分<" in html
    assert a.development_scores.filter(year=2024).exists() and AuditLog.objects.count() == n
    r = c.post(url, {**data, "confirm_clear": "1", "clear_paths": "development_scores.2024"})
    assert r.status_code == 302
    assert list(a.development_scores.values_list("year", flat=True)) == [2023]
    log = last_audit(a.uscc)
    assert log.before == {"development_scores.2024": 82}
    assert log.after == {"development_scores.2024": None}


# ------------------------------------------------------------------------------ API


def patch(c, uscc, data):
    body = json.dumps(data, ensure_ascii=False)
    return c.patch(f"/api/enterprises/{uscc}", body, content_type="application/json")


def test_api_explicit_null_clears_a_measurement(users, known, login):
    a = known
    c = login(users["admin"])
    r = patch(
        c,
        a.uscc,
        {
            "market": {"share_pct": None, "leading": None},  # leading: a declaration, unchanged
            "years": {"2024": {"revenue": None, "employees": 300}, "2019": {"revenue": None}},
            "development_scores": {"2024": None},
            "established": None,  # an attribute: null = unchanged
        },
    )
    assert r.status_code == 200, r.content.decode()
    profile = r.json()["profile"]
    assert "share_pct" not in profile["market"] and profile["market"]["leading"] is True
    assert (
        "revenue" not in profile["years"]["2024"] and profile["years"]["2024"]["employees"] == 300
    )
    assert "2019" not in profile["years"]  # no empty year created
    assert "2024" not in (profile.get("development_scores") or {})
    a.refresh_from_db()
    assert a.market_share_pct is None and a.market_leading is True
    log = last_audit(a.uscc)
    assert log.source == "api" and log.actor == users["admin"]
    assert log.before == {
        "market.share_pct": 12.5,
        "years.2024.revenue": 10000,
        "years.2024.employees": 260,
        "development_scores.2024": 82,
    }
    assert log.after == {
        "market.share_pct": None,
        "years.2024.revenue": None,
        "years.2024.employees": 300,
        "development_scores.2024": None,
    }
    # the field's source: this API change
    ds = DataSource.objects.get(pk=r.json()["meta"]["field_sources"]["market.share_pct"])
    assert ds.kind == "api" and ds.user == users["admin"]
    # the same PATCH again changes nothing
    n = AuditLog.objects.count()
    assert patch(c, a.uscc, {"market": {"share_pct": None}}).status_code == 200
    assert AuditLog.objects.count() == n


def test_api_clearing_across_scope(users, known, make_user, regions, login):
    from srdi.accounts.roles import Role

    a = known
    n = AuditLog.objects.count()
    body = {"years": {"2024": {"revenue": None}}}
    c = login(make_user("haiyu", Role.REGION_OFFICER, region=regions[1]))
    assert patch(c, a.uscc, body).status_code == 404
    c = login(users["department"])  # 科技局: not revenue
    r = patch(c, a.uscc, body)
    assert r.status_code == 403 and r.json()["detail"]
    c = login(users["commissioner"])  # reads A, writes nothing
    assert patch(c, a.uscc, {"market": {"share_pct": None}}).status_code == 403
    assert AuditLog.objects.count() == n
    assert AnnualFigures.objects.get(enterprise=a, year=2024).revenue == 10000
    # 科技局 may clear R&D expense
    r = patch(login(users["department"]), a.uscc, {"years": {"2024": {"rd_expense": None}}})
    assert r.status_code == 200
    assert AnnualFigures.objects.get(enterprise=a, year=2024).rd_expense is None


def test_api_bad_clear_is_a_400(users, known, login):
    c = login(users["admin"])
    r = patch(c, known.uscc, {"development_scores": {"20x4": None}})
    assert r.status_code == 400
    assert any(e["field"].startswith("development_scores") for e in r.json()["errors"])


def test_openapi_documents_null_as_unknown(users, login):
    c = login(users["admin"])
    spec = c.get("/api/openapi.json").json()
    op = next(
        ops["patch"]
        for path, ops in spec["paths"].items()
        if "patch" in ops and "enterprises" in path
    )
    assert "显式 null" in op["description"] and "未知" in op["description"]
    examples = op["requestBody"]["content"]["application/json"]["examples"]
    assert examples["unknown"]["value"]["market"] == {"share_pct": None}
