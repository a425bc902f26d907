"""Forms: the policy editor (builds a spec, validated by catalogue.parse_spec), applications."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .catalogue import BENEFIT_KINDS, CATEGORIES, SpecError, parse_spec

KIND_LABELS = {
    "fixed": _("定额"),
    "tiered": _("按档次定额"),
    "percent": _("按比例（可设上限）"),
    "per_item": _("按项计算"),
    "none": _("非资金类"),
}


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in (text or "").splitlines() if ln.strip()]


class PolicyForm(forms.Form):
    key = forms.SlugField(label=_("政策编号（英文、数字、连字符）"), max_length=80)
    title = forms.CharField(label=_("政策名称"), max_length=200)
    category = forms.ChoiceField(label=_("类别"), choices=[(c, c) for c in CATEGORIES])
    department = forms.CharField(label=_("发布部门"), max_length=200, required=False)
    document_no = forms.CharField(label=_("文号"), max_length=100, required=False)
    source = forms.CharField(label=_("政策来源（文件名称及条款）"), max_length=300, required=False)
    published = forms.DateField(label=_("发布日期"), required=False)
    valid_from = forms.DateField(label=_("有效期起"), required=False)
    valid_until = forms.DateField(label=_("有效期止"), required=False)
    status = forms.ChoiceField(
        label=_("核实状态"), choices=[("unverified", _("待核实")), ("verified", _("已核实"))]
    )
    reference = forms.ChoiceField(
        label=_("称号有效性核对日"),
        choices=[("today", _("匹配当日")), ("year_end", _("奖励年度12月31日"))],
    )
    summary = forms.CharField(
        label=_("政策摘要"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    conditions = forms.CharField(
        label=_("申报条件（每行一条：说明 | 表达式）"),
        widget=forms.Textarea(attrs={"rows": 6, "class": "mono tech"}),
        required=False,
        help_text=_("表达式使用规则语言，写法见页面下方“技术信息：规则语言示例”。"),
    )
    cond_mode = forms.CharField(widget=forms.HiddenInput, required=False)
    builder_json = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100_000)
    benefit_kind = forms.ChoiceField(
        label=_("奖补方式"), choices=[(k, KIND_LABELS[k]) for k in BENEFIT_KINDS]
    )
    amount = forms.DecimalField(label=_("定额金额（万元，空=待核定）"), required=False, min_value=0)
    tiers = forms.CharField(
        label=_("档次（每行：档次名称 | 条件表达式 | 金额，金额空=待核定）"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "mono tech"}),
        required=False,
    )
    base = forms.CharField(label=_("计算基数 / 项数表达式"), required=False)
    base_label = forms.CharField(label=_("基数说明"), required=False)
    rate_pct = forms.DecimalField(label=_("比例（%）"), required=False, min_value=0, max_value=100)
    per = forms.DecimalField(label=_("每项金额（万元）"), required=False, min_value=0)
    cap = forms.DecimalField(label=_("上限（万元）"), required=False, min_value=0)
    note = forms.CharField(label=_("非资金类支持说明"), required=False)
    materials = forms.CharField(
        label=_("申报材料（每行一项）"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    window_opens = forms.DateField(label=_("申报开始"), required=False)
    window_closes = forms.DateField(label=_("申报截止"), required=False)
    window_note = forms.CharField(label=_("申报时间说明"), required=False)
    contact = forms.CharField(label=_("联系方式"), required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["key"].disabled = True
        self.spec = None

    @classmethod
    def initial_from(cls, raw: dict) -> dict:
        b = raw.get("benefit") or {}
        w = raw.get("window") or {}
        return {
            "key": raw.get("key"),
            "title": raw.get("title"),
            "category": raw.get("category"),
            "department": raw.get("department"),
            "document_no": raw.get("document_no"),
            "source": raw.get("source"),
            "published": raw.get("published"),
            "valid_from": raw.get("valid_from"),
            "valid_until": raw.get("valid_until"),
            "status": raw.get("status") or "unverified",
            "reference": raw.get("reference") or "today",
            "summary": raw.get("summary"),
            "conditions": "\n".join(
                f"{c.get('label', '')} | {c.get('expr', '')}" for c in raw.get("conditions") or []
            ),
            "cond_mode": "builder",
            "builder_json": builder_rows(raw.get("conditions") or []),
            "benefit_kind": b.get("kind") or "none",
            "amount": b.get("amount"),
            "tiers": "\n".join(
                f"{t.get('label', '')} | {t.get('when', '')} | {'' if t.get('amount') is None else t.get('amount')}"
                for t in b.get("tiers") or []
            ),
            "base": b.get("base") or b.get("count"),
            "base_label": b.get("base_label"),
            "rate_pct": b.get("rate_pct"),
            "per": b.get("per"),
            "cap": b.get("cap"),
            "note": b.get("note"),
            "materials": "\n".join(raw.get("materials") or []),
            "window_opens": w.get("opens"),
            "window_closes": w.get("closes"),
            "window_note": w.get("note"),
            "contact": raw.get("contact"),
        }

    def clean(self):
        d = super().clean()
        if self.errors:
            return d
        conds = []
        if d.get("cond_mode") == "builder" and d.get("builder_json"):
            conds = self._builder_conditions(d["builder_json"])
        for i, line in enumerate(
            [] if conds or d.get("cond_mode") == "builder" else _lines(d.get("conditions")), 1
        ):
            if "|" not in line:
                self.add_error("conditions", _("第%(i)d行：应写成“说明 | 表达式”") % {"i": i})
                continue
            label, expr = (s.strip() for s in line.split("|", 1))
            conds.append({"id": f"c{i}", "label": label, "expr": expr})
        kind = d["benefit_kind"]

        def num(v):
            return None if v is None else str(v)

        benefit: dict = {"kind": kind, "cap": num(d.get("cap"))}
        if kind == "fixed":
            benefit["amount"] = num(d.get("amount"))
        elif kind == "tiered":
            tiers = []
            for i, line in enumerate(_lines(d.get("tiers")), 1):
                parts = [s.strip() for s in line.split("|")]
                if len(parts) != 3:
                    self.add_error(
                        "tiers", _("第%(i)d行：应写成“档次名称 | 条件 | 金额”") % {"i": i}
                    )
                    continue
                tiers.append({"label": parts[0], "when": parts[1], "amount": parts[2] or None})
            benefit["tiers"] = tiers
        elif kind == "percent":
            benefit.update(
                base=d.get("base"),
                base_label=d.get("base_label"),
                rate_pct=num(d.get("rate_pct")),
                floor_zero=True,
            )
        elif kind == "per_item":
            benefit.update(
                count=d.get("base"), base_label=d.get("base_label"), per=num(d.get("per"))
            )
        else:
            benefit["note"] = d.get("note")
        raw = {
            "key": d.get("key") or self.initial.get("key"),
            "title": d["title"],
            "category": d["category"],
            "department": d.get("department"),
            "document_no": d.get("document_no"),
            "source": d.get("source"),
            "published": d.get("published"),
            "valid_from": d.get("valid_from"),
            "valid_until": d.get("valid_until"),
            "status": d["status"],
            "reference": d["reference"],
            "summary": d.get("summary"),
            "conditions": conds,
            "benefit": benefit,
            "materials": _lines(d.get("materials")),
            "window": {
                "opens": d.get("window_opens"),
                "closes": d.get("window_closes"),
                "note": d.get("window_note"),
            },
            "contact": d.get("contact"),
        }
        if self.errors:
            return d
        try:
            parse_spec(raw)
        except SpecError as exc:
            for p in exc.problems:
                field = (
                    "conditions" if p.startswith("条件") else ("base" if "benefit" in p else None)
                )
                self.add_error(field, p)
            return d
        from srdi.audit.services import jsonable

        self.raw = jsonable(raw)
        return d

    def _builder_conditions(self, text: str) -> list[dict]:
        """Conditions from the builder's trees (each written as the rules language)."""
        import json

        from . import builder as B

        try:
            rows = json.loads(text)
        except ValueError:
            rows = None
        if not isinstance(rows, list):
            self.add_error("conditions", _("条件设置的内容不完整，请刷新页面后重试。"))
            return []
        conds = []
        for i, row in enumerate(rows[:50], 1):
            if not isinstance(row, dict):
                continue
            label = str(row.get("label") or "").strip()[:200]
            tree = row.get("tree")
            if tree:
                try:
                    expr = B.to_expr(tree, where=f"条件{i}")
                except B.BuilderError as exc:
                    self.add_error("conditions", str(exc))
                    continue
                label = label or B.describe(tree)
            else:
                expr = str(row.get("expr") or "").strip()
            if not expr:
                continue
            conds.append({"id": f"c{i}", "label": label, "expr": expr})
        return conds


def builder_rows(conditions: list[dict]) -> str:
    """The builder's initial JSON: each condition with its tree (None: 高级 only)."""
    import json

    from . import builder as B

    return json.dumps(
        [
            {
                "label": c.get("label", ""),
                "expr": c.get("expr", ""),
                "tree": B.from_expr(str(c.get("expr") or "")),
            }
            for c in conditions
        ],
        ensure_ascii=False,
    )


class ApplicationForm(forms.Form):
    contact_person = forms.CharField(label=_("联系人"), max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30)
    amount_requested = forms.DecimalField(label=_("申请金额（万元）"), required=False, min_value=0)
    remarks = forms.CharField(
        label=_("补充说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"), choices=[("approve", _("批准")), ("reject", _("驳回"))]
    )
    amount = forms.DecimalField(label=_("核定金额（万元）"), required=False, min_value=0)
    reason = forms.CharField(
        label=_("审核意见 / 驳回理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    confirm_unmet = forms.BooleanField(label=_("确认批准未满足条件的申报"), required=False)


class AttachmentForm(forms.Form):
    material = forms.CharField(label=_("材料名称"), max_length=200)
    file = forms.FileField(label=_("文件"))

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        if materials:
            self.fields["material"] = forms.ChoiceField(
                label=_("材料名称"), choices=[(m, m) for m in materials]
            )


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("兑付金额（万元）"), min_value=0)
    paid_on = forms.DateField(label=_("兑付日期"))
