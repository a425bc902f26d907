"""Keeps who and where of the current request available to services (for audit records)."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

_context: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "srdi_request_context", default=None
)


@dataclass
class RequestContext:
    ip: str | None
    source: str  # "web" | "api"


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def current() -> RequestContext | None:
    return _context.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = "api" if request.path.startswith("/api/") else "web"
        token = _context.set(RequestContext(ip=client_ip(request), source=source))
        try:
            return self.get_response(request)
        finally:
            _context.reset(token)
