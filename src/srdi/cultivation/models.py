"""梯度培育: announced batches, title events, the pool, alerts, hand-recorded target figures.

Titles themselves are stored in the registry (``registry.Title``); what the lifecycle needs
beyond its fields (the batch upload it came from, each status change with who and why) is kept
here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TIER_CHOICES = (
    ("tech_sme", _("科技型中小企业")),
    ("innovative_sme", _("创新型中小企业")),
    ("srdi_sme", _("专精特新中小企业")),
    ("little_giant", _("专精特新“小巨人”企业")),
    ("single_champion", _("制造业单项冠军企业")),
)
LEVEL_CHOICES = (
    ("national", _("国家级")),
    ("provincial", _("省级")),
    ("municipal", _("市级")),
)
TIER_LABELS = {k: str(v) for k, v in TIER_CHOICES}
LEVEL_LABELS = {k: str(v) for k, v in LEVEL_CHOICES}


class TitleBatch(models.Model):
    """One announced batch (公告名单) uploaded by an official; the original file is kept."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("已入库")
        PARTIAL = "partial", _("部分入库")
        REJECTED = "rejected", _("未入库（有未匹配企业）")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("全部匹配才入库")
        PARTIAL = "partial", _("仅入库已匹配企业")

    name = models.CharField(_("批次"), max_length=100)
    tier = models.CharField(_("梯度"), max_length=20, choices=TIER_CHOICES)
    level = models.CharField(_("级别"), max_length=12, choices=LEVEL_CHOICES)
    granted = models.DateField(_("认定日期"))
    valid_until = models.DateField(_("有效期至"))
    file = models.FileField(_("原始文件"), upload_to="title_batches/%Y/%m/", max_length=300)
    original_name = models.CharField(_("文件名"), max_length=255)
    mode = models.CharField(
        _("入库方式"), max_length=10, choices=Mode.choices, default=Mode.ALL_OR_NOTHING
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    total = models.PositiveIntegerField(_("名单条数"), default=0)
    matched = models.PositiveIntegerField(_("已匹配"), default=0)
    created = models.PositiveIntegerField(_("新建称号"), default=0)
    already = models.PositiveIntegerField(_("已有记录"), default=0)
    unmatched = models.JSONField(_("未匹配"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("认定批次")
        verbose_name_plural = _("认定批次")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_tier_display()}）"


class TitleEvent(models.Model):
    """A step in a title's life: granted, review started, renewed, expired, revoked."""

    class Kind(models.TextChoices):
        GRANTED = "granted", _("认定")
        REVIEW = "review", _("进入复核")
        RENEWED = "renewed", _("复核通过")
        EXPIRED = "expired", _("到期")
        REVOKED = "revoked", _("撤销")

    title = models.ForeignKey("registry.Title", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=10, choices=Kind.choices)
    on = models.DateField(_("日期"))
    batch = models.ForeignKey(TitleBatch, null=True, blank=True, on_delete=models.SET_NULL)
    reason_code = models.CharField(_("原因代码"), max_length=30, blank=True)
    note = models.CharField(_("说明"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("称号事件")
        verbose_name_plural = _("称号事件")
        ordering = ["title", "on", "pk"]


class PoolEntry(models.Model):
    """An enterprise in the 培育库 for one target tier.

    ``meets`` comes from the rules core (True / False / None = undetermined); ``willing`` and
    ``applied_on`` are recorded by officials (audited).
    """

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="pool_entries"
    )
    tier = models.CharField(_("培育目标"), max_length=20, choices=TIER_CHOICES)
    meets = models.BooleanField(_("符合认定条件"), null=True, blank=True)
    meets_standard = models.CharField(_("评估标准"), max_length=40, blank=True)
    meets_checked_on = models.DateField(_("评估日期"), null=True, blank=True)
    meets_since = models.DateField(_("首次符合日期"), null=True, blank=True)
    willing = models.BooleanField(_("有申报意愿"), default=False)
    willing_on = models.DateField(_("意愿登记日期"), null=True, blank=True)
    applied_on = models.DateField(_("申报日期"), null=True, blank=True)
    applied_year = models.PositiveSmallIntegerField(_("申报年度"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("培育库企业")
        verbose_name_plural = _("培育库企业")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "tier"], name="uniq_pool_enterprise_tier")
        ]
        indexes = [models.Index(fields=["tier", "meets"]), models.Index(fields=["tier", "willing"])]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.get_tier_display()}"


class KeyLinkProduct(models.Model):
    """市级重点产业链关键环节“专精特新”产品培育库 (city-level pool of niche products at key links)."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="key_link_products"
    )
    product = models.CharField(_("产品"), max_length=200)
    chain = models.CharField(_("产业链"), max_length=100)
    link = models.CharField(_("关键环节"), max_length=100, blank=True)
    added_on = models.DateField(_("入库日期"), default=timezone.localdate)
    active = models.BooleanField(_("在库"), default=True)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("关键环节产品")
        verbose_name_plural = _("关键环节产品")
        ordering = ["chain", "product"]

    def __str__(self) -> str:
        return f"{self.product}（{self.chain}）"


class Alert(models.Model):
    """A monitoring finding about one enterprise; one row per dedupe key."""

    class Kind(models.TextChoices):
        EXPIRING = "expiring", _("称号即将到期")
        NOT_UPDATED = "not_updated", _("年度数据未按期更新")
        REVIEW_RISK = "review_risk", _("指标不满足复核标准")
        NEW_TIER = "new_tier", _("新符合更高梯度条件")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, db_index=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="alerts"
    )
    region = models.ForeignKey(
        "registry.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.ForeignKey(
        "registry.Title", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    tier = models.CharField(_("梯度"), max_length=20, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    message = models.CharField(_("内容"), max_length=500)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    detected_on = models.DateField(_("发现日期"), db_index=True)
    resolved_on = models.DateField(_("解除日期"), null=True, blank=True)
    # handling: assigned to someone, closed by hand with a note (a closed alert stays closed)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_alerts",
        verbose_name=_("负责人"),
    )
    assigned_at = models.DateTimeField(_("指派时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("关闭人"),
    )
    close_note = models.TextField(_("处理说明"), blank=True)

    class Meta:
        verbose_name = _("监测预警")
        verbose_name_plural = _("监测预警")
        ordering = ["-detected_on", "kind"]
        indexes = [
            models.Index(fields=["resolved_on", "region"]),
            models.Index(fields=["detected_on", "id"], name="cultivation_alert_recent"),
        ]

    def __str__(self) -> str:
        return self.message


class ManualFigure(models.Model):
    """A target figure recorded by hand where the platform holds no record (audited)."""

    target_id = models.CharField(_("目标"), max_length=40, db_index=True)
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("板块"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    as_of = models.DateField(_("统计截至"))
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2)
    source = models.CharField(_("数据来源"), max_length=255)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("手工填报目标数据")
        verbose_name_plural = _("手工填报目标数据")
        ordering = ["target_id", "-as_of", "-recorded_at"]


class TargetSnapshot(models.Model):
    """The actual value of a target on a date (for the trend over time); written by `srdi targets --snapshot`."""

    plan = models.CharField(max_length=20, blank=True, default="")
    target_id = models.CharField(max_length=40)
    region = models.ForeignKey(
        "registry.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    as_of = models.DateField()
    actual = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("目标进度快照")
        verbose_name_plural = _("目标进度快照")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "target_id", "region", "as_of"], name="uniq_plan_target_snapshot"
            )
        ]


class LoadedPlan(models.Model):
    """A plan (periods and targets) loaded by an official from YAML or xlsx (audited).

    ``content`` is the validated plan (see ``plans.validate``); the original file is kept."""

    key = models.CharField(_("计划编号"), max_length=20, db_index=True)
    title = models.CharField(_("计划名称"), max_length=200)
    start = models.DateField(_("计划期起"))
    end = models.DateField(_("计划期止"))
    content = models.JSONField(_("计划内容"))
    original_name = models.CharField(_("文件名"), max_length=255)
    original = models.BinaryField(_("原始文件"))
    active = models.BooleanField(_("启用"), default=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    loaded_at = models.DateTimeField(_("载入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("计划")
        verbose_name_plural = _("计划")
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return self.title
