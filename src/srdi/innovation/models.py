"""Innovation (创新引领, plan 二(三)): technical needs, university teams and capabilities, their
matches and docking, 产学研 projects, 科技副总 and 揭榜挂帅 lists.

Institutions are the ``organization`` of partner users of kind university
(``accounts.roles.PartnerKind.UNIVERSITY``): a team belongs to an institution by that name.
Amounts are in 万元 (Decimal).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIELDS = (
    ("汽车及零部件", _("汽车及零部件")),
    ("装备制造", _("装备制造")),
    ("新材料", _("新材料")),
    ("纺织服装", _("纺织服装")),
    ("电子信息", _("电子信息")),
    ("新能源", _("新能源")),
    ("生物医药", _("生物医药")),
    ("其他", _("其他")),
)


class Team(models.Model):
    institution = models.CharField(_("所属机构"), max_length=200, db_index=True)
    name = models.CharField(_("团队名称"), max_length=200)
    leader = models.CharField(_("负责人"), max_length=100, blank=True)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    introduction = models.TextField(_("团队简介"), blank=True)
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("科研团队")
        verbose_name_plural = _("科研团队")
        ordering = ["institution", "name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="uniq_team_name")
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.name}"


class Capability(models.Model):
    """A team's capability or achievement (成果) offered to enterprises."""

    class Kind(models.TextChoices):
        CAPABILITY = "capability", _("技术能力")
        ACHIEVEMENT = "achievement", _("科技成果")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="capabilities")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.CAPABILITY)
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("简介"))
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    scenarios = models.TextField(
        _("应用场景 / 可解决的问题"),
        blank=True,
        help_text=_("每行一条，用企业现场的话描述本方法能解决的问题，如：铸件内部气孔多"),
    )
    field = models.CharField(_("领域"), max_length=20, choices=FIELDS, blank=True)
    trl = models.PositiveSmallIntegerField(_("技术成熟度（TRL 1–9）"), null=True, blank=True)
    patents = models.TextField(_("相关专利"), blank=True)
    active = models.BooleanField(_("发布中"), default=True)
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("技术能力")
        verbose_name_plural = _("技术能力")
        ordering = ["-updated_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def institution(self) -> str:
        return self.team.institution


class Need(models.Model):
    """An enterprise's technical need."""

    class Confidentiality(models.TextChoices):
        PUBLIC = "public", _("公开")
        PARTNERS = "partners", _("仅合作高校")
        NAMED = "named", _("仅本人指定的机构")

    class Status(models.TextChoices):
        OPEN = "open", _("征集中")
        CLOSED = "closed", _("已关闭")

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="tech_needs"
    )
    title = models.CharField(_("需求名称"), max_length=200)
    description = models.TextField(_("需求描述"))
    field = models.CharField(_("领域"), max_length=20, choices=FIELDS, blank=True)
    target_params = models.TextField(_("目标参数"), blank=True)
    budget = models.DecimalField(
        _("预算（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    confidentiality = models.CharField(
        _("公开范围"),
        max_length=10,
        choices=Confidentiality.choices,
        default=Confidentiality.PUBLIC,
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("技术需求")
        verbose_name_plural = _("技术需求")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def allowed_institutions(self) -> list[str]:
        return [s.institution for s in self.shares.all()]


class NeedShare(models.Model):
    """An institution the enterprise named for a need of level 仅本人指定的机构."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="shares")
    institution = models.CharField(_("机构"), max_length=200, db_index=True)

    class Meta:
        verbose_name = _("需求指定机构")
        verbose_name_plural = _("需求指定机构")
        constraints = [
            models.UniqueConstraint(fields=["need", "institution"], name="uniq_need_share")
        ]


class Match(models.Model):
    """A recommended pairing of a need and a capability, and its docking (推荐 → … → 结题)."""

    class State(models.TextChoices):
        RECOMMENDED = "recommended", _("推荐")
        DOCKING = "docking", _("对接中")
        SIGNED = "signed", _("签约")
        RESEARCHING = "researching", _("在研")
        CONCLUDED = "concluded", _("结题")
        CLOSED = "closed", _("已终止")

    class Verdict(models.TextChoices):
        NONE = "", _("未表态")
        ACCEPTED = "accepted", _("接受")
        REJECTED = "rejected", _("拒绝")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField(_("匹配度"), default=0)
    reasons = models.JSONField(_("匹配理由"), default=list, blank=True)
    state = models.CharField(
        _("对接状态"), max_length=12, choices=State.choices, default=State.RECOMMENDED
    )
    enterprise_verdict = models.CharField(
        _("企业意见"), max_length=10, choices=Verdict.choices, blank=True, default=""
    )
    university_verdict = models.CharField(
        _("高校意见"), max_length=10, choices=Verdict.choices, blank=True, default=""
    )
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)
    created_at = models.DateTimeField(_("推荐时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("对接")
        verbose_name_plural = _("对接")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["need", "capability"], name="uniq_match_pair")
        ]

    def __str__(self) -> str:
        return f"{self.need} ↔ {self.capability}"


class MatchEvent(models.Model):
    """One step of a docking (who moved it, from where to where, with what note)."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=30)
    from_state = models.CharField(_("原状态"), max_length=12, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("对接记录")
        verbose_name_plural = _("对接记录")
        ordering = ["at", "pk"]

    @property
    def to_label(self) -> str:
        return str(Match.State(self.to_state).label) if self.to_state in Match.State.values else ""


class Project(models.Model):
    """产学研合作项目: a signed match (or one recorded directly), counted toward plan 二(三)."""

    match = models.OneToOneField(
        Match, null=True, blank=True, on_delete=models.SET_NULL, related_name="project"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="rd_projects"
    )
    institution = models.CharField(_("合作高校院所"), max_length=200)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    title = models.CharField(_("项目名称"), max_length=200)
    contract_amount = models.DecimalField(
        _("合同金额（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    funding = models.DecimalField(
        _("财政资助（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    signed_on = models.DateField(_("签约日期"))
    start_on = models.DateField(_("开始日期"), null=True, blank=True)
    end_on = models.DateField(_("结束日期"), null=True, blank=True)
    concluded_on = models.DateField(_("结题日期"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("产学研合作项目")
        verbose_name_plural = _("产学研合作项目")
        ordering = ["-signed_on", "pk"]

    def __str__(self) -> str:
        return self.title


class TechVP(models.Model):
    """科技副总: a university expert serving as an enterprise's vice president of technology."""

    person = models.CharField(_("姓名"), max_length=100)
    institution = models.CharField(_("派出高校院所"), max_length=200)
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="tech_vps"
    )
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"), null=True, blank=True)
    expertise = models.CharField(_("专业方向"), max_length=200, blank=True)
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("科技副总")
        verbose_name_plural = _("科技副总")
        ordering = ["-term_start", "pk"]

    def __str__(self) -> str:
        return f"{self.person}（{self.institution}）"


class Challenge(models.Model):
    """揭榜挂帅 list (榜单) published by the 科技局 from selected needs."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        CLOSED = "closed", _("已截止")

    title = models.CharField(_("榜单名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    description = models.TextField(_("说明"), blank=True)
    apply_until = models.DateField(_("揭榜截止日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)

    class Meta:
        verbose_name = _("揭榜挂帅榜单")
        verbose_name_plural = _("揭榜挂帅榜单")
        ordering = ["-year", "-pk"]

    def __str__(self) -> str:
        return self.title


class ChallengeItem(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="items")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="challenge_items")
    reward = models.DecimalField(
        _("榜单金额（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("榜单项目")
        verbose_name_plural = _("榜单项目")
        ordering = ["challenge", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "need"], name="uniq_challenge_need")
        ]

    def __str__(self) -> str:
        return self.need.title


class Application(models.Model):
    """A team's application (揭榜) for one item, its selection, milestones and acceptance."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已揭榜")
        SELECTED = "selected", _("已入选")
        NOT_SELECTED = "not_selected", _("未入选")
        ACCEPTED = "accepted", _("已验收")

    item = models.ForeignKey(ChallengeItem, on_delete=models.CASCADE, related_name="applications")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="applications")
    proposal = models.TextField(_("攻关方案"))
    amount = models.DecimalField(
        _("申请经费（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=14, choices=Status.choices, default=Status.SUBMITTED
    )
    decision_reason = models.TextField(_("遴选理由"), blank=True)
    decided_at = models.DateTimeField(_("遴选时间"), null=True, blank=True)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    acceptance_note = models.TextField(_("验收意见"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)
    created_at = models.DateTimeField(_("揭榜时间"), default=timezone.now)

    class Meta:
        verbose_name = _("揭榜申请")
        verbose_name_plural = _("揭榜申请")
        ordering = ["item", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "team"], name="uniq_application_team")
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.item}"


class Milestone(models.Model):
    """A milestone of a selected application with its funding tranche."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("里程碑"), max_length=200)
    due_on = models.DateField(_("计划完成日期"))
    tranche = models.DecimalField(
        _("拨付经费（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("里程碑")
        verbose_name_plural = _("里程碑")
        ordering = ["application", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title
