"""Logouts in the audit log (logins, failures and locks are recorded by the login throttle)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver


@receiver(user_logged_out, dispatch_uid="srdi_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is None or not getattr(user, "pk", None):
        return
    from srdi.audit.services import record

    idle = getattr(request, "srdi_logout_reason", "") == "idle"
    record(
        actor=user,
        action="logout",
        obj=user,
        note="长时间未操作，自动退出" if idle else "用户退出",
    )
