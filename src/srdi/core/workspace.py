"""What each role sees first: menu entries and home-page panels, contributed by the apps.

An app declares, in its ``workspace.py`` (imported by its ``AppConfig.ready``)::

    from srdi.core import workspace

    workspace.menu("requests", "诉求", "/services/requests/", order=40,
                   visible=lambda user: user.role in {...})

    @workspace.panel("requests_due", title="待办诉求", roles={Role.DEPARTMENT}, order=20,
                     template="services/_home_requests.html")
    def requests_due(request):
        return {"rows": ..., "count": ...}     # None or {} hides the panel

The menu shows only what the user may do (``visible`` must agree with the permission the page
itself checks: a menu entry that leads to 403 is a bug). The home page (``/``) renders the
panels of the user's role in order; each returns its template context or None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    url: str
    order: int
    visible: Callable


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    roles: frozenset
    order: int
    context: Callable


_MENU: dict[str, MenuItem] = {}
_PANELS: dict[str, Panel] = {}


def menu(
    key: str, label: str, url: str, *, order: int = 100, visible: Callable = lambda user: True
) -> None:
    _MENU[key] = MenuItem(key, label, url, order, visible)


def menu_for(user) -> list[MenuItem]:
    if user is None or not user.is_authenticated:
        return []
    return [m for m in sorted(_MENU.values(), key=lambda m: (m.order, m.key)) if m.visible(user)]


def panel(key: str, *, title: str, template: str, roles, order: int = 100):
    def deco(fn: Callable) -> Callable:
        _PANELS[key] = Panel(key, title, template, frozenset(roles), order, fn)
        return fn

    return deco


def role_of(user) -> str:
    from srdi.accounts.roles import Role

    return Role.ADMIN if user.is_superuser else user.role


def panels_for(request) -> list[dict]:
    """The panels of the user's role with their context (those returning nothing are left out)."""
    role = role_of(request.user)
    out = []
    for p in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        if role not in p.roles:
            continue
        ctx = p.context(request)
        if ctx:
            out.append({"key": p.key, "title": p.title, "template": p.template, "context": ctx})
    return out
