"""Scope of the cultivation objects for srdi.core.access: alerts are handled by the officials
who see their enterprise; title batches (公告名单) are read by officials only; pool entries
follow their enterprise."""

from srdi.accounts import scopes
from srdi.core import access

from .models import Alert, PoolEntry, TitleBatch


def _visible_alerts(user, qs):
    if not scopes.is_official(user):
        return qs.none()
    return qs.filter(enterprise__in=scopes.visible_enterprises(user))


access.register(
    Alert,
    visible=_visible_alerts,
    writable=lambda user, alert: scopes.is_official(user),
    name="预警",
)
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
