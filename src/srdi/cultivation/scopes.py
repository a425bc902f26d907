"""Scope of the cultivation objects a user names in a URL (srdi.core.access)."""

from srdi.accounts import scopes
from srdi.core import access

from .models import Alert


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
