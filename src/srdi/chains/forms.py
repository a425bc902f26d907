"""Forms of chains: they render and parse; the services validate and decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Cooperation, FeaturedCluster, GapLead, NicheProduct, Segment, Verification

LIST_HELP = _("多个用顿号或逗号分隔")


class ChainForm(forms.Form):
    code = forms.CharField(label=_("编号"), max_length=40)
    name = forms.CharField(label=_("产业链名称"), max_length=100)
    key = forms.BooleanField(label=_("重点产业链"), required=False, initial=True)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    description = forms.CharField(
        label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(label=_("核实状态"), choices=Verification.choices)
    source = forms.CharField(label=_("来源"), required=False, max_length=500)


class NodeForm(forms.Form):
    code = forms.CharField(label=_("环节编号"), max_length=40, required=False)
    name = forms.CharField(label=_("环节名称"), max_length=100)
    segment = forms.ChoiceField(label=_("上中下游"), choices=Segment.choices)
    products = forms.CharField(label=_("关键产品"), required=False, help_text=LIST_HELP)
    technologies = forms.CharField(label=_("关键技术"), required=False, help_text=LIST_HELP)
    foundation = forms.ChoiceField(label=_("工业六基类别"), required=False)
    industry_codes = forms.CharField(label=_("对应国民经济行业代码"), required=False,
                                     help_text=_("GB/T 4754 代码或前缀，如 C345、C3451"))  # fmt: skip
    keywords = forms.CharField(label=_("关键词"), required=False, help_text=LIST_HELP)
    key_link = forms.BooleanField(label=_("关键环节"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .reference import foundations

        self.fields["foundation"].choices = [("", "—"), *foundations().items()]


class PlaceForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    products = forms.CharField(label=_("该环节主要产品"), required=False, max_length=300)


class ProposeForm(forms.Form):
    node = forms.IntegerField(label=_("环节"), widget=forms.Select)
    products = forms.CharField(label=_("该环节主要产品"), max_length=300)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class LeadForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=GapLead.Kind.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LinkForm(forms.Form):
    supplier_uscc = forms.CharField(
        label=_("本地供应商统一社会信用代码"), required=False, max_length=18
    )
    outside_supplier = forms.CharField(label=_("或外地供应商名称"), required=False, max_length=200)
    node = forms.ChoiceField(label=_("环节"), required=False)
    product = forms.CharField(label=_("供应产品"), max_length=200)
    since = forms.DateField(
        label=_("合作起始"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=_("合作方式"), choices=Cooperation.choices)


class NeedForm(forms.Form):
    product = forms.CharField(label=_("采购产品"), max_length=200)
    node = forms.ChoiceField(label=_("环节"), required=False)
    spec = forms.CharField(
        label=_("规格要求"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    volume = forms.CharField(label=_("采购量"), required=False, max_length=100)


class ClusterForm(forms.Form):
    name = forms.CharField(label=_("集群名称"), max_length=100)
    region = forms.ChoiceField(label=_("所在板块"), required=False)
    chain = forms.ChoiceField(label=_("所属产业链"), required=False)
    lead_org = forms.CharField(label=_("牵头单位"), required=False, max_length=200)
    leading_product = forms.CharField(label=_("主导产品"), required=False, max_length=200)
    year = forms.IntegerField(label=_("启动培育年份"), required=False)
    provincial_year = forms.IntegerField(label=_("省级认定年份"), required=False)
    national_year = forms.IntegerField(label=_("国家级认定年份"), required=False)
    verification = forms.ChoiceField(label=_("核实状态"), choices=Verification.choices)
    source = forms.CharField(label=_("来源"), required=False, max_length=500)
    members = forms.CharField(label=_("成员企业统一社会信用代码"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}), help_text=_("每行一个或用逗号分隔"))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from srdi.registry.models import Region

        from .models import Chain

        self.fields["region"].choices = [("", "—"), *Region.objects.values_list("pk", "name")]
        self.fields["chain"].choices = [("", "—"), *Chain.objects.values_list("pk", "name")]


class NicheForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    product = forms.CharField(label=_("产品"), max_length=200)
    market_share_pct = forms.CharField(label=_("细分市场占有率（%）"), required=False)
    why_key = forms.CharField(
        label=_("关键性说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    status = forms.ChoiceField(label=_("状态"), choices=NicheProduct.Status.choices)


CLUSTER_STATUS = FeaturedCluster.Status
