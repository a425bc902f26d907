"""Scope of the cultivation objects for srdi.core.access: title batches (公告名单) are read by
officials only; pool entries follow their enterprise."""

from srdi.accounts import scopes
from srdi.core import access

from .models import PoolEntry, TitleBatch

access.register(
    TitleBatch,
    visible=lambda user, qs: qs if scopes.is_official(user) else qs.none(),
    writable=lambda user, b: scopes.is_admin(user),
    name="认定批次",
)
access.register(
    PoolEntry,
    visible=lambda user, qs: qs.filter(enterprise__in=scopes.visible_enterprises(user)),
    writable=lambda user, e: scopes.is_official(user) and scopes.can_view(user, e.enterprise),
    name="培育库记录",
)
