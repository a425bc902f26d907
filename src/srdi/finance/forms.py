"""Forms of finance pages (rendering and first checks; services validate again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from srdi.accounts.roles import Department

from . import consent
from .models import FinancingKind, InsuranceClaim, Intermediary, ListingProblem, Response


class ConsentForm(forms.Form):
    all_banks = forms.BooleanField(label=_("共享给全部合作银行"), required=False)
    banks = forms.MultipleChoiceField(
        label=_("共享给以下银行"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sections = forms.MultipleChoiceField(label=_("共享内容"), widget=forms.CheckboxSelectMultiple)
    until = forms.DateField(
        label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("不填则长期有效，可随时撤回"),
    )  # fmt: skip
    purpose = forms.CharField(label=_("用途"), max_length=200, required=False)

    def __init__(self, *args, banks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["banks"].choices = [(b, b) for b in banks]
        self.fields["sections"].choices = [
            (k, f"{v['label']}（{v['help']}）") for k, v in consent.sections().items()
        ]


class NeedForm(forms.Form):
    amount = forms.DecimalField(
        label=_("金额（万元）"), min_value=0, max_digits=14, decimal_places=4
    )
    purpose = forms.CharField(label=_("用途"), max_length=300)
    term_months = forms.IntegerField(label=_("期限（月）"), min_value=1, max_value=600)
    kinds = forms.MultipleChoiceField(
        label=_("可接受方式"), choices=[c for c in FinancingKind.choices if c[0] != "medium_long"],
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    collateral = forms.CharField(label=_("担保/抵质押"), max_length=300, required=False)


class ResponseForm(forms.Form):
    kind = forms.ChoiceField(label=_("答复"), choices=Response.Kind.choices)
    product = forms.ChoiceField(label=_("产品"), required=False)
    amount = forms.DecimalField(
        label=_("金额（万元）"), required=False, max_digits=14, decimal_places=4
    )
    rate = forms.DecimalField(
        label=_("年利率（%）"), required=False, max_digits=7, decimal_places=4
    )
    term_months = forms.IntegerField(label=_("期限（月）"), required=False, min_value=1)
    on = forms.DateField(
        label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("说明/拒绝原因"), max_length=300, required=False)

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", "—")] + [(str(p.pk), p.name) for p in products]


class ProductForm(forms.Form):
    name = forms.CharField(label=_("产品名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=FinancingKind.choices)
    amount_min = forms.DecimalField(label=_("额度下限（万元）"), required=False)
    amount_max = forms.DecimalField(label=_("额度上限（万元）"), required=False)
    rate_min = forms.DecimalField(label=_("年利率下限（%）"), required=False)
    rate_max = forms.DecimalField(label=_("年利率上限（%）"), required=False)
    term_months = forms.IntegerField(label=_("最长期限（月）"), required=False, min_value=1)
    conditions = forms.CharField(
        label=_("准入条件"), required=False,
        widget=forms.Textarea(attrs={"rows": 5, "class": "tech"}),  # the rules language
        help_text=_("每行一条：条件说明|规则表达式（与政策条件相同的规则语言，如“持有专精特新称号”"
                    "“上年营业收入不低于2000万元”）。"),
    )  # fmt: skip
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    active = forms.BooleanField(label=_("在售"), required=False, initial=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("银行报送文件（xlsx 或 csv）"))


class ProblemForm(forms.Form):
    kind = forms.ChoiceField(label=_("问题类型"), choices=ListingProblem.Kind.choices)
    description = forms.CharField(label=_("问题描述"), max_length=500)
    department = forms.ChoiceField(
        label=_("责任部门"),
        required=False,
        choices=[("", _("按规则分派"))] + list(Department.choices),
    )


class IntermediaryForm(forms.Form):
    kind = forms.ChoiceField(label=_("中介类型"), choices=Intermediary.Kind.choices)
    name = forms.CharField(label=_("机构名称"), max_length=200)
    engaged_on = forms.DateField(
        label=_("签约日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class InsuranceForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    kind = forms.ChoiceField(label=_("险种"), choices=InsuranceClaim.Kind.choices)
    policy = forms.ChoiceField(label=_("对应政策"))
    insurer = forms.CharField(label=_("保险机构"), max_length=200)
    subject = forms.CharField(label=_("投保产品/专利"), max_length=200)
    insured_amount = forms.DecimalField(label=_("保险金额（万元）"))
    premium = forms.DecimalField(label=_("保费（万元）"))
    subsidy_requested = forms.DecimalField(label=_("申请补贴（万元）"))

    def __init__(self, *args, policies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = [(str(p.pk), p.title if hasattr(p, "title") else str(p))
                                         for p in policies]  # fmt: skip
