from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Department, PartnerKind, Role


class User(AbstractUser):
    """A platform user with one role and the scope that goes with it."""

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

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class LoginAttempt(models.Model):
    """Every login attempt, for throttling and lockout."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    success = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        ordering = ["-at"]


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
