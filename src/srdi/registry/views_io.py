"""Web pages for import / export (/io/): upload → background import → report; downloads."""

from __future__ import annotations

import datetime as dt
import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from srdi.accounts import scopes
from srdi.accounts.roles import Department
from srdi.core import jobs, xlsx
from srdi.exchange import build_template

from . import io_jobs
from .models import ImportBatch, Region
from .services import EXPORT_FORMATS, export_profiles, may_import, new_batch

MAX_UPLOAD = 200 * 1024 * 1024
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("导入文件"),
        help_text=_("企业画像交换格式：JSON、JSON Lines（.jsonl）或 Excel 模板（.xlsx）"),
    )
    department = forms.CharField(
        label=_("数据提供部门"),
        max_length=100,
        required=False,
        help_text=_("如 市统计局、市税务局"),
    )
    mode = forms.ChoiceField(
        label=_("导入方式"),
        choices=ImportBatch.Mode.choices,
        initial=ImportBatch.Mode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        name = (f.name or "").lower()
        if not name.endswith((".json", ".jsonl", ".ndjson", ".xlsx")):
            raise forms.ValidationError(_("文件类型不支持：请上传 .json、.jsonl 或 .xlsx 文件。"))
        from srdi.exchange import limits

        cap = limits.current().upload_bytes
        if f.size > cap:
            raise forms.ValidationError(_("文件过大（上限 %(mb)s）。") % {"mb": limits.mb(cap)})
        return f


def _require_import(user) -> None:
    if not may_import(user):
        raise PermissionDenied(_("仅市工信局、部门用户和板块工作人员可以导入企业数据。"))


def _batch_for(request, pk) -> ImportBatch:
    from srdi.core import access

    return access.get(request.user, ImportBatch, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    _require_import(request.user)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            batch = new_batch(
                upload,
                actor=request.user,
                department=form.cleaned_data["department"].strip(),
                mode=form.cleaned_data["mode"],
                original_name=upload.name,
            )
            job = jobs.create(
                "registry_import", f"导入 {batch.original_name}", request.user, {"batch": batch.pk}
            )
            from srdi.audit.middleware import client_ip

            from .tasks import run_import

            # the background import's audit records carry the uploader's address
            run_import(batch.pk, job.pk, request.user.pk, ip=client_ip(request))
            return redirect("registry_io:batch", pk=batch.pk)
    else:
        dept = request.user.get_department_display() if request.user.department else ""
        form = ImportForm(initial={"department": dept})
    batches = ImportBatch.objects.all()
    if not scopes.is_admin(request.user):
        batches = batches.filter(uploaded_by=request.user)
    return render(
        request,
        "registry_io/import.html",
        {
            "form": form,
            "batches": batches[:20],
            "departments": [label for _v, label in Department.choices],
            "region": request.user.region if request.user.region_id else None,
        },
    )


@login_required
def batch_page(request, pk):
    batch = _batch_for(request, pk)
    problems = batch.problems
    return render(
        request,
        "registry_io/batch.html",
        {
            "batch": batch,
            "problems": problems,
            "running": batch.status in (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING),
        },
    )


@login_required
def batch_status(request, pk):
    batch = _batch_for(request, pk)
    prog = io_jobs.read_progress(batch.pk)
    return JsonResponse(
        {
            "id": batch.pk,
            "status": batch.status,
            "status_label": str(batch.get_status_display()),
            "processed": prog.get("processed", batch.processed),
            "total": prog.get("total") or batch.total or None,
            "done": batch.status not in (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING),
        }
    )


def _download(fieldfile, filename):
    if not fieldfile:
        raise Http404(_("文件不存在。"))
    try:
        fh = fieldfile.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("文件不存在。")) from exc
    return FileResponse(fh, as_attachment=True, filename=filename)


@login_required
def batch_original(request, pk):
    batch = _batch_for(request, pk)
    return _download(batch.file, batch.original_name)


@login_required
def batch_rejected(request, pk):
    batch = _batch_for(request, pk)
    name = batch.rejected_file.name.rsplit("/", 1)[-1] if batch.rejected_file else ""
    return _download(batch.rejected_file, name)


@login_required
def template_download(request):
    buf = io.BytesIO()
    build_template(buf)
    resp = HttpResponse(buf.getvalue(), content_type=CONTENT_TYPES["xlsx"])
    resp["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E4%BC%81%E4%B8%9A%E7%94%BB%E5%83%8F%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return resp


def export_queryset(user, regions=()):
    """The enterprises ``user`` may export (scope), optionally limited to some 板块."""
    from srdi.finance import consent

    qs = scopes.visible_enterprises(user)
    if consent.is_partner(user):  # full profiles never go to partners (finance export instead)
        qs = qs.none()
    if regions:
        qs = qs.filter(region__name__in=regions)
    return qs


def export_response(user, fmt: str, regions=()) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        raise Http404(_("未知导出格式。"))
    qs = export_queryset(user, regions)
    buf = io.BytesIO()
    n = export_profiles(qs, fmt, buf)
    resp = HttpResponse(buf.getvalue(), content_type=CONTENT_TYPES[fmt])
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
    xlsx.attachment(resp, f"企业数据导出_{stamp}.{fmt}")
    resp["X-Record-Count"] = str(n)
    return resp


@login_required
def export_page(request):
    fmt = request.GET.get("format")
    regions = [r for r in request.GET.getlist("region") if r]
    if fmt:
        return export_response(request.user, fmt, regions)
    visible = export_queryset(request.user)
    return render(
        request,
        "registry_io/export.html",
        {
            "count": visible.count(),
            "regions": Region.objects.filter(enterprises__in=visible).distinct(),
            "formats": EXPORT_FORMATS,
        },
    )
