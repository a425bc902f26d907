"""Session idle timeout (等保: 登录连接超时自动退出).

A logged-in browser session that makes no request for ``SRDI_SESSION_IDLE_MINUTES`` is logged
out on its next request: a page then sends the user to the login page with a Chinese notice,
an API call answers 401. The absolute lifetime of a login is ``SESSION_COOKIE_AGE`` (8 hours).
Token requests have no session and are not affected.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

SESSION_KEY = "srdi_last_seen"
# write the session at most this often for activity alone (seconds)
TOUCH_EVERY = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(SESSION_KEY)
            limit = settings.SRDI_SESSION_IDLE_MINUTES * 60
            if last is not None and limit > 0 and now - int(last) > limit:
                request.srdi_logout_reason = "idle"  # the audit record of the logout says so
                logout(request)
                messages.info(
                    request,
                    _("您已超过 %(m)s 分钟未操作，为保护数据安全已自动退出，请重新登录。")
                    % {"m": f"{settings.SRDI_SESSION_IDLE_MINUTES:g}"},
                )
            elif last is None or now - int(last) >= min(TOUCH_EVERY, limit / 4):
                request.session[SESSION_KEY] = now
        return self.get_response(request)
