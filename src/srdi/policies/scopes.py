"""Scope of the policy service's objects for srdi.core.access (applications, their files)."""

from srdi.accounts import scopes
from srdi.core import access

from .models import Application, ApplicationAttachment


def _may_write_application(user, app) -> bool:
    from . import review

    if user.role == "enterprise" and user.enterprise_id == app.enterprise_id:
        return True
    return scopes.may_write(user, app.enterprise, "applications") or review.may_review(
        user, app.policy
    )


access.register(
    Application,
    visible=lambda user, qs: qs.filter(enterprise__in=scopes.visible_enterprises(user)),
    writable=_may_write_application,
    name="申报",
)
access.register(
    ApplicationAttachment,
    visible=lambda user, qs: qs.filter(
        application__enterprise__in=scopes.visible_enterprises(user)
    ),
    writable=lambda user, att: _may_write_application(user, att.application),
    name="申报材料",
)
