"""The enterprise registry: reference data (板块, industries) and every part of the profile.

Measurements (figures) are nullable: NULL means unknown, never 0. Declarations (flags,
counts, lists) default to "none claimed". Each stored figure records its source through
`field_sources` ({field: DataSource id}).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class VerificationStatus(models.TextChoices):
    VERIFIED = "verified", _("已核实")
    PARTIAL = "partial", _("部分核实")
    UNVERIFIED = "unverified", _("待核实")


class ReferenceModel(models.Model):
    """Editable reference data with its verification status and source."""

    status = models.CharField(
        _("核实状态"),
        max_length=12,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
    )
    source = models.CharField(_("来源"), max_length=500, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        abstract = True

    @property
    def needs_verification(self) -> bool:
        return self.status != VerificationStatus.VERIFIED


class Region(ReferenceModel):
    """板块: a town (镇), street (街道) or zone (园区)."""

    class Kind(models.TextChoices):
        TOWN = "town", _("镇")
        STREET = "street", _("街道")
        ZONE = "zone", _("园区")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    # Some streets are managed by a zone: the 板块 that follows them up.
    managed_by = models.ForeignKey(
        "self",
        verbose_name=_("归属板块"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed",
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("板块")
        verbose_name_plural = _("板块")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Industry(ReferenceModel):
    """GB/T 4754-2017 国民经济行业分类 node (section, division, group or class)."""

    class Level(models.TextChoices):
        SECTION = "section", _("门类")
        DIVISION = "division", _("大类")
        GROUP = "group", _("中类")
        CLASS = "class", _("小类")

    code = models.CharField(_("代码"), max_length=5, unique=True)  # "C", "C34", "C345", "C3451"
    name = models.CharField(_("名称"), max_length=200)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ReferenceItem(ReferenceModel):
    """Other editable classifications: 战略性新兴产业分类, 六基, industry systems, clusters, chains."""

    scheme = models.CharField(_("分类体系"), max_length=40, db_index=True)
    code = models.CharField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    data = models.JSONField(_("附加信息"), default=dict, blank=True)

    class Meta:
        verbose_name = _("参考分类")
        verbose_name_plural = _("参考分类")
        ordering = ["scheme", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="uniq_reference_item")
        ]

    def __str__(self) -> str:
        return f"{self.name}"


class ImportBatch(models.Model):
    """One uploaded file: the original is kept, with every problem found in it."""

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("全部成功才导入")
        PARTIAL = "partial", _("导入有效记录")

    class Status(models.TextChoices):
        PENDING = "pending", _("等待中")
        RUNNING = "running", _("导入中")
        SUCCEEDED = "succeeded", _("已导入")
        PARTIAL = "partial", _("部分导入")
        REJECTED = "rejected", _("已拒绝")
        FAILED = "failed", _("出错")

    file = models.FileField(_("原始文件"), upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(_("文件名"), max_length=255)
    format = models.CharField(_("格式"), max_length=10)
    department = models.CharField(_("提供部门"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    mode = models.CharField(
        _("导入方式"), max_length=10, choices=Mode.choices, default=Mode.ALL_OR_NOTHING
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total = models.PositiveIntegerField(_("记录数"), default=0)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变化"), default=0)
    rejected = models.PositiveIntegerField(_("拒绝"), default=0)
    problems = models.JSONField(_("问题"), default=list, blank=True)
    rejected_file = models.FileField(
        _("被拒记录"), upload_to="imports/rejected/%Y/%m/", null=True, blank=True
    )
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"


class DataSource(models.Model):
    """Where a stored figure came from: a file, a form, the API, a department, who, when."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("批量导入")
        WEB = "web", _("网页填报")
        API = "api", _("接口")
        DEMO = "demo", _("演示数据（合成）")
        SYSTEM = "system", _("系统")

    kind = models.CharField(_("方式"), max_length=10, choices=Kind.choices)
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL)
    department = models.CharField(_("部门"), max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    label = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("数据来源")
        verbose_name_plural = _("数据来源")

    def __str__(self) -> str:
        who = self.user.username if self.user_id else ""
        return f"{self.get_kind_display()} {self.label} {self.department} {who} {self.at:%Y-%m-%d}".strip()


class Enterprise(models.Model):
    """An enterprise and every top-level part of its profile (exchange format v1)."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=200, db_index=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属板块"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    industry_code = models.CharField(_("国民经济行业代码"), max_length=5, blank=True, db_index=True)
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("国民经济行业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
    )
    size_sector = models.CharField(_("划型行业"), max_length=30, blank=True)
    established = models.DateField(_("成立日期"), null=True, blank=True)
    niche_since = models.DateField(_("从事细分市场起始日期"), null=True, blank=True)
    main_product = models.CharField(_("主导产品"), max_length=200, blank=True)
    sei_code = models.CharField(_("战略性新兴产业分类代码"), max_length=20, blank=True)
    foundation_field = models.CharField(_("工业六基领域"), max_length=30, blank=True)
    priority_field = models.BooleanField(_("属于制造强国/网络强国重点领域"), default=False)
    modern_industry_field = models.BooleanField(_("属于改造提升/新兴/未来产业"), default=False)
    time_honored_brand = models.BooleanField(_("中华老字号"), default=False)
    serves_chain_leader = models.BooleanField(_("服务产业链龙头企业"), default=False)
    chain_breakthrough = models.BooleanField(_("补短板锻长板填空白取得成效"), default=False)
    key_chain_position = models.BooleanField(_("位于产业链关键环节"), default=False)
    # market
    market_share_pct = models.DecimalField(
        _("细分市场占有率(%)"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    market_domestic_rank = models.PositiveIntegerField(_("国内细分市场排名"), null=True, blank=True)
    market_global_rank = models.PositiveIntegerField(_("全球细分市场排名"), null=True, blank=True)
    market_leading = models.BooleanField(_("细分市场占有率较为靠前"), default=False)
    digital_level = models.PositiveSmallIntegerField(_("数字化水平等级"), null=True, blank=True)
    # quality
    quality_provincial_award = models.BooleanField(_("省级以上质量奖"), default=False)
    quality_iso9001 = models.BooleanField(_("质量管理体系认证"), default=False)
    quality_own_brand = models.BooleanField(_("自主品牌"), default=False)
    quality_standards = models.BooleanField(_("参与制修订标准"), default=False)
    mgmt_certified = models.BooleanField(_("取得管理体系认证"), default=False)
    intl_product_cert = models.BooleanField(_("产品通过发达国家和地区认证"), default=False)
    info_system = models.BooleanField(_("核心业务采用信息系统"), default=False)
    rd_institution = models.CharField(_("研发机构级别"), max_length=20, default="none")
    # ip counts (declarations)
    ip_class1 = models.PositiveIntegerField(_("Ⅰ类知识产权"), default=0)
    ip_class1_self_developed = models.PositiveIntegerField(_("其中自主研发"), default=0)
    ip_class1_high_value = models.PositiveIntegerField(_("其中高价值"), default=0)
    ip_class1_applied = models.PositiveIntegerField(_("其中已实际应用"), default=0)
    ip_class2 = models.PositiveIntegerField(_("Ⅱ类知识产权"), default=0)
    local_featured_points = models.DecimalField(
        _("特色化指标得分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # compliance (declarations)
    compliance_abnormal_list = models.BooleanField(_("列入经营异常名录"), default=False)
    compliance_serious_dishonesty = models.BooleanField(_("列入严重失信主体名单"), default=False)
    compliance_major_incident_3y = models.BooleanField(_("近三年重大事故或违法违规"), default=False)
    compliance_prohibited_industry = models.BooleanField(_("属于禁止/限制/淘汰类"), default=False)
    ext = models.JSONField(_("扩展信息"), default=dict, blank=True)

    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)
    commissioners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务专员"),
        blank=True,
        related_name="assigned_enterprises",
    )
    field_sources = models.JSONField(_("字段来源"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AnnualFigures(models.Model):
    """The figures of one enterprise for one calendar year (NULL = unknown)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("年度"))
    employees = models.PositiveIntegerField(_("从业人员"), null=True, blank=True)
    rd_staff = models.PositiveIntegerField(_("研发人员"), null=True, blank=True)
    revenue = models.DecimalField(
        _("营业收入(万元)"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    main_revenue = models.DecimalField(
        _("主营业务收入(万元)"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    total_assets = models.DecimalField(
        _("资产总额(万元)"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    total_liabilities = models.DecimalField(
        _("负债总额(万元)"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    net_profit = models.DecimalField(
        _("净利润(万元)"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    rd_expense = models.DecimalField(
        _("研发费用(万元)"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    equity_financing = models.DecimalField(
        _("新增股权融资(万元)"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    local_contribution = models.DecimalField(
        _("地方财政贡献(万元)"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    export_revenue = models.DecimalField(
        _("出口收入(万元)"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    cnc_rate = models.DecimalField(
        _("关键工序数控化率(%)"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    digital_management = models.BooleanField(_("经营管理数字化"), null=True, blank=True)
    digital_rd_tools = models.BooleanField(_("使用数字化研发设计工具"), null=True, blank=True)
    field_sources = models.JSONField(_("字段来源"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    FIGURES = (
        "employees", "rd_staff", "revenue", "main_revenue", "total_assets", "total_liabilities",
        "net_profit", "rd_expense", "equity_financing", "local_contribution", "export_revenue",
        "cnc_rate", "digital_management", "digital_rd_tools",
    )  # fmt: skip

    class Meta:
        verbose_name = _("年度数据")
        verbose_name_plural = _("年度数据")
        ordering = ["enterprise", "year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="uniq_enterprise_year")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"


class Award(models.Model):
    """科技奖励."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="awards")
    level = models.CharField(_("级别"), max_length=12)  # national | provincial
    year = models.PositiveSmallIntegerField(_("年度"))
    rank = models.PositiveSmallIntegerField(_("获奖单位排名"), null=True, blank=True)
    name = models.CharField(_("奖项名称"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("科技奖励")
        verbose_name_plural = _("科技奖励")
        ordering = ["enterprise", "-year"]


class MakerChinaResult(models.Model):
    """ "创客中国"中小企业创新创业大赛 全国企业组 result."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="maker_china")
    year = models.PositiveSmallIntegerField(_("年度"))
    group = models.CharField(_("名次组"), max_length=10)  # top50 | top500

    class Meta:
        verbose_name = _("创客中国成绩")
        verbose_name_plural = _("创客中国成绩")
        ordering = ["enterprise", "-year"]


class Honor(models.Model):
    """荣誉: 高新技术企业, 技术创新示范企业, 知识产权优势/示范企业."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="honors")
    type = models.CharField(_("荣誉类型"), max_length=30)
    granted = models.DateField(_("获得日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("荣誉")
        verbose_name_plural = _("荣誉")
        ordering = ["enterprise", "type"]


class Title(models.Model):
    """A title held (认定记录): tier, level, batch, granted, valid until, status."""

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        UNDER_REVIEW = "under_review", _("复核中")
        EXPIRED = "expired", _("已到期")
        REVOKED = "revoked", _("已撤销")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="titles")
    tier = models.CharField(_("梯度"), max_length=20, db_index=True)
    level = models.CharField(_("级别"), max_length=12)
    granted = models.DateField(_("认定日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    batch = models.CharField(_("批次"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.VALID
    )
    revoked_reason = models.CharField(_("撤销原因"), max_length=255, blank=True)
    revoked_at = models.DateField(_("撤销日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("称号")
        verbose_name_plural = _("称号")
        ordering = ["enterprise", "-granted"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.tier} {self.level} {self.granted}"

    def is_valid_on(self, day) -> bool:
        """A title counts when granted ≤ day ≤ valid_until and it has not been revoked."""
        if self.status == self.Status.REVOKED:
            return False
        if self.granted is not None and day < self.granted:
            return False
        return self.valid_until is None or day <= self.valid_until


class DevelopmentScore(models.Model):
    """中小企业专精特新发展评价得分 by year (measurement)."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="development_scores"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("发展评价得分")
        verbose_name_plural = _("发展评价得分")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="uniq_devscore_year")
        ]


class IPAsset(models.Model):
    """One IP right: the itemised list behind the profile's `ip` counts (srdi.innovation.patents
    recomputes the counts from these records when an enterprise has any)."""

    class Kind(models.TextChoices):
        INVENTION = "invention_patent", _("发明专利")
        UTILITY = "utility_model", _("实用新型专利")
        DESIGN = "design", _("外观设计专利")
        SOFTWARE = "software", _("软件著作权")
        IC_LAYOUT = "ic_layout", _("集成电路布图设计")
        PLANT_VARIETY = "plant_variety", _("植物新品种")
        NEW_DRUG = "new_drug", _("国家新药")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        APPLYING = "applying", _("申请中")
        GRANTED = "granted", _("已授权")
        LAPSED = "lapsed", _("已失效")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="ip_assets")
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    number = models.CharField(_("编号"), max_length=60, blank=True)
    title = models.CharField(_("名称"), max_length=255, blank=True)
    ip_class = models.CharField(_("类别"), max_length=5, blank=True)  # "1" | "2"
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.GRANTED
    )
    applied_on = models.DateField(_("申请日期"), null=True, blank=True)
    granted = models.DateField(_("授权日期"), null=True, blank=True)
    product = models.CharField(_("关联产品"), max_length=200, blank=True)
    self_developed = models.BooleanField(_("自主研发"), default=True)
    high_value = models.BooleanField(_("高价值"), default=False)
    high_value_flags = models.JSONField(_("高价值情形"), default=list, blank=True)
    applied = models.BooleanField(_("已实际应用"), default=False)
    transferred_in = models.DateField(_("转入日期"), null=True, blank=True)
    source = models.ForeignKey(
        DataSource, verbose_name=_("来源"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("知识产权")
        verbose_name_plural = _("知识产权")


class DataShare(models.Model):
    """An enterprise's consent to share its data with a partner (bank / university)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="shares")
    organization = models.CharField(_("合作机构"), max_length=200, db_index=True)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    # What and until when (srdi.finance.consent; sections as in finance/data/consent.yaml).
    sections = models.JSONField(_("共享内容"), default=list, blank=True)
    until = models.DateField(_("有效期至"), null=True, blank=True)
    all_banks = models.BooleanField(_("全部合作银行"), default=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("数据共享授权")
        verbose_name_plural = _("数据共享授权")

    @classmethod
    def active(cls):
        """Consents in force now: not withdrawn and not past their end date."""
        return cls.objects.filter(
            Q(revoked_at__isnull=True) | Q(revoked_at__gt=timezone.now()),
            Q(until__isnull=True) | Q(until__gte=timezone.localdate()),
        )
