from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import password_validation
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Department, PartnerKind, Role


class UserManager(DjangoUserManager):
    def create_superuser(self, username=None, email=None, password=None, **extra_fields):
        """A superuser's password always meets the policy, whichever door creates it
        (`srdi createsuperuser`, interactive or not, has no way around it)."""
        if password is not None:
            password_validation.validate_password(
                password, self.model(username=username or "", email=email or "")
            )
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A platform user with one role and the scope that goes with it."""

    objects = UserManager()

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.ENTERPRISE)
    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    # scope of a 板块 officer
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("所属板块"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
    )
    # scope of an enterprise user
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("所属企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="users",
    )
    department = models.CharField(_("部门"), max_length=10, choices=Department.choices, blank=True)
    organization = models.CharField(_("机构名称"), max_length=200, blank=True)
    partner_kind = models.CharField(
        _("机构类型"), max_length=20, choices=PartnerKind.choices, blank=True
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_full_name(self) -> str:
        """The name shown to people: 姓名 (display_name), else Django's first/last name."""
        return self.display_name or super().get_full_name()

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class LoginAttempt(models.Model):
    """Every login attempt through any door, for throttling and lockout (srdi.accounts.throttle).

    ``account`` is the username as the throttle counts it (trimmed, lower case), so that
    ``Admin`` and ``admin`` are one account to it. An attempt refused because of a lock is
    kept (``refused``) but does not count towards another lock; an administrator's unlock marks
    the failures it lifted ``cleared``.
    """

    class Door(models.TextChoices):
        WEB = "web", _("平台登录页")
        ADMIN = "admin", _("管理后台登录页")
        API = "api", _("接口")
        OTHER = "other", _("其他")

    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    account = models.CharField(_("账户"), max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("客户端地址"), null=True, blank=True, db_index=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    success = models.BooleanField(_("成功"), default=False)
    door = models.CharField(
        _("登录入口"), max_length=10, choices=Door.choices, default=Door.WEB, blank=True
    )
    refused = models.BooleanField(_("因锁定被拒绝"), default=False)
    cleared = models.BooleanField(_("已解除锁定"), default=False)

    class Meta:
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["account", "ip", "at"], name="login_account_ip_at")]


class PasswordHistory(models.Model):
    """Hashes of a user's recent passwords (the newest included): a new password may not be any
    of the last ``keep`` (srdi.accounts.passwords.HistoryValidator)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-at", "-id"]


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key), prefix=key[:8])
        return token, key
