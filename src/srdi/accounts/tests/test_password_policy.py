"""Issue 10 item 11: the password policy in every door (form, admin, CLI, services) and the
session idle timeout."""

from __future__ import annotations

import io
import time

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from srdi.accounts.models import User
from srdi.audit.models import AuditLog

pytestmark = pytest.mark.django_db

GOOD = "Ok-Changshu-2026"


def problems(password, user=None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return [e.code for e in exc.error_list]
    return []


@pytest.mark.parametrize(
    "password,code",
    [
        ("Changshu1", "password_too_short"),  # the password that was accepted before
        ("changshu2026", "password_too_simple"),  # two classes
        ("CHANGSHU-CITY", "password_too_simple"),
        ("1234567890123", "password_entirely_numeric"),
    ],
)
def test_weak_passwords_are_refused(password, code, make_user):
    assert code in problems(password, make_user("someone", "admin"))


def test_a_good_password_passes_and_the_username_is_refused(make_user):
    alice = make_user("alice", "admin")
    assert problems(GOOD, alice) == []
    assert "password_contains_username" in problems("Alice-2026-secret", alice)
    assert "password_contains_username" in problems("Xecila-2026-Pass", alice)  # reversed


def test_the_last_five_passwords_cannot_be_reused(make_user):
    from srdi.accounts import services

    user = make_user("bob", "commissioner", password="First-pass-2026")
    history = ["First-pass-2026"]
    for i in range(2, 7):
        new = f"Next-pass-{i}-2026"
        services.set_password(None, user, new)
        history.append(new)
    user.refresh_from_db()
    for old in history[-5:]:  # the current and the four before it
        assert "password_reused" in problems(old, user), old
    assert problems(history[0], user) == []  # six changes ago: allowed again


def test_password_change_page_refuses_a_weak_password(client, make_user):
    user = make_user("carol", "enterprise", password="Old-pass-2026")
    client.force_login(user)
    r = client.post(
        "/accounts/password/",
        {
            "old_password": "Old-pass-2026",
            "new_password1": "Changshu1",
            "new_password2": "Changshu1",
        },
    )
    assert r.status_code == 200 and "密码长度太短" in r.content.decode()
    user.refresh_from_db()
    assert user.check_password("Old-pass-2026")
    r = client.post(
        "/accounts/password/",
        {"old_password": "Old-pass-2026", "new_password1": GOOD, "new_password2": GOOD},
    )
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.check_password(GOOD)
    assert AuditLog.objects.filter(action="password_change", actor=user).count() == 1


def test_admin_refuses_a_weak_password(client, make_user):
    root = make_user("root", "admin", is_staff=True, is_superuser=True)
    target = make_user("dave", "region_officer", password="Old-pass-2026")
    client.force_login(root)
    r = client.post(
        f"/admin/accounts/user/{target.pk}/password/",
        {"password1": "Changshu1", "password2": "Changshu1"},
    )
    assert r.status_code == 200 and "密码长度太短" in r.content.decode()
    target.refresh_from_db()
    assert target.check_password("Old-pass-2026")
    r = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "eve",
            "password1": "Changshu1",
            "password2": "Changshu1",
            "usable_password": "true",
        },
    )
    assert r.status_code == 200 and not User.objects.filter(username="eve").exists()


def test_cli_changepassword_and_createsuperuser_enforce_the_policy(make_user, monkeypatch):
    user = make_user("frank", "admin", password="Old-pass-2026")
    with pytest.raises(CommandError) as exc:
        call_command(
            "changepassword", "frank", password_stdin=True, stdin=io.StringIO("Changshu1\n")
        )
    assert exc.value.returncode == 2 and "密码长度太短" in str(exc.value)
    user.refresh_from_db()
    assert user.check_password("Old-pass-2026")
    out = io.StringIO()
    call_command(
        "changepassword", "frank", password_stdin=True, stdin=io.StringIO(GOOD + "\n"), stdout=out
    )
    user.refresh_from_db()
    assert user.check_password(GOOD) and "已修改" in out.getvalue()
    assert AuditLog.objects.get(action="password_change").source == "cli"

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Changshu1")
    with pytest.raises(CommandError) as exc:
        call_command("createsuperuser", "--noinput", username="boss", email="b@example.com")
    assert exc.value.returncode == 2 and "密码长度太短" in str(exc.value)
    assert not User.objects.filter(username="boss").exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", GOOD)
    call_command(
        "createsuperuser", "--noinput", username="boss", email="b@example.com", verbosity=0
    )
    assert User.objects.get(username="boss").check_password(GOOD)


@override_settings(SRDI_SESSION_IDLE_MINUTES=30)
def test_an_idle_session_is_logged_out(client, users):
    from srdi.accounts.middleware import SESSION_KEY

    client.force_login(users["admin"])
    assert client.get("/enterprises/").status_code == 200
    session = client.session
    session[SESSION_KEY] = int(time.time()) - 29 * 60  # 29 minutes: still fine
    session.save()
    assert client.get("/enterprises/").status_code == 200
    session = client.session
    session[SESSION_KEY] = int(time.time()) - 31 * 60  # 31 minutes without a request
    session.save()
    r = client.get("/enterprises/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert "_auth_user_id" not in client.session
    html = client.get(r["Location"]).content.decode()
    assert "已自动退出" in html
    log = AuditLog.objects.get(action="logout")
    assert log.actor == users["admin"] and "长时间未操作" in log.note


def test_an_idle_session_cannot_call_the_api(client, users):
    from srdi.accounts.middleware import SESSION_KEY

    client.force_login(users["admin"])
    assert client.get("/api/accounts/me").status_code == 200
    session = client.session
    session[SESSION_KEY] = int(time.time()) - 24 * 3600
    session.save()
    assert client.get("/api/accounts/me").status_code == 401
