"""Issue 10, items 1, 2, 3, 10 and 11 played as an attacker would, against the running platform
(`srdi serve` on a free port, its own database; see conftest.py). Only HTTP and the `srdi`
command are used. Each client is given its own loopback address (127.0.0.x) so that the platform
sees several people on several machines.

Run alone: .venv/bin/python -m pytest tests/attack -q
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import Browser, free_port

WRITE = {"post", "put", "patch", "delete"}


# ------------------------------------------------------------------ 1. token and session doors


def test_tokens_write_without_csrf_sessions_need_it(platform):
    a = platform.uscc_a
    change = {"years": {"2024": {"revenue": 11111}}}
    r = platform.api(
        "PATCH", f"/api/enterprises/{a}", change, token=platform.tokens["region_officer"]
    )
    assert r.status == 200, r.text
    assert r.json()["profile"]["years"]["2024"]["revenue"] == 11111

    officer = platform.browser(source="127.0.0.10")
    assert officer.login(platform.users["region_officer"]).status == 302
    # a forged request riding on the session (no CSRF token) is refused
    r = officer.api("PATCH", f"/api/enterprises/{a}", {"years": {"2024": {"revenue": 1}}})
    assert r.status == 403 and "CSRF" in r.json()["detail"]
    r = officer.api(
        "PATCH", f"/api/enterprises/{a}", {"years": {"2024": {"revenue": 22222}}}, csrf=True
    )
    assert r.status == 200, r.text
    # a wrong token is 401 (never a CSRF answer), even with a session cookie beside it
    r = officer.api("PATCH", f"/api/enterprises/{a}", change, token="stolen-or-made-up")
    assert r.status == 401


def test_no_write_operation_answers_a_token_with_a_csrf_refusal(platform):
    schema = platform.api("GET", "/api/openapi.json").json()
    token = platform.tokens["admin"]
    tried = 0
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in WRITE:
                continue
            concrete = path
            for p in op.get("parameters", []):
                if p["in"] == "path":
                    concrete = concrete.replace("{" + p["name"] + "}", "999999")
            r = platform.api(method.upper(), concrete, {}, token=token)
            assert "CSRF" not in r.text and r.status != 401, (
                method,
                concrete,
                r.status,
                r.text[:200],
            )
            tried += 1
    assert tried >= 9


# ------------------------------------------------------------------ 2. login throttling


def test_guessing_admin_locks_only_the_guesser(platform):
    admin = platform.users["admin"]
    attacker = platform.browser(source="127.0.0.21")
    for _ in range(5):
        attacker.login(admin, "Guess-Password-1")
    r = attacker.login(admin)  # even the right password: locked from this address
    assert "已被暂时锁定" in r.text and not attacker.logged_in()
    # the admin login page is the same door with the same lock
    attacker.get("/admin/login/")
    r = attacker.post("/admin/login/", {"username": admin, "password": platform.password})
    assert "已被暂时锁定" in r.text and not attacker.logged_in()
    # the real administrator, on another machine, is not locked out
    real = platform.browser(source="127.0.0.22")
    assert real.login(admin).status == 302 and real.logged_in()
    # and sees the lock, with the attacker's address, on the login security page and in the log
    page = real.get("/accounts/security/").text
    assert "127.0.0.21" in page and "账户在该地址锁定" in page
    log = real.get("/audit/?action=login_locked").text
    assert "127.0.0.21" in log and "登录锁定" in log


def test_colleagues_on_the_same_address_are_not_locked_out(platform):
    office = "127.0.0.23"
    clumsy = platform.browser(source=office)
    for _ in range(6):
        clumsy.login(platform.users["commissioner"], "Wrong-Password-1")
    colleague = platform.browser(source=office)
    assert colleague.login(platform.users["enterprise"]).status == 302


def test_a_forged_forwarded_for_does_not_escape_the_lock(platform):
    attacker = platform.browser(source="127.0.0.24")
    target = platform.users["department"]
    for i in range(5):
        attacker.get("/accounts/login/")
        attacker.post(
            "/accounts/login/",
            {"username": target, "password": "Guess-Password-1"},
            **{"X-Forwarded-For": f"198.51.100.{i}"},
        )
    r = attacker.post(
        "/accounts/login/",
        {"username": target, "password": platform.password},
        **{"X-Forwarded-For": "198.51.100.200"},
    )
    assert "已被暂时锁定" in r.text and not attacker.logged_in()


# ------------------------------------------------------------------ 3. behind the HTTPS proxy


@pytest.fixture(scope="module")
def https_site(platform_factory, tmp_path_factory):
    """`srdi serve` as in production (HTTPS redirect, secure cookies, HSTS) behind a TLS proxy."""
    if not shutil.which("openssl"):
        pytest.fail("openssl 不存在：请运行 make install-system")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    backend = platform_factory(
        SRDI_HTTPS="1",
        SRDI_SSL_REDIRECT="1",
        SRDI_TRUSTED_PROXIES="127.0.0.1",
        SRDI_ALLOWED_HOSTS="localhost,127.0.0.1",
        SRDI_SESSION_IDLE_MINUTES="0.05",  # 3 seconds, to see the idle timeout
    )
    port = free_port()
    proxy = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("tls_proxy.py")), "--listen",
         f"127.0.0.1:{port}", "--backend", f"127.0.0.1:{backend.port}",
         "--cert", str(cert), "--key", str(key)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert proxy.stdout.readline().strip() == b"ready"
        yield backend, f"https://localhost:{port}", str(cert)
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)


def test_login_and_pages_through_the_https_proxy(https_site):
    backend, url, cert = https_site
    user = Browser(url, source="127.0.0.31", cafile=cert)
    r = user.get("/accounts/login/")
    assert r.status == 200, (r.status, r.header("Location"))  # no redirect to itself
    assert "max-age=" in r.header("Strict-Transport-Security")
    assert all("Secure" in c for c in r.headers.get_all("Set-Cookie"))
    r = user.post(
        "/accounts/login/", {"username": backend.users["enterprise"], "password": backend.password}
    )
    assert r.status == 302, r.text[:500]
    r = user.get("/enterprises/")
    assert r.status == 200 and "常熟市精工轴承有限公司" in r.text
    # the platform recorded the client's address as the proxy forwarded it
    out = backend.python(
        "from srdi.audit.models import AuditLog;"
        "print(AuditLog.objects.filter(action='login').latest('id').ip)"
    )
    assert out == "127.0.0.31"


def test_the_client_cannot_choose_its_address_or_https(https_site):
    backend, url, cert = https_site
    liar = Browser(url, source="127.0.0.32", cafile=cert)
    liar.get("/accounts/login/")
    liar.post(
        "/accounts/login/",
        {"username": "nobody-here", "password": "x"},
        **{"X-Forwarded-For": "203.0.113.66"},
    )
    out = backend.python(
        "from srdi.accounts.models import LoginAttempt;"
        "print(LoginAttempt.objects.filter(username='nobody-here').latest('id').ip)"
    )
    assert out == "127.0.0.32"
    # straight to waitress (not through the proxy), claiming HTTPS: not believed
    direct = Browser(f"http://localhost:{backend.port}", source="127.0.0.33")
    r = direct.get("/accounts/login/", **{"X-Forwarded-Proto": "https"})
    assert r.status == 301 and r.header("Location").startswith("https://")


def test_an_idle_session_ends(https_site):
    backend, url, cert = https_site
    user = Browser(url, source="127.0.0.34", cafile=cert)
    user.login(backend.users["commissioner"])
    assert user.get("/enterprises/").status == 200
    time.sleep(4)
    r = user.get("/enterprises/")
    assert r.status == 302 and "/accounts/login/" in r.header("Location")


# ------------------------------------------------------------------ 10. backup and restore


def test_backup_restore_into_an_empty_database_and_serve_it(platform, platform_factory, tmp_path):
    archive = tmp_path / "platform.zip"
    r = platform.srdi("backup", "-o", str(archive))
    assert r.returncode == 0 and "已备份到" in r.stdout, r.stderr
    assert platform.srdi("backup", "--check", str(archive)).returncode == 0
    # over a platform in use: refused, nothing touched
    r = platform.srdi("restore", str(archive))
    assert r.returncode == 2 and "不是空库" in r.stderr
    # a damaged archive is found out
    bad = tmp_path / "bad.zip"
    bad.write_bytes(archive.read_bytes()[:-200])
    assert platform.srdi("backup", "--check", str(bad)).returncode == 2

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    env = {"SRDI_VAR": str(fresh), "DATABASE_URL": f"sqlite:///{fresh / 'srdi.sqlite3'}"}
    assert platform.srdi("migrate", "--noinput", "-v0", env=env).returncode == 0
    r = platform.srdi("restore", str(archive), env=env)
    assert r.returncode == 0 and "逐表核对一致" in r.stdout, r.stderr
    again = tmp_path / "again.zip"
    assert platform.srdi("backup", "-o", str(again), env=env).returncode == 0
    import zipfile

    tables = [
        json.loads(zipfile.ZipFile(f).read("manifest.json"))["tables"] for f in (archive, again)
    ]
    assert tables[0] == tables[1]  # every table: same row count, same content digest
    # the restored platform works: users, passwords and tokens came back
    restored = platform_factory(database=fresh)
    b = restored.browser(source="127.0.0.51")
    assert b.login(restored.users["admin"]).status == 302
    r = restored.api("GET", f"/api/enterprises/{restored.uscc_a}", token=restored.tokens["admin"])
    assert r.status == 200


# ------------------------------------------------------------------ 11. 等保 controls


def test_weak_passwords_are_refused(platform):
    user = platform.browser(source="127.0.0.41")
    user.login(platform.users["partner"])
    r = user.post(
        "/accounts/password/",
        {
            "old_password": platform.password,
            "new_password1": "Changshu1",
            "new_password2": "Changshu1",
        },
    )
    assert r.status == 200 and "密码长度太短" in r.text
    r = platform.srdi(
        "changepassword", platform.users["partner"], "--password-stdin", input="Changshu1\n"
    )
    assert r.returncode == 2 and "密码长度太短" in r.stderr


def test_headers_of_logged_in_pages_and_the_api(platform):
    user = platform.browser(source="127.0.0.42")
    user.login(platform.users["admin"])
    for path in ("/enterprises/", "/cultivation/", "/audit/"):
        r = user.get(path)
        assert r.status == 200, path
        assert "no-store" in r.header("Cache-Control"), path
        csp = r.header("Content-Security-Policy")
        assert "script-src 'self'" in csp and "object-src 'none'" in csp, path
    r = platform.api("GET", "/api/accounts/me", token=platform.tokens["admin"])
    assert "no-store" in r.header("Cache-Control")


def test_api_docs_come_from_the_platform_itself(platform):
    r = platform.browser().get("/api/docs")
    # every script and stylesheet from the platform itself (a random nonce may contain "cdn")
    assert r.status == 200
    assert not re.findall(r"""(?:src|href)=["'](?:https?:)?//""", r.text), "external asset"
    for asset in (
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
    ):
        assert asset in r.text
        assert platform.browser().get(asset).status == 200


def test_admin_edits_are_in_the_audit_log_with_the_address(platform):
    admin = platform.browser(source="127.0.0.43")
    admin.login(platform.users["admin"])
    page = admin.get("/admin/registry/datashare/").text
    assert "测试银行" in page
    share_id = re.search(r"/admin/registry/datashare/(\d+)/change/", page).group(1)
    form = admin.get(f"/admin/registry/datashare/{share_id}/change/").text
    enterprise_id = re.search(
        r'name="enterprise".*?<option value="(\d+)" selected', form, re.DOTALL
    ).group(1)
    r = admin.post(
        f"/admin/registry/datashare/{share_id}/change/",
        {
            "enterprise": enterprise_id,
            "organization": "测试银行",
            "purpose": "撤回授权测试",
            "granted_at_0": "2026-01-01",
            "granted_at_1": "08:00:00",
            "revoked_at_0": "2026-02-01",
            "revoked_at_1": "08:00:00",
        },
    )
    assert r.status == 302, r.text[:800]
    log = admin.get("/audit/?source=admin").text
    assert "127.0.0.43" in log and "撤回授权测试" in log


def test_audit_records_cannot_be_purged_early(platform):
    r = platform.srdi("purge_audit", "--days", "30")
    assert r.returncode == 2 and "180" in r.stderr


def test_the_server_answered_without_errors(platform):
    assert "Traceback" not in platform.log()
