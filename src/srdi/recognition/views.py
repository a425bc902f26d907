"""Pages of the registers (thin: lookups through srdi.core.access, writes through services)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from srdi.core import access, cleaning, xlsx
from srdi.core import formatting as fmt
from srdi.registry.models import Region

from . import kinds, scopes, selectors, services
from .models import Honour, Platform

FILTERS = ("kind", "year", "region", "q")


def _filters(request) -> dict:
    return {k: request.GET.get(k, "").strip() for k in FILTERS}


def _common(request) -> dict:
    return {
        "honour_kinds": [(k, v["label"]) for k, v in kinds.honours().items()],
        "platform_kinds": [(k, v["label"]) for k, v in kinds.platforms().items()],
        "levels": list(kinds.levels().items()),
        "regions": Region.objects.filter(active=True),
        "may_honours": scopes.maintained_kinds(request.user, "honour"),
        "may_platforms": scopes.maintained_kinds(request.user, "platform"),
    }


def _honour_rows(qs):
    for h in qs:
        yield [h.enterprise.uscc, h.enterprise.name, kinds.honour_label(h.kind),
               kinds.level_label(h.level), h.year, fmt.date_iso(h.granted_on), h.issuer, h.item,
               h.stars or "", h.certificate_no, "已撤销" if h.revoked_on else "有效"]  # fmt: skip


@login_required
def honour_list(request):
    f = _filters(request)
    qs = selectors.honours_for(request.user, **f)
    if request.GET.get("format") == "xlsx":
        headers = [c for c, _ in services.HONOUR_COLUMNS if c != "备注"] + ["状态"]
        content = xlsx.workbook([xlsx.Sheet("荣誉认证", headers, list(_honour_rows(qs[:50000])))])
        return xlsx.response(content, "荣誉认证登记.xlsx")
    error = ""
    if request.method == "POST":
        try:
            h = services.save_honour(request.user, request.POST.dict())
            messages.success(request, f"已登记：{h}。")
            return redirect("recognition:honours")
        except ValidationError as exc:
            error = "；".join(exc.messages)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "recognition/honours.html", {
        **_common(request), "page": page, "f": f, "error": error, "post": request.POST,
        "query": "&".join(f"{k}={v}" for k, v in f.items() if v),
    })  # fmt: skip


@login_required
def honour_detail(request, pk):
    h = access.get(request.user, Honour.objects.select_related("enterprise"), pk=pk)
    error = ""
    if request.method == "POST":
        access.require_write(request.user, h)
        try:
            services.save_honour(
                request.user, {**request.POST.dict(), "enterprise": h.enterprise}, h
            )
            messages.success(request, "已保存。")
            return redirect("recognition:honour", pk=h.pk)
        except ValidationError as exc:
            error = "；".join(exc.messages)
    return render(request, "recognition/honour.html", {
        **_common(request), "h": h, "error": error, "may_write": access.may_write(request.user, h),
        "kind_label": kinds.honour_label(h.kind), "level_label": kinds.level_label(h.level),
    })  # fmt: skip


@login_required
@require_POST
def honour_revoke(request, pk):
    h = access.get(request.user, Honour, write=True, pk=pk)
    try:
        on = cleaning.date(request.POST.get("on"), _("撤销日期")) or dt.date.today()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("recognition:honour", pk=h.pk)
    services.revoke_honour(request.user, h, on, request.POST.get("note", ""))
    messages.success(request, "已撤销。")
    return redirect("recognition:honour", pk=h.pk)


@login_required
def platform_list(request):
    f = _filters(request)
    qs = selectors.platforms_for(request.user, **f)
    if request.GET.get("format") == "xlsx":
        rows = [[p.name, kinds.platform_label(p.kind), kinds.level_label(p.level), p.year, p.issuer,
                 p.operator.uscc if p.operator else "", p.operator_name,
                 p.region.name if p.region else "", "已撤销" if p.revoked_on else "有效"]
                for p in qs[:50000]]  # fmt: skip
        headers = [c for c, _ in services.PLATFORM_COLUMNS if c != "备注"] + ["状态"]
        return xlsx.response(
            xlsx.workbook([xlsx.Sheet("服务与创新平台", headers, rows)]), "平台登记.xlsx"
        )
    error = ""
    if request.method == "POST":
        try:
            p = services.save_platform(request.user, request.POST.dict())
            messages.success(request, f"已登记：{p}。")
            return redirect("recognition:platforms")
        except ValidationError as exc:
            error = "；".join(exc.messages)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "recognition/platforms.html", {
        **_common(request), "page": page, "f": f, "error": error, "post": request.POST,
        "query": "&".join(f"{k}={v}" for k, v in f.items() if v),
    })  # fmt: skip


@login_required
def platform_detail(request, pk):
    p = access.get(request.user, Platform.objects.select_related("region", "operator"), pk=pk)
    error = ""
    if request.method == "POST":
        access.require_write(request.user, p)
        try:
            data = request.POST.dict()
            data.setdefault("operator", p.operator.uscc if p.operator else "")
            services.save_platform(request.user, data, p)
            messages.success(request, "已保存。")
            return redirect("recognition:platform", pk=p.pk)
        except ValidationError as exc:
            error = "；".join(exc.messages)
    return render(request, "recognition/platform.html", {
        **_common(request), "p": p, "error": error, "may_write": access.may_write(request.user, p),
        "kind_label": kinds.platform_label(p.kind), "level_label": kinds.level_label(p.level),
    })  # fmt: skip


@login_required
def import_view(request):
    common = _common(request)
    if not (common["may_honours"] or common["may_platforms"]):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("仅负责维护登记册的部门可导入。")
    if request.GET.get("template"):
        return xlsx.response(services.template_xlsx(), "荣誉认证与平台登记模板.xlsx")
    errors, result = [], None
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            errors = ["请选择 Excel 文件。"]
        elif f.size > services.MAX_BYTES:
            errors = ["文件过大（不超过10MB）。"]
        else:
            try:
                result = services.import_xlsx(
                    request.user, f.read(), dry_run=bool(request.POST.get("dry_run"))
                )
            except ValidationError as exc:
                errors = exc.messages
    return render(
        request, "recognition/import.html", {**common, "errors": errors, "result": result}
    )
