from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLog(models.Model):
    """One write to the platform's data: who, when, what (before/after), from where."""

    class Source(models.TextChoices):
        WEB = "web", _("网页")
        API = "api", _("接口")
        CLI = "cli", _("命令行")
        IMPORT = "import", _("批量导入")
        SYSTEM = "system", _("系统")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=30, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    enterprise_uscc = models.CharField(
        _("企业统一社会信用代码"), max_length=18, blank=True, db_index=True
    )
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    source = models.CharField(
        _("来源"), max_length=10, choices=Source.choices, default=Source.SYSTEM
    )
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    @property
    def object_type_label(self) -> str:
        """The Chinese name of the object's model ("企业"), falling back to its label."""
        from django.apps import apps

        try:
            return str(apps.get_model(self.object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return self.object_type
