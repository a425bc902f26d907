"""Industry chains and clusters (产业链协同、强链补链、特色产业集群; plan 一(一), 一(三), 二(一), 二(二)).

* the taxonomies are the registry's reference scheme ``industry_systems`` (354, 五大产业高地,
  三主六新 as versions; Jiangsu's 16 clusters and 50 chains) with verification markers; a
* ``Chain`` belongs to items of them; chains with its ``Node`` s (上游/中游/下游, key products and technologies, 工业六基);
* ``Placement``: an enterprise at a node (suggested with reasons, confirmed by officials,
  proposed by the enterprise);
* ``Leader`` (链主) and ``SupplyLink`` (who supplies whom, which product, local or not, since when,
  cooperation kind);
* ``SupplierNeed`` (a leader's local purchasing need) and ``Proposal`` (a proposed local SME,
  对接 → 试样 → 批量供货);
* ``GapLead`` (招商 lead or 揭榜挂帅 need started from a gap);
* ``FeaturedCluster`` (中小企业特色产业集群, 培育 → 省级 → 国家级) and ``NicheProduct``
  (市级培育库 of key-link products).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Verification(models.TextChoices):
    VERIFIED = "verified", _("已核实")
    PARTIAL = "partial", _("部分核实")
    UNVERIFIED = "unverified", _("待核实")


class Chain(models.Model):
    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("产业链名称"), max_length=100)
    key = models.BooleanField(_("重点产业链"), default=True)
    items = models.ManyToManyField(
        "registry.ReferenceItem", blank=True, related_name="chains",
        verbose_name=_("所属产业体系"),
    )  # fmt: skip
    description = models.TextField(_("简介"), blank=True)
    status = models.CharField(
        _("核实状态"), max_length=12, choices=Verification.choices, default=Verification.UNVERIFIED
    )
    source = models.CharField(_("来源"), max_length=500, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Segment(models.TextChoices):
    UP = "up", _("上游")
    MID = "mid", _("中游")
    DOWN = "down", _("下游")


class Node(models.Model):
    """A link (环节) of a chain: segment, key products and technologies, 工业六基 category."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="nodes")
    code = models.CharField(_("编号"), max_length=40)
    name = models.CharField(_("环节名称"), max_length=100)
    segment = models.CharField(_("上中下游"), max_length=4, choices=Segment.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
        verbose_name=_("上级环节"),
    )  # fmt: skip
    products = models.JSONField(_("关键产品"), default=list, blank=True)
    technologies = models.JSONField(_("关键技术"), default=list, blank=True)
    foundation = models.CharField(_("工业六基类别"), max_length=40, blank=True)
    industry_codes = models.JSONField(_("对应国民经济行业代码"), default=list, blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    key_link = models.BooleanField(_("关键环节"), default=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("产业链环节")
        verbose_name_plural = _("产业链环节")
        ordering = ["chain", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "code"], name="uniq_chains_node_code")
        ]

    def __str__(self) -> str:
        return f"{self.chain.name} · {self.name}"


class Placement(models.Model):
    """An enterprise at a chain node with its main products there."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("系统建议")
        PROPOSED = "proposed", _("企业申请更正")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("已否定")

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="chain_placements"
    )
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="placements")
    products = models.CharField(_("该环节主要产品"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.SUGGESTED
    )
    score = models.FloatField(_("建议得分"), default=0)
    reasons = models.JSONField(_("建议理由"), default=list, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("确认人"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)

    class Meta:
        verbose_name = _("企业链上位置")
        verbose_name_plural = _("企业链上位置")
        ordering = ["node", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "node"], name="uniq_chains_placement")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} @ {self.node.name}"


class Leader(models.Model):
    """A chain leader (链主) of a chain."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="chain_leaderships"
    )
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="leaders")
    since = models.DateField(_("认定时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)

    class Meta:
        verbose_name = _("链主企业")
        verbose_name_plural = _("链主企业")
        ordering = ["chain", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "chain"], name="uniq_chains_leader")
        ]

    def __str__(self) -> str:
        return f"{self.chain.name} 链主 {self.enterprise.name}"


class Cooperation(models.TextChoices):
    CO_DEV = "co_dev", _("新产品协同开发")
    CO_VERIFY = "co_verify", _("核心零部件协同验证")
    SUPPLY = "supply", _("供应链要素协同保障")


class SupplyLink(models.Model):
    """Who supplies whom: a supplier (local enterprise or an outside name) to a leader."""

    leader = models.ForeignKey(Leader, on_delete=models.CASCADE, related_name="links")
    supplier = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.CASCADE,
        related_name="supply_links", verbose_name=_("本地供应商"),
    )  # fmt: skip
    outside_supplier = models.CharField(_("外地供应商"), max_length=200, blank=True)
    node = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="links",
        verbose_name=_("环节"),
    )  # fmt: skip
    product = models.CharField(_("供应产品"), max_length=200)
    since = models.DateField(_("合作起始"), null=True, blank=True)
    kind = models.CharField(
        _("合作方式"), max_length=12, choices=Cooperation.choices, default=Cooperation.SUPPLY
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)

    class Meta:
        verbose_name = _("配套关系")
        verbose_name_plural = _("配套关系")
        ordering = ["leader", "node", "pk"]

    def __str__(self) -> str:
        return f"{self.supplier_name()} → {self.leader.enterprise.name}"

    @property
    def local(self) -> bool:
        return self.supplier_id is not None

    def supplier_name(self) -> str:
        return self.supplier.name if self.supplier_id else self.outside_supplier


class SupplierNeed(models.Model):
    """A leader's local purchasing need (大中小企业融通, plan 二(二))."""

    class Status(models.TextChoices):
        OPEN = "open", _("征集中")
        CLOSED = "closed", _("已关闭")

    leader = models.ForeignKey(Leader, on_delete=models.CASCADE, related_name="needs")
    node = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="needs",
        verbose_name=_("环节"),
    )  # fmt: skip
    product = models.CharField(_("采购产品"), max_length=200)
    spec = models.TextField(_("规格要求"), blank=True)
    volume = models.CharField(_("采购量"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)

    class Meta:
        verbose_name = _("链主配套需求")
        verbose_name_plural = _("链主配套需求")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.leader.enterprise.name}：{self.product}"


class Proposal(models.Model):
    """A local SME proposed for a leader's need, and where the docking stands."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("推荐")
        DOCKING = "docking", _("对接")
        SAMPLING = "sampling", _("试样")
        SUPPLYING = "supplying", _("批量供货")
        CLOSED = "closed", _("未成")

    need = models.ForeignKey(SupplierNeed, on_delete=models.CASCADE, related_name="proposals")
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="chain_proposals"
    )
    score = models.FloatField(_("匹配得分"), default=0)
    reasons = models.JSONField(_("推荐理由"), default=list, blank=True)
    state = models.CharField(
        _("进展"), max_length=10, choices=State.choices, default=State.PROPOSED
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("配套推荐")
        verbose_name_plural = _("配套推荐")
        ordering = ["need", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["need", "enterprise"], name="uniq_chains_proposal")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} → {self.need}"


class ProposalEvent(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=10)
    to_state = models.CharField(_("新状态"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("配套对接记录")
        verbose_name_plural = _("配套对接记录")
        ordering = ["at", "pk"]


class GapLead(models.Model):
    """Work started from a gap (断点): a 招商 lead or a 揭榜挂帅 need."""

    class Kind(models.TextChoices):
        INVESTMENT = "investment", _("招商线索")
        CHALLENGE = "challenge", _("揭榜挂帅需求")

    class Status(models.TextChoices):
        OPEN = "open", _("跟进中")
        DONE = "done", _("已落地")
        DROPPED = "dropped", _("已放弃")

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="leads")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)

    class Meta:
        verbose_name = _("补链线索")
        verbose_name_plural = _("补链线索")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class FeaturedCluster(models.Model):
    """中小企业特色产业集群 (plan 二(二): 省级 10, 国家级 2 by 2025)."""

    class Status(models.TextChoices):
        CULTIVATING = "cultivating", _("培育")
        PROVINCIAL = "provincial", _("省级")
        NATIONAL = "national", _("国家级")

    name = models.CharField(_("集群名称"), max_length=100, unique=True)
    region = models.ForeignKey(
        "registry.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("所在板块"),
    )  # fmt: skip
    chain = models.ForeignKey(
        Chain, null=True, blank=True, on_delete=models.SET_NULL, related_name="clusters",
        verbose_name=_("所属产业链"),
    )  # fmt: skip
    lead_org = models.CharField(_("牵头单位"), max_length=200, blank=True)
    leading_product = models.CharField(_("主导产品"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.CULTIVATING
    )
    year = models.PositiveSmallIntegerField(_("启动培育年份"), null=True, blank=True)
    provincial_year = models.PositiveSmallIntegerField(_("省级认定年份"), null=True, blank=True)
    national_year = models.PositiveSmallIntegerField(_("国家级认定年份"), null=True, blank=True)
    members = models.ManyToManyField(
        "registry.Enterprise", blank=True, related_name="featured_clusters",
        verbose_name=_("成员企业"),
    )  # fmt: skip
    verification = models.CharField(
        _("核实状态"), max_length=12, choices=Verification.choices, default=Verification.UNVERIFIED
    )
    source = models.CharField(_("来源"), max_length=500, blank=True)
    note = models.TextField(_("说明"), blank=True)
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("特色产业集群")
        verbose_name_plural = _("特色产业集群")
        ordering = ["-status", "name"]

    def __str__(self) -> str:
        return self.name


class NicheProduct(models.Model):
    """市级专精特新中小企业培育库 entry: a product at a key link with a small market (二(一))."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("候选")
        LISTED = "listed", _("已入库")
        REMOVED = "removed", _("已移出")

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="niche_products"
    )
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="niche_products")
    product = models.CharField(_("产品"), max_length=200)
    market_share_pct = models.DecimalField(
        _("细分市场占有率（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    why_key = models.TextField(_("关键性说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.CANDIDATE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("演示数据（合成）"), default=False)

    class Meta:
        verbose_name = _("关键环节产品")
        verbose_name_plural = _("关键环节产品")
        ordering = ["node", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "node", "product"], name="uniq_chains_niche"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name}：{self.product}"
