from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from srdi.audit.middleware import client_ip

from . import services


class ThrottledAuthenticationForm(AuthenticationForm):
    """Login form that refuses a locked username or address and records every attempt."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确。连续多次失败后账户将被暂时锁定。"),
        "locked": _("登录失败次数过多，该账户或地址已被暂时锁定，请 %(minutes)s 分钟后再试。"),
    }

    def clean(self):
        from django.conf import settings

        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request else None
        if services.is_locked(username, ip):
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.SRDI_LOGIN_LOCKOUT_MINUTES},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            services.record_attempt(username, ip, success=False)
            raise
        services.record_attempt(username, ip, success=True)
        return cleaned
