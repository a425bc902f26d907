"""Registers the plan's targets count: honours and certifications per enterprise (市长质量奖,
江苏精品, 智能车间, 星级上云, 两化融合贯标, 智改数转诊断, 规上名录 …) and recognised service and
innovation platforms (公共服务示范平台, 创业创新示范基地, 产业创新平台). Kinds are data
(data/kinds.yaml); each register is maintained by its department."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Honour(models.Model):
    """One honour, certification or listing of an enterprise (kind, level, year, issuer)."""

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="honours_recognised",
    )
    kind = models.CharField(_("类别"), max_length=30, db_index=True)
    level = models.CharField(_("级别"), max_length=12)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    granted_on = models.DateField(_("认定日期"), null=True, blank=True)
    issuer = models.CharField(_("认定/发证单位"), max_length=100)
    item = models.CharField(_("产品/车间名称"), max_length=200, blank=True)
    stars = models.PositiveSmallIntegerField(_("星级"), null=True, blank=True)
    certificate_no = models.CharField(_("证书/文号"), max_length=100, blank=True)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("荣誉认证记录")
        verbose_name_plural = _("荣誉认证记录")
        ordering = ["-year", "kind", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind", "year", "item"], name="uniq_honour"
            )
        ]

    def __str__(self) -> str:
        item = f"（{self.item}）" if self.item else ""
        return f"{self.enterprise} {self.year}年{self.kind_label}{item}"

    @property
    def kind_label(self) -> str:
        from .kinds import honour_label

        return honour_label(self.kind)

    @property
    def level_label(self) -> str:
        from .kinds import level_label

        return level_label(self.level)


class Platform(models.Model):
    """A recognised service or innovation platform (an organisation) and its recognition."""

    name = models.CharField(_("平台名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=30, db_index=True)
    level = models.CharField(_("级别"), max_length=12)
    year = models.PositiveSmallIntegerField(_("认定年度"), db_index=True)
    issuer = models.CharField(_("认定单位"), max_length=100)
    operator = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("运营企业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    operator_name = models.CharField(_("运营单位"), max_length=200, blank=True)
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("板块"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("服务与创新平台")
        verbose_name_plural = _("服务与创新平台")
        ordering = ["-year", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind", "level"], name="uniq_platform")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}年认定）"

    @property
    def kind_label(self) -> str:
        from .kinds import platform_label

        return platform_label(self.kind)

    @property
    def level_label(self) -> str:
        from .kinds import level_label

        return level_label(self.level)
