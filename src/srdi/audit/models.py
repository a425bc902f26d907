from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
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
    "registry.ip.import": _("导入知识产权"),
    "registry.ip.recompute": _("重算知识产权汇总"),
    "registry.ip.save": _("保存知识产权"),
    "innovation.application.accept": _("受理揭榜申请"),
    "innovation.application.create": _("提交揭榜申请"),
    "innovation.application.decide": _("评定揭榜申请"),
    "innovation.capability.save": _("保存技术能力"),
    "innovation.challenge.create": _("创建揭榜挂帅项目"),
    "innovation.challenge.publish": _("发布揭榜挂帅项目"),
    "innovation.match.verdict": _("对接结果"),
    "innovation.milestone.create": _("新增项目节点"),
    "innovation.milestone.done": _("完成项目节点"),
    "innovation.need.save": _("保存技术需求"),
    "innovation.project.create": _("新增产学研项目"),
    "innovation.project.save": _("保存产学研项目"),
    "innovation.team.save": _("保存科研团队"),
    "innovation.techvp.save": _("保存科技副总"),
}

# An action not listed above (a domain added later) reads by its first part, never as a code.
ACTION_DOMAIN_LABELS = {
    "policy": _("惠企政策"),
    "pool": _("培育库"),
    "target": _("计划目标"),
    "title": _("称号"),
    "registry": _("企业库"),
    "innovation": _("创新对接"),
    "evaluation": _("认定评估"),
    "audit": _("审计"),
    "batch": _("批次"),
    "login": _("登录"),
    "finance": _("金融服务"),
    "support": _("服务体系"),
    "chains": _("产业链"),
    "recognition": _("荣誉认定"),
    "cultivation": _("梯度培育"),
}


def action_label(action: str) -> str:
    """The Chinese name of an action code (``policy.application.review`` → 审核申报)."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    domain = action.split(".", 1)[0].split("_", 1)[0]
    if domain in ACTION_DOMAIN_LABELS:
        return f"{ACTION_DOMAIN_LABELS[domain]}操作"
    return str(_("其他操作"))


def value_text(value) -> str:
    """A before/after value as people read it (no dicts, no None/True/False)."""
    from srdi.core import formatting

    if value is None or value == "":
        return "空"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, int | float):
        return formatting.number(value)
    if isinstance(value, list | tuple):
        return "、".join(value_text(v) for v in value) or "无"
    if isinstance(value, dict):
        return "；".join(f"{field_label(k)}：{value_text(v)}" for k, v in value.items())
    return str(value)


def field_label(key: str, model=None) -> str:
    """A before/after key in Chinese: the model field's name, the exchange format's label."""
    from srdi.exchange.schema import path_label

    if model is not None:
        try:
            return str(model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            pass  # not a model field: the exchange format's label below
    label = path_label(str(key).replace("_", ".", 1)) if "_" in str(key) else path_label(str(key))
    if label and label != str(key).replace("_", ".", 1) and label != str(key):
        return label
    return str(FIELD_WORDS.get(key, _("其他内容")))


FIELD_WORDS = {
    "muted": _("不接收推送的类别"),
    "status": _("状态"),
    "note": _("说明"),
    "amount": _("金额"),
    "reason": _("理由"),
    "count": _("数量"),
    "state": _("状态"),
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
        return action_label(self.action)

    def changes(self) -> list[tuple[str, str, str]]:
        """(field, before, after) in Chinese for the log (keys and reprs never shown)."""
        from django.apps import apps

        try:
            model = apps.get_model(self.object_type)
        except (LookupError, ValueError):
            model = None
        before = self.before if isinstance(self.before, dict) else {}
        after = self.after if isinstance(self.after, dict) else {}
        if not isinstance(self.before, dict) and self.before is not None:
            before = {"value": self.before}
        if not isinstance(self.after, dict) and self.after is not None:
            after = {"value": self.after}
        out = []
        for key in list(dict.fromkeys([*before, *after]))[:12]:
            out.append(
                (
                    field_label(key, model),
                    value_text(before.get(key)) if key in before else "",
                    value_text(after.get(key)) if key in after else "",
                )
            )
        return out

    @property
    def object_type_label(self) -> str:
        """The Chinese name of the object's model ("企业"), falling back to its label."""
        from django.apps import apps

        try:
            return str(apps.get_model(self.object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return self.object_type
