"""Scope of the registry's objects for the lookup-and-scope helper (srdi.core.access)."""

from srdi.accounts import scopes
from srdi.core import access

from .models import Enterprise, ImportBatch, Title

access.register(
    Enterprise,
    visible=lambda user, qs: scopes.visible_enterprises(user, qs),
    writable=lambda user, e: bool(scopes.writable_sections(user, e)),
    name="企业",
)


def _importer_or_admin(user, qs):
    return qs if scopes.is_admin(user) else qs.filter(uploaded_by=user)


access.register(
    ImportBatch,
    visible=_importer_or_admin,
    writable=lambda user, b: scopes.is_admin(user) or b.uploaded_by_id == user.pk,
    name="导入批次",
)
access.register(
    Title,
    visible=lambda user, qs: qs.filter(enterprise__in=scopes.visible_enterprises(user)),
    writable=lambda user, t: scopes.is_official(user) and scopes.can_view(user, t.enterprise),
    name="称号",
)
