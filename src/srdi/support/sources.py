"""Domains that file requests from their own records (``file_request(source=...)``).

A domain whose own staff file requests on an enterprise's behalf — e.g. 市金融监管局 registering
a listing-reserve enterprise's problem (``"finance.listing"``) — registers the source here once,
in its ``scopes.py``:

* ``may_file(user, enterprise)``: who may file (and resubmit) such requests besides the enterprise,
  its commissioners, its 板块 and administrators;
* ``visible(user)``: a ``Q`` over ``ServiceRequest`` naming the requests of this source the user
  follows (``None``: none beyond their usual scope);
* ``on_transition(actor, request, event, note)``: what follows in the domain when a request of this
  source moves (runs inside the transition's transaction).

Checks stay in ``file_request`` and ``transition``; a source only widens them for its own requests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class Source:
    code: str
    may_file: Callable | None = None
    visible: Callable | None = None
    on_transition: Callable | None = None


_SOURCES: dict[str, Source] = {}


def register(code: str, *, may_file=None, visible=None, on_transition=None) -> Source:
    s = Source(code, may_file=may_file, visible=visible, on_transition=on_transition)
    _SOURCES[code] = s
    return s


def get(code: str) -> Source | None:
    return _SOURCES.get(code or "")


def may_file(user, enterprise, source: str) -> bool:
    s = get(source)
    return bool(
        s and s.may_file and user and user.is_authenticated and s.may_file(user, enterprise)
    )


def visible_q(user) -> Q | None:
    """The requests the registered sources let ``user`` follow (``None``: none)."""
    if not (user and user.is_authenticated):
        return None
    out = None
    for s in _SOURCES.values():
        q = s.visible(user) if s.visible else None
        if q is not None:
            q = Q(source=s.code) & q
            out = q if out is None else out | q
    return out


def after_transition(actor, r, event: str, note: str) -> None:
    s = get(r.source)
    if s and s.on_transition:
        s.on_transition(actor, r, event, note)
