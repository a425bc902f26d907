"""Who sees and maintains the registers (registered with srdi.core.access).

* every official sees the registers within the enterprises they see (a 板块 officer: its 板块);
  an enterprise sees its own honours; platforms are public to every signed-in user;
* a register is maintained by its department (data/kinds.yaml: 市场监管局 for quality,
  工信局 for digital and platforms, 统计局 for the 规上名录) and by the 市工信局 administrators.
"""

from __future__ import annotations

from srdi.accounts import scopes as acc
from srdi.accounts.roles import Role
from srdi.core import access

from . import kinds
from .models import Honour, Platform


def department_of(register: str, kind: str) -> str | None:
    table = kinds.honours() if register == "honour" else kinds.platforms()
    return (table.get(kind) or {}).get("department")


def may_maintain(user, register: str, kind: str) -> bool:
    if not (user and user.is_authenticated):
        return False
    if acc.is_admin(user):
        return True
    dept = department_of(register, kind)
    return bool(dept and user.role == Role.DEPARTMENT and user.department == dept)


def maintained_kinds(user, register: str) -> list[str]:
    table = kinds.honours() if register == "honour" else kinds.platforms()
    return [k for k in table if may_maintain(user, register, k)]


def visible_honours(user, qs=None):
    qs = Honour.objects.all() if qs is None else qs
    if not (user and user.is_authenticated) or user.role == Role.PARTNER:
        return qs.none()
    return qs.filter(enterprise__in=acc.visible_enterprises(user))


def visible_platforms(user, qs=None):
    qs = Platform.objects.all() if qs is None else qs
    if not (user and user.is_authenticated):
        return qs.none()
    return qs


access.register(
    Honour,
    visible=visible_honours,
    writable=lambda user, h: may_maintain(user, "honour", h.kind),
    name="荣誉认证记录",
)
access.register(
    Platform,
    visible=visible_platforms,
    writable=lambda user, p: may_maintain(user, "platform", p.kind),
    name="服务与创新平台",
)
