"""Scope of the platform's own objects (jobs, inbox messages) for srdi.core.access."""

from srdi.accounts import scopes
from srdi.core import access

from .models import Job, Notification

access.register(
    Job,
    visible=lambda user, qs: qs if scopes.is_admin(user) else qs.filter(created_by=user),
    writable=lambda user, job: scopes.is_admin(user) or job.created_by_id == user.pk,
    name="任务",
)
access.register(
    Notification,
    visible=lambda user, qs: qs.filter(user=user),
    writable=lambda user, n: n.user_id == user.pk,
    name="消息",
)
