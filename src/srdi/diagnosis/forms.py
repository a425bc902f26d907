from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FORMAT_CHOICES = [("pdf", "PDF"), ("docx", _("Word（DOCX，可编辑）")), ("html", "HTML")]


class BatchForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("板块"), queryset=None, error_messages={"required": _("请选择板块。"),
                                                         "invalid_choice": _("所选板块不在您的权限范围内。")}
    )  # fmt: skip
    format = forms.ChoiceField(label=_("格式"), choices=FORMAT_CHOICES, initial="pdf")
    as_of = forms.DateField(
        label=_("评估基准日"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("评估基准日格式应为 YYYY-MM-DD。")},
    )

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
