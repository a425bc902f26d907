"""Issue 10 item 2: login throttling that cannot be turned against users.

Failures count per (account, client address) and per address across accounts (higher limit);
/admin/login/ goes through the same throttle; the client address comes only from a trusted
proxy's X-Forwarded-For; failures and locks are audited and shown to administrators.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from srdi.accounts.models import LoginAttempt
from srdi.audit.models import AuditLog

pytestmark = pytest.mark.django_db

PW = "Right-pass-123"
A, B = "10.1.0.5", "10.2.0.7"


def login(client, username, password, ip, path="/accounts/login/", **headers):
    return client.post(
        path, {"username": username, "password": password}, REMOTE_ADDR=ip, **headers
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def people(make_user):
    return {
        "admin": make_user("admin", "admin", password=PW, is_staff=True, is_superuser=True),
        "alice": make_user("alice", "region_officer", password=PW),
        "bob": make_user("bob", "commissioner", password=PW),
    }


def test_five_failures_lock_one_account_from_one_address_only(client, people, django_user_model):
    from django.test import Client

    for _ in range(5):
        login(client, "alice", "guess", A)
    r = login(client, "alice", PW, A)
    assert "已被暂时锁定" in r.content.decode() and not logged_in(client)
    # another user on the same address (behind the same NAT / proxy) is not locked out
    c2 = Client()
    login(c2, "bob", PW, A)
    assert logged_in(c2)
    # alice herself, from her own address, logs in
    c3 = Client()
    login(c3, "alice", PW, B)
    assert logged_in(c3)


def test_nobody_can_lock_admin_from_anywhere(client, people):
    """An attacker's 5 (or 50) guesses of `admin` lock only the attacker's address."""
    from django.test import Client

    for _ in range(12):
        login(client, "admin", "guess", "203.0.113.9")
    real = Client()
    login(real, "admin", PW, A)
    assert logged_in(real)


def test_letter_case_does_not_escape_the_count(client, people):
    for name in ("alice", "Alice", "ALICE", " alice", "aLiCe"):
        login(client, name, "guess", A)
    r = login(client, "alice", PW, A)
    assert "已被暂时锁定" in r.content.decode()


@override_settings(SRDI_LOGIN_MAX_FAILURES_PER_ADDRESS=8)
def test_one_address_spraying_many_accounts_is_locked(client, people):
    from django.test import Client

    for i in range(8):
        login(client, f"user{i}", "guess", A)
    c = Client()
    r = login(c, "bob", PW, A)  # the address is locked for every account...
    assert "当前的地址登录失败次数过多" in r.content.decode() and not logged_in(c)
    c = Client()
    login(c, "bob", PW, B)  # ...not bob himself
    assert logged_in(c)
    lock = AuditLog.objects.get(action="login_locked")
    assert lock.ip == A and lock.after["kind"] == "address"


def test_a_success_resets_the_pair_but_refused_attempts_do_not_count(client, people):
    for _ in range(4):
        login(client, "alice", "guess", A)
    login(client, "alice", PW, A)
    assert logged_in(client)
    client.logout()
    for _ in range(4):
        login(client, "alice", "guess", A)
    login(client, "alice", PW, A)
    assert logged_in(client)


def test_admin_login_page_goes_through_the_same_throttle(client, people):
    for _ in range(5):
        r = login(client, "admin", "guess", A, path="/admin/login/")
        assert r.status_code == 200
    r = login(client, "admin", PW, A, path="/admin/login/")
    assert "已被暂时锁定" in r.content.decode() and not logged_in(client)
    assert LoginAttempt.objects.filter(door="admin", success=False, refused=False).count() == 5
    assert LoginAttempt.objects.filter(door="admin", refused=True).count() == 1
    assert AuditLog.objects.filter(action="login_failed", ip=A, source="admin").count() == 5
    # the platform's login page shares the count: admin is locked there too, from A only
    r = login(client, "admin", PW, A)
    assert "已被暂时锁定" in r.content.decode()


def test_failures_and_locks_are_audited_with_the_address(client, people):
    for _ in range(5):
        login(client, "alice", "guess", A)
    login(client, "alice", PW, A)
    failed = AuditLog.objects.filter(action="login_failed")
    assert failed.count() == 5 and set(failed.values_list("ip", flat=True)) == {A}
    assert set(failed.values_list("object_repr", flat=True)) == {"alice"}
    locked = AuditLog.objects.get(action="login_locked")
    assert locked.ip == A and "alice" in locked.note and locked.after["kind"] == "account"
    refused = AuditLog.objects.get(action="login_refused")
    assert refused.ip == A
    # a success is audited too
    from django.test import Client

    login(Client(), "bob", PW, B)
    ok = AuditLog.objects.get(action="login")
    assert ok.actor == people["bob"] and ok.ip == B


@override_settings(SRDI_TRUSTED_PROXIES=["127.0.0.1"])
def test_client_address_comes_from_the_trusted_proxy_only(client, people):
    from django.test import Client

    # through the trusted proxy: the forwarded address is the one that counts
    for _ in range(5):
        login(client, "alice", "guess", "127.0.0.1", HTTP_X_FORWARDED_FOR=f"{A}")
    r = login(client, "alice", PW, "127.0.0.1", HTTP_X_FORWARDED_FOR=A)
    assert "已被暂时锁定" in r.content.decode()
    c = Client()
    login(c, "alice", PW, "127.0.0.1", HTTP_X_FORWARDED_FOR=f"{B}")
    assert logged_in(c)
    assert set(
        LoginAttempt.objects.filter(success=False, refused=False).values_list("ip", flat=True)
    ) == {A}
    # a client cannot prepend a forged address: the proxy's own (right-most) entry counts
    c = Client()
    login(c, "alice", PW, "127.0.0.1", HTTP_X_FORWARDED_FOR=f"{B}, {A}")
    assert not logged_in(c)


def test_forwarded_headers_from_anyone_else_are_ignored(client, people):
    """No trusted proxy configured: rotating X-Forwarded-For does not escape the lock."""
    for i in range(5):
        login(client, "alice", "guess", A, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    r = login(client, "alice", PW, A, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert "已被暂时锁定" in r.content.decode()
    assert set(LoginAttempt.objects.values_list("ip", flat=True)) == {A}


@override_settings(SRDI_LOGIN_ALERT_FAILURES=6)
def test_a_distributed_guess_alerts_the_administrators_without_locking(client, people):
    from django.test import Client

    from srdi.core.models import Notification

    for i in range(6):
        login(Client(), "admin", "guess", f"198.51.100.{i}")
    alert = AuditLog.objects.get(action="login_attack")
    assert "admin" in alert.note and "6" in alert.note
    assert Notification.objects.filter(user=people["admin"], kind="login_attack").count() == 1
    c = Client()
    login(c, "admin", PW, A)
    assert logged_in(c)


def test_administrators_see_locks_and_unlock_them(people):
    from django.test import Client

    for _ in range(5):
        login(Client(), "alice", "guess", A)
    admin = Client()
    admin.force_login(people["admin"])
    html = admin.get("/accounts/security/").content.decode()
    assert "账户在该地址锁定" in html and A in html and "alice" in html
    assert "/accounts/security/" in admin.get("/enterprises/").content.decode()  # admin menu
    # other roles may not see it
    other = Client()
    other.force_login(people["bob"])
    assert other.get("/accounts/security/").status_code == 403
    assert other.post("/accounts/security/unlock/", {"kind": "address", "ip": A}).status_code == 403
    r = admin.post("/accounts/security/unlock/", {"kind": "account", "account": "alice", "ip": A})
    assert r.status_code == 302
    unlock = AuditLog.objects.get(action="login_unlock")
    assert unlock.actor == people["admin"] and unlock.after["failures"] == 5
    c = Client()
    login(c, "alice", PW, A)
    assert logged_in(c)
    # the failures are kept (marked), and the audit log filter lists them
    assert LoginAttempt.objects.filter(cleared=True).count() == 5
    html = admin.get("/audit/", {"action": "login_failed"}).content.decode()
    assert "登录失败" in html and A in html
