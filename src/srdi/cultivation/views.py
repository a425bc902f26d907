"""Pages of 梯度培育: dashboard, pool, drill-down lists, targets, alerts, batches, bulletin."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from srdi.accounts import scopes
from srdi.core import access, cleaning, xlsx
from srdi.registry.models import Enterprise, Region, Title

from . import bulletin, drilldown, forms, lifecycle, selectors, services, shares, targets
from .models import LEVEL_LABELS, TIER_LABELS, Alert, KeyLinkProduct, TitleBatch

LADDER_TIERS = ("innovative_sme", "srdi_sme", "little_giant", "single_champion")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(request) -> dt.date:
    """The ?as_of= date (ValidationError in Chinese otherwise); today when absent."""
    return cleaning.date(request.GET.get("as_of"), _("统计日期")) or dt.date.today()


def _industry_names(codes: list) -> list[str]:
    """GB/T 4754 division codes → their names (charts show names, not codes)."""
    from srdi.registry.models import Industry

    names = dict(
        Industry.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name")
    )
    return [names.get(c) or ("未填写行业" if not c else "其他行业") for c in codes]


def _scope(request) -> selectors.Scope:
    region = request.GET.get("region") or None
    try:
        region_id = int(region) if region else None
    except ValueError:
        raise PermissionDenied("板块参数无效。") from None
    return selectors.scope_for(request.user, region_id)


def _targets_scope(request) -> selectors.Scope:
    """:func:`_scope` for pages showing the plan's targets (commissioners: 403)."""
    return selectors.require_targets(_scope(request))


def _page(request, qs, scope, day, key: str):
    """One page of 50 enterprises of `qs`, ordered by name.

    The ordered id list is cached with the dashboard aggregates (same generation, so a list
    always agrees with the number it drills down from); a page is then a primary-key lookup.
    """
    ids = selectors.cached(
        "ids", scope, day, lambda: list(qs.order_by("name", "pk").values_list("pk", flat=True)), key
    )
    page = Paginator(ids, 50).get_page(request.GET.get("page"))
    objs = {
        e.pk: e
        for e in Enterprise.objects.filter(pk__in=list(page.object_list)).select_related("region")
    }
    page.object_list = [objs[pk] for pk in page.object_list if pk in objs]
    return page


class CountedPaginator(Paginator):
    """A paginator whose total comes from the cached aggregates (no COUNT per page view)."""

    def __init__(self, object_list, per_page, total: int):
        super().__init__(object_list, per_page)
        self._total = total

    @property
    def count(self) -> int:
        return self._total


DRILL_KEYS = ("kind", "id", "tier", "stage", "industry", "month")


def _bad(request, exc) -> HttpResponse:
    msg = "；".join(getattr(exc, "messages", [str(exc)]))
    return render(request, "cultivation/error.html", {"message": msg}, status=400)


def _dashboard_context(day, scope, tier, sees_all, base_qs) -> dict:
    # a commissioner's dashboard covers the enterprises they serve: no plan targets, no 板块
    rows = targets.evaluate(day, scope) if scope.has_targets else []
    tiers = selectors.tier_counts(day, scope)
    funnel = selectors.funnel(tier, day, scope)
    alerts = selectors.alert_counts(scope, day)
    regions = {r.pk: r.name for r in Region.objects.filter(active=True)}
    by_region = [
        {
            "region_id": rid,
            "region": regions.get(rid, "未填板块"),
            "counts": [tiers["by_region"].get(rid, {}).get(t, 0) for t in LADDER_TIERS],
        }
        for rid in ([*regions, None] if scope.is_city else [scope.region_id])
        if (rid in tiers["by_region"] or rid in regions) and scope.has_targets
    ]
    industries = sorted(tiers["by_industry"].items(), key=lambda kv: -sum(kv[1].values()))[:15]
    chart = {
        "targets": [
            {"id": r["id"], "name": r["name"], "progress": r["progress_pct"]}
            for r in rows
            if r["progress_pct"] is not None
        ],
        "tiers": [TIER_LABELS[t] for t in LADDER_TIERS],
        "regions": [r["region"] for r in by_region],
        "region_ids": [r["region_id"] for r in by_region],
        "region_counts": [[r["counts"][i] for r in by_region] for i in range(len(LADDER_TIERS))],
        "industries": [k or "" for k, _ in industries],
        "industry_names": _industry_names([k for k, _ in industries]),
        "industry_counts": [[v.get(t, 0) for _, v in industries] for t in LADDER_TIERS],
        "funnel": [{"name": f["label"], "value": f["count"], "stage": f["stage"]} for f in funnel],
    }
    plan = targets.plan(None, day)
    ctx = {
        "day": day,
        "plan": plan,
        "plan_finished": day > plan["period"]["end"],
        "scope": scope,
        "rows": rows,
        "tier_totals": [(t, TIER_LABELS[t], tiers["total"].get(t, 0)) for t in LADDER_TIERS],
        "tier": tier,
        "tier_choices": [(t, TIER_LABELS[t]) for t in LADDER_TIERS],
        "funnel": funnel,
        "alerts": [(k, Alert.Kind(k).label, alerts.get(k, 0)) for k in Alert.Kind.values],
        "by_region": by_region,
        "industries": industries,
        "chart": chart,
        "regions": list(Region.objects.filter(active=True)) if sees_all else [],
        "ladder": LADDER_TIERS,
        "base_qs": base_qs,
    }
    return ctx


@login_required
def dashboard(request):
    """The dashboard; its body is rendered once per scope, date and data version (cached)."""
    try:
        day = _day(request)
    except ValidationError as exc:
        return _bad(request, exc)
    scope = _scope(request)
    tier = request.GET.get("tier") or "srdi_sme"
    if tier not in LADDER_TIERS:
        tier = "srdi_sme"
    sees_all = scopes.sees_all_enterprises(request.user)
    base_qs = _qs(request, keep=("as_of", "region"))

    def build():
        ctx = _dashboard_context(day, scope, tier, sees_all, base_qs)
        return render_to_string("cultivation/_dashboard_body.html", ctx)

    body = selectors.cached("dashboard_html", scope, day, build, tier, base_qs, int(sees_all))
    return render(
        request,
        "cultivation/dashboard.html",
        {"body": mark_safe(body), "tier": tier, "base_qs": base_qs},  # noqa: S308 - our own render
    )


def _qs(request, keep=("as_of", "region")) -> str:
    parts = [f"{k}={request.GET[k]}" for k in keep if request.GET.get(k)]
    return "&".join(parts)


@login_required
def enterprise_list(request):
    """Drill-down: the enterprises behind a number (?kind=…), exportable (&export=xlsx)."""
    try:
        day = _day(request)
        scope = _scope(request)
        d = drilldown.drill(request.GET, scope, day)
    except (ValidationError, drilldown.DrillError) as exc:
        return _bad(request, exc)
    if request.GET.get("export") == "xlsx":
        resp = HttpResponse(drilldown.to_xlsx(d, day), content_type=XLSX)
        xlsx.attachment(resp, "企业名单.xlsx")
        return resp
    page = None
    held = {}
    if d.enterprises is not None:
        if request.GET.get("kind") == "all":
            qs = d.enterprises.select_related("region").order_by("name", "pk")
            page = Paginator(qs, 50).get_page(request.GET.get("page"))
        else:
            key = "&".join(f"{k}={request.GET.get(k, '')}" for k in DRILL_KEYS)
            page = _page(request, d.enterprises, scope, day, key)
        held = drilldown.held_tiers([e.pk for e in page.object_list], day)
        for e in page.object_list:
            e.held = held.get(e.pk, [])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cultivation/list.html",
        {"d": d, "page": page, "day": day, "scope": scope, "query": query.urlencode()},
    )


@login_required
def pool(request):
    try:
        day = _day(request)
    except ValidationError as exc:
        return _bad(request, exc)
    scope = _scope(request)
    tier = request.GET.get("tier") or "srdi_sme"
    if tier not in LADDER_TIERS:
        return _bad(request, ValidationError(f"培育目标“{tier}”无效。"))
    stage = request.GET.get("stage") or "meets"
    if stage not in selectors.STAGES:
        stage = "meets"
    funnel = selectors.funnel(tier, day, scope)
    qs = scope.enterprises().filter(selectors.stage_filter(tier, stage, day))
    page = _page(request, qs, scope, day, f"kind=funnel&tier={tier}&stage={stage}")
    entries = {
        p.enterprise_id: p
        for p in selectors.pool_entries(tier).filter(
            enterprise_id__in=[e.pk for e in page.object_list]
        )
    }
    for e in page.object_list:
        e.entry = entries.get(e.pk)
        e.may_record = _may_record(request.user, e)
    return render(
        request,
        "cultivation/pool.html",
        {
            "day": day,
            "scope": scope,
            "tier": tier,
            "tier_label": TIER_LABELS[tier],
            "tier_choices": [(t, TIER_LABELS[t]) for t in LADDER_TIERS],
            "stage": stage,
            "funnel": funnel,
            "page": page,
            "form": forms.PoolForm(),
            "keylinks": KeyLinkProduct.objects.filter(active=True)
            .filter(scope.q("enterprise__"))
            .count(),
        },
    )


def _may_record(user, enterprise) -> bool:
    """The 登记 button shows only where services.require_pool_write would allow it."""
    try:
        services.require_pool_write(user, enterprise)
    except PermissionDenied:
        return False
    return True


@login_required
@require_POST
def pool_record(request, uscc, tier):
    enterprise = access.get(request.user, Enterprise, uscc=uscc)
    form = forms.PoolForm(request.POST)
    back = request.POST.get("next") or reverse("cultivation:pool") + f"?tier={tier}"
    if not back.startswith("/"):
        back = reverse("cultivation:pool")
    if not form.is_valid():
        messages.error(request, "登记内容有误：" + form.errors.as_text())
        return redirect(back)
    a = form.cleaned_data["action"]
    try:
        if a in ("willing", "unwilling"):
            services.record_willingness(
                request.user, enterprise, tier, a == "willing", form.cleaned_data["note"]
            )
        elif a == "applied":
            services.record_application(
                request.user,
                enterprise,
                tier,
                form.cleaned_data["applied_on"] or dt.date.today(),
                form.cleaned_data["note"],
            )
        else:
            services.record_application(
                request.user, enterprise, tier, None, form.cleaned_data["note"]
            )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(back)
    messages.success(request, f"已登记：{enterprise.name}（{TIER_LABELS.get(tier, tier)}）")
    return redirect(back)


@login_required
def keylinks(request):
    scope = _scope(request)
    form = forms.KeyLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        e = Enterprise.objects.filter(uscc=form.cleaned_data["uscc"].strip().upper()).first()
        if e is None or not scopes.can_view(request.user, e):
            form.add_error("uscc", "企业库中没有该统一社会信用代码的企业（或不在您的范围内）。")
        else:
            try:
                services.add_key_link_product(
                    request.user,
                    e,
                    form.cleaned_data["product"],
                    form.cleaned_data["chain"],
                    form.cleaned_data["link"],
                )
                messages.success(request, "已加入关键环节产品培育库。")
                return redirect("cultivation:keylinks")
            except ValidationError as exc:
                form.add_error(None, "；".join(exc.messages))
    qs = (
        KeyLinkProduct.objects.filter(active=True)
        .filter(scope.q("enterprise__"))
        .select_related("enterprise", "enterprise__region")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request, "cultivation/keylinks.html", {"page": page, "form": form, "scope": scope}
    )


@login_required
def target_detail(request, target_id):
    try:
        day = _day(request)
        defn = targets.definition(target_id)
    except ValidationError as exc:
        return _bad(request, exc)
    except KeyError:
        raise Http404("没有该目标。") from None
    scope = _targets_scope(request)
    form = None
    if defn["measure"]["kind"] == "manual":
        form = forms.ManualFigureForm(request.POST or None, initial={"as_of": day})
        if request.method == "POST" and form.is_valid():
            c = form.cleaned_data
            try:
                services.record_manual_figure(
                    request.user,
                    target_id=target_id,
                    value=c["value"],
                    as_of=c["as_of"],
                    source=c["source"],
                    region=c["region"],
                    note=c["note"],
                )
                messages.success(request, "已记录。")
                return redirect("cultivation:target", target_id=target_id)
            except ValidationError as exc:
                form.add_error(None, "；".join(exc.messages))
    plan = targets.plan_of(defn)
    part = shares.parts(plan, scope).get(defn["id"]) if scope.region_id is not None else None
    row = targets.row(defn, day, scope, part=part)
    regions = targets.by_region(defn, day) if scope.is_city and defn.get("split") != "none" else []
    series = targets.series(defn, day, scope)
    from .models import ManualFigure

    figures = ManualFigure.objects.filter(target_id=target_id).select_related(
        "region", "recorded_by"
    )
    if scope.region_id is not None:
        figures = figures.filter(region_id=scope.region_id)
    return render(
        request,
        "cultivation/target.html",
        {
            "day": day,
            "scope": scope,
            "defn": defn,
            "plan": plan,
            "row": row,
            "regions": regions,
            "series": series,
            "figures": figures[:100],
            "form": form,
        },
    )


@login_required
def alerts(request):
    scope = _scope(request)
    kind = request.GET.get("kind") or None
    if kind and kind not in Alert.Kind.values:
        kind = None
    qs = selectors.open_alerts(scope, kind).order_by("-detected_on", "-pk")
    mine = request.GET.get("mine") == "1"
    if mine:
        qs = qs.filter(assignee=request.user)
    qs = qs.select_related("assignee")
    if request.GET.get("export") == "xlsx":
        from srdi.core import xlsx

        wb = xlsx.new()
        ws = wb.create_sheet("监测预警")
        ws.append(["类型", "企业", "统一社会信用代码", "板块", "内容", "发现日期"])
        for a in qs.iterator(chunk_size=2000):
            ws.append(
                [
                    a.get_kind_display(),
                    a.enterprise.name,
                    a.enterprise.uscc,
                    a.region.name if a.region_id else "",
                    a.message,
                    a.detected_on.isoformat(),
                ]
            )
        resp = HttpResponse(wb.bytes(), content_type=XLSX)
        xlsx.attachment(resp, "培育预警.xlsx")
        return resp
    counts = selectors.alert_counts(scope, dt.date.today())
    total = counts.get(kind, 0) if kind else sum(counts.values())
    if mine:
        total = qs.count()
    page = CountedPaginator(qs, 50, total).get_page(request.GET.get("page"))
    from srdi.accounts.models import User
    from srdi.accounts.roles import OFFICIAL_ROLES

    # people an alert can be given to: officials of this scope (checked again on assignment)
    people = User.objects.filter(is_active=True, role__in=OFFICIAL_ROLES)
    if scope.region_id is not None:
        people = people.filter(
            Q(region_id=scope.region_id) | Q(role__in=["admin", "department", "commissioner"])
        )
    return render(
        request,
        "cultivation/alerts.html",
        {
            "page": page,
            "kind": kind,
            "kinds": Alert.Kind.choices,
            "scope": scope,
            "mine": mine,
            "people": list(people.order_by("role", "username")[:200]),
        },
    )


@login_required
@require_POST
def alert_handle(request, pk, action):
    from django.core.exceptions import ValidationError

    from srdi.accounts.models import User
    from srdi.core import access

    alert = access.get(request.user, Alert, write=True, pk=pk)
    try:
        if action == "assign":
            who = User.objects.filter(pk=request.POST.get("assignee") or 0).first()
            services.assign_alert(request.user, alert, who)
            messages.success(
                request,
                _("已指派给 %(u)s，并已通知。") % {"u": who.get_full_name() or who.username},
            )
        elif action == "close":
            services.close_alert(request.user, alert, request.POST.get("note", ""))
            messages.success(request, _("预警已关闭，处理说明已记录。"))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    back = request.POST.get("next") or ""
    return redirect(back if back.startswith("/cultivation/alerts/") else "cultivation:alerts")


@login_required
def batches(request):
    scopes.require_official(request.user)
    form = None
    if scopes.is_admin(request.user):
        form = forms.BatchUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            c = form.cleaned_data
            try:
                res = services.record_batch(
                    request.user,
                    content=c["file"].read(),
                    filename=c["file"].name,
                    name=c["name"],
                    tier=c["tier"],
                    level=c["level"],
                    granted=c["granted"],
                    valid_until=c["valid_until"],
                    mode=c["mode"],
                )
                return redirect("cultivation:batch", pk=res.batch.pk)
            except ValidationError as exc:
                form.add_error(None, "；".join(exc.messages))
    elif request.method == "POST":
        raise PermissionDenied("仅市工信局管理员可录入认定批次。")
    page = Paginator(TitleBatch.objects.all(), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "cultivation/batches.html",
        {"form": form, "page": page, "validity": lifecycle.rules()["validity"]},
    )


@login_required
def batch_detail(request, pk):
    batch = access.get(request.user, TitleBatch, pk=pk)
    scopes.require_official(request.user)
    if request.GET.get("download") == "original":
        scopes.require_admin(request.user)
        return FileResponse(batch.file.open("rb"), as_attachment=True, filename=batch.original_name)
    titles = (
        Title.objects.filter(events__batch=batch, events__kind="granted")
        .filter(enterprise__in=scopes.visible_enterprises(request.user))
        .select_related("enterprise", "enterprise__region")
        .distinct()
    )
    return render(
        request,
        "cultivation/batch.html",
        {
            "batch": batch,
            "titles": titles[:500],
            "tier_labels": TIER_LABELS,
            "level_labels": LEVEL_LABELS,
        },
    )


@login_required
def title_detail(request, pk):
    title = access.get(request.user, Title.objects.select_related("enterprise"), pk=pk)
    scopes.require_official(request.user)
    revoke_form = forms.RevokeForm(request.POST or None, initial={"on": dt.date.today()})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "review":
                services.start_review(request.user, title)
            elif action == "renew":
                services.renew(request.user, title)
            elif action == "revoke" and revoke_form.is_valid():
                c = revoke_form.cleaned_data
                services.revoke(request.user, title, c["reason"], c["on"], c["note"])
            else:
                return _bad(
                    request, ValidationError("操作无效或表单有误：" + revoke_form.errors.as_text())
                )
        except ValidationError as exc:
            return _bad(request, exc)
        messages.success(request, "已更新称号状态。")
        return redirect("cultivation:title", pk=title.pk)
    today = dt.date.today()
    rule = lifecycle.review_standard(title.tier, max(today, title.valid_until or today))
    if rule:  # the standard by its Chinese title (its rule-file id is technical)
        from srdi.diagnosis import engine as rules_engine

        try:
            rule = {**rule, "standard_title": rules_engine.standard(rule["standard"]).title_zh}
        except Exception:
            rule = {**rule, "standard_title": ""}
    return render(
        request,
        "cultivation/title.html",
        {
            "title": title,
            "status": lifecycle.STATUS_LABELS.get(lifecycle.status_on(title, today), "未生效"),
            "events": title.events.select_related("actor", "batch"),
            "tier_label": TIER_LABELS.get(title.tier, title.tier),
            "level_label": LEVEL_LABELS.get(title.level, title.level),
            "review_rule": rule,
            "deadline": lifecycle.update_deadline(title.tier, today.year),
            "deadline_rule": lifecycle.update_deadline_rule(title.tier),
            "revoke_form": revoke_form,
            "may_write": scopes.may_write(request.user, title.enterprise, "titles"),
        },
    )


@login_required
def bulletin_view(request):
    scope = _targets_scope(request)  # the bulletin reports the plan's targets
    month = request.GET.get("month") or ""
    fmt = request.GET.get("format") or ""
    if month and fmt == "pdf":  # ~8 s: a job with a progress bar, download at the end
        try:
            bulletin.parse_month(month)
        except ValueError as exc:
            return HttpResponseBadRequest(str(exc))
        from srdi.core import jobs

        from .tasks import bulletin_pdf_task

        job = jobs.create(
            "bulletin_pdf",
            f"工作通报 PDF（{month}，{scope.label}）",
            request.user,
            params={"month": month, "region": scope.region_id},
            total=3,
        )
        bulletin_pdf_task(job.pk)
        return redirect("core:job", pk=job.pk)
    if month and fmt:
        try:
            content = bulletin.render(month, fmt, scope)
        except ValueError as exc:
            return HttpResponseBadRequest(str(exc))
        ctype = (
            XLSX
            if fmt == "xlsx"
            else (
                "application/pdf"
                if fmt == "pdf"
                else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            )
        )
        resp = HttpResponse(content, content_type=ctype)
        xlsx.attachment(resp, f"培育工作简报_{month}.{fmt}")
        return resp
    d = None
    if month:
        try:
            d = bulletin.data(month, scope)
        except ValueError as exc:
            return _bad(request, exc)
    default = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    return render(
        request,
        "cultivation/bulletin.html",
        {
            "d": d,
            "month": month or default,
            "scope": scope,
            "region": request.GET.get("region", ""),
        },
    )


@login_required
def plans_view(request):
    """The plans (shipped and loaded), each with its progress and final assessment; an
    administrator loads the next plan here (YAML or xlsx)."""
    from . import plans as plan_data

    scope = _targets_scope(request)  # officials who follow the plan's targets
    errors = []
    can_load = scopes.is_admin(request.user)
    if request.method == "POST":
        if not can_load:
            raise PermissionDenied("仅市工信局管理员可载入计划。")
        f = request.FILES.get("file")
        if f is None:
            errors = ["请选择计划文件。"]
        elif f.size > plan_data.MAX_BYTES:
            errors = ["文件过大（不超过2MB）。"]
        else:
            try:
                obj = services.load_plan(request.user, f.read(), f.name)
                messages.success(request, f"已载入计划：{obj.title}。")
                return redirect("cultivation:plans")
            except ValidationError as exc:
                errors = exc.messages
    return render(
        request,
        "cultivation/plans.html",
        {
            "plans": list(plan_data.all_plans().values()),
            "today": dt.date.today(),
            "can_load": can_load,
            "sees_city": scope.is_city,  # the final assessment is city-wide
            "errors": errors,
        },
    )


@login_required
def plan_template(request):
    from srdi.core import xlsx

    from . import plans as plan_data

    _scope(request)
    return xlsx.response(plan_data.template_xlsx(), "培育计划模板.xlsx")


@login_required
def final_view(request, key):
    """计划完成情况总结 (web, ?format=pdf|docx) — city-wide, for officials who see the city."""
    from . import assessment

    scope = _scope(request)
    if not scope.is_city:
        raise PermissionDenied("计划完成情况总结为全市口径，仅市级部门可查看。")
    try:
        d = assessment.data(key)
    except KeyError:
        raise Http404("没有该计划。") from None
    fmt = request.GET.get("format") or ""
    if fmt in ("pdf", "docx"):
        content = assessment.to_pdf(d) if fmt == "pdf" else assessment.to_docx(d)
        ctype = (
            "application/pdf"
            if fmt == "pdf"
            else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        resp = HttpResponse(content, content_type=ctype)
        resp["Content-Disposition"] = f"attachment; filename=final-{key}.{fmt}"
        return resp
    return render(request, "cultivation/final.html", {"d": d, "summary": assessment.summary(d)})
