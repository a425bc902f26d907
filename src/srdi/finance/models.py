"""Finance (plan 二(七) 特色金融助力): partner reads, financing needs and bank answers, bank
products, loans, the listing reserve pool, insurance claims.

Consents themselves are ``srdi.registry.models.DataShare`` (the enterprise's grant to a bank);
the one check every partner read goes through is ``srdi.finance.consent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from srdi.accounts.roles import Department

MONEY = {"max_digits": 14, "decimal_places": 4}
RATE = {"max_digits": 7, "decimal_places": 4}


class FinancingKind(models.TextChoices):
    CREDIT = "credit", _("信用贷款")
    IP_PLEDGE = "ip_pledge", _("知识产权质押贷款")
    EQUITY = "equity", _("股权融资")
    INSURANCE = "insurance", _("保险")
    MEDIUM_LONG = "medium_long", _("中长期贷款")


class PartnerAccess(models.Model):
    """One read of an enterprise's data by a partner: 谁在何时查看了我的哪些数据."""

    class Door(models.TextChoices):
        PAGE = "page", _("网页")
        API = "api", _("接口")
        DOWNLOAD = "download", _("下载")
        EXPORT = "export", _("导出")

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="partner_accesses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.CharField(_("机构"), max_length=200)
    sections = models.JSONField(_("查看内容"), default=list)
    door = models.CharField(_("方式"), max_length=10, choices=Door.choices)
    what = models.CharField(_("查看对象"), max_length=200, blank=True)
    ip = models.CharField(_("来源地址"), max_length=64, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("合作机构查看记录")
        verbose_name_plural = _("合作机构查看记录")
        ordering = ["-at"]


class Product(models.Model):
    """A bank's financing product with its conditions in the rules language."""

    bank = models.CharField(_("银行"), max_length=200, db_index=True)
    name = models.CharField(_("产品名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=12, choices=FinancingKind.choices)
    amount_min = models.DecimalField(_("额度下限(万元)"), null=True, blank=True, **MONEY)
    amount_max = models.DecimalField(_("额度上限(万元)"), null=True, blank=True, **MONEY)
    rate_min = models.DecimalField(_("年利率下限(%)"), null=True, blank=True, **RATE)
    rate_max = models.DecimalField(_("年利率上限(%)"), null=True, blank=True, **RATE)
    term_months = models.PositiveIntegerField(_("最长期限(月)"), null=True, blank=True)
    # [{"label": "持有专精特新称号", "expr": 'holds("srdi_sme", "little_giant")'}, ...]
    conditions = models.JSONField(_("准入条件"), default=list, blank=True)
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("在售"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("金融产品")
        verbose_name_plural = _("金融产品")
        ordering = ["bank", "name"]
        constraints = [models.UniqueConstraint(fields=["bank", "name"], name="uniq_product_bank")]

    def __str__(self) -> str:
        return f"{self.bank}·{self.name}"


class Need(models.Model):
    """A financing need posted by an enterprise, shared with the banks it consented to."""

    class State(models.TextChoices):
        OPEN = "open", _("待银行响应")
        CONTACTED = "contacted", _("接洽中")
        CREDITED = "credited", _("已授信")
        LOANED = "loaned", _("已放款")
        DECLINED = "declined", _("未获融资")
        WITHDRAWN = "withdrawn", _("已撤回")

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="financing_needs"
    )
    amount = models.DecimalField(_("金额(万元)"), **MONEY)
    purpose = models.CharField(_("用途"), max_length=300)
    term_months = models.PositiveIntegerField(_("期限(月)"))
    kinds = models.JSONField(_("可接受方式"), default=list)
    collateral = models.CharField(_("担保/抵质押"), max_length=300, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("融资需求")
        verbose_name_plural = _("融资需求")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.enterprise.name}·{self.purpose}"

    def kind_labels(self) -> list[str]:
        labels = dict(FinancingKind.choices)
        return [str(labels.get(k, k)) for k in self.kinds]


class Response(models.Model):
    """A bank's answer to a need: 接洽 / 授信 / 放款 / 拒绝."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("接洽")
        CREDIT = "credit", _("授信")
        LOAN = "loan", _("放款")
        REJECT = "reject", _("拒绝")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="responses")
    bank = models.CharField(_("银行"), max_length=200, db_index=True)
    kind = models.CharField(_("答复"), max_length=10, choices=Kind.choices)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    amount = models.DecimalField(_("金额(万元)"), null=True, blank=True, **MONEY)
    rate = models.DecimalField(_("年利率(%)"), null=True, blank=True, **RATE)
    term_months = models.PositiveIntegerField(_("期限(月)"), null=True, blank=True)
    on = models.DateField(_("日期"), default=timezone.localdate)
    reason = models.CharField(_("说明/拒绝原因"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("银行答复")
        verbose_name_plural = _("银行答复")
        ordering = ["at"]


class Loan(models.Model):
    """A loan (or equity/insurance financing) granted to an enterprise: the outcome."""

    class Source(models.TextChoices):
        RESPONSE = "response", _("银行答复")
        IMPORT = "import", _("银行报送文件")

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="loans"
    )
    bank = models.CharField(_("银行"), max_length=200, db_index=True)
    kind = models.CharField(_("类型"), max_length=12, choices=FinancingKind.choices)
    amount = models.DecimalField(_("金额(万元)"), **MONEY)
    rate = models.DecimalField(_("年利率(%)"), null=True, blank=True, **RATE)
    term_months = models.PositiveIntegerField(_("期限(月)"))
    loaned_on = models.DateField(_("放款日期"), db_index=True)
    matures_on = models.DateField(_("到期日期"))
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="loans"
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    reference = models.CharField(_("业务编号"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("贷款")
        verbose_name_plural = _("贷款")
        ordering = ["-loaned_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank", "reference"],
                condition=~models.Q(reference=""),
                name="uniq_loan_bank_reference",
            )
        ]


class ListingCandidate(models.Model):
    """An enterprise in (or proposed for) the listing reserve pool (上市后备企业库)."""

    class Stage(models.TextChoices):
        PROPOSED = "proposed", _("待确认")
        CULTIVATING = "cultivating", _("培育")
        TUTORING = "tutoring", _("辅导备案")
        FILED = "filed", _("申报")
        REVIEW = "review", _("审核/注册")
        LISTED = "listed", _("上市")
        REMOVED = "removed", _("已出库")

    enterprise = models.OneToOneField(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="listing"
    )
    stage = models.CharField(
        _("阶段"), max_length=12, choices=Stage.choices, default=Stage.PROPOSED, db_index=True
    )
    score = models.DecimalField(_("评分"), max_digits=7, decimal_places=2, null=True)
    score_detail = models.JSONField(_("评分明细"), default=dict, blank=True)
    confirmed_on = models.DateField(_("入库日期"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    board = models.CharField(_("上市板块"), max_length=40, blank=True)
    stock_code = models.CharField(_("股票代码"), max_length=20, blank=True)
    listed_on = models.DateField(_("上市日期"), null=True, blank=True, db_index=True)
    note = models.TextField(_("备注"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("上市后备企业")
        verbose_name_plural = _("上市后备企业")
        ordering = ["-score"]


class ListingProblem(models.Model):
    """A problem on the way to listing, with the department responsible for solving it."""

    class Kind(models.TextChoices):
        APPROVAL = "approval", _("审批")
        PROPERTY = "property", _("产权确认")
        LICENCE = "licence", _("证照补办")
        TAX = "tax", _("税费")
        IP = "ip", _("知识产权")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待解决")
        SOLVED = "solved", _("已解决")

    candidate = models.ForeignKey(
        ListingCandidate, on_delete=models.CASCADE, related_name="problems"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    description = models.CharField(_("问题描述"), max_length=500)
    department = models.CharField(_("责任部门"), max_length=10, choices=Department.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    raised_on = models.DateField(_("提出日期"), default=timezone.localdate)
    solved_on = models.DateField(_("解决日期"), null=True, blank=True)
    resolution = models.CharField(_("解决情况"), max_length=500, blank=True)
    # the service request (诉求) the problem was filed as; its 办结 marks the problem solved
    request = models.ForeignKey(
        "support.ServiceRequest", verbose_name=_("服务诉求"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="listing_problems",
    )  # fmt: skip

    class Meta:
        verbose_name = _("上市问题")
        verbose_name_plural = _("上市问题")
        ordering = ["status", "raised_on"]


class Intermediary(models.Model):
    """An intermediary engaged by a listing candidate (券商、会计师事务所、律所、股权投资基金)."""

    class Kind(models.TextChoices):
        BROKER = "broker", _("券商")
        ACCOUNTANT = "accountant", _("会计师事务所")
        LAW = "law", _("律师事务所")
        FUND = "fund", _("股权投资基金")

    candidate = models.ForeignKey(
        ListingCandidate, on_delete=models.CASCADE, related_name="intermediaries"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("机构名称"), max_length=200)
    engaged_on = models.DateField(_("签约日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("中介机构")
        verbose_name_plural = _("中介机构")


class InsuranceClaim(models.Model):
    """首台套 / 首批次 / 知识产权 insurance recorded against a policy catalogue entry."""

    class Kind(models.TextChoices):
        FIRST_SET = "first_set", _("首台（套）重大技术装备保险")
        FIRST_BATCH = "first_batch", _("首批次新材料保险")
        IP = "ip", _("知识产权保险")

    class Status(models.TextChoices):
        APPLIED = "applied", _("已申请")
        APPROVED = "approved", _("已核定")
        PAID = "paid", _("已兑付")
        REJECTED = "rejected", _("未通过")

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="insurance_claims"
    )
    kind = models.CharField(_("险种"), max_length=12, choices=Kind.choices)
    policy = models.ForeignKey(
        "policies.Policy", on_delete=models.PROTECT, related_name="insurance_claims"
    )
    insurer = models.CharField(_("保险机构"), max_length=200)
    subject = models.CharField(_("投保产品/专利"), max_length=200)
    insured_amount = models.DecimalField(_("保险金额(万元)"), **MONEY)
    premium = models.DecimalField(_("保费(万元)"), **MONEY)
    subsidy_requested = models.DecimalField(_("申请补贴(万元)"), **MONEY)
    subsidy_paid = models.DecimalField(_("兑付补贴(万元)"), null=True, blank=True, **MONEY)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    applied_on = models.DateField(_("申请日期"), default=timezone.localdate)
    paid_on = models.DateField(_("兑付日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("保险补贴申请")
        verbose_name_plural = _("保险补贴申请")
        ordering = ["-applied_on"]
