"""Keeps who and where of the current request available to services (for audit records).

The client address is ``REMOTE_ADDR`` as srdi.core.security.TrustedProxyMiddleware left it (the
address a trusted reverse proxy forwarded, never a header from anyone else). Background work
started by a request carries the request's address and door on with :func:`using`.
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, field

_context: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "srdi_request_context", default=None
)


@dataclass
class RequestContext:
    ip: str | None
    source: str  # "web" | "api" | "admin" | "import" | ...
    request: object | None = field(default=None, repr=False)

    @property
    def user(self):
        """The request's user (the token's user for API token requests), or None."""
        user = getattr(self.request, "user", None)
        return user if getattr(user, "is_authenticated", False) else None


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def current() -> RequestContext | None:
    return _context.get()


def source_of(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "web"


@contextlib.contextmanager
def using(*, ip: str | None, source: str):
    """Audit records made inside carry this address and door (e.g. a background import
    started from a web request: ``with using(ip=batch_ip, source="import"): ...``)."""
    token = _context.set(RequestContext(ip=ip, source=source))
    try:
        yield
    finally:
        _context.reset(token)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _context.set(
            RequestContext(ip=client_ip(request), source=source_of(request.path), request=request)
        )
        try:
            return self.get_response(request)
        finally:
            _context.reset(token)
