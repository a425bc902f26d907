"""Pages of finance (thin: parse, call a service or selector, render)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from srdi.accounts import scopes as acc
from srdi.core import access, cleaning, formatting, xlsx
from srdi.registry.models import DataShare, Enterprise

from . import consent, exchange, scopes, selectors, services
from . import forms as F
from .models import (
    InsuranceClaim,
    ListingCandidate,
    ListingProblem,
    Need,
    PartnerAccess,
    Product,
)


def _errors(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


def _page(request, qs, per=50):
    return Paginator(qs, per).get_page(request.GET.get("page"))


def _role(user) -> dict:
    return {
        "is_bank": consent.is_bank(user),
        "is_enterprise": scopes.is_enterprise(user),
        "is_jrj": scopes.is_finance_official(user),
        "is_official": acc.is_official(user),
        # the department that may close a listing problem routed to it (else None)
        "my_department": user.department if user.role == "department" else None,
    }


# ------------------------------------------------------------------------------------ index
@login_required
def index(request):
    user = request.user
    ctx = _role(user)
    ctx["counts"] = selectors.need_counts(user)
    ctx["states"] = [(s, label, ctx["counts"].get(s, 0)) for s, label in Need.State.choices]
    ctx["waiting"] = list(selectors.waiting_needs(user)[:10])
    if ctx["is_enterprise"]:
        ctx["consents"] = list(
            DataShare.objects.filter(enterprise_id=user.enterprise_id).order_by("-granted_at")[:5]
        )
    if ctx["is_bank"]:
        ctx["shared_count"] = consent.partner_enterprises(user).count()
    ctx["pool_count"] = (
        selectors.reserve_pool(user).count() if not consent.is_partner(user) else None
    )
    return render(request, "finance/index.html", ctx)


# ------------------------------------------------------------------------------------ consents
def _consent_rows(qs):
    active = set(DataShare.active().filter(pk__in=[c.pk for c in qs]).values_list("pk", flat=True))
    today = timezone.localdate()
    rows = []
    for c in qs:
        if c.revoked_at:
            state = _("已撤回")
        elif c.until and c.until < today:
            state = _("已过期")
        else:
            state = _("有效") if c.pk in active else _("已失效")
        rows.append({"c": c, "to": c.organization or _("全部合作银行"),
                     "sections": consent.labels(c.sections or []), "state": state,
                     "active": c.pk in active})  # fmt: skip
    return rows


@login_required
def consents(request):
    user = request.user
    if consent.is_partner(user):
        raise Http404
    qs = access.visible(user, DataShare).select_related("enterprise").order_by("-granted_at")
    form = None
    if scopes.is_enterprise(user):
        form = F.ConsentForm(request.POST or None, banks=services.banks())
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                services.grant_consent(
                    user, user.enterprise, banks_=d["banks"], all_banks=d["all_banks"],
                    sections=d["sections"], until=d["until"], purpose=d["purpose"],
                )  # fmt: skip
                messages.success(request, _("已授权共享。"))
                return redirect("finance:consents")
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
    page = _page(request, qs)
    ctx = _role(user) | {"form": form, "page": page, "rows": _consent_rows(list(page))}
    return render(request, "finance/consents.html", ctx)


@login_required
@require_POST
def consent_withdraw(request, pk):
    c = access.get(request.user, DataShare.objects.select_related("enterprise"), pk=pk, write=True)
    try:
        services.withdraw_consent(request.user, c, request.POST.get("note", ""))
        messages.success(request, _("已撤回授权，对方从此刻起无法再查看。"))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("finance:consents")


@login_required
def access_log(request):
    user = request.user
    qs = access.visible(user, PartnerAccess).select_related("enterprise", "user")
    uscc = request.GET.get("uscc", "").strip().upper()
    if uscc:
        qs = qs.filter(enterprise__uscc=uscc)
    if request.GET.get("format") == "xlsx":
        rows = [[formatting.datetime_zh(a.at), a.enterprise.name, a.organization,
                 a.user.display_name or a.user.username if a.user_id else "",
                 consent.labels(a.sections), a.get_door_display(), a.what] for a in qs[:50000]]  # fmt: skip
        return xlsx.response(xlsx.workbook([xlsx.Sheet(
            _("查看记录"), [_("时间"), _("企业"), _("机构"), _("查看人"), _("查看内容"), _("方式"), _("查看对象")],
            rows)]), _("合作机构查看记录.xlsx"))  # fmt: skip
    page = _page(request, qs)
    rows = [{"a": a, "sections": consent.labels(a.sections)} for a in page]
    return render(request, "finance/access_log.html", _role(user) | {"page": page, "rows": rows})


# ------------------------------------------------------------------------------------ shared
def _require_partner(user):
    if not consent.is_partner(user):
        raise Http404


@login_required
def shared(request):
    """A bank's list: the enterprises that shared data with it, what and until when."""
    user = request.user
    _require_partner(user)
    per_ent: dict[int, dict] = {}
    for c in consent.consents_for(user).select_related("enterprise", "enterprise__region"):
        row = per_ent.setdefault(
            c.enterprise_id, {"e": c.enterprise, "sections": set(), "until": None}
        )
        row["sections"].update(c.sections or [])
        if c.until and (row["until"] is None or c.until > row["until"]):
            row["until"] = c.until
    rows = sorted(per_ent.values(), key=lambda r: r["e"].name)
    for r in rows:
        r["labels"] = consent.labels(r["sections"])
    return render(request, "finance/shared.html", _role(user) | {"rows": rows})


@login_required
def shared_detail(request, uscc):
    """One enterprise as a partner may see it: only the granted sections; the read is logged."""
    from srdi.exchange import schema as S
    from srdi.recognition.selectors import enterprise_honours
    from srdi.registry.selectors import normalised_profile

    user = request.user
    e = access.get(user, Enterprise.objects.select_related("region", "industry"),
                   uscc=(uscc or "").strip().upper())  # fmt: skip
    if not consent.is_partner(user):
        return redirect("registry:detail", uscc=e.uscc)
    granted = consent.granted(user, e)
    consent.record(user, e, granted, "page", _("企业信息"))
    profile = consent.filter_profile(normalised_profile(e), granted)
    basic = []
    if "basic" in granted:
        for f in S.TOP_SECTION.fields:
            v = profile.get(f.key)
            if v not in (None, "", [], {}) and f.key not in ("uscc", "name"):
                basic.append((f.header, _fmt(v, f)))
    years = []
    if "years" in granted:
        for y in sorted(profile.get("years", {}) or {}, reverse=True)[:3]:
            vals = profile["years"][y]
            years.append({"year": y, "cells": [(f.header, _fmt(vals.get(f.key), f))
                                               for f in S.section("years").fields
                                               if vals.get(f.key) is not None]})  # fmt: skip
    ip = [(f.header, _fmt((profile.get("ip") or {}).get(f.key), f)) for f in S.section("ip").fields
          if (profile.get("ip") or {}).get(f.key) is not None] if "ip" in granted else []  # fmt: skip
    titles = profile.get("titles", []) if "titles" in granted else []
    honours = enterprise_honours(user, e)  # only when "titles" is granted
    needs = list(scopes.needs(user).filter(enterprise=e)) if "financing" in granted else []
    matches = selectors.match_products(user, e, products=scopes.products(user).filter(
        bank=user.organization, active=True))  # fmt: skip
    ctx = _role(user) | {
        "e": e, "granted": granted, "granted_labels": consent.labels(granted), "basic": basic,
        "years": years, "ip": ip, "titles": [_title(t) for t in titles], "honours": honours, "needs": needs,
        "matches": matches, "all_sections": consent.sections(),
    }  # fmt: skip
    return render(request, "finance/shared_detail.html", ctx)


def _title(t: dict) -> dict:
    from srdi.registry.listing import TIER_LABELS

    return {"tier": TIER_LABELS.get(t.get("tier"), _("其他称号")), "granted": t.get("granted"),
            "valid_until": t.get("valid_until")}  # fmt: skip


def _fmt(v, f=None) -> str:
    if f is not None and getattr(f, "enum", None):  # codes → their Chinese labels
        from srdi.registry.display import fmt_value

        return fmt_value(v, f).text
    if isinstance(v, bool):
        return _("是") if v else _("否")
    if isinstance(v, (dt.date,)):
        return formatting.date_zh(v)
    if isinstance(v, (int, float)) or hasattr(v, "as_tuple"):
        return formatting.number(v)
    if isinstance(v, dict):
        return "；".join(f"{_fmt(x)}" for x in v.values() if x is not None)
    return str(v) if v not in (None, "") else formatting.UNKNOWN


@login_required
def shared_export(request):
    """The bank's own export: the 综合金融服务平台 layout, only granted columns (logged)."""
    _require_partner(request.user)
    content = exchange.export_file(request.user, "xlsx")
    return xlsx.response(content, _("授权企业信息.xlsx"))


# ------------------------------------------------------------------------------------ needs
@login_required
def needs(request):
    user = request.user
    qs = scopes.needs(user).select_related("enterprise", "enterprise__region")
    state = request.GET.get("state", "")
    if state in Need.State.values:
        qs = qs.filter(state=state)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(enterprise__name__icontains=q)
    if request.GET.get("format") == "xlsx":
        rows = [[n.enterprise.name, n.enterprise.uscc, formatting.wan(n.amount, unit=False),
                 n.term_months, "、".join(n.kind_labels()), n.purpose, n.get_state_display(),
                 formatting.date_iso(n.created_at)] for n in qs[:20000]]  # fmt: skip
        if consent.is_partner(user):
            for e in {n.enterprise for n in qs[:20000]}:
                consent.record(user, e, ["financing"], "export", _("融资需求导出"))
        return xlsx.response(xlsx.workbook([xlsx.Sheet(_("融资需求"), [
            _("企业"), _("统一社会信用代码"), _("金额（万元）"), _("期限（月）"), _("可接受方式"),
            _("用途"), _("状态"), _("发布日期")], rows)]), _("融资需求.xlsx"))  # fmt: skip
    page = _page(request, qs)
    if consent.is_partner(user):
        for e in {n.enterprise for n in page}:
            consent.record(user, e, ["financing"], "page", _("融资需求列表"))
    ctx = _role(user) | {"page": page, "state": state, "q": q, "states": Need.State.choices}
    return render(request, "finance/needs.html", ctx)


@login_required
def need_new(request):
    user = request.user
    ent = user.enterprise if scopes.is_enterprise(user) else None
    uscc = request.GET.get("uscc") or request.POST.get("uscc")
    if ent is None and uscc:
        ent = access.get(user, Enterprise, uscc=uscc.strip().upper())
    if ent is None or not services.may_post_need(user, ent):
        raise PermissionDenied(_("只有企业本身（或经企业授权的服务专员）可以发布融资需求。"))
    form = F.NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            n = services.post_need(user, ent, form.cleaned_data)
            messages.success(request, _("融资需求已发布，已授权的银行会收到通知。"))
            return redirect("finance:need", pk=n.pk)
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
    return render(request, "finance/need_new.html", _role(user) | {"form": form, "e": ent})


@login_required
def need_detail(request, pk):
    user = request.user
    n = services.get_need(user, pk)
    consent.record(user, n.enterprise, ["financing"], "page", _("融资需求 %(n)s") % {"n": n.pk})
    products = (
        Product.objects.filter(bank=user.organization, active=True) if consent.is_bank(user) else []
    )
    form = F.ResponseForm(request.POST or None, products=products)
    if request.method == "POST":
        if not consent.is_bank(user):
            raise PermissionDenied(_("只有银行可以答复融资需求。"))
        if form.is_valid():
            d = dict(form.cleaned_data)
            d["product"] = int(d["product"]) if d.get("product") else None
            try:
                services.respond(user, n, d)
                messages.success(request, _("已答复。"))
                return redirect("finance:need", pk=n.pk)
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
    events = services.allowed_events(user, n)
    mine = (products if consent.is_bank(user) else
            scopes.products(user).filter(active=True))  # fmt: skip
    ctx = _role(user) | {
        "n": n, "responses": scopes.responses(user, n.responses.all()).select_related("product"),
        "form": form if any(e in events for e in ("contact", "credit", "loan", "reject")) else None,
        "events": events, "matches": selectors.match_products(user, n.enterprise, n, mine),
        "banks": services.banks_for_need(n) if not consent.is_partner(user) else [],
    }  # fmt: skip
    return render(request, "finance/need_detail.html", ctx)


@login_required
@require_POST
def need_close(request, pk):
    n = services.get_need(request.user, pk)
    try:
        services.close_need(
            request.user, n, request.POST.get("action", ""), request.POST.get("note", "")
        )
        messages.success(request, _("已更新融资需求状态。"))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("finance:need", pk=n.pk)


# ------------------------------------------------------------------------------------ products
@login_required
def products(request):
    user = request.user
    qs = scopes.products(user)
    form = None
    if scopes.may_edit_product(user):
        form = F.ProductForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.save_product(user, form.cleaned_data | {"bank": request.POST.get("bank")})
                messages.success(request, _("产品已保存。"))
                return redirect("finance:products")
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
    rows = [{"p": p, "editable": scopes.may_edit_product(user, p)} for p in qs]
    return render(request, "finance/products.html", _role(user) | {"rows": rows, "form": form})


@login_required
def product_edit(request, pk):
    user = request.user
    p = access.get(user, Product, pk=pk, write=True)
    initial = {
        f: getattr(p, f)
        for f in (
            "name",
            "kind",
            "amount_min",
            "amount_max",
            "rate_min",
            "rate_max",
            "term_months",
            "description",
            "active",
        )
    }
    initial["conditions"] = "\n".join(f"{c['label']}|{c['expr']}" for c in p.conditions or [])
    form = F.ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_product(user, form.cleaned_data, p)
            messages.success(request, _("产品已保存。"))
            return redirect("finance:products")
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
    return render(request, "finance/product_edit.html", _role(user) | {"form": form, "p": p})


# ------------------------------------------------------------------------------------ outcomes
def _bar(title, rows):
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 60, "right": 20, "bottom": 60},
        "xAxis": {"type": "category", "data": [r["key"] for r in rows],
                  "axisLabel": {"interval": 0, "rotate": 20}},
        "yAxis": {"type": "value", "name": "万元"},
        "series": [{"type": "bar", "data": [float(r["amount"]) for r in rows]}],
    }  # fmt: skip


@login_required
def outcomes(request):
    user = request.user
    if not (acc.is_official(user) or consent.is_bank(user)):
        raise PermissionDenied(_("融资成效仅向政府部门和银行开放。"))
    try:
        start = cleaning.date(request.GET.get("start"), _("统计起始日期"))
        end = cleaning.date(request.GET.get("end"), _("统计截止日期"))
    except ValidationError as exc:
        messages.error(request, _("%(m)s 已按默认区间统计。") % {"m": "；".join(exc.messages)})
        start = end = None
    d = selectors.outcomes(user, start, end)
    if request.GET.get("format") == "xlsx":
        return xlsx.response(_outcomes_xlsx(d, user), _("融资成效.xlsx"))
    charts = {
        "bank": _bar(_("按银行（放款金额）"), d["by_bank"]),
        "kind": _bar(_("按融资方式"), d["by_kind"]),
        "region": _bar(_("按板块"), d["by_region"]),
        "tier": _bar(_("按梯度"), d["by_tier"]),
        "balance": {
            "title": {"text": _("贷款余额（月末）"), "left": "center", "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"}, "grid": {"left": 70, "right": 20},
            "xAxis": {"type": "category", "data": d["months"]},
            "yAxis": {"type": "value", "name": "万元"},
            "series": [{"type": "line", "areaStyle": {}, "data": [float(b) for b in d["balance"]]}],
        },
    }  # fmt: skip
    return render(request, "finance/outcomes.html", _role(user) | {"d": d, "charts": charts})


def _outcomes_xlsx(d, user) -> bytes:
    def sheet(title, rows):
        return xlsx.Sheet(title, [_("类别"), _("笔数"), _("金额（万元）")],
                          [[r["key"], r["n"], r["amount"]] for r in rows])  # fmt: skip

    loans = [[x.enterprise.name, x.enterprise.uscc, x.bank, x.get_kind_display(), x.amount, x.rate,
              x.term_months, x.loaned_on, x.matures_on]
             for x in selectors.loans_for(user).filter(loaned_on__gte=d["start"], loaned_on__lte=d["end"])]  # fmt: skip
    return xlsx.workbook([
        sheet(_("按银行"), d["by_bank"]), sheet(_("按方式"), d["by_kind"]),
        sheet(_("按板块"), d["by_region"]), sheet(_("按梯度"), d["by_tier"]),
        xlsx.Sheet(_("月末余额"), [_("月份"), _("余额（万元）")],
                   [[m, b] for m, b in zip(d["months"], d["balance"], strict=True)]),
        xlsx.Sheet(_("贷款明细"), [_("企业"), _("统一社会信用代码"), _("银行"), _("方式"),
                                  _("金额（万元）"), _("年利率（%）"), _("期限（月）"), _("放款日期"),
                                  _("到期日期")], loans),
    ])  # fmt: skip


# ------------------------------------------------------------------------------------ listing
@login_required
def listing(request):
    user = request.user
    if consent.is_partner(user) or not (acc.is_official(user) or scopes.is_enterprise(user)):
        raise Http404
    qs = access.visible(user, ListingCandidate).select_related("enterprise", "enterprise__region")
    stage = request.GET.get("stage", "")
    if stage in ListingCandidate.Stage.values:
        qs = qs.filter(stage=stage)
    qs = qs.order_by("-score", "enterprise__uscc")
    if request.GET.get("format") == "xlsx":
        rows = [[c.enterprise.name, c.enterprise.uscc, c.get_stage_display(), c.score,
                 c.confirmed_on, c.board, c.stock_code, c.listed_on,
                 c.problems.filter(status="open").count()] for c in qs]  # fmt: skip
        return xlsx.response(xlsx.workbook([xlsx.Sheet(_("上市后备企业库"), [
            _("企业"), _("统一社会信用代码"), _("阶段"), _("评分"), _("入库日期"), _("上市板块"),
            _("股票代码"), _("上市日期"), _("待解决问题")], rows)]), _("上市后备企业库.xlsx"))  # fmt: skip
    all_qs = access.visible(user, ListingCandidate)
    counts = {s: all_qs.filter(stage=s).count() for s in ListingCandidate.Stage.values}
    ctx = _role(user) | {
        "page": _page(request, qs), "stage": stage,
        "stages": [(v, lbl, counts[v]) for v, lbl in ListingCandidate.Stage.choices], "pool": selectors.reserve_pool(user).count(),
        "rules": selectors.listing_rules(),
    }  # fmt: skip
    return render(request, "finance/listing.html", ctx)


@login_required
@require_POST
def listing_select(request):
    rows = selectors.select_for_pool(acc.visible_enterprises(request.user))
    try:
        added, updated = services.propose_candidates(request.user, rows)
    except PermissionDenied:
        raise
    messages.success(request, _("已按评分规则遴选：新增待确认 %(a)s 家。") % {"a": added})
    return redirect("finance:listing")


@login_required
def candidate(request, pk):
    user = request.user
    c = access.get(user, ListingCandidate.objects.select_related("enterprise"), pk=pk)
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "stage":
                services.advance(user, c, request.POST.get("event", ""), note=request.POST.get("note", ""),
                                 data=request.POST)  # fmt: skip
            elif what == "problem":
                f = F.ProblemForm(request.POST)
                if not f.is_valid():
                    raise ValidationError(_("请填写问题类型和描述"))
                p = services.add_problem(user, c, f.cleaned_data)
                messages.success(
                    request,
                    _("问题已登记，并作为服务诉求转%(d)s办理；办结期限 %(c)s（按工作日计）。")
                    % {
                        "d": p.get_department_display(),
                        "c": formatting.date_zh(p.request.close_due),
                    },
                )
                return redirect("finance:candidate", pk=c.pk)
            elif what == "solve":
                p = ListingProblem.objects.filter(
                    candidate=c, pk=request.POST.get("problem")
                ).first()
                if p is None:
                    raise Http404
                services.solve_problem(user, p, request.POST.get("resolution", ""))
            elif what == "intermediary":
                f = F.IntermediaryForm(request.POST)
                if not f.is_valid():
                    raise ValidationError(_("请填写中介类型和名称"))
                services.add_intermediary(user, c, f.cleaned_data)
            else:
                raise ValidationError(_("未知的操作"))
            messages.success(request, _("已保存。"))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        return redirect("finance:candidate", pk=c.pk)
    sm = services.ListingMachine(model=c, state_field="stage")
    events = (
        [(e.id, services.LISTING_EVENTS[e.id]) for e in sm.allowed_events]
        if scopes.is_finance_official(user)
        else []
    )
    ctx = _role(user) | {
        "c": c, "events": events, "problems": c.problems.select_related("request"), "intermediaries": c.intermediaries.all(),
        "problem_form": F.ProblemForm(), "intermediary_form": F.IntermediaryForm(),
        "boards": selectors.listing_rules()["boards"], "detail": (c.score_detail or {}).values(),
    }  # fmt: skip
    return render(request, "finance/candidate.html", ctx)


# ------------------------------------------------------------------------------------ exchange
@login_required
def exchange_page(request):
    user = request.user
    if not (scopes.is_finance_official(user) or consent.is_bank(user)):
        raise PermissionDenied(_("仅市金融监管局或合作银行可使用数据交换。"))
    fmt = request.GET.get("download")
    if fmt in ("xlsx", "csv") and scopes.is_finance_official(user):
        content = exchange.export_file(user, fmt)
        if fmt == "xlsx":
            return xlsx.response(content, _("综合金融服务平台报送.xlsx"))
        from django.http import HttpResponse

        resp = HttpResponse(content, content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = (
            "attachment; filename*=UTF-8''%E7%BB%BC%E5%90%88%E9%87%91%E8%9E%8D%E6%9C%8D%E5%8A%A1%E5%B9%B3%E5%8F%B0%E6%8A%A5%E9%80%81.csv"
        )
        return resp
    form = F.ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            r = exchange.import_outcomes(user, f.name, f.read())
            messages.success(request, _("已导入 %(n)s 笔放款。") % {"n": r["rows"]})
            return redirect("finance:exchange")
        except exchange.ImportProblems as exc:
            problems = exc.messages
            messages.error(
                request, _("文件有 %(n)s 处问题，未导入任何数据。") % {"n": len(problems)}
            )
        except ValidationError as exc:
            form.add_error("file", _errors(exc))
    layout = selectors.exchange_layout()
    ctx = _role(user) | {"form": form, "problems": problems, "layout": layout,
                         "sections": consent.sections()}  # fmt: skip
    return render(request, "finance/exchange.html", ctx)


# ------------------------------------------------------------------------------------ insurance
@login_required
def insurance(request):
    from srdi.policies.models import Policy

    user = request.user
    if consent.is_partner(user):
        raise Http404
    qs = access.visible(user, InsuranceClaim).select_related("enterprise", "policy")
    policies = Policy.objects.filter(status=Policy.Status.PUBLISHED).order_by("title")
    form = None
    if scopes.is_enterprise(user) or scopes.is_finance_official(user):
        form = F.InsuranceForm(request.POST or None, policies=policies)
        if request.method == "POST" and request.POST.get("what") == "apply" and form.is_valid():
            d = form.cleaned_data
            ent = user.enterprise if scopes.is_enterprise(user) else access.get(
                user, Enterprise, uscc=(d.get("uscc") or "").strip().upper())  # fmt: skip
            try:
                services.apply_insurance(user, ent, d)
                messages.success(request, _("已登记保险补贴申请。"))
                return redirect("finance:insurance")
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
    if request.method == "POST" and request.POST.get("what") == "settle":
        c = access.get(user, InsuranceClaim, pk=request.POST.get("claim"), write=True)
        try:
            services.settle_insurance(user, c, request.POST.get("status", ""),
                                      amount=request.POST.get("amount"), paid_on=request.POST.get("paid_on"))  # fmt: skip
            messages.success(request, _("已更新。"))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        return redirect("finance:insurance")
    return render(
        request, "finance/insurance.html", _role(user) | {"page": _page(request, qs), "form": form}
    )
