"""Account services: API tokens (login throttling lives in srdi.accounts.throttle)."""

from __future__ import annotations

from django.utils import timezone

from .models import ApiToken, User


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


def set_password(actor, user: User, raw: str) -> None:
    """Change `user`'s password through the password policy, audited (for any door that sets a
    password other than Django's own forms: the CLI, a future API). Raises ValidationError with
    the policy's Chinese messages."""
    from django.contrib.auth import password_validation

    from srdi.audit.services import record

    password_validation.validate_password(raw, user)
    user.set_password(raw)
    user.save(update_fields=["password"])
    record(actor=actor or user, action="password_change", obj=user, note="修改密码")
