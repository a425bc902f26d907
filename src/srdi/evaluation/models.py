"""Stored verdicts: each result with the rule-file version and the input snapshot."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    ELIGIBLE = "eligible", _("符合")
    INELIGIBLE = "ineligible", _("不符合")
    UNDETERMINED = "undetermined", _("待定（数据不全）")


class EvaluationRecord(models.Model):
    """One enterprise judged against one standard on one date.

    ``version`` names the rule file (id and content hash) and ``profile`` is the exchange-format
    document evaluated, so that the verdict can be reproduced after the rules or data change.
    """

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    standard = models.CharField(_("认定标准"), max_length=40, db_index=True)
    version = models.CharField(_("规则版本"), max_length=80)
    as_of = models.DateField(_("评估日期"))
    review = models.BooleanField(_("复核"), default=False)
    outcome = models.CharField(_("结论"), max_length=20, choices=Outcome.choices)
    score = models.FloatField(_("得分"), null=True, blank=True)
    result = models.JSONField(_("评估结果"))
    profile = models.JSONField(_("输入画像快照"))
    created_at = models.DateTimeField(_("评估时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("评估记录")
        verbose_name_plural = _("评估记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "standard", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.standard} {self.as_of} {self.outcome}"
