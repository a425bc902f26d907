"""Issue 10 item 11: Django admin edits (consents included) in the platform's audit log with the
client address; audit retention of at least 180 days enforced by `srdi purge_audit`."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from srdi.accounts.models import LoginAttempt
from srdi.audit.models import AuditLog
from srdi.registry.models import DataShare

pytestmark = pytest.mark.django_db

ADDR = "10.20.30.40"


@pytest.fixture
def root(make_user):
    return make_user("root", "admin", is_staff=True, is_superuser=True)


def test_a_consent_granted_changed_and_revoked_in_the_admin_is_audited(client, root, enterprises):
    a, _b = enterprises
    client.force_login(root)
    r = client.post(
        "/admin/registry/datashare/add/",
        {
            "enterprise": a.pk,
            "organization": "常熟某银行",
            "purpose": "融资对接",
            "granted_at_0": "2026-01-05",
            "granted_at_1": "09:00:00",
        },
        REMOTE_ADDR=ADDR,
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    share = DataShare.objects.get(organization="常熟某银行")
    created = AuditLog.objects.get(action="create", object_type="registry.datashare")
    assert created.actor == root and created.ip == ADDR and created.source == "admin"
    assert created.enterprise_uscc == a.uscc and created.after["organization"] == "常熟某银行"

    r = client.post(
        f"/admin/registry/datashare/{share.pk}/change/",
        {
            "enterprise": a.pk,
            "organization": "常熟某银行",
            "purpose": "融资对接",
            "granted_at_0": "2026-01-05",
            "granted_at_1": "09:00:00",
            "revoked_at_0": "2026-03-01",
            "revoked_at_1": "10:00:00",
        },
        REMOTE_ADDR=ADDR,
    )
    assert r.status_code == 302
    revoked = AuditLog.objects.get(action="update", object_type="registry.datashare")
    assert revoked.before == {"revoked_at": None} and revoked.after["revoked_at"].startswith(
        "2026-03-01"
    )
    assert revoked.ip == ADDR

    r = client.post(
        f"/admin/registry/datashare/{share.pk}/delete/", {"post": "yes"}, REMOTE_ADDR=ADDR
    )
    assert r.status_code == 302
    deleted = AuditLog.objects.get(action="delete", object_type="registry.datashare")
    assert deleted.before["organization"] == "常熟某银行" and deleted.actor == root


def test_a_user_edited_in_the_admin_is_audited_without_the_password_hash(client, root, make_user):
    user = make_user("zhang", "commissioner")
    client.force_login(root)
    r = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "New-Secret-2026", "password2": "New-Secret-2026"},
        REMOTE_ADDR=ADDR,
    )
    assert r.status_code == 302
    log = AuditLog.objects.get(action="update", object_type="accounts.user", object_id=str(user.pk))
    assert log.after == {"password": "（已修改）"} and log.before == {"password": "******"}
    assert "pbkdf2" not in str(log.before) + str(log.after)
    assert "md5" not in str(log.before) + str(log.after)
    assert log.ip == ADDR and log.actor == root


def test_saves_outside_the_admin_are_left_to_the_services(root, enterprises):
    n = AuditLog.objects.count()
    DataShare.objects.create(enterprise=enterprises[0], organization="某高校")
    assert AuditLog.objects.count() == n


def test_purge_audit_refuses_less_than_180_days(settings):
    with pytest.raises(CommandError) as exc:
        call_command("purge_audit", days=90)
    assert exc.value.returncode == 2 and "180" in str(exc.value)
    settings.SRDI_AUDIT_DAYS = 30  # a configured shorter period is refused too
    with pytest.raises(CommandError):
        call_command("purge_audit")


@override_settings(SRDI_AUDIT_DAYS=365)
def test_purge_audit_keeps_the_retention_period():
    now = timezone.now()
    old = AuditLog.objects.create(action="update", object_type="x", at=now - dt.timedelta(days=400))
    kept = AuditLog.objects.create(
        action="update", object_type="x", at=now - dt.timedelta(days=200)
    )
    LoginAttempt.objects.create(username="a", account="a", at=now - dt.timedelta(days=400))
    LoginAttempt.objects.create(username="b", account="b", at=now - dt.timedelta(days=10))
    out = io.StringIO()
    call_command("purge_audit", dry_run=True, stdout=out)
    assert "将删除 1 条审计日志、1 条登录记录" in out.getvalue()
    assert AuditLog.objects.filter(pk=old.pk).exists()
    call_command("purge_audit", stdout=io.StringIO())
    assert not AuditLog.objects.filter(pk=old.pk).exists()
    assert AuditLog.objects.filter(pk=kept.pk).exists()
    assert list(LoginAttempt.objects.values_list("username", flat=True)) == ["b"]
    purge = AuditLog.objects.get(action="audit.purge")
    assert purge.after == {"days": 365, "audit": 1, "logins": 1}
    call_command("purge_audit", days=180, stdout=io.StringIO())
    assert not AuditLog.objects.filter(pk=kept.pk).exists()


def test_a_background_import_records_the_uploaders_address(users, regions, settings, tmp_path):
    """The import runs later in a worker thread: its audit records still carry the address of
    the request that uploaded the file."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from srdi.registry.tasks import run_import
    from srdi.registry.views_io import new_batch

    settings.MEDIA_ROOT = tmp_path
    doc = [{"uscc": "91320581MA1MX0YH4C", "name": "常熟市新导入有限公司", "region": "梅李镇"}]
    upload = SimpleUploadedFile("导入.json", json.dumps(doc, ensure_ascii=False).encode())
    batch = new_batch(
        upload, actor=users["admin"], department="", mode="all", original_name="导入.json"
    )
    run_import.call_local(batch.pk, None, users["admin"].pk, ip=ADDR)
    log = AuditLog.objects.get(action="create", object_type="registry.enterprise")
    assert log.ip == ADDR and log.source == "import" and log.actor == users["admin"]
