"""Menu entry of the registers (officials and the departments that maintain them)."""

from __future__ import annotations

from srdi.accounts import scopes as acc
from srdi.core import workspace

workspace.menu(
    "recognition",
    "荣誉认证登记",
    "/recognition/",
    order=45,
    visible=lambda user: acc.is_official(user),
)
