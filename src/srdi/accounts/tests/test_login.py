import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(SRDI_LOGIN_MAX_FAILURES=3)
def test_lockout_after_repeated_failures_even_with_right_password(client, make_user):
    make_user("alice", "admin", password="Right-pass-123")
    for i in range(3):
        r = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
        assert r.status_code == 200
        # the failure that starts the lock says so at once
        assert ("已被暂时锁定" if i == 2 else "用户名或密码不正确") in r.content.decode()
    r = client.post("/accounts/login/", {"username": "alice", "password": "Right-pass-123"})
    assert "已被暂时锁定" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_successful_login_records_attempt_and_redirects(client, make_user):
    from srdi.accounts.models import LoginAttempt

    make_user("bob", "admin", password="Right-pass-123")
    r = client.post("/accounts/login/", {"username": "bob", "password": "Right-pass-123"})
    assert r.status_code == 302
    assert LoginAttempt.objects.filter(username="bob", success=True).count() == 1


def test_api_requires_authentication(client):
    r = client.get("/api/accounts/me")
    assert r.status_code == 401 and "未登录" in r.json()["detail"]


def test_api_token_auth(client, make_user):
    from srdi.accounts.services import issue_token

    u = make_user("carol", "enterprise")
    key = issue_token(u, "test")
    r = client.get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 200
    assert r.json()["username"] == "carol"
    assert client.get("/api/accounts/me", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
