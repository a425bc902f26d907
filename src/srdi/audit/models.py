from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Chinese names of the actions (the log shows these; an action not listed is shown as recorded).
ACTION_LABELS = {
    "create": _("新增"),
    "update": _("修改"),
    "delete": _("删除"),
    "append": _("追加"),
    "demo": _("演示数据"),
    "login": _("登录成功"),
    "logout": _("退出登录"),
    "login_failed": _("登录失败"),
    "login_refused": _("登录被拒绝（已锁定）"),
    "login_locked": _("登录锁定"),
    "login_attack": _("疑似密码猜测"),
    "login_unlock": _("解除登录锁定"),
    "password_change": _("修改密码"),
    "audit.purge": _("清理审计日志"),
    "backup": _("备份"),
    "restore": _("恢复"),
    "batch.upload": _("上传批次名单"),
    "evaluation.run": _("认定评估"),
    "evaluation.purge": _("清理评估记录"),
    "policy.save": _("保存政策"),
    "policy.publish": _("发布政策"),
    "policy.archive": _("归档政策"),
    "policy.mutes": _("推送设置"),
    "policy.application.create": _("创建申报"),
    "policy.application.edit": _("修改申报"),
    "policy.application.submit": _("提交申报"),
    "policy.application.review": _("审核申报"),
    "policy.application.pay": _("登记兑现"),
    "pool.willing": _("登记申报意愿"),
    "pool.applied": _("登记申报"),
    "pool.keylink": _("标记关键环节"),
    "target.manual": _("填报目标完成值"),
    "title.create": _("登记称号"),
}


class AuditLog(models.Model):
    """One write to the platform's data: who, when, what (before/after), from where."""

    class Source(models.TextChoices):
        WEB = "web", _("网页")
        API = "api", _("接口")
        CLI = "cli", _("命令行")
        IMPORT = "import", _("批量导入")
        ADMIN = "admin", _("管理后台")
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
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def object_type_label(self) -> str:
        """The Chinese name of the object's model ("企业"), falling back to its label."""
        from django.apps import apps

        try:
            return str(apps.get_model(self.object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return self.object_type
