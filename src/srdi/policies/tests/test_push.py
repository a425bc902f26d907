"""Targeted push: publishing or a data change notifies exactly the new matches, once; mutes;
e-mail through a real local SMTP server (aiosmtpd)."""

import datetime as dt
import socket
import time

import pytest
from django.core import mail

from srdi.core.models import Notification
from srdi.policies import services
from srdi.policies.models import CategoryMute, Policy, PolicyMatch, PushRecord

RAW = {
    "key": "big-revenue",
    "title": "营收过亿企业奖励",
    "category": "资金奖补",
    "status": "verified",
    "conditions": [
        {"id": "rev", "label": "上年营业收入不低于5000万元", "expr": "y1.revenue >= 5000"}
    ],
    "benefit": {"kind": "fixed", "amount": 30},
}


@pytest.fixture
def year_figures(enterprises):
    """Figures of last year (y1 relative to today) for both enterprises: A 10000, B 2000."""
    from srdi.registry.models import AnnualFigures

    y = dt.date.today().year - 1
    a, b = enterprises
    AnnualFigures.objects.update_or_create(enterprise=a, year=y, defaults={"revenue": 10000})
    AnnualFigures.objects.update_or_create(enterprise=b, year=y, defaults={"revenue": 2000})
    return a, b


def _notes(ent):
    return Notification.objects.filter(kind="policy_match", enterprise_uscc=ent.uscc)


def test_publish_notifies_exactly_the_new_matches_once(users, year_figures):
    a, b = year_figures
    admin = users["admin"]
    p = services.save_policy(admin, RAW)
    newly = services.publish_policy(admin, p)
    assert [e.pk for e in newly] == [a.pk]
    # enterprise A's user and its commissioner; nobody of B
    assert {n.user.username for n in _notes(a)} == {"jinggong", "zhuanyuan"}
    assert not _notes(b).exists()
    assert PolicyMatch.objects.get(policy=p, enterprise=a).status == "eligible"
    # publishing again (same version) or re-matching does not notify twice
    services.publish_policy(admin, p)
    services.rematch_all()
    assert _notes(a).count() == 2
    # a new version that widens the condition notifies only the newly matching B
    raw2 = {
        **RAW,
        "conditions": [
            {"id": "rev", "label": "上年营业收入不低于1000万元", "expr": "y1.revenue >= 1000"}
        ],
    }
    services.save_policy(admin, raw2, p)
    newly = services.publish_policy(admin, Policy.objects.get(pk=p.pk))
    assert [e.pk for e in newly] == [b.pk]
    assert _notes(a).count() == 2
    assert PushRecord.objects.filter(policy=p).count() == 2


def test_data_change_pushes_new_match(users, year_figures, django_capture_on_commit_callbacks):
    from srdi.registry.models import AnnualFigures

    a, b = year_figures
    services.publish_policy(users["admin"], services.save_policy(users["admin"], RAW))
    assert not _notes(b).exists()
    y = dt.date.today().year - 1
    with django_capture_on_commit_callbacks(execute=True):
        f = AnnualFigures.objects.get(enterprise=b, year=y)
        f.revenue = 6000
        f.save()
    assert PolicyMatch.objects.get(enterprise=b).status == "eligible"
    assert PushRecord.objects.get(enterprise=b).trigger == "data_change"
    # saving again changes nothing: no duplicate
    with django_capture_on_commit_callbacks(execute=True):
        f.save()
    assert PushRecord.objects.filter(enterprise=b).count() == 1
    # enterprise B has no users and no commissioner yet: nothing in anyone's inbox, but recorded
    assert not _notes(b).exists()


def test_muted_category_is_not_pushed(users, year_figures):
    a, _b = year_figures
    services.set_mutes(users["enterprise"], a, ["资金奖补"])
    assert CategoryMute.objects.filter(enterprise=a).count() == 1
    services.publish_policy(users["admin"], services.save_policy(users["admin"], RAW))
    assert not _notes(a).exists()
    assert PolicyMatch.objects.get(enterprise=a).status == "eligible"  # still matched, just quiet


def test_enterprise_cannot_mute_for_another(users, year_figures):
    from django.core.exceptions import PermissionDenied

    _a, b = year_figures
    with pytest.raises(PermissionDenied):
        services.set_mutes(users["enterprise"], b, ["人才"])


def test_officials_see_who_was_notified_and_who_read(users, year_figures):
    from srdi.core.notifications import mark_read
    from srdi.policies.selectors import push_log

    a, _b = year_figures
    p = services.save_policy(users["admin"], RAW)
    services.publish_policy(users["admin"], p)
    n = _notes(a).get(user=users["enterprise"])
    mark_read(users["enterprise"], n.pk)
    (row,) = push_log(users["admin"], p)
    assert {u.username for u in row["notified"]} == {"jinggong", "zhuanyuan"}
    assert [u.username for u in row["read"]] == ["jinggong"]
    assert push_log(users["region_officer"], p)  # A is in 梅李镇
    assert not push_log(users["partner_unshared"], p)


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def smtp_sink(settings):
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.messages.append(envelope)
            return "250 OK"

    handler = Sink()
    port = _free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    ctl.stop()


def test_publish_in_web_ui_notifies_inbox_and_smtp(users, year_figures, login, smtp_sink):
    a, b = year_figures
    users["enterprise"].email = "jinggong@example.com"
    users["enterprise"].save()
    users["commissioner"].email = "zhuanyuan@example.com"
    users["commissioner"].save()
    from srdi.accounts.models import User
    from srdi.accounts.roles import Role

    User.objects.create_user(
        "hengrun",
        password="x-Secret-123",
        role=Role.ENTERPRISE,
        enterprise=b,
        email="hengrun@example.com",
    )
    c = login(users["admin"])
    form = {
        "key": "big-revenue",
        "title": "营收过亿企业奖励",
        "category": "资金奖补",
        "status": "verified",
        "reference": "today",
        "conditions": "上年营业收入不低于5000万元 | y1.revenue >= 5000",
        "benefit_kind": "fixed",
        "amount": "30",
    }
    r = c.post("/policies/new/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    p = Policy.objects.get(key="big-revenue")
    r = c.get(f"/policies/{p.pk}/preview/")  # a job with a progress bar, then the result page
    from srdi.core.models import Job

    job = Job.objects.get(kind="policy_preview")
    assert r.url == f"/jobs/{job.pk}/" and job.status == "done"
    nxt = c.get(f"/jobs/{job.pk}.json").json()["next"]
    r = c.get(nxt)
    assert "该政策将匹配 1 家企业" in r.content.decode()
    assert a.name in r.content.decode() and b.name not in r.content.decode()
    assert not Notification.objects.exists()  # preview sends nothing
    r = c.post(f"/policies/{p.pk}/publish/")
    assert r.status_code == 302
    assert {n.user.username for n in Notification.objects.filter(kind="policy_match")} == {
        "jinggong",
        "zhuanyuan",
    }
    for _ in range(50):
        if len(smtp_sink.messages) >= 2:
            break
        time.sleep(0.05)
    rcpts = sorted(r for m in smtp_sink.messages for r in m.rcpt_tos)
    assert rcpts == ["jinggong@example.com", "zhuanyuan@example.com"]
    import email
    from email.header import decode_header, make_header

    msg = email.message_from_bytes(smtp_sink.messages[0].content)
    assert "营收过亿企业奖励" in str(make_header(decode_header(msg["Subject"])))
    assert a.name in msg.get_payload(decode=True).decode("utf-8")
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2
    # publishing again: no new mail
    c.post(f"/policies/{p.pk}/publish/")
    time.sleep(0.2)
    assert len(smtp_sink.messages) == 2
    assert not mail.outbox


def test_bulk_data_change_uses_the_columnar_job(users, year_figures, monkeypatch):
    from srdi.policies import services as svc

    a, b = year_figures
    services.publish_policy(users["admin"], services.save_policy(users["admin"], RAW))
    monkeypatch.setattr(svc, "BULK_REMATCH", 1)
    y = dt.date.today().year - 1
    from srdi.registry.models import AnnualFigures

    AnnualFigures.objects.filter(enterprise=b, year=y).update(revenue=7000)
    assert svc.rematch_enterprises([a.pk, b.pk]) == {}
    assert PushRecord.objects.get(enterprise=b).trigger == "data_change"
    assert PushRecord.objects.filter(enterprise=a).count() == 1  # A was already matched


def test_import_pushes_new_matches(
    users, year_figures, tmp_path, django_capture_on_commit_callbacks
):
    """An import (a bulk write, no per-row post_save) still turns new matches into notices."""
    import json

    from srdi.registry.services import import_profiles

    a, b = year_figures
    b.commissioners.add(users["commissioner"])
    services.publish_policy(users["admin"], services.save_policy(users["admin"], RAW))
    assert not _notes(b).exists()
    y = str(dt.date.today().year - 1)
    f = tmp_path / "b.json"
    f.write_text(
        json.dumps([{"uscc": b.uscc, "name": b.name, "years": {y: {"revenue": 8000}}}]),
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_profiles(f, actor=users["admin"])
    assert batch.updated == 1
    assert PushRecord.objects.get(enterprise=b).trigger == "data_change"
    assert [n.user.username for n in _notes(b)] == ["zhuanyuan"]
    # importing the same file again changes nothing and notifies nobody again
    with django_capture_on_commit_callbacks(execute=True):
        again = import_profiles(f, actor=users["admin"])
    assert again.updated == 0 and _notes(b).count() == 1
