"""Policy catalogue (versions kept), matches, category mutes, applications and payments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Policy(models.Model):
    """A support policy. The editable content is the spec (catalogue.py); each save is a version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        ARCHIVED = "archived", _("已下线")

    key = models.SlugField(_("政策编号"), max_length=80, unique=True)
    title = models.CharField(_("政策名称"), max_length=200)
    category = models.CharField(_("类别"), max_length=20, db_index=True)
    department = models.CharField(_("发布部门"), max_length=200, blank=True)
    document_no = models.CharField(_("文号"), max_length=100, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_until = models.DateField(_("有效期止"), null=True, blank=True)
    verified = models.BooleanField(_("已核实"), default=False)
    spec = models.JSONField(_("政策内容"), default=dict)  # the full spec (catalogue.py)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("当前版本"), default=1)
    published_version = models.PositiveIntegerField(_("已发布版本"), null=True, blank=True)
    published_spec = models.JSONField(_("已发布内容"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    from_catalogue = models.BooleanField(_("来自计划目录"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("惠企政策")
        verbose_name_plural = _("惠企政策")
        ordering = ["category", "key"]

    def __str__(self) -> str:
        return self.title


class PolicyVersion(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    spec = models.JSONField(_("内容"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="uniq_policy_version")
        ]


class PolicyMatch(models.Model):
    """The current match of an enterprise to a published policy (eligible, unknown or near)."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="matches")
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="policy_matches"
    )
    version = models.PositiveIntegerField(_("政策版本"))
    status = models.CharField(_("匹配结果"), max_length=12, db_index=True)
    amount = models.DecimalField(
        _("预计金额(万元)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    codes = models.JSONField(_("各条件结果"), default=list)  # [true/false/null] per condition
    matched_at = models.DateTimeField(default=timezone.now)
    first_eligible_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["policy", "enterprise"], name="uniq_policy_match")
        ]
        indexes = [models.Index(fields=["enterprise", "status"])]


class CategoryMute(models.Model):
    """An enterprise does not want pushes of a policy category."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="policy_mutes"
    )
    category = models.CharField(_("类别"), max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "category"], name="uniq_category_mute")
        ]


class PushRecord(models.Model):
    """One targeted push of a policy version to an enterprise (who was told, and when)."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="pushes")
    version = models.PositiveIntegerField()
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="policy_pushes"
    )
    dedupe_key = models.CharField(max_length=200)
    recipients = models.PositiveIntegerField(default=0)
    trigger = models.CharField(max_length=20)  # publish | data_change | rematch
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "version", "enterprise"], name="uniq_push_policy_version_ent"
            )
        ]


class Application(models.Model):
    """一键直达: an application pre-filled from the registry, reviewed and paid."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        PAID = "paid", _("已兑付")

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="applications")
    version = models.PositiveIntegerField(_("政策版本"))
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="policy_applications"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    data = models.JSONField(_("申报内容"), default=dict)
    amount_requested = models.DecimalField(
        _("申请金额(万元)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    amount_estimated = models.DecimalField(
        _("测算金额(万元)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    amount_approved = models.DecimalField(
        _("核定金额(万元)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    amount_paid = models.DecimalField(
        _("兑付金额(万元)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    paid_on = models.DateField(_("兑付日期"), null=True, blank=True)
    review_reason = models.TextField(_("审核意见"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("政策申报")
        verbose_name_plural = _("政策申报")
        ordering = ["-created_at"]


def _attachment_path(instance, filename: str) -> str:
    return f"policies/applications/{instance.application_id}/{filename}"


class ApplicationAttachment(models.Model):
    """One 申报材料 file kept with its application (type and size checked on upload)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    material = models.CharField(_("材料名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to=_attachment_path, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=200)
    kind = models.CharField(_("文件类型"), max_length=10)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")
        ordering = ["application", "material", "uploaded_at"]

    def __str__(self) -> str:
        return f"{self.material}：{self.original_name}"

    @property
    def size_display(self) -> str:
        from srdi.core import formatting

        if self.size < 1024 * 1024:
            return f"{formatting.number(self.size / 1024, 1)} KB"
        return f"{formatting.number(self.size / 1024 / 1024, 1)} MB"
