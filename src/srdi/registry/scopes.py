"""Scope of the registry's objects for the lookup-and-scope helper (srdi.core.access)."""

from srdi.accounts import scopes
from srdi.core import access

from .models import Enterprise

access.register(
    Enterprise,
    visible=lambda user, qs: scopes.visible_enterprises(user, qs),
    writable=lambda user, e: bool(scopes.writable_sections(user, e)),
    name="企业",
)
