"""Account services: login throttling and lockout, API tokens."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import ApiToken, LoginAttempt, User


def _window_start():
    return timezone.now() - timedelta(minutes=settings.SRDI_LOGIN_LOCKOUT_MINUTES)


def recent_failures(username: str, ip: str | None) -> int:
    """Failures since the last success, within the lockout window, by username or by address."""
    since = _window_start()
    counts = []
    for key, value in (("username", username), ("ip", ip)):
        if not value:
            continue
        attempts = LoginAttempt.objects.filter(**{key: value}, at__gte=since)
        last_ok = attempts.filter(success=True).order_by("-at").values_list("at", flat=True).first()
        failures = attempts.filter(success=False)
        if last_ok:
            failures = failures.filter(at__gt=last_ok)
        counts.append(failures.count())
    return max(counts, default=0)


def is_locked(username: str, ip: str | None) -> bool:
    return recent_failures(username, ip) >= settings.SRDI_LOGIN_MAX_FAILURES


def record_attempt(username: str, ip: str | None, success: bool) -> None:
    LoginAttempt.objects.create(username=username[:150], ip=ip or None, success=success)


def issue_token(user: User, name: str) -> str:
    """Create an API token for `user` and return the key (shown once)."""
    from srdi.audit.services import record

    token, key = ApiToken.issue(user, name)
    record(actor=user, action="create", obj=token, after={"name": name, "prefix": token.prefix})
    return key


def user_for_token(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token.user
