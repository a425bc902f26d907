import datetime as dt
import io
import json
from fractions import Fraction

from django.core.management import call_command

from srdi.core import measures
from srdi.cultivation.selectors import CITY
from srdi.support import selectors, services, workdays


def test_registered_measures(users, titled):
    m = measures.measure("support.commissioners", dt.date(2026, 12, 1), CITY)
    assert m.actual == 1 and [u.username for u in m.items] == ["zhuanyuan"]
    r = measures.measure("support.commissioner_ratio", dt.date(2026, 12, 1), CITY)
    assert r.actual == Fraction(2, 1)  # two titled enterprises, one commissioner among them


def test_request_measures_per_department(users, more, req):
    r1, r2 = req
    services.transition(users["department"], r1, "accept")
    services.transition(users["department"], r1, "close", "已办结")
    services.transition(users["enterprise"], r1, "rate", "好", rating=4)
    rows = {r["key"]: r for r in selectors.request_measures(
        selectors.scopes.visible_requests(users["admin"]), r1.filed_on, "department")}  # fmt: skip
    assert rows["kjj"]["received"] == 1 and rows["kjj"]["ontime_pct"] == 100.0
    assert rows["kjj"]["satisfaction"] == 4 and rows["kjj"]["median_accept"] == 0
    assert rows["jrj"]["closed"] == 0 and rows["jrj"]["ontime_pct"] is None
    later = workdays.add(r2.close_due, 2)
    rows = {r["key"]: r for r in selectors.request_measures(
        selectors.scopes.visible_requests(users["admin"]), later, "department")}  # fmt: skip
    assert rows["jrj"]["overdue"] == 1


def test_requests_cli_overdue_json(users, req, monkeypatch):
    r1, r2 = req
    from django.utils import timezone

    day = workdays.add(r1.close_due, 4)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)
    out = io.StringIO()
    call_command("requests", "--overdue", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())["results"]
    assert {r["id"] for r in rows} == {r1.pk, r2.pk}
    assert set(rows[0]) == {
        "id",
        "enterprise",
        "department",
        "state",
        "due",
        "working_days_overdue",
    }
    assert rows[0]["working_days_overdue"] == 4
    out = io.StringIO()
    call_command("requests", "--department", "jrj", "--format", "json", stdout=out)
    assert [r["id"] for r in json.loads(out.getvalue())["results"]] == [r2.pk]


def test_measures_page_has_charts(users, req, login):
    res = login(users["admin"]).get("/support/measures/")
    assert res.status_code == 200
    body = res.content.decode()
    assert "support-charts" in body and "市科技局" in body


def test_request_measures_for_targets_and_bulletin(users, req):
    r1, r2 = req
    services.transition(users["department"], r1, "accept")
    services.transition(users["department"], r1, "close", "已办结")
    day = workdays.add(r2.close_due, 1)
    on_time = measures.measure("support.requests_on_time", day, CITY)
    assert on_time.actual == 100
    overdue = measures.measure("support.requests_overdue", day, CITY)
    assert overdue.actual == 1 and [r.pk for r in overdue.items] == [r2.pk]


def test_the_monthly_bulletin_reports_requests_by_department(users, req):
    from srdi.cultivation import bulletin

    r1, r2 = req
    services.transition(users["department"], r1, "accept")
    services.transition(users["department"], r1, "close", "已办结")
    month = r1.filed_on.strftime("%Y-%m")
    (sec,) = [x for x in bulletin.data(month)["extra"] if x["title"].startswith("服务体系")]
    assert "本月企业提交诉求 2 件，已办结 1 件" in sec["paragraphs"][0]
    rows = {r[0]: r for r in sec["rows"]}
    assert rows["市科技局"][1] == "1" and rows["市科技局"][4] == "100.0%"
    assert set(rows) == {"市科技局", services.department_label(r2.department)}
    docx = bulletin.to_docx(bulletin.data(month))  # the section reaches the DOCX too
    assert docx[:2] == b"PK"
