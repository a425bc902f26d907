"""Password policy (等保 level 3, ASVS 2.1) beyond Django's own validators.

Configured in ``settings.AUTH_PASSWORD_VALIDATORS`` together with Django's minimum length (10),
similarity and common-password checks, so every door that sets a password runs all of them: the
password change page, the Django admin, ``srdi createsuperuser`` / ``srdi changepassword`` and
:func:`srdi.accounts.services.set_password` for any later door.
"""

from __future__ import annotations

import string

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLength
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    ("lower", set(string.ascii_lowercase)),
    ("upper", set(string.ascii_uppercase)),
    ("digit", set(string.digits)),
)


class MinimumLengthValidator(DjangoMinimumLength):
    """Django's length check, with its message in Chinese (Django's own catalogue lacks it)."""

    def get_error_message(self):
        return _("密码长度太短：至少需要 %(n)s 个字符。") % {"n": self.min_length}

    def get_help_text(self):
        return _("至少 %(n)s 个字符。") % {"n": self.min_length}


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and other characters the password uses."""
    used = {key for key, chars in CLASSES if any(c in chars for c in password)}
    if any(not (c.isascii() and c.isalnum()) for c in password):
        used.add("other")
    return len(used)


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须至少包含以下四类字符中的 %(n)s 类：小写字母、大写字母、数字、其他符号。")
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("至少包含小写字母、大写字母、数字、其他符号中的 %(n)s 类。") % {
            "n": self.min_classes
        }


class NotUsernameValidator:
    """The password may not contain the user name (in any letter case, or reversed)."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").strip().lower()
        if len(username) < 3:
            return
        lowered = password.lower()
        if username in lowered or username[::-1] in lowered:
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")

    def get_help_text(self):
        return _("不能包含用户名。")


class HistoryValidator:
    """A new password may not be the current one or one of the previous ``keep - 1``."""

    def __init__(self, keep: int = 5):
        self.keep = keep

    def _recent_hashes(self, user) -> list[str]:
        from .models import PasswordHistory

        hashes = []
        if getattr(user, "password", ""):
            hashes.append(user.password)
        if getattr(user, "pk", None):
            for h in PasswordHistory.objects.filter(user_id=user.pk).values_list(
                "password", flat=True
            )[: self.keep]:
                if h not in hashes:
                    hashes.append(h)
        return hashes[: self.keep]

    def validate(self, password, user=None):
        if user is None:
            return
        for encoded in self._recent_hashes(user):
            if encoded and check_password(password, encoded):
                raise ValidationError(
                    _("不能使用最近 %(n)s 次用过的密码。") % {"n": self.keep},
                    code="password_reused",
                )

    def password_changed(self, password, user=None):
        """Keep the new password's hash (the newest ``keep`` are kept per user)."""
        from .models import PasswordHistory

        if user is None or not getattr(user, "pk", None) or not user.has_usable_password():
            return
        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        old = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[
            self.keep :
        ]
        PasswordHistory.objects.filter(pk__in=list(old)).delete()

    def get_help_text(self):
        return _("不能与最近 %(n)s 次用过的密码相同。") % {"n": self.keep}
