"""Edit forms of the enterprise registry, built from the exchange-format schema.

Each form edits one section of the profile and produces a *partial exchange-format dict*
that the views pass to ``srdi.registry.services`` (which validates it again, checks scope per
section, records sources and audits). A form shows only the fields the user may write
(``scopes.may_write``); the views refuse data for any other field.

Form field names are exchange paths with ``__`` for ``.`` (``market__share_pct``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.forms import formset_factory

from srdi.accounts import scopes
from srdi.exchange import schema as S

from .models import Region

BOOL_UNKNOWN_CHOICES = (("", "未知"), ("true", "是"), ("false", "否"))


def scope_section(path: str) -> str:
    """The scope section of an exchange path (``market.share_pct`` → ``market``,
    ``years.2024.revenue`` / ``years.*.revenue`` → ``years.revenue``)."""
    parts = path.split(".")
    if parts[0] == "years" and len(parts) >= 3:
        return f"years.{parts[2]}"
    return parts[0].split("[", 1)[0]


def form_name(path: str) -> str:
    return path.replace(".", "__")


def _label(f: S.Field) -> str:
    return f.header


def django_field(f: S.Field, *, regions=None) -> forms.Field:
    """A Django form field for a schema field (labels and messages in Chinese)."""
    common = {"label": _label(f), "required": f.required, "help_text": f.help}
    errors = {"required": f"请填写{f.label}。", "invalid": f"{f.label}格式不正确。"}
    if f.key == "region" and f.path == "region":
        choices = [("", "（未填）")] + [(r, r) for r in (regions or ())]
        return forms.ChoiceField(choices=choices, error_messages=errors, **common)
    if f.type == S.ENUM or (f.type == S.INT and f.enum):
        blank = [] if f.required else [("", "（未填）" if f.kind != S.MEASUREMENT else "未知")]
        choices = blank + [(str(v), label) for v, label in f.enum]
        return forms.ChoiceField(choices=choices, error_messages=errors, **common)
    if f.type == S.BOOL:
        if f.kind == S.MEASUREMENT:
            return forms.ChoiceField(choices=BOOL_UNKNOWN_CHOICES, error_messages=errors, **common)
        return forms.BooleanField(**{**common, "required": False})
    if f.type == S.INT:
        return forms.IntegerField(
            min_value=f.min,
            max_value=f.max,
            error_messages={
                **errors,
                "invalid": f"{f.label}应为整数。",
                "min_value": f"{f.label}不能小于 %(limit_value)s。",
                "max_value": f"{f.label}不能大于 %(limit_value)s。",
            },
            widget=forms.NumberInput(attrs={"step": 1}),
            **common,
        )
    if f.type == S.NUMBER:
        return forms.DecimalField(
            min_value=f.min,
            max_value=f.max,
            max_digits=16,
            decimal_places=4,
            error_messages={
                **errors,
                "invalid": f"{f.label}应为数字。",
                "min_value": f"{f.label}不能小于 %(limit_value)s。",
                "max_value": f"{f.label}不能大于 %(limit_value)s。",
                "max_decimal_places": f"{f.label}最多保留 %(max)s 位小数。",
                "max_digits": f"{f.label}数值过大。",
                "max_whole_digits": f"{f.label}数值过大。",
            },
            widget=forms.NumberInput(attrs={"step": "any"}),
            **common,
        )
    if f.type == S.DATE:
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={**errors, "invalid": f"{f.label}应为日期（YYYY-MM-DD）。"},
            **common,
        )
    return forms.CharField(max_length=200, error_messages=errors, **common)


def to_exchange(f: S.Field, value):
    """A cleaned form value as an exchange-format value (None = unknown / none)."""
    if value in ("", None):
        if f.kind == S.DECLARATION and f.has_fill:
            return f.fill  # an emptied declaration means "none" (false / 0 / "none" / null)
        return None
    if f.type == S.BOOL and f.kind == S.MEASUREMENT:
        return value == "true"
    if f.type == S.INT and f.enum:
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return value.normalize() if value != value.to_integral_value() else int(value)
    return value


def to_initial(f: S.Field, value):
    if value is None:
        return ""
    if f.type == S.BOOL and f.kind == S.MEASUREMENT:
        return "true" if value else "false"
    if f.type == S.INT and f.enum:
        return str(value)
    return value


class SectionForm(forms.Form):
    """A form over a list of schema fields (``paths``), with their exchange paths kept."""

    def __init__(self, *args, schema_fields: list[tuple[str, S.Field]], regions=None, **kw):
        super().__init__(*args, **kw)
        self.schema_fields = schema_fields
        first = True
        for path, f in schema_fields:
            field = django_field(f, regions=regions)
            if first:
                field.widget.attrs["autofocus"] = "autofocus"
                first = False
            self.fields[form_name(path)] = field

    def exchange_values(self) -> dict[str, object]:
        """{exchange path: value} of the cleaned data."""
        return {
            path: to_exchange(f, self.cleaned_data.get(form_name(path)))
            for path, f in self.schema_fields
        }


def nest(values: dict[str, object]) -> dict:
    """{"market.share_pct": 3} → {"market": {"share_pct": 3}} (years keep their year key)."""
    out: dict = {}
    for path, v in values.items():
        parts = path.split(".")
        d = out
        for p in parts[:-1]:
            d = d.setdefault(p, {})
        d[parts[-1]] = v
    return out


# ----------------------------------------------------------------- the sections of the profile

BASIC_PATHS = [f.key for f in S.TOP_SECTION.fields if f.key != "uscc"]
MARKET_PATHS = (
    [f.path for f in S.section("market").fields]
    + [f.path for f in S.section("quality").fields]
    + [f.path for f in S.section("compliance").fields]
)
IP_PATHS = [f.path for f in S.section("ip").fields]
YEAR_KEYS = [f.key for f in S.section("years").fields]

SECTIONS = {
    "basic": ("基本信息", BASIC_PATHS),
    "market": ("市场、质量与合规", MARKET_PATHS),
    "ip": ("知识产权", IP_PATHS),
}
ARRAY_SECTIONS = ("awards", "maker_china", "honors", "titles")
RECOGNITION_LABEL = "奖励、荣誉与称号"


def writable_paths(user, enterprise, paths) -> list[tuple[str, S.Field]]:
    return [
        (p, S.field_by_path(p))
        for p in paths
        if enterprise is None or scopes.may_write(user, enterprise, scope_section(p))
    ]


def year_paths(year: int) -> list[str]:
    return [f"years.{year}.{k}" for k in YEAR_KEYS]


# ----------------------------------------------------------------- arrays (formsets)


class ArrayItemForm(forms.Form):
    """One item of an array section (awards, maker_china, honors, titles)."""

    section = ""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        for f in S.section(self.section).fields:
            field = django_field(f)
            field.required = False  # an empty extra row is skipped; required checked below
            field.widget.attrs["aria-label"] = f.label  # table cells: the header is the label
            self.fields[f.key] = field

    def clean(self):
        data = super().clean()
        if not self.has_changed() or data.get("DELETE"):
            return data
        for f in S.section(self.section).fields:
            if f.required and data.get(f.key) in (None, ""):
                self.add_error(f.key, f"请填写{f.label}。")
        return data

    def item(self) -> dict | None:
        """The item this row holds (an existing row kept unchanged too), or None for a row
        marked for deletion or left empty. The array replaces the enterprise's list, so an
        unchanged row must be returned, or saving the page would delete it."""
        data = getattr(self, "cleaned_data", None) or {}
        if data.get("DELETE"):
            return None
        out = {}
        for f in S.section(self.section).fields:
            v = to_exchange(f, data.get(f.key))
            if v is not None:
                out[f.key] = v
        return out or None


def _item_form(key: str) -> type[ArrayItemForm]:
    return type(f"{key.title().replace('_', '')}ItemForm", (ArrayItemForm,), {"section": key})


ARRAY_FORMSETS = {
    key: formset_factory(_item_form(key), extra=1, can_delete=True) for key in ARRAY_SECTIONS
}


class ScoreForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        required=False,
        min_value=S.YEAR_MIN,
        max_value=S.YEAR_MAX,
        error_messages={"invalid": "年度应为四位整数。"},
    )
    score = forms.DecimalField(
        label="发展评价得分（分）",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        error_messages={
            "invalid": "得分应为数字。",
            "min_value": "得分不能小于 0。",
            "max_value": "得分不能大于 100。",
        },
    )

    def clean(self):
        data = super().clean()
        if self.has_changed() and not data.get("DELETE"):
            if data.get("year") is None:
                self.add_error("year", "请填写年度。")
            if data.get("score") is None:
                self.add_error("score", "请填写得分。")
        return data


ScoreFormSet = formset_factory(ScoreForm, extra=1, can_delete=True)


def array_initial(key: str, items: list[dict]) -> list[dict]:
    out = []
    for it in items:
        row = {}
        for f in S.section(key).fields:
            v = it.get(f.key)
            if f.type == S.DATE and isinstance(v, str):
                v = dt.date.fromisoformat(v)
            row[f.key] = to_initial(f, v)
        out.append(row)
    return out


class YearChoiceForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        min_value=S.YEAR_MIN,
        max_value=dt.date.today().year + 1,
        error_messages={
            "required": "请填写年度。",
            "invalid": "年度应为四位整数，如 2024。",
            "min_value": "年度不能早于 %(limit_value)s 年。",
            "max_value": "年度不能晚于 %(limit_value)s 年。",
        },
    )


def region_names_for(user) -> list[str]:
    """The 板块 a user may assign (a 板块 officer only their own)."""
    qs = Region.objects.filter(active=True)
    if not scopes.is_admin(user) and getattr(user, "region_id", None):
        qs = qs.filter(pk=user.region_id)
    return list(qs.values_list("name", flat=True))


class CreateForm(SectionForm):
    """New enterprise: USCC + name + the basic fields."""

    def __init__(self, *args, regions=None, **kw):
        paths = ["uscc", *BASIC_PATHS]
        super().__init__(
            *args,
            schema_fields=[(p, S.field_by_path(p)) for p in paths],
            regions=regions,
            **kw,
        )
        self.fields["uscc"].widget.attrs.update({"maxlength": 18, "size": 20})
        self.fields["uscc"].help_text = "18 位，校验码须正确（GB 32100-2015）"
