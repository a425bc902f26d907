from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class ThrottledLoginMixin:
    """Shows the lock (and how long it lasts) instead of "wrong password" when the throttle of
    srdi.accounts.backends refused or has just locked the attempt."""

    throttle_messages = {
        "invalid_login": _(
            "用户名或密码不正确。同一账户连续多次失败后，该账户在本机地址将被暂时锁定。"
        ),
        "locked_account": _(
            "登录失败次数过多，该账户在您当前的地址已被暂时锁定，请 %(minutes)s 分钟后再试，"
            "或联系管理员解除锁定。"
        ),
        "locked_address": _(
            "您当前的地址登录失败次数过多，已被暂时锁定，请 %(minutes)s 分钟后再试，"
            "或联系管理员解除锁定。"
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            lock = getattr(self.request, "srdi_login_lock", None) if self.request else None
            if lock is not None:
                raise forms.ValidationError(
                    self.throttle_messages[f"locked_{lock.kind}"],
                    code="locked",
                    params={"minutes": lock.minutes_left},
                ) from None
            raise


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    """The platform's login form (the throttle itself is in the authentication backend)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": ThrottledLoginMixin.throttle_messages["invalid_login"],
    }


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """/admin/login/: the same throttle, the same messages."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": ThrottledLoginMixin.throttle_messages["invalid_login"],
    }
