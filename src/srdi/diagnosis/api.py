"""/api/diagnosis: the same diagnosis, reports and batch as the web pages (same services)."""

from __future__ import annotations

from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from ninja import Router, Schema
from ninja.errors import HttpError

from . import services

router = Router()


def _user(request):
    return request.auth if hasattr(request.auth, "role") else request.user


def _call(fn, *args):
    try:
        return fn(*args)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "您无权查看该企业的诊断报告。") from None
    except services.DiagnosisError as exc:
        raise HttpError(400, str(exc)) from None


class BatchIn(Schema):
    region: str
    format: str = "pdf"
    as_of: str | None = None


class JobOut(Schema):
    job_id: int
    url: str
    status_url: str
    total: int


@router.post("/batch", response=JobOut, summary="按板块批量生成诊断报告（后台任务）")
def batch(request, payload: BatchIn):
    from srdi.accounts import scopes

    from .selectors import batch_regions

    user = _user(request)
    _call(scopes.require_official, user)
    region = batch_regions(user).filter(name=payload.region).first()
    if region is None:
        raise HttpError(403, f"板块“{payload.region}”不存在或不在您的权限范围内。")
    if payload.format not in ("pdf", "docx", "html"):
        raise HttpError(400, f"不支持的格式“{payload.format}”，可选：pdf、docx、html。")
    day = _call(services.parse_as_of, payload.as_of)
    job = _call(services.start_batch_for, user, region, payload.format, day)
    return {
        "job_id": job.pk,
        "url": f"/jobs/{job.pk}/",
        "status_url": f"/jobs/{job.pk}.json",
        "total": job.total,
    }


@router.get("/{uscc}", summary="企业诊断（JSON）")
def diagnosis(request, uscc: str, as_of: str | None = None, review: bool = False):
    """The whole diagnosis: verdicts and explanations, strengths/weaknesses, next tier and gap
    plan, peer percentiles, five-year trend, data-quality warnings, contributed sections."""
    user = _user(request)
    day = _call(services.parse_as_of, as_of)
    return _call(services.diagnosis_for, user, uscc, day, review)


@router.get("/{uscc}/report", summary="下载诊断报告（pdf / docx / html）")
def report(request, uscc: str, format: str = "pdf", as_of: str | None = None):
    user = _user(request)
    day = _call(services.parse_as_of, as_of)
    name, ctype, content = _call(services.report_for, user, uscc, format, day)
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
