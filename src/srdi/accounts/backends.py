"""The one authentication backend: Django's user/password check behind the login throttle.

Every door that logs a user in with a password calls ``django.contrib.auth.authenticate`` and so
passes here: the platform's login page, the Django admin's login page, and any later door (an
API login, a CLI). A locked (account, address) or address is refused before the password is
checked; failures and successes are recorded by srdi.accounts.throttle.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from srdi.audit.middleware import client_ip

from . import throttle
from .models import LoginAttempt


def door_of(request) -> str:
    if request is None:
        return LoginAttempt.Door.OTHER
    path = getattr(request, "path", "") or ""
    if path.startswith("/admin/"):
        return LoginAttempt.Door.ADMIN
    if path.startswith("/api/"):
        return LoginAttempt.Door.API
    return LoginAttempt.Door.WEB


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip = client_ip(request) if request is not None else None
        door = door_of(request)
        lock = throttle.lock_for(username, ip)
        if lock is not None:
            throttle.record_refused(username, ip, door, lock)
            if request is not None:
                request.srdi_login_lock = lock
            raise PermissionDenied  # authenticate() stops here and reports a failed login
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            lock = throttle.record_failure(username, ip, door)
            if lock is not None and request is not None:
                request.srdi_login_lock = lock
            return None
        throttle.record_success(username, ip, door, user=user)
        return user
