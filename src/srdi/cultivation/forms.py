from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from srdi.registry.models import Region

from . import lifecycle, targets
from .models import LEVEL_CHOICES, TIER_CHOICES, TitleBatch

DATE = forms.DateInput(attrs={"type": "date"})


class BatchUploadForm(forms.Form):
    file = forms.FileField(
        label=_("公告名单（xlsx）"), help_text=_("第一张工作表：“企业名称”或“统一社会信用代码”列")
    )
    name = forms.CharField(label=_("批次名称"), max_length=100, help_text=_("如“2025年度第七批”"))
    tier = forms.ChoiceField(label=_("称号"), choices=TIER_CHOICES)
    level = forms.ChoiceField(label=_("级别"), choices=LEVEL_CHOICES)
    granted = forms.DateField(label=_("认定日期"), widget=DATE)
    valid_until = forms.DateField(
        label=_("有效期至"),
        required=False,
        widget=DATE,
        help_text=_("不填则按规则文件自认定日起3年"),
    )
    mode = forms.ChoiceField(
        label=_("入库方式"), choices=TitleBatch.Mode.choices, initial=TitleBatch.Mode.ALL_OR_NOTHING
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("名单文件应为 .xlsx 格式。"))
        return f


class RevokeForm(forms.Form):
    reason = forms.ChoiceField(label=_("撤销原因"))
    on = forms.DateField(label=_("撤销日期"), widget=DATE)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [
            (r["code"], r["label"]) for r in lifecycle.revocation_reasons()
        ]


class PoolForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("willing", "有申报意愿"),
            ("unwilling", "无申报意愿"),
            ("applied", "已申报"),
            ("withdrawn", "撤回申报"),
        ]
    )
    applied_on = forms.DateField(label=_("申报日期"), required=False, widget=DATE)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)


class ManualFigureForm(forms.Form):
    value = forms.DecimalField(label=_("数值"), max_digits=14, decimal_places=2, min_value=0)
    as_of = forms.DateField(label=_("统计截至"), widget=DATE)
    region = forms.ModelChoiceField(
        label=_("板块"),
        queryset=Region.objects.filter(active=True),
        required=False,
        empty_label="全市",
    )
    source = forms.CharField(label=_("数据来源"), max_length=255)
    note = forms.CharField(label=_("备注"), required=False, max_length=255)


class KeyLinkForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    product = forms.CharField(label=_("产品"), max_length=200)
    chain = forms.CharField(label=_("产业链"), max_length=100)
    link = forms.CharField(label=_("关键环节"), max_length=100, required=False)


def manual_targets():
    return [d for d in targets.definitions() if d["measure"]["kind"] == "manual"]
