"""Request-level security: who the client is behind the proxy, and what a logged-in page may be
cached as.

- :class:`TrustedProxyMiddleware` (first in ``MIDDLEWARE``): a request that arrives from an
  address listed in ``SRDI_TRUSTED_PROXIES`` (the HTTPS reverse proxy) has its client address
  taken from ``X-Forwarded-For`` (the right-most address that is not itself a trusted proxy) and
  keeps its ``X-Forwarded-Proto`` (read by Django through ``SECURE_PROXY_SSL_HEADER``). From
  any other address these headers are removed before anything reads them, so nobody can claim
  another address or HTTPS by sending a header. Every client address in the platform (login
  throttling, audit records) is ``request.META["REMOTE_ADDR"]`` after this middleware.
- :class:`NoStoreMiddleware`: pages for a logged-in user and every API answer carry
  ``Cache-Control: no-store`` (no copy of personal or enterprise data in a browser or proxy
  cache).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control

PROXY_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


def parse_networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``"127.0.0.1, 10.1.0.0/16"`` → networks; raises ValueError naming a bad entry."""
    out = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise ValueError(f"SRDI_TRUSTED_PROXIES 中的地址无效：{part}") from exc
    return tuple(out)


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]):
    return parse_networks(",".join(spec))


def _ip(value: str | None):
    if not value:
        return None
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def is_trusted_proxy(address: str | None) -> bool:
    ip = _ip(address)
    if ip is None:
        return False
    return any(ip in net for net in _networks(tuple(settings.SRDI_TRUSTED_PROXIES)))


def client_address(meta: dict) -> str | None:
    """The client's address for a request's META (before the middleware rewrote it)."""
    peer = meta.get("REMOTE_ADDR") or None
    if not is_trusted_proxy(peer):
        return peer
    client = peer
    for hop in reversed((meta.get("HTTP_X_FORWARDED_FOR") or "").split(",")):
        ip = _ip(hop)
        if ip is None:
            break  # garbage: stop at the last address a trusted proxy vouched for
        client = str(ip)
        if not is_trusted_proxy(client):
            break
    return client


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        peer = meta.get("REMOTE_ADDR")
        if is_trusted_proxy(peer):
            meta["SRDI_PROXY_PEER"] = peer
            meta["REMOTE_ADDR"] = client_address(meta)
        else:
            for header in PROXY_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return response
        user = getattr(request, "user", None)
        logged_in = bool(user is not None and user.is_authenticated)
        if logged_in or request.path.startswith("/api/"):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
            patch_cache_control(response, private=True)
        return response


class MalformedBodyMiddleware:
    """Bad request bodies get a Chinese 400 before any view parses them (issue 10, item 9):
    a multipart body without a boundary, and JSON nested deeper than ``SRDI_JSON_MAX_DEPTH``
    (a 100,000-deep body would make a parser recurse). Cheap: only write requests with such a
    content type are looked at, JSON only up to ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            refused = self._refusal(request)
            if refused:
                from django.http import JsonResponse

                return JsonResponse(
                    {"detail": refused}, status=400, json_dumps_params={"ensure_ascii": False}
                )
        return self.get_response(request)

    @staticmethod
    def _refusal(request) -> str | None:
        from django.conf import settings

        ctype = request.META.get("CONTENT_TYPE", "")
        if ctype.startswith("multipart/form-data"):
            boundary = ctype.partition("boundary=")[2].strip().strip('"')
            if not boundary:
                return "上传请求格式错误：multipart/form-data 缺少 boundary（分隔符）。"
        elif ctype.startswith("application/json"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if 0 < length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                from srdi.exchange import limits

                cap = limits.current().json_depth
                if limits.text_depth(request.body, cap) > cap:
                    return f"请求内容的 JSON 嵌套层数超过上限（{cap}层），未处理。"
        return None
