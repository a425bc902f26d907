"""Issue 10 items 3 and 11: the trusted proxy, CSP with nonces, no-store, vendored API docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings

from srdi.core.security import TrustedProxyMiddleware, client_address, parse_networks

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2]


def _through(meta: dict) -> dict:
    request = RequestFactory().get("/", **meta)
    TrustedProxyMiddleware(lambda r: None)(request)
    return request.META


@override_settings(SRDI_TRUSTED_PROXIES=["10.0.0.1", "10.9.0.0/16"])
def test_the_client_address_is_the_right_most_untrusted_hop():
    meta = _through(
        {
            "REMOTE_ADDR": "10.0.0.1",
            "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7, 10.9.3.3",
            "HTTP_X_FORWARDED_PROTO": "https",
        }
    )
    assert meta["REMOTE_ADDR"] == "198.51.100.7"  # 1.2.3.4 was written by the client itself
    assert meta["HTTP_X_FORWARDED_PROTO"] == "https" and meta["SRDI_PROXY_PEER"] == "10.0.0.1"
    # garbage stops the walk at the last address a trusted proxy vouched for
    assert (
        client_address(
            {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7, not-an-ip"}
        )
        == "10.0.0.1"
    )


@override_settings(SRDI_TRUSTED_PROXIES=["10.0.0.1"])
def test_forwarded_headers_from_anyone_else_are_removed():
    meta = _through(
        {
            "REMOTE_ADDR": "203.0.113.5",
            "HTTP_X_FORWARDED_FOR": "10.0.0.1",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_X_REAL_IP": "10.0.0.1",
        }
    )
    assert meta["REMOTE_ADDR"] == "203.0.113.5"
    assert not {"HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_REAL_IP"} & set(meta)


def test_a_bad_proxy_setting_is_named():
    with pytest.raises(ValueError, match="10.0.0.300"):
        parse_networks("10.0.0.1, 10.0.0.300")


@override_settings(SRDI_TRUSTED_PROXIES=["127.0.0.1"], SECURE_SSL_REDIRECT=True)
def test_https_redirect_does_not_loop_behind_the_trusted_proxy(client):
    # from the proxy, with X-Forwarded-Proto: https -> served (no redirect to itself)
    r = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert r.status_code == 200
    assert r.wsgi_request.is_secure()
    # the same header from an untrusted address does not make a request HTTPS
    r = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="192.0.2.9")
    assert r.status_code == 301 and r["Location"].startswith("https://")


def test_logged_in_pages_and_the_api_are_not_stored(client, users):
    static = client.get("/static/srdi/site.css")
    assert static.status_code == 200 and "no-store" not in static.get("Cache-Control", "")
    assert "no-store" in client.get("/api/accounts/me").get("Cache-Control", "")  # even a 401
    client.force_login(users["enterprise"])
    for path in ("/", "/enterprises/", "/policies/", "/inbox/", "/api/accounts/me"):
        r = client.get(path, follow=True)
        assert "no-store" in r.get("Cache-Control", ""), path


def test_pages_carry_a_csp_and_inline_scripts_carry_its_nonce(client, users):
    client.force_login(users["admin"])
    r = client.get("/cultivation/")
    assert r.status_code == 200
    csp = r["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = r.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline if "json" not in attrs)


def test_no_template_has_an_inline_script_without_the_nonce():
    """A new template with <script>…</script> must carry nonce="{{ request.csp_nonce }}"
    (or move the code to a static file); inline event handlers and javascript: URLs are
    blocked by the CSP and not allowed either."""
    offenders = []
    for path in SRC.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"<script\b([^>]*)>", text):
            attrs = m.group(1)
            if "src=" in attrs or "application/json" in attrs or "application/ld+json" in attrs:
                continue
            if 'nonce="{{ request.csp_nonce }}"' not in attrs:
                offenders.append(f"{path.relative_to(SRC)}: <script{attrs}>")
        for m in re.finditer(r"\s(on[a-z]+)\s*=\s*[\"']", text):
            offenders.append(f"{path.relative_to(SRC)}: {m.group(1)}=")
        if "javascript:" in text:
            offenders.append(f"{path.relative_to(SRC)}: javascript: URL")
    assert offenders == []


def test_api_docs_load_only_vendored_files(client):
    r = client.get("/api/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "//" not in re.sub(r"<!doctype[^>]*>", "", html, flags=re.I)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert not any("cdn" in u.lower() for u in assets)  # (not the page: a token may contain it)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in assets
    for url in assets:
        assert url.startswith("/static/"), url
        assert client.get(url).status_code == 200, url
    vendor = SRC / "core" / "static" / "vendor" / "swagger-ui"
    assert "Apache License" in (vendor / "LICENSE").read_text()
