"""Service system (服务体系, plan 二(八), 三(三)): commissioners and contacts, assignment history,
一企一策 plans, requests (诉求) with deadlines in Chinese working days, visits (走访).

The current commissioners of an enterprise are ``registry.Enterprise.commissioners`` (the scope
of every other domain reads it); this app keeps who changed it, when and why
(:class:`AssignmentEvent`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from srdi.accounts.roles import Department


class CommissionerProfile(models.Model):
    """A service commissioner (服务专员): where they work, what they serve, how many."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commissioner_profile"
    )
    department = models.CharField(_("所属部门"), max_length=10, blank=True)
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("所属板块"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commissioner_profiles",
    )
    industries = models.JSONField(_("服务行业（国民经济行业大类）"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("服务容量（家）"), default=10)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    active = models.BooleanField(_("在岗"), default=True)
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)

    class Meta:
        verbose_name = _("服务专员")
        verbose_name_plural = _("服务专员")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return str(self.user)


class Contact(models.Model):
    """科技镇长团 members and other contacts paired with enterprises (结对联系, 三(三))."""

    class Kind(models.TextChoices):
        TECH_MAYOR = "tech_mayor", _("科技镇长团成员")
        PAIRED = "paired", _("结对联系人")
        OTHER = "other", _("其他联系人")

    name = models.CharField(_("姓名"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.PAIRED)
    organization = models.CharField(_("单位"), max_length=200, blank=True)
    position = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    region = models.ForeignKey(
        "registry.Region", verbose_name=_("板块"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    enterprises = models.ManyToManyField(
        "registry.Enterprise", verbose_name=_("结对企业"), blank=True, related_name="contacts"
    )
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)

    class Meta:
        verbose_name = _("结对联系人")
        verbose_name_plural = _("结对联系人")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class AssignmentEvent(models.Model):
    """History of the commissioners of an enterprise."""

    class Action(models.TextChoices):
        ASSIGN = "assign", _("指派")
        UNASSIGN = "unassign", _("解除")

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="assignment_events"
    )
    commissioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("专员指派记录")
        verbose_name_plural = _("专员指派记录")
        ordering = ["-at", "-pk"]


class ServiceRequest(models.Model):
    """诉求: filed by an enterprise or on its behalf, routed to a department, with deadlines."""

    class State(models.TextChoices):
        PENDING = "pending", _("待受理")
        IN_PROGRESS = "in_progress", _("办理中")
        CLOSED = "closed", _("已办结")
        RATED = "rated", _("已评价")
        RETURNED = "returned", _("已退回")

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE,
        related_name="service_requests",
    )  # fmt: skip
    category = models.CharField(_("类别"), max_length=20, db_index=True)
    subkind = models.CharField(_("细类"), max_length=30, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("诉求内容"))
    department = models.CharField(_("责任部门"), max_length=10, db_index=True)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.PENDING)
    source = models.CharField(_("来源"), max_length=40, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    filed_on = models.DateField(_("提交日期"))
    accept_due = models.DateField(_("受理期限"))
    close_due = models.DateField(_("办结期限"))
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    escalation = models.PositiveSmallIntegerField(_("督办级别"), default=0)  # 0, 1 板块, 2 市工信局
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-filed_at", "-pk"]
        indexes = [
            models.Index(fields=["department", "-filed_at", "-id"], name="sreq_dept_filed"),
            models.Index(fields=["enterprise", "filed_at"], name="sreq_ent_filed"),
            models.Index(fields=["state", "close_due"], name="sreq_state_due"),
            models.Index(fields=["-filed_at", "-id"], name="sreq_filed_desc"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def department_label(self) -> str:
        from srdi.accounts.roles import Department

        try:
            return str(Department(self.department).label)
        except ValueError:
            return self.department

    @property
    def open(self) -> bool:
        return self.state in (self.State.PENDING, self.State.IN_PROGRESS, self.State.RETURNED)


def attachment_path(instance, filename: str) -> str:
    return f"support/requests/{instance.request_id}/{filename}"


class RequestAttachment(models.Model):
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("附件"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("诉求附件")
        verbose_name_plural = _("诉求附件")


class RequestEvent(models.Model):
    """One step of a request's workflow: who, when, from which state to which, with a note."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    department = models.CharField(_("部门"), max_length=10, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["at", "pk"]

    @property
    def to_label(self) -> str:
        try:
            return str(ServiceRequest.State(self.to_state).label)
        except ValueError:
            return ""


class ServicePlan(models.Model):
    """一企一策: the plan of one enterprise."""

    enterprise = models.OneToOneField(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="service_plan"
    )
    summary = models.TextField(_("总体思路"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("一企一策")
        verbose_name_plural = _("一企一策")

    def __str__(self) -> str:
        return f"{self.enterprise} 一企一策"


class PlanItem(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("建议")
        ACCEPTED = "accepted", _("已采纳")
        IN_PROGRESS = "in_progress", _("推进中")
        DONE = "done", _("已完成")
        DROPPED = "dropped", _("已放弃")

    class Origin(models.TextChoices):
        DIAGNOSIS = "diagnosis", _("诊断差距")
        POLICY = "policy", _("可申报政策")
        VISIT = "visit", _("走访发现")
        MANUAL = "manual", _("专员填写")

    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="items")
    area = models.CharField(_("服务领域"), max_length=12)
    title = models.CharField(_("事项"), max_length=300)
    detail = models.TextField(_("说明"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    owner_department = models.CharField(
        _("负责部门"), max_length=10, blank=True, choices=Department.choices
    )
    due = models.DateField(_("完成期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    evidence = models.TextField(_("完成佐证"), blank=True)
    origin = models.CharField(_("来源"), max_length=10, choices=Origin.choices)
    origin_key = models.CharField(max_length=120, blank=True)
    policy = models.ForeignKey(
        "policies.Policy", verbose_name=_("关联政策"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("关联诉求"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="plan_items",
    )  # fmt: skip
    visit = models.ForeignKey(
        "Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_items"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("一企一策事项")
        verbose_name_plural = _("一企一策事项")
        ordering = ["area", "due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "origin_key"],
                condition=~models.Q(origin_key=""),
                name="uniq_plan_item_origin",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Visit(models.Model):
    """走访: a visit to an enterprise with what was found and what follows."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE,
        related_name="visits",
    )  # fmt: skip
    visited_on = models.DateField(_("走访日期"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    participants = models.CharField(_("参加人员"), max_length=500, blank=True)
    topics = models.CharField(_("走访主题"), max_length=500)
    findings = models.TextField(_("发现的问题与需求"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["by", "visited_on"], name="visit_by_date")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.visited_on}"


def visit_file_path(instance, filename: str) -> str:
    return f"support/visits/{instance.visit_id}/{filename}"


class VisitFile(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("照片/文件"), upload_to=visit_file_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=255)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("走访附件")
        verbose_name_plural = _("走访附件")
