import pytest

from srdi.audit.models import AuditLog
from srdi.audit.services import diff, record

pytestmark = pytest.mark.django_db


def test_record_keeps_who_what_before_after(users, enterprises):
    a, _ = enterprises
    before, after = diff({"name": "旧名", "x": 1}, {"name": "新名", "x": 1})
    e = record(
        actor=users["admin"],
        action="update",
        obj=a,
        before=before,
        after=after,
        source="web",
        ip="10.0.0.1",
    )
    assert e.actor_label == "gxj"
    assert e.enterprise_uscc == a.uscc
    assert e.before == {"name": "旧名"} and e.after == {"name": "新名"}


def test_only_administrators_browse_the_log(client, users, enterprises):
    record(actor=users["admin"], action="update", obj=enterprises[0], after={"name": "x"})
    for role in ("department", "region_officer", "commissioner", "enterprise", "partner"):
        client.force_login(users[role])
        assert client.get("/audit/").status_code == 403, role
    client.force_login(users["admin"])
    r = client.get("/audit/", {"q": enterprises[0].uscc})
    assert r.status_code == 200 and enterprises[0].name in r.content.decode()
    assert AuditLog.objects.count() == 1


def test_log_names_object_types_in_chinese(client, users, enterprises):
    from srdi.registry.models import Enterprise

    record(actor=users["admin"], action="update", obj=enterprises[0], after={"name": "x"})
    entry = AuditLog.objects.get()
    assert entry.object_type == "registry.enterprise"
    assert entry.object_type_label == str(Enterprise._meta.verbose_name)
    assert AuditLog(object_type="gone.model").object_type_label == "gone.model"
    client.force_login(users["admin"])
    html = client.get("/audit/").content.decode()
    assert f">{Enterprise._meta.verbose_name} {enterprises[0].uscc}<" in html


def test_decimals_are_logged_in_plain_notation():
    from decimal import Decimal

    from srdi.audit.services import jsonable

    assert jsonable({"a": Decimal("10000"), "b": Decimal("12.50"), "c": Decimal("0.0001")}) == {
        "a": "10000",
        "b": "12.5",
        "c": "0.0001",
    }


def test_log_filters_by_address_and_survives_bad_dates(client, users, enterprises):
    record(actor=users["admin"], action="update", obj=enterprises[0], after={"a": 1}, ip="10.0.0.7")
    record(actor=users["admin"], action="update", obj=enterprises[1], after={"a": 2}, ip="10.0.0.8")
    client.force_login(users["admin"])
    html = client.get("/audit/", {"ip": "10.0.0.7"}).content.decode()
    assert enterprises[0].name in html and enterprises[1].name not in html
    assert client.get("/audit/", {"ip": "not-an-ip"}).status_code == 200
    r = client.get("/audit/", {"since": "2026-13-45", "until": "yesterday"})
    assert r.status_code == 200 and enterprises[1].name in r.content.decode()
